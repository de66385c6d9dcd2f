package workiva

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// gate paces every API request of one Client, so that walkers sharing the
// client meet rate limits together instead of each on its own:
//
//   - a 429 holds every new request until its Retry-After (or the backoff)
//     has passed;
//   - it also caps the requests in flight at those the server was still
//     answering (at least one), and the cap grows back by one after a run
//     of answered requests at the cap, each failed probe doubling the run
//     needed for the next; a cap grown past every level refused is lifted;
//   - a probe refused at a level already known to be refused holds nobody:
//     the server's answer is the known one, and the request is sent again
//     within the cap;
//   - a 429 met while other requests were in flight is the cap adapting,
//     not a failure: the request is sent again without using up one of its
//     retries (see Client.send). Only a request refused while it was alone
//     in flight counts against max_retries.
type gate struct {
	mu       sync.Mutex
	wake     chan struct{} // closed and replaced whenever a slot frees or a pause ends
	inFlight int
	refusing int       // of inFlight: refused (429) requests not yet released
	limit    int       // 0: no cap
	refused  int       // the lowest in-flight level a 429 was met at (0: none)
	streak   int       // answered requests in a row while at the cap
	probe    int       // streak needed before raising the cap
	until    time.Time // no request starts before this
	seq      uint64    // requests started so far
	throttle int       // 429s in a row, for the backoff without Retry-After
}

// ticket is one request's hold on a slot.
type ticket struct {
	seq      uint64
	released bool
	refused  bool // answered 429, counted in gate.refusing
	capped   bool // sent while the cap was in use
}

// gateProbeStart is the streak of answered requests at the cap before the
// first probe above it.
const gateProbeStart = 8

func newGate() *gate { return &gate{wake: make(chan struct{})} }

// broadcastLocked wakes every waiter.
func (g *gate) broadcastLocked() {
	close(g.wake)
	g.wake = make(chan struct{})
}

// acquire waits for a free slot and the end of any pause. It returns nil
// when ctx ends first (the request then fails on its own context).
func (g *gate) acquire(ctx context.Context) *ticket {
	for {
		g.mu.Lock()
		wait := time.Until(g.until)
		if wait <= 0 && (g.limit == 0 || g.inFlight < g.limit) {
			g.inFlight++
			g.seq++
			t := &ticket{seq: g.seq, capped: g.limit > 0}
			g.mu.Unlock()
			return t
		}
		wake := g.wake
		g.mu.Unlock()
		var timer <-chan time.Time
		var tm *time.Timer
		if wait > 0 {
			tm = time.NewTimer(wait)
			timer = tm.C
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-timer:
		}
		if tm != nil {
			tm.Stop()
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// alone reports whether t's request has been the only one in flight since
// it started: a 429 then is the server refusing a single request.
func (g *gate) alone(t *ticket) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight == 1 && g.seq == t.seq
}

// release ends t's hold; answered reports a 2xx (the cap may grow).
func (g *gate) release(t *ticket, answered bool) {
	if t == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.released {
		return
	}
	t.released = true
	if t.refused {
		g.refusing--
	}
	if answered {
		g.throttle = 0
		if g.limit > 0 && g.inFlight >= g.limit {
			g.streak++
			if g.streak >= g.probe {
				g.limit++
				g.streak = 0
				if g.limit > g.refused {
					// Above every level ever refused: the cap has
					// served its purpose.
					g.limit, g.refused = 0, 0
				}
			}
		}
	}
	g.inFlight--
	g.broadcastLocked()
}

// refused marks t's request as answered 429 (its slot still held): requests
// refused together are not counted as the server's answered ones.
func (g *gate) refused429(t *ticket) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !t.refused && !t.released {
		t.refused = true
		g.refusing++
	}
}

// refuse records a 429 for t's request, which still holds its slot: the
// cap drops to the others in flight that are not refused too (at least
// one). probe reports a refusal at or above a level already refused: the
// cap had grown to try it again, and the server's answer is the known one,
// so nobody waits for it.
func (g *gate) refuse(t *ticket) (probe bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.throttle++
	others := g.refusing
	if t.refused {
		others--
	}
	// The refused request included; requests refused at the same moment
	// are not: counting them made the level of one burst of 429s depend on
	// the order they were read in, and a level set too high turned the
	// next probe into a pause of every walker (BenchmarkLatencyWalk).
	level := g.inFlight - others
	// A probe is a request the cap let through at or above a level
	// already refused; the others of a burst of 429s (sent before the cap)
	// are not: they must not make the next probe rarer.
	probe = t.capped && g.refused != 0 && level >= g.refused
	switch {
	case probe && level == g.refused:
		g.probe *= 2 // the same level refused again: probe it less often
	case g.refused == 0 || level < g.refused:
		g.refused, g.probe = level, gateProbeStart
	}
	if newLimit := max(1, level-1); g.limit == 0 || newLimit < g.limit {
		g.limit = newLimit
	}
	g.streak = 0
	return probe
}

// pause holds every new request for d.
func (g *gate) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := time.Now().Add(d); until.After(g.until) {
		g.until = until
	}
}

// throttles is the number of 429s in a row (for the backoff).
func (g *gate) throttles() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.throttle
}

// capacity is the cap on requests in flight (0: none).
func (g *gate) capacity() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.limit
}

// state is a snapshot for progress logs.
func (g *gate) state() (inFlight, limit int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight, g.limit
}

// releaseOnClose releases a ticket when an answer's body is closed, so that
// a request counts as in flight until its page has been read.
type releaseOnClose struct {
	io.ReadCloser
	once func()
}

func (r *releaseOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.once()
	return err
}

// holdUntilClosed makes resp's body release t (answered) when closed.
func (g *gate) holdUntilClosed(resp *http.Response, t *ticket) {
	var once sync.Once
	resp.Body = &releaseOnClose{ReadCloser: resp.Body, once: func() { once.Do(func() { g.release(t, true) }) }}
}
