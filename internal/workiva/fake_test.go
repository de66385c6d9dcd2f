package workiva

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "test-client"
	testClientSecret = "s3cr3t-VALUE-never-shown"
)

// fakeAPI is a minimal Workiva API for client tests: a token endpoint and a
// per-test handler for /admin/v1/..., with a request log.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	tokenDelay  time.Duration
	tokenStatus int    // non-zero: answer the token endpoint with this status
	tokenBody   string // and this body
	// rejectAfter: a token stops working after that many API calls (0 = never).
	rejectAfter int

	tokensIssued atomic.Int32

	mu       sync.Mutex
	calls    map[string]int // token -> API calls made with it
	requests []seenRequest
	handler  http.HandlerFunc
}

type seenRequest struct {
	Method      string
	Path        string
	EscapedPath string
	RawQuery    string
	Query       url.Values
	Header      http.Header
}

func newFake(t *testing.T, h http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, calls: map[string]int{}, handler: h}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL }

func (f *fakeAPI) apiRequests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seenRequest
	for _, r := range f.requests {
		if strings.HasPrefix(r.Path, "/admin/") {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, seenRequest{
		Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery, Query: r.URL.Query(), Header: r.Header.Clone(),
	})
	f.mu.Unlock()
	if r.URL.Path == TokenPath {
		f.serveToken(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	n, known := f.calls[tok]
	if known {
		f.calls[tok] = n + 1
	}
	reject := !ok || !known || (f.rejectAfter > 0 && n >= f.rejectAfter)
	f.mu.Unlock()
	if reject {
		writeJSON(w, http.StatusUnauthorized, `{"code":"Unauthorized","message":"invalid token"}`)
		return
	}
	f.handler(w, r)
}

func (f *fakeAPI) serveToken(w http.ResponseWriter, r *http.Request) {
	if f.tokenDelay > 0 {
		time.Sleep(f.tokenDelay)
	}
	if f.tokenStatus != 0 {
		writeJSON(w, f.tokenStatus, f.tokenBody)
		return
	}
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != testClientID || secret != testClientSecret {
		writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, `{"error":"invalid_request"}`)
		return
	}
	n := f.tokensIssued.Add(1)
	tok := fmt.Sprintf("tok-%d-%s", n, "Zm9vYmFyYmF6")
	f.mu.Lock()
	f.calls[tok] = 0
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"expires_in":3600,"token_type":"Bearer","scope":%q}`, tok, r.PostForm.Get("scope")))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// testActivities makes n activities with IDs that need escaping.
func testActivities(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{
			"id":               fmt.Sprintf("act/%03d+x==", i),
			"activityDateTime": time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339),
			"summary":          fmt.Sprintf("activity %d", i),
			"action":           map[string]any{"id": "com.workiva.x", "alias": "x"},
		}
	}
	return out
}

// pager serves items in pages of $maxpagesize (default 1000) with cursors in
// absolute @nextLink URLs. mutate may rewrite a page before it is sent.
type pager struct {
	base   func() string
	items  []map[string]any
	mutate func(page int, body map[string]any, raw *[]byte)
}

func (p *pager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := 1000
	if s := q.Get("$maxpagesize"); s != "" {
		size, _ = strconv.Atoi(s)
	}
	start, _ := strconv.Atoi(q.Get("$next"))
	end := min(start+size, len(p.items))
	body := map[string]any{"data": p.items[start:end]}
	if end < len(p.items) {
		nq := url.Values{}
		nq.Set("$next", strconv.Itoa(end))
		nq.Set("$maxpagesize", strconv.Itoa(size))
		body["@nextLink"] = p.base() + r.URL.EscapedPath() + "?" + nq.Encode()
	}
	page := start/size + 1
	var raw []byte
	if p.mutate != nil {
		p.mutate(page, body, &raw)
	}
	if raw == nil {
		raw, _ = json.Marshal(body)
	}
	writeJSON(w, http.StatusOK, string(raw))
}

// recLogger captures log entries.
type recLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	Level  LogLevel
	Msg    string
	Fields map[string]any
}

func (l *recLogger) Log(_ context.Context, level LogLevel, msg string, fields map[string]any) {
	cp := make(map[string]any, len(fields))
	for k, v := range fields {
		cp[k] = v
	}
	l.mu.Lock()
	l.entries = append(l.entries, logEntry{level, msg, cp})
	l.mu.Unlock()
}

func (l *recLogger) all() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]logEntry(nil), l.entries...)
}

func (l *recLogger) text() string {
	var b strings.Builder
	for _, e := range l.all() {
		fmt.Fprintf(&b, "%d %s %v\n", e.Level, e.Msg, e.Fields)
	}
	return b.String()
}

// testConfig is a fast config against f: no real backoff sleeps.
func testConfig(f *fakeAPI) Config {
	retries := 3
	return Config{
		APIURL:       f.URL(),
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		MaxRetries:   &retries,
		UserAgent:    "test-agent/1.0",
		Backoff:      func(int, *http.Response) time.Duration { return time.Millisecond },
	}
}

func mustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// recordWaits replaces sleeping with recording, for Retry-After tests.
func recordWaits(c *Client) *[]time.Duration {
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.waitHook = func(d time.Duration) time.Duration {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return time.Millisecond
	}
	return waits
}

func intPtr(n int) *int { return &n }
