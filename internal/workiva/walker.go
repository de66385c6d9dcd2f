package workiva

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// A parallel walk cuts the window into pieces, contiguous time ranges kept
// in output order. Each walker walks one piece at a time. When a walker has
// nothing left to start, it splits the piece expected to have the most
// items left: the part of its range not reached yet is halved and the far
// half becomes a new piece placed right after it, which the idle walker
// takes. The split piece keeps walking its pages and stops at the first
// item past its new end, so each item is kept by exactly one piece (the
// halves meet at one instant, which belongs to the later range). A piece
// is split only where an instant lies strictly between the items read and
// the end, so items sharing a timestamp never straddle two pieces.
//
// The caller's callback sees the pieces' items in order, from the calling
// goroutine only: the head piece's items as they arrive, later pieces'
// from a buffer when their turn comes. With ActivityQuery.Spool the buffer
// is a file per piece, so memory stays bounded whatever the count.

// piece is one part [lo, hi) of a parallel walk's window. Guarded by
// pwalk.mu.
type piece struct {
	lo, hi  time.Time
	reached time.Time // time of the last item kept; before any: lo (asc) or hi (desc)
	// splitAt is reached when the piece was last split: it is split again
	// only once it has moved (a piece whose items share one instant cannot
	// be helped by cutting time).
	splitAt time.Time
	split   bool
	n       int // items kept
	// The last page's density, items per nanosecond: a walk entering a
	// burst reads far more per unit of time than its average so far.
	pageRate  float64
	pageFrom  time.Time // reached when the current page began
	pageItems int       // n when the current page began
	started   bool
	// ending: the page being decoded names no next page, so its walker
	// is about to need another piece.
	ending  bool
	done    bool
	stopped bool // cancelled: its remaining items are not needed
	cancel  context.CancelFunc
	pending []*Activity // kept, not yet handed to the caller
	spool   *spool      // kept while not its turn, with ActivityQuery.Spool
	direct  bool        // its turn has come: items go to pending
}

type pwalk struct {
	c        *Client
	q        ActivityQuery // the caller's query (with the window the walk covers)
	desc     bool
	ctx      context.Context //nolint:containedctx // the caller's, for the join's waits and errors
	prog     *progress
	minSplit float64 // expected items left that make a split worth a new walk
	op, path string

	mu      sync.Mutex
	idle    *sync.Cond // walkers waiting for a piece
	pieces  []*piece   // in output order
	err     error      // the first piece error: it fails the whole walk
	closed  bool       // the join has ended
	pages   int
	splits  int
	waiting int // walkers waiting in nextLocked

	wake chan struct{} // the join's: something changed
}

// listParallel walks q's window, cut at bounds, with q.Parallelism walkers
// (see above). With MaxResults k it stops at k items and reports Truncated
// as the sequential walk does; pieces whose items can no longer be needed
// are cancelled. Any piece's error fails the walk and cancels the others.
func (c *Client) listParallel(ctx context.Context, q ActivityQuery, bounds []time.Time, prog *progress, fn func(*Activity) error) (ListResult, error) {
	w := &pwalk{c: c, q: q, desc: q.Order == "desc", ctx: ctx, prog: prog, wake: make(chan struct{}, 1)}
	w.idle = sync.NewCond(&w.mu)
	var path string
	w.op, path = activitiesEndpoint(q)
	w.path = c.base.EscapedPath() + path
	size := q.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	// A new piece costs at least one request's latency before its first
	// item: worth it when what is left is expected to fill a page (half a
	// page each side; at 16 readers, twice that cost 1.1x of the speed-up
	// on bursty data, BenchmarkLatencyWalk).
	w.minSplit = float64(size)

	n := len(bounds) - 1
	w.pieces = make([]*piece, n)
	for i := range n {
		p := &piece{lo: bounds[i], hi: bounds[i+1]}
		p.reached = p.lo
		j := i // ascending: earliest first
		if w.desc {
			p.reached = p.hi
			j = n - 1 - i
		}
		w.pieces[j] = p
	}
	// Walkers waiting for a piece also wake when the caller gives up.
	stopWake := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.idle.Broadcast()
		w.mu.Unlock()
	})
	defer stopWake()

	var wg sync.WaitGroup
	for range q.Parallelism {
		wg.Go(w.walker)
	}
	res, err := w.join(fn)
	w.mu.Lock()
	w.closed = true
	w.stopFromLocked(0)
	w.idle.Broadcast()
	w.mu.Unlock()
	wg.Wait()
	for _, p := range w.pieces {
		if p.spool != nil {
			p.spool.close()
			p.spool = nil
		}
	}
	res.Pages = w.pages
	c.log(ctx, LevelDebug, "workiva: parallel walk done", map[string]any{"pieces": len(w.pieces), "splits": w.splits, "pages": w.pages})
	return res, err
}

// walker walks pieces until none is left to start or split.
func (w *pwalk) walker() {
	for {
		w.mu.Lock()
		p, ctx := w.nextLocked()
		w.mu.Unlock()
		if p == nil {
			return
		}
		w.run(ctx, p)
	}
}

// nextLocked picks the next piece to walk, waiting while pieces are still
// being walked that may become worth splitting; nil once there is nothing
// left for this walker.
func (w *pwalk) nextLocked() (*piece, context.Context) {
	for {
		if w.closed || w.err != nil || w.ctx.Err() != nil {
			return nil, nil
		}
		var p *piece
		for _, s := range w.pieces {
			if !s.started && !s.stopped {
				p = s
				break
			}
		}
		if p == nil {
			p = w.splitLocked()
		}
		if p != nil {
			p.started = true
			ctx, cancel := context.WithCancel(w.ctx)
			p.cancel = cancel
			return p, ctx
		}
		running := false
		for _, s := range w.pieces {
			if s.started && !s.done {
				running = true
				break
			}
		}
		if !running {
			return nil, nil
		}
		w.waiting++
		w.idle.Wait()
		w.waiting--
	}
}

// spans returns what is left of p's range and what its walk has covered.
func (w *pwalk) spans(p *piece) (left, covered time.Duration) {
	if w.desc {
		return p.reached.Sub(p.lo), p.hi.Sub(p.reached)
	}
	return p.hi.Sub(p.reached), p.reached.Sub(p.lo)
}

// splitLocked splits the running piece expected to have the most items
// left, at the middle of its unread range, and returns the new piece; nil
// when no piece is worth splitting.
func (w *pwalk) splitLocked() *piece {
	// room is how many more pieces can be walked at once: all idle walkers
	// without a cap on requests in flight. Under a cap lower than the
	// walkers (the API refused more), a piece beyond those that can be
	// walked at once would only wait for a slot, and end on one more partly
	// filled page.
	room := MaxParallelism
	if limit := w.c.gate.capacity(); limit > 0 {
		running := 0
		for _, p := range w.pieces {
			if p.started && !p.done && !p.stopped {
				running++
			}
		}
		if room = limit - running; room <= 0 {
			return nil
		}
	}
	best, bestLeft := -1, 0.0
	held := 0
	for i, p := range w.pieces {
		held += p.n
		if w.q.MaxResults > 0 && held > w.q.MaxResults {
			break // what lies beyond will not be needed
		}
		if !p.started || p.done || p.stopped || p.n == 0 || (p.split && p.reached.Equal(p.splitAt)) {
			continue
		}
		left, covered := w.spans(p)
		if left < 2 { // no instant strictly inside
			continue
		}
		// The piece's density so far or on its last page, whichever is
		// higher, over what is left of it.
		est := max(float64(p.n)/float64(max(covered, 1)), p.pageRate) * float64(left)
		if w.q.MaxResults > 0 && float64(held)+est/2 >= float64(w.q.MaxResults) {
			continue // the near half is expected to reach the limit: the far one would not be needed
		}
		if est >= w.minSplit && est > bestLeft {
			best, bestLeft = i, est
		}
	}
	if best < 0 {
		return nil
	}
	p := w.pieces[best]
	left, _ := w.spans(p)
	// One part for each walker with nothing to do, besides p's own: the
	// whole idle pool is put to work at once instead of doubling the
	// pieces one request at a time. Each part must still be expected to
	// fill a page, and hold an instant.
	// Walkers decoding the last page of their piece are counted with the
	// idle ones: they are about to need a piece, and one split for all of
	// them saves a page's latency for each that would otherwise wait for
	// the next.
	ending := 0
	for _, s := range w.pieces {
		if s.ending && !s.done { // set only while its walk runs
			ending++
		}
	}
	parts := min(2+w.waiting+ending, 1+room, int(bestLeft*2/w.minSplit), MaxParallelism+1)
	if int64(parts) > int64(left) {
		parts = int(left)
	}
	parts = max(parts, 2)
	// Ascending cuts of the unread range [from, to), each strictly inside.
	from, to := p.reached, p.hi
	if w.desc {
		from, to = p.lo, p.reached
	}
	cuts := make([]time.Time, 0, parts-1)
	prev := from
	for i := 1; i < parts; i++ {
		d := (left/time.Duration(parts))*time.Duration(i) + (left%time.Duration(parts))*time.Duration(i)/time.Duration(parts)
		m := roundInside(from.Add(d), prev, to)
		cuts = append(cuts, m)
		prev = m
	}
	// The new pieces in output order, right after p.
	news := make([]*piece, 0, parts-1)
	if w.desc {
		// p keeps [last cut, hi): the items at or after it it has still to read.
		for i := len(cuts) - 1; i >= 0; i-- {
			lo := p.lo
			if i > 0 {
				lo = cuts[i-1]
			}
			news = append(news, &piece{lo: lo, hi: cuts[i], reached: cuts[i]})
		}
		p.lo = cuts[len(cuts)-1]
	} else {
		for i, m := range cuts {
			hi := p.hi
			if i+1 < len(cuts) {
				hi = cuts[i+1]
			}
			news = append(news, &piece{lo: m, hi: hi, reached: m})
		}
		p.hi = cuts[0]
	}
	p.split, p.splitAt = true, p.reached
	w.pieces = slices.Insert(w.pieces, best+1, news...)
	w.splits++
	if len(news) > 1 {
		w.idle.Broadcast() // the other parts are for the walkers waiting
	}
	return news[0]
}

// roundInside rounds m down to the second, or failing that the
// millisecond, when the result stays strictly inside (lo, hi): plainer
// filters, same partition.
func roundInside(m, lo, hi time.Time) time.Time {
	for _, d := range []time.Duration{time.Second, time.Millisecond} {
		if r := m.Truncate(d); r.After(lo) && r.Before(hi) {
			return r
		}
	}
	return m
}

// run walks piece p.
func (w *pwalk) run(ctx context.Context, p *piece) {
	w.mu.Lock()
	sq := w.q
	sq.Since, sq.Before = p.lo, p.hi
	w.mu.Unlock()
	sq.Parallelism, sq.Spool = 0, nil
	if w.q.Spool != nil {
		// A spooled item is kept as its bytes, and decoded again when
		// replayed.
		sq.KeepRaw = true
		sq.RawOnly = w.q.KeepRaw && w.q.RawOnly
	}
	if sq.MaxResults > 0 {
		// One more than needed tells whether more exist (Truncated).
		sq.MaxResults++
	}
	w.prog.walkers.Add(1)
	w.mu.Lock()
	p.pageFrom, p.pageItems = p.reached, p.n
	w.mu.Unlock()
	onPage := func(int, bool) {
		w.prog.page(0, false)
		w.mu.Lock()
		span := p.reached.Sub(p.pageFrom)
		if span < 0 {
			span = -span
		}
		p.pageRate = float64(p.n-p.pageItems) / float64(max(span, 1))
		p.pageFrom, p.pageItems = p.reached, p.n
		w.idle.Broadcast() // a page read may make this piece worth splitting
		w.mu.Unlock()
	}
	ahead := func() bool { return w.wantsNext(p, sq) }
	last := func() {
		w.mu.Lock()
		p.ending = true
		w.mu.Unlock()
	}
	res, err := w.c.listSequential(ctx, sq, walkOptions{onPage: onPage, ahead: ahead, last: last}, func(a *Activity) error { return w.push(p, a) })
	w.prog.walkers.Add(-1)
	p.cancelOnce()
	w.finish(p, res, err)
}

// wantsNext reports whether piece p, walked with query sq, is expected to
// need the page after the one just received (a read-ahead, readahead.go).
// Its walk asked the API for its range as it was at the start, so the API's
// next link says so, unless p has been split since: then the far part is
// another piece's, and the next page is requested ahead only when what is
// expected to be left of p clearly exceeds the current page (a wrong guess
// costs a request sent and dropped; the other one, a page's decoding not
// overlapped).
func (w *pwalk) wantsNext(p *piece, sq ActivityQuery) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p.stopped || w.err != nil || w.closed {
		return false
	}
	if (w.desc && p.lo.Equal(sq.Since)) || (!w.desc && p.hi.Equal(sq.Before)) {
		return true
	}
	left, covered := w.spans(p)
	est := max(float64(p.n)/float64(max(covered, 1)), p.pageRate) * float64(left)
	return est > 2*w.minSplit
}

func (p *piece) cancelOnce() {
	if p.cancel != nil {
		p.cancel()
	}
}

// push keeps an item read by piece p, or ends p's walk at the first item
// past its (possibly shrunk) range.
func (w *pwalk) push(p *piece, a *Activity) error {
	t, err := activityTime(a)
	if err != nil {
		return fmt.Errorf("%w: a parallel read cannot place it in the window (set parallelism to 1)", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if p.stopped || w.err != nil || w.closed {
		return ErrStop
	}
	if (w.desc && t.Before(p.lo)) || (!w.desc && !t.Before(p.hi)) {
		return ErrStop // the rest belongs to the piece split off after p
	}
	p.reached = t
	p.n++
	w.prog.items.Add(1)
	switch {
	case p.direct || w.q.Spool == nil:
		if !w.q.KeepRaw {
			a.Raw = nil
		}
		p.pending = append(p.pending, a)
	default:
		if p.spool == nil {
			f, err := w.q.Spool()
			if err != nil {
				return fmt.Errorf("opening a temporary file for a part of the window: %w", err)
			}
			p.spool = newSpool(f)
		}
		if err := p.spool.put(a.Raw); err != nil {
			return err
		}
	}
	if w.q.MaxResults > 0 {
		// Once the pieces up to and including one hold k+1 items, the
		// first k and the fact that more exist are settled: nothing after
		// them is needed.
		held := 0
		for j, s := range w.pieces {
			held += s.n
			if held > w.q.MaxResults {
				w.stopFromLocked(j + 1)
				break
			}
		}
	}
	w.signal()
	return nil
}

// activityTime is a's activityDateTime, which a parallel read compares with
// the pieces' ends.
func activityTime(a *Activity) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, a.ActivityDateTime)
	if err != nil {
		return t, fmt.Errorf("activity %q has activityDateTime %q, not an RFC 3339 date-time", a.ID, a.ActivityDateTime)
	}
	return t, nil
}

// finish records the end of piece p's walk. The error of a piece that was
// stopped is its cancellation, not a failure.
func (w *pwalk) finish(p *piece, res ListResult, err error) {
	w.mu.Lock()
	p.done = true
	w.pages += res.Pages
	if p.spool != nil && err == nil {
		err = p.spool.seal()
	}
	if err != nil && !p.stopped && w.err == nil && !w.closed {
		w.err = err
		w.stopFromLocked(0)
	}
	w.idle.Broadcast()
	w.mu.Unlock()
	w.signal()
}

// stopFromLocked cancels the pieces from index i on.
func (w *pwalk) stopFromLocked(i int) {
	for _, s := range w.pieces[i:] {
		if !s.stopped && !s.done {
			s.stopped = true
			s.cancelOnce()
		}
	}
}

// signal wakes the join (never blocks: one pending wake-up is enough).
func (w *pwalk) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// join hands the items to fn in order and settles Count and Truncated.
func (w *pwalk) join(fn func(*Activity) error) (ListResult, error) {
	var res ListResult
	replay := newRawDecoder(w.q.KeepRaw && w.q.RawOnly)
	// give hands one item over; done reports the read is over (fn stopped
	// it, or the limit was reached: more says whether items follow).
	give := func(i int, a *Activity, more bool) (bool, error) {
		if err := w.ctxErr(); err != nil {
			return true, err // items read are not handed over once the caller's context ends
		}
		res.Count++
		if err := fn(a); err != nil {
			if errors.Is(err, ErrStop) {
				return true, nil
			}
			return true, err
		}
		if w.q.MaxResults > 0 && res.Count >= w.q.MaxResults {
			if more {
				res.Truncated = true
				return true, nil
			}
			m, err := w.moreAfter(i)
			res.Truncated = m
			return true, err
		}
		return false, nil
	}
	for i := 0; ; i++ {
		w.mu.Lock()
		if i >= len(w.pieces) {
			// Every piece before is done, and pieces are only inserted
			// after one still walking: none can follow.
			w.mu.Unlock()
			return res, nil
		}
		p := w.pieces[i]
		p.direct = true
		sp := p.spool
		p.spool = nil
		w.mu.Unlock()

		if sp != nil {
			var over bool
			err := sp.replay(func(raw []byte, last bool) error {
				a, err := replay.decode(append([]byte(nil), raw...))
				if err != nil {
					return fmt.Errorf("decoding a part of the window read back from its temporary file: %w", err)
				}
				if !w.q.KeepRaw {
					a.Raw = nil
				}
				var gerr error
				over, gerr = give(i, a, !last)
				if gerr == nil && over {
					return ErrStop
				}
				return gerr
			})
			sp.close()
			if err != nil && !errors.Is(err, ErrStop) {
				return res, err
			}
			if over {
				return res, nil
			}
		}
		for {
			if err := w.failed(); err != nil {
				return res, err
			}
			w.mu.Lock()
			batch, done := p.pending, p.done
			p.pending = nil
			w.mu.Unlock()
			for j, a := range batch {
				batch[j] = nil // the caller decides what stays in memory
				if over, err := give(i, a, j+1 < len(batch)); over || err != nil {
					return res, err
				}
			}
			if done {
				break
			}
			if len(batch) == 0 {
				w.wait()
			}
		}
	}
}

// moreAfter reports whether any item follows the last one handed over from
// piece i (whose buffer the join has emptied), waiting as needed.
func (w *pwalk) moreAfter(i int) (bool, error) {
	for {
		if err := w.failed(); err != nil {
			return false, err
		}
		w.mu.Lock()
		more, settled := false, true
		for j, s := range w.pieces[i:] {
			if len(s.pending) > 0 || (j > 0 && s.n > 0) {
				more = true
				break
			}
			if s.stopped {
				// Stopped only once k+1 items were held, and the first k
				// were handed over: the next exists.
				more = true
				break
			}
			if !s.done {
				settled = false
				break
			}
		}
		w.mu.Unlock()
		if more || settled {
			return more, nil
		}
		w.wait()
	}
}

// wait blocks until a piece reports or the caller's context ends.
func (w *pwalk) wait() {
	select {
	case <-w.wake:
	case <-w.ctx.Done():
	}
}

// failed returns the error that ends the walk: the caller's context, or the
// first piece's error.
func (w *pwalk) failed() error {
	if err := w.ctxErr(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *pwalk) ctxErr() error {
	if err := w.ctx.Err(); err != nil {
		return &RequestError{Operation: w.op, Method: "GET", Path: w.path, Err: err}
	}
	return nil
}
