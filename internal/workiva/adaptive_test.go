package workiva

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// spoolDir hands out spool files in a directory and keeps count of them.
type spoolDir struct {
	t    *testing.T
	dir  string
	mu   sync.Mutex
	made int
	open int
	fail error // when set, the next file cannot be opened
}

func newSpoolDir(t *testing.T) *spoolDir {
	t.Helper()
	return &spoolDir{t: t, dir: t.TempDir()}
}

func (d *spoolDir) spool() (SpoolFile, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return nil, d.fail
	}
	f, err := os.CreateTemp(d.dir, "spool")
	if err != nil {
		return nil, err
	}
	d.made++
	d.open++
	return &countedFile{File: f, d: d}, nil
}

func (d *spoolDir) counts() (made, open int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.made, d.open
}

// left returns the files still in the directory.
func (d *spoolDir) left() []string {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		d.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

type countedFile struct {
	*os.File
	d    *spoolDir
	once sync.Once
}

func (f *countedFile) Close() error {
	err := f.File.Close()
	f.once.Do(func() {
		_ = os.Remove(f.Name())
		f.d.mu.Lock()
		f.d.open--
		f.d.mu.Unlock()
	})
	return err
}

// collect runs a walk and keeps every activity it hands over.
func collect(ctx context.Context, c *Client, q ActivityQuery) ([]*Activity, ListResult, error) {
	var got []*Activity
	res, err := c.ListActivities(ctx, q, func(a *Activity) error {
		got = append(got, a)
		return nil
	})
	return got, res, err
}

// firstRequests counts the list requests that started a walk (no $next).
func firstRequests(s *emulator.Server) int {
	n := 0
	for _, r := range s.APIRequests() {
		if r.Query.Get("$next") == "" {
			n++
		}
	}
	return n
}

// Every item in 1% of the window: the equal cut leaves one piece with all
// of it, and idle walkers split it until they all work. The items, their
// order, Count and Truncated stay the sequential walk's, in both orders and
// with spooling (the activities handed over equal the sequential ones,
// Raw included, whether they were kept in memory or read back).
func TestAdaptiveWalkSkewed(t *testing.T) {
	s, err := emulator.Start(emulator.Options{Activities: emuActivities})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	first, last := all[0].At, all[len(all)-1].At
	for _, order := range []string{"asc", "desc"} {
		for _, raw := range []struct{ keep, only bool }{{false, false}, {true, false}, {true, true}} {
			for _, limit := range []int{0, 1, 1200, len(all) - 1, len(all)} {
				q := ActivityQuery{
					OrganizationID: s.OrganizationID(), Since: first, Before: first.Add(100 * last.Sub(first)),
					Order: order, PageSize: 100, MaxResults: limit, KeepRaw: raw.keep, RawOnly: raw.only,
				}
				if order == "desc" {
					q.Since, q.Before = last.Add(-100*last.Sub(first)), last.Add(time.Second)
				}
				name := fmt.Sprintf("%s keepRaw=%v rawOnly=%v max=%d", order, raw.keep, raw.only, limit)
				seq, seqRes, err := collect(context.Background(), c, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, spool := range []bool{false, true} {
					q := q
					q.Parallelism = 8
					d := newSpoolDir(t)
					if spool {
						q.Spool = d.spool
					}
					s.ResetRequests()
					par, parRes, err := collect(context.Background(), c, q)
					if err != nil {
						t.Fatalf("%s spool=%v: %v", name, spool, err)
					}
					if !reflect.DeepEqual(par, seq) {
						t.Fatalf("%s spool=%v: %d activities differ from the sequential %d", name, spool, len(par), len(seq))
					}
					if parRes.Count != seqRes.Count || parRes.Truncated != seqRes.Truncated {
						t.Fatalf("%s spool=%v: %+v, sequential %+v", name, spool, parRes, seqRes)
					}
					if made, open := d.counts(); open != 0 || len(d.left()) != 0 {
						t.Errorf("%s: %d of %d spool files left open, %v on disk", name, open, made, d.left())
					}
					if limit == 0 {
						// 8 equal pieces, only one of them holding items:
						// split pieces add walks of their own.
						if n := firstRequests(s); n < 8+4 {
							t.Errorf("%s spool=%v: %d walks started; the busy piece was not split", name, spool, n)
						}
						if made, _ := d.counts(); spool && made == 0 {
							t.Errorf("%s: nothing was spooled", name)
						}
					}
				}
			}
		}
	}
}

// Items sharing one instant cannot be cut apart: one piece reads them all,
// each once, and the walk ends (no endless splitting of empty time).
func TestAdaptiveWalkOneInstant(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	counts := map[time.Time]int{}
	var at time.Time
	for _, a := range s.Activities() {
		if counts[a.At]++; counts[a.At] > counts[at] {
			at = a.At
		}
	}
	if counts[at] < 3 {
		t.Fatalf("the data has no instant with 3 items (at most %d)", counts[at])
	}
	for _, order := range []string{"asc", "desc"} {
		// The emulator's times are whole seconds: [at, at+1s) holds the
		// instant's items only, and the equal cut puts them all in the
		// first of four pieces.
		for _, before := range []time.Time{at.Add(time.Second), at.Add(time.Hour)} {
			q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: at, Before: before, Order: order, PageSize: 1}
			seq := runWalk(c, q)
			q.Parallelism = 4
			par := runWalk(c, q)
			if seq.err != nil || par.err != nil || (before.Equal(at.Add(time.Second)) && len(seq.ids) != counts[at]) || !slices.Equal(par.ids, seq.ids) {
				t.Errorf("%s before %v: %v %v, %v, sequential %v", order, before, par.err, seq.err, par.ids, seq.ids)
			}
			// 4 first pages, one page per item and the last, and at most
			// one split-off piece: cutting empty time again helps nothing.
			if limit := 4 + counts[at] + 1 + 1; before.Equal(at.Add(time.Second)) && par.res.Pages > limit {
				t.Errorf("%s: %d pages for %d items at one instant (at most %d)", order, par.res.Pages, counts[at], limit)
			}
		}
	}
}

// Without since and before, the ends are found first; the result is the
// sequential walk's.
func TestAdaptiveWalkNoWindow(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	mid := all[len(all)/2].At
	for _, tc := range []struct {
		name          string
		since, before time.Time
		filter        string
	}{
		{name: "no window"},
		{name: "since only", since: mid},
		{name: "before only", before: mid},
		{name: "nothing matches", since: all[len(all)-1].At.Add(time.Hour)},
		{name: "nothing matches the filter", filter: "performer.id eq 'no-such-performer'"},
	} {
		for _, order := range []string{"asc", "desc"} {
			q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: tc.since, Before: tc.before, Filter: tc.filter, Order: order, PageSize: 200}
			seq := runWalk(c, q)
			q.Parallelism = 6
			par := runWalk(c, q)
			if seq.err != nil || par.err != nil || !slices.Equal(par.ids, seq.ids) {
				t.Errorf("%s %s: %v / %v, %d items, sequential %d", tc.name, order, par.err, seq.err, len(par.ids), len(seq.ids))
			}
			if tc.name == "no window" && len(par.ids) != len(all) {
				t.Errorf("%s: %d of %d", tc.name, len(par.ids), len(all))
			}
		}
	}
}

// A fault in one piece fails the whole read; a spool that cannot be opened
// does too; a cancelled read returns with no walker left running. Every
// spool file is closed and gone in each case.
func TestAdaptiveWalkFailures(t *testing.T) {
	s, err := emulator.Start(emulator.Options{Activities: emuActivities})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cfg := emuConfig(s)
	cfg.MaxRetries = intPtr(0)
	c := mustNew(t, cfg)
	all := s.Activities()
	first, last := all[0].At, all[len(all)-1].At
	q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: first, Before: last.Add(time.Second), Order: "asc", PageSize: 50, Parallelism: 8}
	if _, err := c.GetActivity(context.Background(), all[0].ID); err != nil { // the token, outside the counts
		t.Fatal(err)
	}

	check := func(name string, d *spoolDir) {
		t.Helper()
		if made, open := d.counts(); open != 0 || len(d.left()) != 0 {
			t.Errorf("%s: %d of %d spool files open, %v on disk", name, open, made, d.left())
		}
	}

	// The 30th API call fails (no retries): some later piece's page.
	d := newSpoolDir(t)
	q.Spool = d.spool
	s.SetFaults(emulator.Faults{MalformedPage: 3})
	_, _, err = collect(context.Background(), c, q)
	var pe *PageError
	if !errors.As(err, &pe) {
		t.Errorf("malformed page: %v", err)
	}
	check("malformed page", d)

	quiesce(s)
	s.SetFaults(emulator.Faults{})
	d = newSpoolDir(t)
	d.fail = errors.New("disk full")
	q.Spool = d.spool
	_, _, err = collect(context.Background(), c, q)
	if err == nil || !errors.Is(err, d.fail) {
		t.Errorf("spool failure: %v", err)
	}
	check("spool failure", d)

	// Cancelled from the callback once items flow, with latency so that
	// requests are in flight.
	s.SetFaults(emulator.Faults{Latency: 20 * time.Millisecond})
	d = newSpoolDir(t)
	q.Spool = d.spool
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = c.ListActivities(ctx, q, func(*Activity) error {
		if n++; n == 60 {
			if len(walkGoroutines()) == 0 { // the probe below must see walkers
				t.Error("no goroutine of the walk seen while it runs")
			}
			cancel()
		}
		return nil
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	check("cancelled", d)
	// Nothing of the walk keeps running. Counting all goroutines flaked on
	// a loaded CI machine: the emulator's and the transport's connection
	// goroutines close on their own schedule and belong to neither. So look
	// for goroutines running or started by this package's code.
	deadline := time.Now().Add(5 * time.Second)
	left := walkGoroutines()
	for len(left) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		left = walkGoroutines()
	}
	if len(left) > 0 {
		t.Errorf("%d goroutines of the walk still running after it returned:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// walkGoroutines lists the stacks of goroutines, other than tests', that run
// or were started by this package.
func walkGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "/internal/workiva.") && !strings.Contains(g, "/internal/workiva.Test") {
			out = append(out, g)
		}
	}
	return out
}

// Under a cap on requests in flight, a split makes no more parts than can
// be walked at once: with 3 allowed and 2 pieces running, one new part
// however many walkers wait; none with 3 running.
func TestSplitRespectsTheCap(t *testing.T) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	mk := func(running int) *pwalk {
		w := &pwalk{c: &Client{gate: newGate()}, minSplit: 10, waiting: 6}
		w.idle = sync.NewCond(&w.mu)
		for i := range running {
			lo := base.Add(time.Duration(i) * time.Hour)
			// 50 items read in the first minute of an hour: plenty left.
			w.pieces = append(w.pieces, &piece{lo: lo, hi: lo.Add(time.Hour), reached: lo.Add(time.Minute), n: 50, started: true})
		}
		return w
	}
	newParts := func(w *pwalk) int {
		before := len(w.pieces)
		if w.splitLocked() == nil {
			return 0
		}
		return len(w.pieces) - before
	}
	if n := newParts(mk(2)); n != 7 {
		t.Errorf("no cap, 6 walkers waiting: %d new parts, want 7", n)
	}
	w := mk(2)
	w.c.gate.limit = 3
	if n := newParts(w); n != 1 {
		t.Errorf("cap 3, 2 running: %d new parts, want 1", n)
	}
	w = mk(3)
	w.c.gate.limit = 3
	if n := newParts(w); n != 0 {
		t.Errorf("cap 3, 3 running: %d new parts, want none", n)
	}
}

// Walkers decoding the last page of their piece count as idle for a split:
// with 2 waiting and 3 on their last page, the busiest piece is cut for
// the splitting walker and all 5 others at once (6 new parts; the piece
// split keeps its own), instead of for the 2 waiting only.
func TestSplitCountsWalkersOnTheirLastPage(t *testing.T) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	w := &pwalk{c: &Client{gate: newGate()}, minSplit: 10, waiting: 2}
	w.idle = sync.NewCond(&w.mu)
	// The busy piece: 50 items in the first minute of a day.
	w.pieces = append(w.pieces, &piece{lo: base, hi: base.Add(24 * time.Hour), reached: base.Add(time.Minute), n: 50, started: true})
	for i := range 4 {
		lo := base.Add(time.Duration(24+i) * time.Hour)
		// Nearly done: nothing worth splitting is left.
		w.pieces = append(w.pieces, &piece{lo: lo, hi: lo.Add(time.Hour), reached: lo.Add(59 * time.Minute), n: 5, started: true, ending: i < 3})
	}
	before := len(w.pieces)
	if w.splitLocked() == nil {
		t.Fatal("no split")
	}
	if n := len(w.pieces) - before; n != 6 {
		t.Errorf("%d new parts, want 6 (the splitting walker, 2 waiting, 3 on their last page)", n)
	}
	if !w.pieces[0].hi.Before(base.Add(24*time.Hour)) || !w.pieces[1].lo.Equal(w.pieces[0].hi) {
		t.Errorf("the busy piece was not the one split: %v..%v then %v", w.pieces[0].lo, w.pieces[0].hi, w.pieces[1].lo)
	}
}

// A piece whose walk is over lets go of its spool's write buffer, with
// what it held written out: it may wait long for its turn, and the replay
// still hands over every item.
func TestFinishedPieceSealsItsSpool(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "spool")
	if err != nil {
		t.Fatal(err)
	}
	sp := newSpool(f)
	t.Cleanup(sp.close)
	for _, s := range []string{`{"id":"a"}`, `{"id":"b"}`} {
		if err := sp.put([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	w := &pwalk{wake: make(chan struct{}, 1)}
	w.idle = sync.NewCond(&w.mu)
	p := &piece{started: true, spool: sp}
	w.pieces = []*piece{p}
	w.finish(p, ListResult{Pages: 1}, nil)
	if sp.w != nil {
		t.Error("the finished piece's spool still holds its write buffer")
	}
	if st, err := f.Stat(); err != nil || st.Size() == 0 {
		t.Errorf("spool file after finish: %v, %v; want its records written", st, err)
	}
	var got []string
	if err := sp.replay(func(raw []byte, _ bool) error { got = append(got, string(raw)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != `{"id":"a"} {"id":"b"}` || w.err != nil {
		t.Errorf("replayed %q, walk error %v", got, w.err)
	}
}

// failingSpoolFile refuses every write.
type failingSpoolFile struct{ *os.File }

func (failingSpoolFile) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// A spool's failed write is worded the same whether it shows when an item
// is put or when the buffer is written out (a finished piece's seal, or the
// replay's).
func TestSpoolWriteFailureWording(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "spool")
	if err != nil {
		t.Fatal(err)
	}
	sp := newSpool(failingSpoolFile{f})
	t.Cleanup(sp.close)
	if err := sp.put([]byte(`{"id":"a"}`)); err != nil {
		t.Fatalf("put into the buffer: %v", err)
	}
	const want = "writing a part of the window to its temporary file: disk full"
	if err := sp.seal(); err == nil || err.Error() != want {
		t.Errorf("seal: %v, want %q", err, want)
	}
	big := newSpool(failingSpoolFile{f})
	if err := big.put(make([]byte, 64<<10)); err == nil || err.Error() != want {
		t.Errorf("put beyond the buffer: %v, want %q", err, want)
	}
}
