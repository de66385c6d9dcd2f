package workiva

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultProgressInterval is how often a long read logs its progress.
const DefaultProgressInterval = 5 * time.Second

// progress counts what a ListActivities walk has read, for the INFO lines
// an operator tailing the log sees move. It carries counts only: no ID,
// name, address or filter value.
type progress struct {
	items atomic.Int64 // activities read (parallel: before the join)
	// delivered counts the activities the caller has taken (the export:
	// written out). In a parallel read it lags behind items: the caller
	// takes them in order, and later parts wait for their turn.
	delivered atomic.Int64
	pages     atomic.Int64
	walkers   atomic.Int32 // walks in flight

	c      *Client
	ctx    context.Context
	op     string
	start  time.Time
	done   chan struct{}
	wg     sync.WaitGroup
	logged bool // a progress line was written (only the logging goroutine)
}

// startProgress starts the periodic progress log of one walk; stop ends it.
func (c *Client) startProgress(ctx context.Context, q ActivityQuery) *progress {
	p := &progress{c: c, ctx: ctx, start: time.Now(), done: make(chan struct{})}
	p.op, _ = activitiesEndpoint(q)
	if c.cfg.Logger == nil {
		return p
	}
	every := c.cfg.ProgressInterval
	if every <= 0 {
		every = DefaultProgressInterval
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				if p.logged {
					p.log("workiva: read activities")
				}
				return
			case <-ctx.Done():
				return
			case <-t.C:
				p.logged = true
				p.log("workiva: reading activities")
			}
		}
	})
	return p
}

// page records a page read (the onPage hook of a walk).
func (p *progress) page(int, bool) { p.pages.Add(1) }

func (p *progress) log(msg string) {
	elapsed := time.Since(p.start)
	items, delivered, pages, walkers := p.items.Load(), p.delivered.Load(), p.pages.Load(), p.walkers.Load()
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = math.Round(float64(items) / s)
	}
	inFlight, limit := p.c.gate.state()
	f := map[string]any{
		"operation":            p.op,
		"activities":           items,
		"activities_delivered": delivered,
		"pages":                pages,
		"walkers":              walkers,
		"activities_per_s":     rate,
		"elapsed":              elapsed.Round(100 * time.Millisecond).String(),
		"requests_inflight":    inFlight,
	}
	if limit > 0 {
		f["requests_inflight_limit"] = limit // lowered by the API's 429s
	}
	// The counts are in the message too: Terraform reads the fields back as
	// JSON numbers and prints a million as 1e+06.
	text := fmt.Sprintf("%s: %d read in %d pages, %d delivered, %.0f per second (readers: %d, requests in flight: %d",
		msg, items, pages, delivered, rate, walkers, inFlight)
	if limit > 0 {
		text += fmt.Sprintf(", API rate limit: %d in flight", limit)
	}
	text += ")"
	p.c.log(p.ctx, LevelInfo, text, f)
}

// stop ends the progress log (with a closing line when it logged any) and
// waits for its goroutine.
func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}
