package workiva

import (
	"context"
	"errors"
	"math/big"
	"net/url"
	"sync"
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

// subWalk is the state of one sub-window's walk, guarded by parallelWalk.mu.
type subWalk struct {
	q         ActivityQuery
	cancel    context.CancelFunc
	pending   []*Activity // read, not yet handed to fn
	produced  int         // items read so far
	done      bool
	cancelled bool // by the join, once its items are no longer needed
	res       ListResult
}

// parallelWalk joins concurrent walks of sub-windows into the sequential
// walk's result.
type parallelWalk struct {
	mu    sync.Mutex
	subs  []*subWalk // in output order: the first is handed to fn first
	err   error      // the first sub-walk error: it fails the whole walk
	wake  chan struct{}
	limit int // MaxResults (0 = none)

	ctx      context.Context // the caller's
	op, path string          // for the error when ctx ends
}

// listParallel walks q's window as len(bounds)-1 concurrent sub-walks (same
// filters, order, page size and limit) and hands their items to fn in q's
// order, from the calling goroutine only: the first sub-window's items as
// they arrive, later ones from a buffer once the earlier windows are done.
// With MaxResults k it stops at k items and reports Truncated as the
// sequential walk does; sub-walks whose items can no longer be needed are
// cancelled. Any sub-walk error fails the walk and cancels the others.
//
//nolint:contextcheck // every sub-walk context derives from ctx (context.WithCancel below)
func (c *Client) listParallel(ctx context.Context, q ActivityQuery, bounds []time.Time, fn func(*Activity) error) (ListResult, error) {
	n := len(bounds) - 1
	pw := &parallelWalk{wake: make(chan struct{}, 1), limit: q.MaxResults, ctx: ctx, op: OpListOrganizationActivities}
	pw.path = "/admin/v1/organizations/" + url.PathEscape(q.OrganizationID)
	if q.WorkspaceID != "" {
		pw.op = OpListWorkspaceActivities
		pw.path += "/workspaces/" + url.PathEscape(q.WorkspaceID)
	}
	pw.path = c.base.EscapedPath() + pw.path + "/activities"
	pw.subs = make([]*subWalk, n)
	for i := range n {
		sq := q
		sq.Parallelism = 0
		sq.Since, sq.Before = bounds[i], bounds[i+1]
		j := i // ascending: earliest sub-window first
		if q.Order == "desc" {
			j = n - 1 - i
		}
		pw.subs[j] = &subWalk{q: sq}
	}

	// Every cancel func exists before any sub-walk starts: a sub-walk may
	// cancel the ones after it.
	ctxs := make([]context.Context, n)
	for i, s := range pw.subs {
		ctxs[i], s.cancel = context.WithCancel(ctx)
	}
	var wg sync.WaitGroup
	for i, s := range pw.subs {
		sctx, cancel := ctxs[i], s.cancel
		wg.Go(func() {
			defer cancel()
			res, err := c.listSequential(sctx, s.q, func(a *Activity) error { return pw.push(i, a) })
			pw.finish(i, res, err)
		})
	}
	res, err := pw.join(fn)
	pw.cancelFrom(0)
	wg.Wait()
	for _, s := range pw.subs {
		res.Pages += s.res.Pages
	}
	return res, err
}

// signal wakes the join (never blocks: one pending wake-up is enough).
func (pw *parallelWalk) signal() {
	select {
	case pw.wake <- struct{}{}:
	default:
	}
}

// push buffers an item read by sub-walk i.
func (pw *parallelWalk) push(i int, a *Activity) error {
	pw.mu.Lock()
	s := pw.subs[i]
	if s.cancelled || pw.err != nil {
		pw.mu.Unlock()
		return ErrStop
	}
	s.pending = append(s.pending, a)
	s.produced++
	if pw.limit > 0 {
		// Once the sub-walks up to and including i hold k+1 items, the
		// first k and the fact that more exist are settled: nothing after
		// them is needed.
		total := 0
		for j, s := range pw.subs {
			total += s.produced
			if total > pw.limit {
				pw.cancelFromLocked(j)
				break
			}
		}
	}
	pw.mu.Unlock()
	pw.signal()
	return nil
}

// finish records the end of sub-walk i. An error of a sub-walk the join
// cancelled is its cancellation, not a failure.
func (pw *parallelWalk) finish(i int, res ListResult, err error) {
	pw.mu.Lock()
	s := pw.subs[i]
	s.done, s.res = true, res
	if err != nil && !s.cancelled && pw.err == nil {
		pw.err = err
		pw.cancelFromLocked(0)
	}
	pw.mu.Unlock()
	pw.signal()
}

func (pw *parallelWalk) cancelFrom(i int) {
	pw.mu.Lock()
	pw.cancelFromLocked(i)
	pw.mu.Unlock()
}

func (pw *parallelWalk) cancelFromLocked(i int) {
	for _, s := range pw.subs[i:] {
		if !s.done && !s.cancelled {
			s.cancelled = true
			s.cancel()
		}
	}
}

// join hands the items to fn in order and settles Count and Truncated.
func (pw *parallelWalk) join(fn func(*Activity) error) (ListResult, error) {
	var res ListResult
	for i, s := range pw.subs {
		for {
			if err := pw.failed(); err != nil {
				return res, err
			}
			pw.mu.Lock()
			batch, done := s.pending, s.done
			s.pending = nil
			pw.mu.Unlock()
			for j, a := range batch {
				batch[j] = nil // the caller decides what stays in memory
				// Items already read are not handed over once the
				// caller's context ends.
				if err := pw.ctxErr(); err != nil {
					return res, err
				}
				res.Count++
				if err := fn(a); err != nil {
					if errors.Is(err, ErrStop) {
						return res, nil
					}
					return res, err
				}
				if pw.limit > 0 && res.Count >= pw.limit {
					if j+1 < len(batch) {
						res.Truncated = true
						return res, nil
					}
					more, err := pw.moreAfter(i)
					res.Truncated = more
					return res, err
				}
			}
			if done {
				break
			}
			if len(batch) == 0 {
				pw.wait()
			}
		}
	}
	return res, nil
}

// moreAfter reports whether any item follows the last one handed over from
// sub-walk i (whose buffer the join has emptied), waiting as needed.
func (pw *parallelWalk) moreAfter(i int) (bool, error) {
	for {
		if err := pw.failed(); err != nil {
			return false, err
		}
		pw.mu.Lock()
		more, settled := false, true
		for j, s := range pw.subs[i:] {
			if len(s.pending) > 0 {
				more = true
				break
			}
			if s.cancelled {
				// Cancelled only once k+1 items were held, and the first k
				// were handed over: the next exists.
				more = true
				break
			}
			if !s.done {
				settled = false
				break
			}
			if j == 0 && s.res.Truncated {
				// Sub-walk i stopped at its own limit with more to read.
				more = true
				break
			}
		}
		pw.mu.Unlock()
		if more || settled {
			return more, nil
		}
		pw.wait()
	}
}

// wait blocks until a sub-walk reports or the caller's context ends.
func (pw *parallelWalk) wait() {
	select {
	case <-pw.wake:
	case <-pw.ctx.Done():
	}
}

// failed returns the error that ends the walk: the caller's context, or the
// first sub-walk error.
func (pw *parallelWalk) failed() error {
	if err := pw.ctxErr(); err != nil {
		return err
	}
	pw.mu.Lock()
	defer pw.mu.Unlock()
	return pw.err
}

func (pw *parallelWalk) ctxErr() error {
	if err := pw.ctx.Err(); err != nil {
		return &RequestError{Operation: pw.op, Method: "GET", Path: pw.path, Err: err}
	}
	return nil
}
