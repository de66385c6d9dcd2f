package workiva

import (
	"math/big"
	"time"
)

// MaxParallelism bounds ActivityQuery.Parallelism: more concurrent walks
// than this only add load on the API.
const MaxParallelism = 16

// splitWindow cuts [since, before) into at most p contiguous sub-windows of
// equal length and returns their p'+1 boundaries (the first is since, the
// last before). Each boundary is both the exclusive end (lt) of one
// sub-window and the inclusive start (ge) of the next, so every instant of
// the window lies in exactly one. A window of fewer nanoseconds than p gets
// one sub-window per nanosecond. When every sub-window spans at least a
// second, inner boundaries are rounded down to the second: same partition,
// plainer filters.
func splitWindow(since, before time.Time, p int) []time.Time {
	// Nanoseconds since the Unix epoch overflow int64 outside 1678..2262,
	// and Since/Before may be any year 1..9999: compute in big integers.
	ns := func(t time.Time) *big.Int {
		v := big.NewInt(t.Unix())
		v.Mul(v, big.NewInt(int64(time.Second)))
		return v.Add(v, big.NewInt(int64(t.Nanosecond())))
	}
	lo, hi := ns(since), ns(before)
	span := new(big.Int).Sub(hi, lo)
	if span.Sign() <= 0 {
		return []time.Time{since, before}
	}
	if span.IsInt64() && span.Int64() < int64(p) {
		p = int(span.Int64())
	}
	roundToSecond := new(big.Int).Div(span, big.NewInt(int64(p))).Cmp(big.NewInt(int64(time.Second))) >= 0
	out := make([]time.Time, 0, p+1)
	out = append(out, since)
	sec, nsec := new(big.Int), new(big.Int)
	for i := 1; i < p; i++ {
		b := new(big.Int).Mul(span, big.NewInt(int64(i)))
		b.Div(b, big.NewInt(int64(p)))
		b.Add(b, lo)
		sec.DivMod(b, big.NewInt(int64(time.Second)), nsec) // Euclidean: 0 <= nsec < 1e9
		if roundToSecond {
			nsec.SetInt64(0)
		}
		out = append(out, time.Unix(sec.Int64(), nsec.Int64()).UTC())
	}
	return append(out, before)
}
