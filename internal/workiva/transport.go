package workiva

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is the state of one logical API call (one GET with its retries).
type call struct {
	op     string
	method string
	path   string // escaped URL path, for errors and logs
	page   int    // list page number, 0 for single objects

	attempt   int  // 1-based number of the attempt in flight
	exhausted bool // retries ran out on a retryable status

	// API calls only (gate != nil): the rate-limit gate, the slot the
	// attempt in flight holds, and the retries left to the current round of
	// retryablehttp (a round ends early when a 429 adapts the gate) and the
	// attempts sent before it.
	gate   *gate
	ticket *ticket
	budget int
	offset int
}

// maxAdaptRounds bounds the resends of one call whose 429s adapted the
// gate rather than used up retries: a safety net, never reached while the
// cap can still drop.
const maxAdaptRounds = 100

// errAdapting ends a retryablehttp round when a 429 was met while other
// requests were in flight: send starts the request again through the gate,
// its retries untouched.
var errAdapting = errors.New("rate limited while adapting concurrency")

func (cl *call) fields() map[string]any {
	f := map[string]any{"operation": cl.op, "method": cl.method, "path": cl.path, "attempt": cl.attempt}
	if cl.page > 0 {
		f["page"] = cl.page
	}
	return f
}

// get performs an authenticated GET of rawURL and returns a 2xx response
// (body open) or a typed error. A 401 with client credentials drops the
// token, fetches a new one and retries the call once.
func (c *Client) get(ctx context.Context, cl *call, rawURL string) (*http.Response, error) {
	refreshed := false
	for {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := c.send(ctx, cl, rawURL, tok)
		if err != nil {
			return nil, err
		}
		c.noteDeprecation(ctx, cl, resp) // an error answer may carry the notice too
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && c.oauth != nil && !refreshed {
			drainClose(resp)
			c.dropToken(tok)
			refreshed = true
			c.log(ctx, LevelInfo, "workiva: access token rejected (401); fetching a new one and retrying once", cl.fields())
			continue
		}
		return nil, c.apiError(cl, resp, refreshed)
	}
}

// send runs one GET through go-retryablehttp with the given bearer token.
func (c *Client) send(ctx context.Context, cl *call, rawURL, tok string) (*http.Response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &RequestError{Operation: cl.op, Method: http.MethodGet, Path: cl.path, Attempts: 0, Err: err}
	}
	cl.method = http.MethodGet
	cl.path = req.URL.EscapedPath()
	cl.attempt, cl.exhausted = 0, false
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Version", c.apiVersion)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	cl.gate, cl.budget, cl.offset = c.gate, c.maxRetries, 0
	resp, err := c.retrying(ctx, cl, c.apiHTTP).Do(req)
	for round := 1; errors.Is(err, errAdapting) && round < maxAdaptRounds; round++ {
		// The refused attempt used no retry; those before it in the
		// round did.
		cl.budget -= cl.attempt - cl.offset - 1
		cl.offset = cl.attempt
		resp, err = c.retrying(ctx, cl, c.apiHTTP).Do(req)
	}
	if err != nil {
		if resp != nil {
			drainClose(resp)
		}
		return nil, c.transportError(ctx, cl, err)
	}
	return resp, nil
}

// retrying returns the retry policy of every request the client sends (API
// calls and token requests alike) over hc, bound to cl's state: which
// attempt is in flight, and whether retries ran out. A retryablehttp.Client
// per call binds the hooks to that state; hc (and its connection pool) is
// shared.
//
// The policy: 429, 500, 502, 503, 504 and network errors are retried up to
// max_retries times, waiting Retry-After when the server sends one (ending
// the call at once when it cannot be honoured, see checkRetry), else
// exponential backoff with jitter. When retries run out on a status, the
// last response is handed back for the caller to describe.
func (c *Client) retrying(ctx context.Context, cl *call, hc *http.Client) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		RetryMax:     c.retryMax(cl),
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, i int) {
			cl.attempt = cl.offset + i + 1
			if cl.gate != nil {
				cl.ticket = cl.gate.acquire(r.Context())
			}
			c.log(r.Context(), LevelDebug, "workiva: sending request", cl.fields())
		},
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return c.checkRetry(ctx, cl, resp, err)
		},
		Backoff: func(_, _ time.Duration, _ int, resp *http.Response) time.Duration {
			return c.backoff(ctx, cl, resp)
		},
		ErrorHandler: func(resp *http.Response, err error, tries int) (*http.Response, error) {
			cl.attempt = cl.offset + tries
			if err != nil {
				if resp != nil {
					drainClose(resp)
				}
				return nil, err
			}
			cl.exhausted = true
			return resp, nil
		},
	}
}

// transportError types a failure that produced no usable response.
func (c *Client) transportError(ctx context.Context, cl *call, err error) error {
	var rae *RetryAfterError
	if errors.As(err, &rae) {
		rae.Attempts = cl.attempt
		return rae
	}
	var re *RedirectError
	if errors.As(err, &re) {
		re.Operation, re.Setting = cl.op, "api_url"
		return re
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &RequestError{Operation: cl.op, Method: cl.method, Path: cl.path, Attempts: cl.attempt, Err: ctxErr}
	}
	if isTimeout(err) {
		return &TimeoutError{Operation: cl.op, Method: cl.method, Path: cl.path, Timeout: c.cfg.RequestTimeout, Attempts: cl.attempt, Err: err}
	}
	return &RequestError{Operation: cl.op, Method: cl.method, Path: cl.path, Attempts: cl.attempt, Err: errors.New(c.redact(err.Error()))}
}

// retryMax is the retries left to cl's current round.
func (c *Client) retryMax(cl *call) int {
	if cl.gate != nil {
		return cl.budget
	}
	return c.maxRetries
}

// retriesLeft counts the retries cl may still make, the next one included.
func (c *Client) retriesLeft(cl *call) int {
	return c.retryMax(cl) - (cl.attempt - cl.offset) + 1
}

// settle hands the gate the outcome of the attempt that just ended: a 2xx
// keeps its slot until its body is closed, anything else frees it now. It
// returns the slot of a 429, still held, for checkRetry to judge.
func (c *Client) settle(cl *call, resp *http.Response, err error) *ticket {
	t := cl.ticket
	cl.ticket = nil
	if t == nil {
		return nil
	}
	switch {
	case err != nil || resp == nil:
		cl.gate.release(t, false)
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		cl.gate.holdUntilClosed(resp, t)
	case resp.StatusCode == http.StatusTooManyRequests:
		cl.gate.refused429(t)
		return t
	default:
		cl.gate.release(t, false)
	}
	return nil
}

func isRetryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// checkRetry decides after every attempt. Beyond go-retryablehttp's policy
// it caps Retry-After: a wait longer than MaxRetryAfter or than the time
// left before the deadline ends the call now with a *RetryAfterError.
func (c *Client) checkRetry(ctx context.Context, cl *call, resp *http.Response, err error) (bool, error) {
	limited := c.settle(cl, resp, err)
	if limited != nil {
		defer cl.gate.release(limited, false)
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		f := cl.fields()
		var re *RedirectError
		if errors.As(err, &re) {
			f["status"] = re.StatusCode
			c.log(ctx, LevelWarn, "workiva: redirect refused", f)
			return false, nil
		}
		if isTimeout(err) {
			f["error"] = "request timed out after " + c.cfg.RequestTimeout.String()
		} else {
			f["error"] = c.redact(err.Error())
		}
		c.log(ctx, LevelWarn, "workiva: request failed", f)
		// Connection errors: retry unless go-retryablehttp deems them
		// permanent (bad scheme, TLS verification, too many redirects...).
		return retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	}
	f := cl.fields()
	f["status"] = resp.StatusCode
	if !isRetryableStatus(resp.StatusCode) {
		c.log(ctx, LevelDebug, "workiva: response", f)
		return false, nil
	}
	if limited == nil {
		c.log(ctx, LevelWarn, "workiva: response", f)
	}
	wait, hasWait := retryAfter(resp)
	if hasWait {
		rae := &RetryAfterError{
			Operation: cl.op, Method: cl.method, Path: cl.path, StatusCode: resp.StatusCode,
			Wait: wait, Header: strings.TrimSpace(resp.Header.Get("Retry-After")),
		}
		if wait > c.cfg.MaxRetryAfter {
			rae.Limit, rae.Reason = c.cfg.MaxRetryAfter, "exceeds the maximum wait"
			return false, rae
		}
		if dl, ok := ctx.Deadline(); ok {
			if left := time.Until(dl); wait > left {
				rae.Limit, rae.Reason = left, "exceeds the time left before the deadline"
				return false, rae
			}
		}
	}
	if limited != nil {
		alone := cl.gate.alone(limited)
		probe := cl.gate.refuse(limited)
		if !alone {
			// Other requests were in flight: the cap adapts, and this one
			// is sent again through the gate without spending a retry.
			// Every new request waits with it, unless the refusal only
			// answered a probe of a level already known to be refused:
			// then it waits alone, out of its slot.
			if !hasWait {
				wait = c.pauseBackoff(cl.gate.throttles(), resp)
			}
			wait = c.waitHook(wait)
			inFlight, limit := cl.gate.state()
			f["wait"] = wait.String()
			f["in_flight"], f["in_flight_limit"] = inFlight, limit
			if probe {
				// The API's answer to a level it is known to refuse: the
				// request takes the next slot within the cap, as the others
				// do. Waiting out Retry-After here held up its reader's
				// part for a second, the end of a read with it
				// (BenchmarkLatencyWalk, 4 allowed in flight).
				c.log(ctx, LevelInfo, "workiva: rate limited (429) above the requests in flight the API allows; sending it again within the limit", f)
				return false, errAdapting
			}
			cl.gate.pause(wait)
			c.log(ctx, LevelInfo, "workiva: rate limited (429) with other requests in flight; pausing new requests and lowering the requests in flight", f)
			return false, errAdapting
		}
		c.log(ctx, LevelWarn, "workiva: rate limited (429) with a single request in flight", f)
	}
	return true, nil // on the last attempt go-retryablehttp gives up
}

// pauseBackoff is the gate's pause after a 429 without Retry-After: the
// client's backoff for the n-th 429 in a row.
func (c *Client) pauseBackoff(n int, resp *http.Response) time.Duration {
	if c.cfg.Backoff != nil {
		return c.cfg.Backoff(n, resp)
	}
	return expBackoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, n)
}

// backoff is the wait before the next attempt: Retry-After when the server
// sent one, else Config.Backoff, else exponential backoff with jitter.
func (c *Client) backoff(ctx context.Context, cl *call, resp *http.Response) time.Duration {
	wait, ok := retryAfter(resp)
	source := "retry-after"
	if !ok {
		source = "backoff"
		if c.cfg.Backoff != nil {
			wait = c.cfg.Backoff(cl.attempt, resp)
		} else {
			wait = expBackoff(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, cl.attempt)
		}
	}
	if wait < 0 {
		wait = 0
	}
	f := cl.fields()
	if resp != nil {
		f["status"] = resp.StatusCode
	}
	f["wait"] = wait.String()
	f["wait_source"] = source
	f["retries_left"] = c.retriesLeft(cl)
	c.log(ctx, LevelInfo, "workiva: retrying request", f)
	wait = c.waitHook(wait)
	if cl.gate != nil && resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		cl.gate.pause(wait) // every walker waits with this one
	}
	return wait
}

// expBackoff doubles from lo per failed attempt (1-based), capped at hi,
// then picks uniformly in [d/2, d] so that many clients do not retry in step.
func expBackoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	if d > hi || d <= 0 {
		d = hi
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
}

// retryAfterCeiling bounds a parsed Retry-After: any wait that long is
// beyond every cap, and the bound keeps the arithmetic from overflowing.
const retryAfterCeiling = 365 * 24 * time.Hour

// retryAfter parses Retry-After as seconds or an HTTP-date (RFC 9110). A
// number of seconds too large for an integer, or a date beyond a year from
// now, is the ceiling: a wait no cap allows, never "absent".
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" { // delay-seconds: digits only
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(retryAfterCeiling/time.Second) { // only ErrRange is possible
			return retryAfterCeiling, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := time.Until(t) // saturates rather than overflows
	if d < 0 {
		d = 0
	}
	if d > retryAfterCeiling {
		d = retryAfterCeiling
	}
	return d, true
}

// errorResponse is Workiva's ErrorResponse; some gateways nest it under
// "error" (OData style), so both shapes are accepted.
type errorResponse struct {
	Code             string        `json:"code"`
	Message          string        `json:"message"`
	Target           string        `json:"target"`
	Details          []ErrorDetail `json:"details"`
	DocumentationURL string        `json:"documentationUrl"`
	Error            *struct {
		Code    string        `json:"code"`
		Message string        `json:"message"`
		Target  string        `json:"target"`
		Details []ErrorDetail `json:"details"`
	} `json:"error"`
}

const maxErrorBody = 64 << 10

// apiError reads a non-2xx answer into *APIError and closes its body.
func (c *Client) apiError(cl *call, resp *http.Response, refreshed bool) *APIError {
	defer drainClose(resp)
	e := &APIError{Operation: cl.op, StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path}
	if cl.exhausted {
		e.Attempts = cl.attempt
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var er errorResponse
	if len(body) > 0 && json.Unmarshal(body, &er) == nil {
		e.Code, e.Message, e.Target, e.Details, e.DocURL = er.Code, er.Message, er.Target, er.Details, er.DocumentationURL
		if e.Code == "" && e.Message == "" && er.Error != nil {
			e.Code, e.Message, e.Target, e.Details = er.Error.Code, er.Error.Message, er.Error.Target, er.Error.Details
		}
	}
	e.Code, e.Message, e.Target = c.redact(e.Code), c.redact(e.Message), c.redact(e.Target)
	for i := range e.Details {
		d := &e.Details[i]
		d.Code, d.Message, d.Target = c.redact(d.Code), c.redact(d.Message), c.redact(d.Target)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		e.Hint = RateLimitedHint
	case http.StatusForbidden:
		e.Hint = forbiddenHint(cl.op)
	case http.StatusUnauthorized:
		switch {
		case c.oauth == nil:
			e.Hint = "The access token was rejected: it may have expired or been revoked. Supply a new access token, or use a client ID and secret so that the client can fetch tokens itself"
		case refreshed:
			e.Hint = "A freshly issued access token was rejected too: check the client's grants and the API URL"
		}
	}
	return e
}

func forbiddenHint(op string) string {
	const scope = " and the activity:read scope"
	switch {
	case strings.Contains(op, "workspace"):
		return "Reading workspace activities needs the Workspace Owner role on that workspace" + scope
	case strings.Contains(op, "organization"):
		return "Reading organization activities needs an admin role (Org User Admin, Org Workspace Admin or Org Security Admin)" + scope
	default:
		return "Reading activities needs an admin role (Org User Admin, Org Workspace Admin or Org Security Admin for organization activities; Workspace Owner for workspace activities)" + scope
	}
}

func drainClose(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.EscapedPath()
	}
	return ""
}
