package workiva

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The method set below is the contract the provider codes against.

// Operation names, used in errors and logs.
const (
	OpGetActivity                = "get activity"
	OpGetActivityAction          = "get activity action"
	OpListActivityActions        = "list activity actions"
	OpListOrganizationActivities = "list organization activities"
	OpListWorkspaceActivities    = "list workspace activities"
)

// GetActivity fetches one activity by ID (base64; escaped into the path).
func (c *Client) GetActivity(ctx context.Context, id string) (*Activity, error) {
	if strings.TrimSpace(id) == "" {
		return nil, &QueryError{Field: "id", Reason: "must not be empty"}
	}
	cl := &call{op: OpGetActivity}
	resp, err := c.get(ctx, cl, c.baseStr+"/admin/v1/activities/"+url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	defer drainClose(resp)
	d := newObjDecoder()
	d.reset(resp.Body)
	a, err := d.listItemActivity()
	if err != nil {
		return nil, c.bodyError(ctx, cl, err)
	}
	return a, nil
}

// GetActivityAction fetches one activity action by ID.
func (c *Client) GetActivityAction(ctx context.Context, id string) (*ActivityAction, error) {
	if strings.TrimSpace(id) == "" {
		return nil, &QueryError{Field: "id", Reason: "must not be empty"}
	}
	cl := &call{op: OpGetActivityAction}
	resp, err := c.get(ctx, cl, c.baseStr+"/admin/v1/activityActions/"+url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	defer drainClose(resp)
	d := newObjDecoder()
	d.reset(resp.Body)
	a, err := d.listItemAction()
	if err != nil {
		return nil, c.bodyError(ctx, cl, err)
	}
	return a, nil
}

// ListActivityActions walks every page of the action catalogue, calling fn
// per action in API order. fn may return ErrStop to end early.
func (c *Client) ListActivityActions(ctx context.Context, opts ActionListOptions, fn func(*ActivityAction) error) error {
	if err := checkPageSize(opts.PageSize); err != nil {
		return err
	}
	size := opts.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	first := c.baseStr + "/admin/v1/activityActions?" +
		encodeQuery("$maxpagesize", strconv.Itoa(size), "$orderBy", strings.TrimSpace(opts.Order))
	_, err := walk(ctx, c, OpListActivityActions, first, walkOptions{}, (*objDecoder).listItemAction, fn)
	return err
}

// ListActivities walks the activities matching q, calling fn per activity as
// pages stream in. fn may return ErrStop to end early. The *Activity passed
// to fn is the caller's to keep. fn is never called concurrently.
//
// With Parallelism p > 1, p walkers read the window concurrently, cut
// into pieces that are split again whenever a walker is idle (walker.go);
// fn still sees exactly the sequential walk's items in its order, and
// Count and Truncated are the same. Without Since or Before, the missing
// end is first found with one single-item request in each order needed (so
// the window closes at the newest activity found then). Pages then counts
// every request's page.
//
// On error, fn may already have seen items (of earlier pages, or of the page
// that failed): callers must discard them rather than report a partial list.
func (c *Client) ListActivities(ctx context.Context, q ActivityQuery, fn func(*Activity) error) (ListResult, error) {
	if err := validateQuery(q); err != nil {
		return ListResult{}, err
	}
	prog := c.startProgress(ctx, q)
	defer prog.stop()
	deliver := func(a *Activity) error {
		if err := fn(a); err != nil {
			return err
		}
		prog.delivered.Add(1)
		return nil
	}
	if q.Parallelism > 1 {
		wq, probes, empty, err := c.findWindow(ctx, q)
		if err != nil || empty {
			return ListResult{Pages: probes}, err
		}
		if bounds := splitWindow(wq.Since, wq.Before, q.Parallelism); len(bounds) > 2 {
			c.log(ctx, LevelDebug, "workiva: parallel walk", map[string]any{"sub_windows": len(bounds) - 1})
			res, err := c.listParallel(ctx, wq, bounds, prog, deliver)
			res.Pages += probes
			return res, err
		}
		q = wq
	}
	prog.walkers.Store(1)
	defer prog.walkers.Store(0) // the closing line, as a parallel read's, has none left
	return c.listSequential(ctx, q, walkOptions{onPage: prog.page}, func(a *Activity) error {
		prog.items.Add(1)
		return deliver(a)
	})
}

// findWindow fills in a missing Since (the oldest matching activity's time)
// or Before (just after the newest's), with single-item requests made
// concurrently. empty reports that nothing matches.
func (c *Client) findWindow(ctx context.Context, q ActivityQuery) (_ ActivityQuery, pages int, empty bool, _ error) {
	if !q.Since.IsZero() && !q.Before.IsZero() {
		return q, 0, false, nil
	}
	type end struct {
		order string
		t     time.Time
		found bool
		pages int
		err   error
	}
	var ends []*end
	if q.Since.IsZero() {
		ends = append(ends, &end{order: "asc"})
	}
	if q.Before.IsZero() {
		ends = append(ends, &end{order: "desc"})
	}
	var wg sync.WaitGroup
	for _, e := range ends {
		wg.Go(func() {
			pq := q
			pq.Order, pq.PageSize, pq.MaxResults, pq.Parallelism = e.order, 1, 1, 0
			pq.KeepRaw, pq.RawOnly, pq.Spool = false, false, nil
			res, err := c.listSequential(ctx, pq, walkOptions{}, func(a *Activity) error {
				t, err := activityTime(a)
				if err != nil {
					return fmt.Errorf("%w: a parallel read cannot find the window's ends (set since and before, or parallelism to 1)", err)
				}
				e.t, e.found = t, true
				return nil
			})
			e.pages, e.err = res.Pages, err
		})
	}
	wg.Wait()
	for _, e := range ends {
		pages += e.pages
		if e.err != nil {
			return q, pages, false, e.err
		}
		if !e.found {
			empty = true
		}
		if e.order == "asc" {
			q.Since = e.t
		} else {
			q.Before = e.t.Add(time.Nanosecond)
		}
	}
	if !empty && !q.Before.After(q.Since) {
		// Activities added between the two requests cannot invert them;
		// a window of one instant is walked sequentially.
		q.Before = q.Since.Add(time.Nanosecond)
	}
	c.log(ctx, LevelDebug, "workiva: parallel walk window found", map[string]any{"requests": len(ends), "empty": empty})
	return q, pages, empty, nil
}

// activitiesEndpoint is the operation q lists and its path below the base
// URL (escaped): an organization's activities, or one workspace's.
func activitiesEndpoint(q ActivityQuery) (op, path string) {
	path = "/admin/v1/organizations/" + url.PathEscape(q.OrganizationID)
	if q.WorkspaceID == "" {
		return OpListOrganizationActivities, path + "/activities"
	}
	return OpListWorkspaceActivities, path + "/workspaces/" + url.PathEscape(q.WorkspaceID) + "/activities"
}

// listSequential is one walk of q's pages (Parallelism is not looked at).
// o's onPage and ahead are the caller's; its limit and page size are q's.
func (c *Client) listSequential(ctx context.Context, q ActivityQuery, o walkOptions, fn func(*Activity) error) (ListResult, error) {
	op, path := activitiesEndpoint(q)
	first := c.baseStr + path + "?" + ActivityQueryString(q)
	filter, rawAt := buildFilter(q)
	// Every $filter sent, for DEBUG logs: the one place that shows how the
	// arguments (and each parallel sub-window) became the query.
	c.log(ctx, LevelDebug, "workiva: listing activities", map[string]any{"operation": op, "filter": filter})
	decode := (*objDecoder).listItemActivity
	if q.KeepRaw {
		decode = rawActivityDecoder(q.RawOnly)
	}
	o.maxResults, o.size = q.MaxResults, pageSize(q)
	res, err := walk(ctx, c, op, first, o, decode, fn)
	var ae *APIError
	if err != nil && filter != "" && errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
		err = &FilterRejectedError{Filter: filter, Raw: strings.TrimSpace(q.Filter), RawStart: rawAt, Err: ae}
	}
	return res, err
}

// ActivityQueryString is the query string of the first page request for q
// ($filter, $maxpagesize, $orderBy, in that order). With MaxResults k the
// page size is min(PageSize, k): never ask for more than will be used.
func ActivityQueryString(q ActivityQuery) string {
	return encodeQuery("$filter", BuildFilter(q), "$maxpagesize", strconv.Itoa(pageSize(q)), "$orderBy", orderBy(q.Order))
}

// pageSize is the $maxpagesize sent for q.
func pageSize(q ActivityQuery) int {
	size := q.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	if q.MaxResults > 0 && q.MaxResults < size {
		size = q.MaxResults
	}
	return size
}

// walkOptions shape one walk of a list.
type walkOptions struct {
	// maxResults > 0 stops the walk there and reports whether more items
	// existed.
	maxResults int
	// size is the $maxpagesize sent: no page holds more items.
	size int
	// onPage, when set, hears of each page read: its items and whether a
	// next link followed.
	onPage func(items int, more bool)
	// ahead, when set, is asked before a next page is requested ahead of
	// the current page's decoding (readahead.go): false when the current
	// page is expected to end the walk (a parallel read's piece whose end
	// is near).
	ahead func() bool
	// last, when set, hears that the page just received names no next
	// page, before it is decoded: the walk is expected to end with it.
	last func()
}

// walk follows a list from first through its @nextLinks, decoding each
// element of "data" with decode and handing it to fn. Each next page is
// requested while the page before it is decoded (readahead.go), unless the
// page may end the walk.
func walk[T any](ctx context.Context, c *Client, op, first string, o walkOptions, decode func(*objDecoder) (*T, error), fn func(*T) error) (ListResult, error) {
	var res ListResult
	limitHit := false
	d := newObjDecoder() // one per walk: interned strings are shared across pages
	item := func(d *objDecoder) error {
		v, err := decode(d)
		if err != nil {
			return err
		}
		res.Count++
		if err := fn(v); err != nil {
			return callbackError{err}
		}
		if o.maxResults > 0 && res.Count >= o.maxResults {
			limitHit = true
			return callbackError{ErrStop}
		}
		return nil
	}

	firstURL, err := url.Parse(first)
	if err != nil {
		return res, &RequestError{Operation: op, Method: "GET", Err: err}
	}
	seen := map[string]struct{}{linkKey(firstURL): {}}
	// ahead is the request for the next page, sent before the current page
	// was decoded; it is dropped on every way out but its use.
	var ahead *readAhead
	defer func() {
		if ahead != nil {
			ahead.abandon()
		}
	}()
	next := first
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return res, &RequestError{Operation: op, Method: "GET", Path: firstURL.EscapedPath(), Err: err}
		}
		var (
			cl   *call
			resp *http.Response
			done = func() {}
		)
		if ahead != nil && ahead.url == next {
			cl = ahead.cl
			resp, err = ahead.wait()
			done = ahead.finish
			ahead = nil
		} else {
			if ahead != nil {
				ahead.abandon() // not the page the decoded one names
				ahead = nil
			}
			cl = &call{op: op, page: page}
			resp, err = c.get(ctx, cl, next)
		}
		if err != nil {
			done()
			return res, err
		}
		body := readPage(resp, c.pages)
		if body.whole {
			// The link is looked for only when it will be used: a page
			// that names none is scanned whole.
			readAhead := c.mayReadAhead(o, res.Count)
			if readAhead || o.last != nil {
				link := nextLinkHint(body.buf.Bytes())
				switch {
				case link == "" && o.last != nil:
					o.last()
				case link != "" && readAhead:
					if u, ok := c.aheadURL(link, seen); ok {
						ahead = c.fetchAhead(ctx, op, page+1, u)
					}
				}
			}
		}
		pi, err := decodePage(d, body.reader(), item)
		if !body.whole {
			_ = resp.Body.Close()
		}
		d.drop() // decodes a buffered page in place: let go of it
		body.release()
		done()
		res.Pages++
		if err != nil {
			var cbe callbackError
			if errors.As(err, &cbe) {
				return res, cbe.err
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				return res, &RequestError{Operation: op, Method: cl.method, Path: cl.path, Err: ctxErr}
			}
			if isTimeout(err) {
				err = &TimeoutError{Operation: op, Method: cl.method, Path: cl.path, Timeout: c.cfg.RequestTimeout, Attempts: 1, Err: err}
			}
			return res, &PageError{Operation: op, Page: page, Err: err}
		}
		f := cl.fields()
		f["items"] = pi.n
		f["has_next"] = pi.next != ""
		c.log(ctx, LevelDebug, "workiva: page read", f)
		if o.onPage != nil {
			o.onPage(pi.n, pi.next != "" && !pi.stopped)
		}
		if pi.stopped {
			if limitHit {
				res.Truncated = pi.moreData || pi.next != ""
			}
			return res, nil
		}
		if pi.next == "" {
			return res, nil
		}
		u, err := resolveNextLink(c.base, pi.next)
		if err != nil {
			var nle *NextLinkError
			if errors.As(err, &nle) {
				nle.Operation, nle.Page = op, page
			}
			return res, err
		}
		key := linkKey(u)
		if _, dup := seen[key]; dup {
			return res, &NextLinkError{Operation: op, Page: page, Origin: originOf(u), Err: ErrRepeatedNextLink}
		}
		seen[key] = struct{}{}
		next = u.String()
	}
}

// mayReadAhead reports whether the page after the current one (count items
// handed over before it) is worth requesting before the current one is
// decoded: not when the current page may reach maxResults, nor when the
// caller expects the walk to end.
func (c *Client) mayReadAhead(o walkOptions, count int) bool {
	if o.maxResults > 0 && (o.size <= 0 || o.maxResults-count <= o.size) {
		return false
	}
	return o.ahead == nil || o.ahead()
}

// aheadURL is the next page's URL as the buffered page b names it, when it
// may be requested now: an address the walk would follow (same origin,
// not seen before). Otherwise the decoded page's link takes the usual way,
// with its errors.
func (c *Client) aheadURL(link string, seen map[string]struct{}) (string, bool) {
	u, err := resolveNextLink(c.base, link)
	if err != nil {
		return "", false
	}
	if _, dup := seen[linkKey(u)]; dup {
		return "", false
	}
	return u.String(), true
}

// bodyError types a failure to decode a single-object answer.
func (c *Client) bodyError(ctx context.Context, cl *call, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &RequestError{Operation: cl.op, Method: cl.method, Path: cl.path, Err: ctxErr}
	}
	if isTimeout(err) {
		return &TimeoutError{Operation: cl.op, Method: cl.method, Path: cl.path, Timeout: c.cfg.RequestTimeout, Attempts: 1, Err: err}
	}
	return &PageError{Operation: cl.op, Page: 1, Err: eofIsUnexpected(err)}
}
