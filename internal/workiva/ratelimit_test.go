package workiva

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// A server that allows fewer requests in flight than the walk's
// parallelism: the 429s adapt the shared gate instead of using up retries,
// so even with no retries at all the walk completes, exactly as the
// sequential walk, and each refused request waits out Retry-After.
func TestRateLimitAdaptsInFlight(t *testing.T) {
	s, err := emulator.Start(emulator.Options{Activities: emuActivities})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	all := s.Activities()
	q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: all[0].At, Before: all[len(all)-1].At.Add(time.Second), Order: "asc", PageSize: 100}
	seq := runWalk(mustNew(t, emuConfig(s)), q)
	if seq.err != nil {
		t.Fatal(seq.err)
	}

	cfg := emuConfig(s)
	cfg.MaxRetries = intPtr(0) // any 429 that spent a retry would fail the walk
	c := mustNew(t, cfg)
	waits := recordWaits(c)
	s.ResetRequests()
	// The latency keeps requests open long enough to overlap.
	s.SetFaults(emulator.Faults{MaxInFlight: 2, InFlightRetryAfter: "3", Latency: 20 * time.Millisecond})
	q.Parallelism = 8
	par := runWalk(c, q)
	if par.err != nil {
		t.Fatalf("walk failed: %v", par.err)
	}
	if !slices.Equal(par.ids, seq.ids) {
		t.Fatalf("%d items, sequential %d (first difference at %d)", len(par.ids), len(seq.ids), firstDiff(par.ids, seq.ids))
	}
	ok, limited := 0, 0
	for _, r := range s.APIRequests() {
		switch r.Status {
		case 200:
			ok++
		case 429:
			limited++
		}
	}
	if limited == 0 {
		t.Fatalf("no request was refused (%d answered): the test did not exercise the limit", ok)
	}
	// Once the gate has learnt the limit it holds the walkers back: the
	// refusals are a few probes, not one per page or more.
	if limited > ok/2 {
		t.Errorf("%d requests refused for %d answered: the gate did not lower the requests in flight", limited, ok)
	}
	// Each refusal paused for the server's Retry-After.
	if len(*waits) != limited {
		t.Errorf("%d waits for %d refusals: %v", len(*waits), limited, *waits)
	}
	for _, w := range *waits {
		if w != 3*time.Second {
			t.Errorf("wait %v, want the Retry-After of 3s", w)
		}
	}
	if in, _ := c.gate.state(); in != 0 {
		t.Errorf("%d requests still counted in flight after the walk", in)
	}
}

// A server that refuses every request, even one at a time: the walk fails
// once a lone request has been refused max_retries times, with a message
// that names rate limiting and what to lower, not a failure of the network.
func TestRateLimitSingleRequestFails(t *testing.T) {
	s := sharedEmulator(t)
	all := s.Activities()
	cfg := emuConfig(s)
	cfg.MaxRetries = intPtr(2)
	for _, p := range []int{1, 4} {
		c := mustNew(t, cfg)
		s.ResetRequests()
		s.SetFaults(emulator.Faults{RateLimit: 1 << 20})
		q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: all[0].At, Before: all[len(all)-1].At.Add(time.Second), Order: "desc", Parallelism: p}
		w := runWalk(c, q)
		var ae *APIError
		if !errors.As(w.err, &ae) || ae.StatusCode != 429 {
			t.Fatalf("p=%d: %v, want a 429 APIError", p, w.err)
		}
		msg := w.err.Error()
		for _, want := range []string{"rate-limiting", "Lower parallelism", "max_retries"} {
			if !strings.Contains(msg, want) {
				t.Errorf("p=%d: message lacks %q: %s", p, want, msg)
			}
		}
		if strings.Contains(msg, "network") {
			t.Errorf("p=%d: message blames the network: %s", p, msg)
		}
		if p == 1 {
			// Alone from the start: 1 + max_retries attempts, as before.
			if ae.Attempts != 3 || len(s.APIRequests()) != 3 {
				t.Errorf("sequential: %d attempts, %d requests; want 3", ae.Attempts, len(s.APIRequests()))
			}
		} else if ae.Attempts < 3 {
			t.Errorf("parallel: failed after %d attempts, want at least 1 + max_retries", ae.Attempts)
		}
		s.SetFaults(emulator.Faults{})
		quiesce(s)
		if in, _ := c.gate.state(); in != 0 {
			t.Errorf("p=%d: %d requests still counted in flight", p, in)
		}
	}
}

// The gate itself: a pause holds every new request, the cap holds requests
// beyond it until a slot frees, a refusal lowers the cap to the others in
// flight and answered requests at the cap grow it back until it is lifted.
func TestGate(t *testing.T) {
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 50*time.Millisecond)
	}
	g := newGate()
	g.pause(time.Hour)
	ctx, cancel := short()
	if tk := g.acquire(ctx); tk != nil {
		t.Fatal("acquired during a pause")
	}
	cancel()

	g = newGate()
	var held []*ticket
	for range 3 {
		held = append(held, g.acquire(context.Background()))
	}
	if g.alone(held[0]) {
		t.Error("a ticket with others in flight is alone")
	}
	g.refuse(held[2]) // the third request refused with two others in flight
	if _, limit := g.state(); limit != 2 {
		t.Fatalf("limit %d after a refusal at 3 in flight, want 2", limit)
	}
	g.release(held[2], false)
	ctx, cancel = short()
	if tk := g.acquire(ctx); tk != nil {
		t.Fatal("acquired beyond the cap")
	}
	cancel()
	got := make(chan *ticket)
	go func() { got <- g.acquire(context.Background()) }()
	g.release(held[0], true)
	tk := <-got
	if tk == nil {
		t.Fatal("no slot after a release")
	}
	// Answered requests with the cap in use: the cap grows past the
	// refused level and is lifted.
	held = []*ticket{held[1], tk}
	answers := 0
	for ; answers < 100; answers++ {
		in, limit := g.state()
		if limit == 0 {
			break
		}
		for ; in < limit; in++ {
			held = append(held, g.acquire(context.Background()))
		}
		g.release(held[len(held)-1], true)
		held = held[:len(held)-1]
	}
	if _, limit := g.state(); limit != 0 || answers < gateProbeStart {
		t.Errorf("cap %d after %d answers at it, want lifted after at least %d", limit, answers, gateProbeStart)
	}
	for _, tk := range held {
		g.release(tk, true)
	}
	if in, _ := g.state(); in != 0 {
		t.Errorf("%d in flight", in)
	}
	one := g.acquire(context.Background())
	if !g.alone(one) {
		t.Error("the only request in flight is not alone")
	}
}

// 429s answered together set the level once, whatever order they are
// read in: of 8 requests in flight, 4 refused at once leave a cap of 4 (the
// refused request's level is the 4 answered plus itself), not one per
// refusal read (7, 6, 5...). A level set too high made the next probe a
// pause of every walker.
func TestGateRefusedTogether(t *testing.T) {
	g := newGate()
	var held []*ticket
	for range 8 {
		held = append(held, g.acquire(context.Background()))
	}
	for _, tk := range held[4:] {
		g.refused429(tk)
	}
	if probe := g.refuse(held[7]); probe {
		t.Error("the first refusal is a probe")
	}
	if _, limit := g.state(); limit != 4 {
		t.Errorf("limit %d after 4 of 8 refused together, want 4", limit)
	}
	g.release(held[7], false)
	// The next of the burst is read: same level, same cap, and not a
	// failed probe (which would make the next probe rarer).
	if probe := g.refuse(held[6]); probe {
		t.Error("a refusal of the burst is a probe")
	}
	if _, limit := g.state(); limit != 4 || g.probe != gateProbeStart {
		t.Errorf("limit %d, probe after %d answers, after the second refusal of the burst; want 4, %d", limit, g.probe, gateProbeStart)
	}
	for _, tk := range held[:7] {
		g.release(tk, false)
	}
	if in, _ := g.state(); in != 0 {
		t.Errorf("%d in flight", in)
	}
	if g.refusing != 0 {
		t.Errorf("%d still counted as refused", g.refusing)
	}
}
