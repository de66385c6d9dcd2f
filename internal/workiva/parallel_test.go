package workiva

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

func TestSplitWindow(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		since, before time.Time
		p, want       int
	}{
		{day, day.Add(24 * time.Hour), 4, 4},
		{day, day.Add(24 * time.Hour), 16, 16},
		{day, day.Add(3 * time.Second), 7, 7}, // under a second each: exact nanoseconds
		{day, day.Add(time.Nanosecond), 4, 1},
		{day, day.Add(3 * time.Nanosecond), 16, 3},
		{day.Add(-time.Nanosecond), day.Add(2 * time.Nanosecond), 2, 2},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), 16, 16},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 5, time.UTC), 8, 5},
		{time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC), 2, 2},
		{day.Add(123456789), day.Add(10*time.Second + 987654321), 3, 3},
	}
	for _, tc := range cases {
		b := splitWindow(tc.since, tc.before, tc.p)
		if len(b) != tc.want+1 || !b[0].Equal(tc.since) || !b[len(b)-1].Equal(tc.before) {
			t.Errorf("%v..%v/%d: %d boundaries %v", tc.since, tc.before, tc.p, len(b), b)
			continue
		}
		span := tc.before.Sub(tc.since) // exact for windows under 292 years
		for i := 1; i < len(b); i++ {
			if !b[i].After(b[i-1]) {
				t.Errorf("%v..%v/%d: boundary %d %v not after %v", tc.since, tc.before, tc.p, i, b[i], b[i-1])
			}
			if span > 0 && span < 100*365*24*time.Hour {
				// Equal sub-windows, within the rounding to the second.
				d, want := b[i].Sub(b[i-1]), span/time.Duration(tc.want)
				slack := time.Duration(1)
				if want >= time.Second {
					slack = time.Second
				}
				if d < want-slack || d > want+slack {
					t.Errorf("%v..%v/%d: sub-window %d is %v, want about %v", tc.since, tc.before, tc.p, i, d, want)
				}
			}
		}
		// Inner boundaries are rendered exactly as the filter sends them
		// and parse back to the same instant.
		for _, x := range b {
			if y, err := time.Parse(time.RFC3339Nano, x.UTC().Format(time.RFC3339Nano)); err != nil || !y.Equal(x) {
				t.Errorf("boundary %v does not round-trip: %v %v", x, y, err)
			}
		}
	}
	// Whole seconds when each sub-window spans at least one.
	for _, x := range splitWindow(day.Add(500*time.Millisecond), day.Add(time.Hour), 7)[1:7] {
		if x.Nanosecond() != 0 {
			t.Errorf("inner boundary %v not rounded to the second", x)
		}
	}
}

func TestParallelismValidation(t *testing.T) {
	c, err := New(Config{APIURL: "http://127.0.0.1:1", AccessToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []ActivityQuery{
		{OrganizationID: "o", Parallelism: -1, Order: "asc"},
		{OrganizationID: "o", Parallelism: MaxParallelism + 1, Order: "asc"},
		{OrganizationID: "o", Parallelism: 2, Since: day, Before: day.Add(time.Hour)}, // no order
	} {
		_, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%+v: got %v, want *QueryError", q, err)
		}
	}
}

// walkResult is what a walk hands over and reports.
type walkResult struct {
	ids []string
	res ListResult
	err error
}

// quiesce waits until no request has reached s for 100 ms (at most 5 s).
func quiesce(s *emulator.Server) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		n := len(s.Requests())
		time.Sleep(100 * time.Millisecond)
		if len(s.Requests()) == n {
			s.ResetRequests()
			return
		}
	}
}

func runWalk(c *Client, q ActivityQuery) walkResult {
	var w walkResult
	var inFn atomic.Int32
	w.res, w.err = c.ListActivities(context.Background(), q, func(a *Activity) error {
		if inFn.Add(1) != 1 {
			panic("fn called concurrently")
		}
		defer inFn.Add(-1)
		w.ids = append(w.ids, a.ID)
		return nil
	})
	return w
}

// TestParallelWalkMatchesSequential compares the parallel walk with the
// sequential one over many windows (including seams that fall on items'
// own timestamps and windows smaller than the parallelism), both orders,
// several page sizes, limits and degrees of parallelism.
func TestParallelWalkMatchesSequential(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	first, last := all[0].At, all[len(all)-1].At
	r := rand.New(rand.NewPCG(6, 6))
	at := func() time.Time { return all[r.IntN(len(all))].At }

	type window struct{ since, before time.Time }
	windows := []window{
		{first, last.Add(time.Second)},                  // everything
		{first.Add(-time.Hour), last.Add(time.Hour)},    // wider than the data
		{last.Add(time.Hour), last.Add(2 * time.Hour)},  // empty
		{all[100].At, all[100].At.Add(time.Nanosecond)}, // one instant, fewer ns than p
		{all[100].At, all[100].At.Add(3 * time.Nanosecond)},
		{all[10].At.Add(-time.Second), all[10].At.Add(time.Second)},
		// Skewed: every item in the first or the last 1% of the window,
		// so that one equal piece holds them all and must be split.
		{first, first.Add(100 * last.Sub(first))},
		{last.Add(-100 * last.Sub(first)), last.Add(time.Second)},
	}
	nRandom, nSizes, nLimits := 20, 2, 3
	if raceDetector || testing.Short() {
		nRandom, nSizes, nLimits = 6, 1, 3
	}
	for range nRandom {
		a, b := at(), at()
		if b.Before(a) {
			a, b = b, a
		}
		windows = append(windows, window{a, b.Add(time.Nanosecond)})
	}
	// Seams exactly on items: since = t_a and the first inner boundary
	// t_b, which makes every boundary a multiple of (t_b - t_a) away.
	for _, p := range []int{2, 3, 4} {
		i := r.IntN(len(all) / 2)
		j := i + 1 + r.IntN(200)
		if !all[j].At.After(all[i].At) {
			continue
		}
		d := all[j].At.Sub(all[i].At)
		windows = append(windows, window{all[i].At, all[i].At.Add(time.Duration(p) * d)})
	}

	cases := 0
	for wi, w := range windows {
		for _, order := range []string{"asc", "desc"} {
			q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: w.since, Before: w.before, Order: order}
			full := runWalk(c, q)
			if full.err != nil {
				t.Fatal(full.err)
			}
			n := len(full.ids)
			// A sample of page sizes, limits and degrees per window and
			// order (the whole product takes minutes under -race).
			pageSizes := []int{7, 100, 1000}
			if n > 150 {
				pageSizes = pageSizes[1:] // keep the request count sane
			}
			limits := []int{0, 1, 5, max(n-1, 0), n, n + 1, r.IntN(n + 2)}
			for range nSizes {
				pageSize := pageSizes[r.IntN(len(pageSizes))]
				for range nLimits {
					q := q
					q.PageSize, q.MaxResults = pageSize, limits[r.IntN(len(limits))]
					seq := runWalk(c, q)
					q.Parallelism = []int{2, 3, 4, 8, 16}[r.IntN(5)]
					par := runWalk(c, q)
					cases++
					name := fmt.Sprintf("window %d (%d items) %s page %d max %d p %d", wi, n, order, q.PageSize, q.MaxResults, q.Parallelism)
					if par.err != nil || seq.err != nil {
						t.Fatalf("%s: errors %v / %v", name, par.err, seq.err)
					}
					if !slices.Equal(par.ids, seq.ids) {
						t.Fatalf("%s: %d items, sequential %d (first difference at %d)", name, len(par.ids), len(seq.ids), firstDiff(par.ids, seq.ids))
					}
					if par.res.Count != seq.res.Count || par.res.Truncated != seq.res.Truncated {
						t.Fatalf("%s: %+v, sequential %+v", name, par.res, seq.res)
					}
				}
			}
		}
	}
	if cases < 2*len(windows)*nSizes*nLimits {
		t.Errorf("only %d cases compared", cases)
	}
	t.Logf("%d windows, %d parallel walks compared", len(windows), cases)
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestParallelWalkRequests: the first pieces' filters are the equal cut of
// the window, every piece shares the one token, and a limit cancels what
// is no longer needed.
func TestParallelWalkRequests(t *testing.T) {
	// Its own emulator: a cancelled request of another test can still reach
	// a shared one after its log was reset, and this test counts requests.
	s, err := emulator.Start(emulator.Options{Activities: emuActivities})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	since, before := all[0].At, all[len(all)-1].At.Add(time.Second)
	tokens := s.TokensIssued()
	w := runWalk(c, ActivityQuery{OrganizationID: s.OrganizationID(), Since: since, Before: before, Order: "asc", PageSize: 200, Parallelism: 4})
	if w.err != nil || len(w.ids) != len(all) {
		t.Fatalf("%v, %d items", w.err, len(w.ids))
	}
	if n := s.TokensIssued() - tokens; n != 1 {
		t.Errorf("%d tokens, want 1", n)
	}
	bounds := splitWindow(since, before, 4)
	firsts := map[string]bool{}
	for _, r := range s.APIRequests() {
		if r.Query.Get("$next") == "" {
			firsts[r.Query.Get("$filter")] = true
		}
	}
	for i := range 4 {
		f := "activityDateTime ge " + bounds[i].UTC().Format(time.RFC3339Nano) + " and activityDateTime lt " + bounds[i+1].UTC().Format(time.RFC3339Nano)
		if !firsts[f] {
			t.Errorf("no sub-walk with $filter %q (got %v)", f, firsts)
		}
	}
	// Pieces split off later add first requests of their own. Every
	// request is a page the walk counted, but for a next page requested
	// ahead of a piece's decoding that the piece, its end moved by a split,
	// never used: at most one per piece, never a piece's first request
	// (readahead.go; the performance guide's Requests section).
	reqs := s.APIRequests()
	unused, nFirst := len(reqs)-w.res.Pages, 0
	for _, r := range reqs {
		if r.Query.Get("$next") == "" {
			nFirst++
		}
	}
	if len(firsts) < 4 || nFirst != len(firsts) || unused < 0 || unused > len(firsts) {
		t.Errorf("%d first requests (%d distinct), %d pages, %d requests", nFirst, len(firsts), w.res.Pages, len(reqs))
	}

	// A limit the first sub-window satisfies: the others stop after at most
	// a page each instead of walking their whole window.
	s.ResetRequests()
	w = runWalk(c, ActivityQuery{OrganizationID: s.OrganizationID(), Since: since, Before: before, Order: "desc", PageSize: 10, MaxResults: 25, Parallelism: 8})
	if w.err != nil || len(w.ids) != 25 || !w.res.Truncated || w.ids[0] != all[len(all)-1].ID {
		t.Fatalf("%v %d %+v", w.err, len(w.ids), w.res)
	}
	if n := len(s.APIRequests()); n > 3+7*2 {
		t.Errorf("%d requests for 25 items", n)
	}
}

func TestParallelWalkErrors(t *testing.T) {
	s := sharedEmulator(t)
	all := s.Activities()
	since, before := all[0].At, all[len(all)-1].At.Add(time.Second)
	q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: since, Before: before, Order: "asc", PageSize: 100, Parallelism: 4}

	// A bad page in every sub-walk: the walk fails with the page error.
	s.SetFaults(emulator.Faults{MalformedPage: 2})
	w := runWalk(mustNew(t, emuConfig(s)), q)
	var pe *PageError
	if !errors.As(w.err, &pe) || pe.Page != 2 {
		t.Errorf("malformed page: %v", w.err)
	}
	// Items stream: the first sub-walk's page 1 (100 items) and the one valid
	// item before the emulator's stray token on page 2 may reach fn before
	// the error; nothing of a later sub-window may (they are only buffered).
	if len(w.ids) > 101 {
		t.Errorf("%d items handed over; the first sub-walk fails after at most 101", len(w.ids))
	}

	// A server error (no retries) in whichever sub-walk asks first.
	cfg := emuConfig(s)
	cfg.MaxRetries = intPtr(0)
	c := mustNew(t, cfg)
	// Requests of the first walk's cancelled sub-walks can still reach the
	// emulator after it returned, and would take the injected 500s.
	quiesce(s)
	s.SetFaults(emulator.Faults{ServerErrors: 2, ServerErrorStatus: 500})
	w = runWalk(c, q)
	var ae *APIError
	if !errors.As(w.err, &ae) || ae.StatusCode != 500 {
		t.Errorf("server error: %v", w.err)
	}

	// The caller's error and ErrStop end the walk at once.
	s.SetFaults(emulator.Faults{})
	boom := errors.New("boom")
	n := 0
	_, err := c.ListActivities(context.Background(), q, func(*Activity) error {
		if n++; n == 150 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 150 {
		t.Errorf("callback error: %v after %d", err, n)
	}
	n = 0
	res, err := c.ListActivities(context.Background(), q, func(*Activity) error {
		if n++; n == 150 {
			return ErrStop
		}
		return nil
	})
	if err != nil || n != 150 || res.Count != 150 || res.Truncated {
		t.Errorf("ErrStop: %v %d %+v", err, n, res)
	}

	// A cancelled context.
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	_, err = c.ListActivities(ctx, q, func(*Activity) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "list organization activities") {
		t.Errorf("cancelled: %v", err)
	}
}
