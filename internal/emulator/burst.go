package emulator

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Burst packs a share of the activities into a short part of the Span, as a
// real audit log looks after one bulk change: tens of thousands of
// activities within minutes, the rest spread thinly. The zero value means
// no burst (activities spread evenly, the default data set).
type Burst struct {
	// Share of the activities inside the burst, in [0, 1]; 0 = no burst.
	Share float64
	// Span is the burst's length as a share of the data set's Span, in
	// (0, 1). The burst is centred in the Span; BurstWindow gives its ends.
	Span float64
}

// Validate says what is wrong with b, naming what is allowed.
func (b Burst) Validate() error {
	switch {
	case math.IsNaN(b.Share) || b.Share < 0 || b.Share > 1:
		return fmt.Errorf("burst share %v: must be between 0 and 1", b.Share)
	case b.Share == 0 && b.Span != 0:
		return fmt.Errorf("burst span %v without a share: give both, or neither", b.Span)
	case b.Share > 0 && (math.IsNaN(b.Span) || b.Span <= 0 || b.Span >= 1):
		return fmt.Errorf("burst span %v: must be above 0 and below 1", b.Span)
	}
	return nil
}

// String is the ParseBurst form of b ("" for no burst).
func (b Burst) String() string {
	if b.Share == 0 {
		return ""
	}
	return strconv.FormatFloat(b.Share, 'g', -1, 64) + ":" + strconv.FormatFloat(b.Span, 'g', -1, 64)
}

// ParseBurst reads "SHARE:SPAN", e.g. "0.7:0.02" for 70% of the activities
// in 2% of the Span; "" is no burst.
func ParseBurst(s string) (Burst, error) {
	if s == "" {
		return Burst{}, nil
	}
	share, span, ok := strings.Cut(s, ":")
	if !ok {
		return Burst{}, fmt.Errorf("burst %q: want SHARE:SPAN, e.g. 0.7:0.02 (70%% of the activities in 2%% of the span)", s)
	}
	var b Burst
	var err1, err2 error
	b.Share, err1 = strconv.ParseFloat(strings.TrimSpace(share), 64)
	b.Span, err2 = strconv.ParseFloat(strings.TrimSpace(span), 64)
	if err := errors.Join(err1, err2); err != nil {
		return Burst{}, fmt.Errorf("burst %q: want SHARE:SPAN as two numbers, e.g. 0.7:0.02", s)
	}
	if err := b.Validate(); err != nil {
		return Burst{}, err
	}
	return b, nil
}

// geometry is the burst's length and the distance of its newest end from
// Now, both whole seconds so that truncating a timestamp to the second
// never moves it across an end.
func (b Burst) geometry() (length, back time.Duration) {
	length = max(time.Duration(float64(Span)*b.Span).Truncate(time.Second), 2*time.Second)
	back = ((Span - length) / 2).Truncate(time.Second)
	return length, back
}

// BurstWindow is the burst's half-open sub-span [start, end) of a data set
// anchored at now (as Options.Now; zero = DefaultNow). Without a burst both
// are zero.
func BurstWindow(b Burst, now time.Time) (start, end time.Time) {
	if b.Share == 0 || b.Validate() != nil {
		return time.Time{}, time.Time{}
	}
	if now.IsZero() {
		now = DefaultNow
	}
	now = now.UTC().Truncate(time.Second)
	length, back := b.geometry()
	return now.Add(-back - length), now.Add(-back)
}

// burstState is the generator's bookkeeping for a Burst.
type burstState struct {
	b       Burst
	in      int  // activities placed in the burst so far
	lastLen int  // len(out) at the previous placement
	lastIn  bool // whether the previous placement was in the burst
}

// mulDiv is a*b/c without overflow, for a < c (so the quotient fits).
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// back maps d, a uniform distance before Now in [1ms, Span] drawn by the
// generator, to the distance the activity gets. Without a burst it is d:
// the default data set is unchanged, and with a burst the same random
// numbers are drawn, so only timestamps differ. With a burst, activities go
// into it while its count is below Share of those generated (an exact
// quota rather than a coin, so the share holds within a sibling group at
// any size), spread evenly over it; the others spread evenly over the rest
// of the Span.
func (g *generator) back(d time.Duration) time.Duration {
	s := &g.burst
	if s.b.Share == 0 {
		return d
	}
	if s.lastIn {
		s.in += len(g.out) - s.lastLen
	}
	s.lastLen = len(g.out)
	length, newest := s.b.geometry()
	ms := func(x time.Duration) uint64 { return uint64(x / time.Millisecond) }
	spanMs, lenMs, newestMs := ms(Span), ms(length), ms(newest)
	x := ms(d) - 1 // in [0, spanMs)
	s.lastIn = float64(s.in) < s.b.Share*float64(len(g.out)+1)
	var out uint64
	if s.lastIn {
		// (newest, newest+length): truncating to the second keeps it
		// inside [start, end).
		out = newestMs + 1 + mulDiv(x, lenMs-1, spanMs)
	} else {
		// [1ms, newest) or (newest+length, Span): outside, truncated too.
		rest := spanMs - lenMs - 1
		out = 1 + mulDiv(x, rest-1, spanMs)
		if out >= newestMs {
			out += lenMs + 1
		}
	}
	return time.Duration(out) * time.Millisecond
}

// validBurst is b, or no burst when b is invalid (New cannot fail).
func validBurst(b Burst) Burst {
	if b.Validate() != nil {
		return Burst{}
	}
	return b
}
