package emulator

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Versions the emulator answers for.
var supportedVersions = []string{"2026-01-01", VersionWithoutHeader}

// VersionWithoutHeader is the version a request without X-Version is
// answered as: Workiva's reference lists the header as optional and says
// the platform then answers as 2022-01-01.
const VersionWithoutHeader = "2022-01-01"

// knownScopes are the scopes of the OpenAPI document's oauth scheme.
var knownScopes = []string{
	"activity:read", "file:read", "file:write", "graph:read", "graph:write",
	"organization:read", "organization:write",
}

const (
	maxPageSize     = 1000
	maxIndexEntries = 256 // cached (scope, filter, order) indexes
)

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// statusWriter notes the status and runs done once, just before the last
// byte of a body whose Content-Length is set is handed on (else when the
// handler returns): a client that has read its answer finds the request
// logged, and no longer counted in flight, whatever the scheduling of the
// handler's goroutine.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written int64
	done    func()
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.written += int64(len(b))
	if n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64); err == nil && w.written >= n {
		w.done()
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP answers the token endpoint and the /admin/v1 operations.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	sw := &statusWriter{ResponseWriter: w}
	q, qerr := url.ParseQuery(r.URL.RawQuery)
	entry := Request{
		Time:        time.Now(),
		Method:      r.Method,
		Path:        r.URL.Path,
		EscapedPath: r.URL.EscapedPath(),
		Query:       q,
		HasAuth:     r.Header.Get("Authorization") != "",
		Version:     r.Header.Get("X-Version"),
	}
	api := strings.HasPrefix(r.URL.EscapedPath(), "/admin/v1/")
	sw.done = sync.OnceFunc(func() {
		entry.Status = sw.status
		s.record(entry)
		if api {
			s.apiInFlight.Add(-1)
		}
		s.inFlight.Add(-1)
	})
	defer sw.done()

	if api {
		n := s.apiInFlight.Add(1)
		if f := s.Faults(); f.MaxInFlight > 0 && n > int64(f.MaxInFlight) {
			ra := f.InFlightRetryAfter
			if ra == "" {
				ra = "1"
			}
			sw.Header().Set("Retry-After", ra)
			writeError(sw, http.StatusTooManyRequests, statusCodes[http.StatusTooManyRequests], "too many requests in flight", "")
			return
		}
	}

	if lat := s.Faults().Latency; lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // nobody is listening any more
		}
	}

	ep := r.URL.EscapedPath()
	switch {
	case ep == TokenPath:
		if s.tokenFault(w, sw, r) {
			return
		}
		s.serveToken(sw, r)
	case strings.HasPrefix(ep, "/admin/v1/"):
		if qerr != nil {
			writeError(sw, http.StatusBadRequest, "BadArgument", "the query string is not valid URL encoding: "+qerr.Error(), "")
			return
		}
		s.serveAPI(sw, r, ep, q)
	default:
		writeError(sw, http.StatusNotFound, "404NotFound", "no such resource: "+r.URL.Path, "")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalNoEscape(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"500InternalServerError","message":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg, target string) {
	writeJSON(w, status, ErrorResponse{Code: code, Message: msg, Target: target})
}

func writeIamError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="workiva"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, IamError{Error: code, ErrorDescription: desc})
}

// serveToken is the OAuth 2.0 client-credentials token endpoint.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeIamError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeIamError(w, http.StatusBadRequest, "invalid_request", "the body is not a valid form")
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		writeIamError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		writeIamError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported; use client_credentials", gt))
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1 form-encodes both before Basic encoding;
		// x/oauth2 does so, other clients don't. Accept either.
		if u, err := url.QueryUnescape(id); err == nil && !s.validID(id) {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil && !s.validSecret(secret) {
			secret = u
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" || secret == "" {
		writeIamError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed: no client credentials (send HTTP Basic or client_id and client_secret)")
		return
	}
	if !s.validID(id) || !s.validSecret(secret) {
		writeIamError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed: unknown client or wrong secret")
		return
	}
	scope := strings.Join(strings.Fields(r.PostForm.Get("scope")), " ")
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(knownScopes, sc) {
			writeIamError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("unknown scope %q", sc))
			return
		}
	}
	if scope == "" {
		scope = "activity:read"
	}
	tok := newToken()
	s.mu.Lock()
	s.tokens[tok] = &token{expires: time.Now().Add(s.opts.TokenTTL), scopes: scope}
	s.issued++
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, BearerToken{
		AccessToken: tok,
		ExpiresIn:   int64(s.opts.TokenTTL / time.Second),
		Scope:       scope,
		TokenType:   "Bearer",
	})
}

// tokenFault applies the Token* faults; it reports whether it answered (or
// reset the connection).
func (s *Server) tokenFault(w http.ResponseWriter, sw *statusWriter, r *http.Request) bool {
	s.mu.Lock()
	f := &s.faults
	reset := f.TokenResets > 0
	var status int
	var ra string
	switch {
	case reset:
		f.TokenResets--
	case f.TokenErrors > 0:
		f.TokenErrors--
		status, ra = f.TokenErrorStatus, f.TokenRetryAfter
		if status == 0 {
			status = DefaultTokenErrorStatus
		}
	}
	s.mu.Unlock()
	if reset {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10)) // the client has sent its whole request
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			writeIamError(sw, http.StatusInternalServerError, "server_error", "injected reset: cannot hijack the connection")
			return true
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN
		}
		_ = conn.Close()
		return true
	}
	if status == 0 {
		return false
	}
	if ra != "" {
		sw.Header().Set("Retry-After", ra)
	}
	writeIamError(sw, status, "server_error", "injected fault: "+http.StatusText(status))
	return true
}

// deprecated marks an answer of a deprecated endpoint when DeprecationHeaders
// is on.
func (s *Server) deprecated(w http.ResponseWriter) {
	if !s.Faults().DeprecationHeaders {
		return
	}
	w.Header().Set("Deprecation", "@"+strconv.FormatInt(DeprecatedSince.Unix(), 10))
	w.Header().Set("Sunset", SunsetAt.Format(http.TimeFormat))
}

// IssueToken registers and returns a new access token with the
// activity:read scope, as the token endpoint would, for tests that call the
// API with a plain HTTP client. It counts in TokensIssued.
func (s *Server) IssueToken() string {
	tok := newToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = &token{expires: time.Now().Add(s.opts.TokenTTL), scopes: "activity:read"}
	s.issued++
	return tok
}

func (s *Server) validID(id string) bool {
	return subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) == 1
}

func (s *Server) validSecret(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.opts.ClientSecret)) == 1
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "emu." + base64.RawURLEncoding.EncodeToString(b)
}

// injected takes one 429 or 5xx from the fault counters, if any is due.
func (s *Server) injected() (status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	if f.RateLimit > 0 {
		f.RateLimit--
		return http.StatusTooManyRequests, f.RetryAfter
	}
	if f.ServerErrors > 0 {
		f.ServerErrors--
		if f.ServerErrorStatus == 0 {
			return http.StatusServiceUnavailable, ""
		}
		return f.ServerErrorStatus, ""
	}
	return 0, ""
}

var statusCodes = map[int]string{
	429: "429TooManyRequests",
	500: "500InternalServerError",
	501: "501NotImplemented",
	502: "502BadGateway",
	503: "503ServiceUnavailable",
	504: "504GatewayTimeout",
}

// authorize checks the bearer token; it answers and returns false when the
// call may not proceed.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	deny := func(msg string) bool {
		w.Header().Set("WWW-Authenticate", `Bearer realm="workiva", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "401Unauthorized", msg, "")
		return false
	}
	if h == "" {
		return deny("No valid API token provided")
	}
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return deny("No valid API token provided: the Authorization header must be 'Bearer <token>'")
	}
	s.mu.Lock()
	t := s.tokens[tok]
	var msg string
	switch {
	case t == nil:
		msg = "No valid API token provided: the token is unknown"
	case time.Now().After(t.expires):
		msg = "The API token has expired"
	case s.faults.TokenExpiresAfter > 0 && t.calls >= s.faults.TokenExpiresAfter:
		msg = "The API token has expired"
	default:
		t.calls++
	}
	scopes := ""
	if t != nil {
		scopes = t.scopes
	}
	s.mu.Unlock()
	if msg != "" {
		return deny(msg)
	}
	if !slices.Contains(strings.Fields(scopes), "activity:read") {
		writeError(w, http.StatusForbidden, "403Forbidden", "The API token does not have permissions to perform the request: it lacks the activity:read scope", "")
		return false
	}
	return true
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, ep string, q url.Values) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "405MethodNotAllowed", "only GET is supported here", "")
		return
	}
	if status, ra := s.injected(); status != 0 {
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		code := statusCodes[status]
		if code == "" {
			code = strconv.Itoa(status) + strings.ReplaceAll(http.StatusText(status), " ", "")
		}
		writeError(w, status, code, "injected fault: "+http.StatusText(status), "")
		return
	}
	if !s.authorize(w, r) {
		return
	}
	v := r.Header.Get("X-Version")
	if v == "" {
		v = VersionWithoutHeader
	}
	if !slices.Contains(supportedVersions, v) {
		writeError(w, http.StatusBadRequest, "BadArgument", fmt.Sprintf("unsupported API version %q; supported: %s", v, strings.Join(supportedVersions, ", ")), "X-Version")
		return
	}
	raw := strings.Split(strings.TrimPrefix(ep, "/admin/v1/"), "/")
	segs := make([]string, len(raw))
	for i, p := range raw {
		u, err := url.PathUnescape(p)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgument", "the path is not valid URL encoding", "")
			return
		}
		segs[i] = u
	}
	for _, name := range []string{"$filter", "$orderBy", "$maxpagesize", "$next"} {
		if len(q[name]) > 1 {
			writeError(w, http.StatusBadRequest, "BadArgument", name+" is given more than once", name)
			return
		}
	}
	switch {
	case len(segs) == 2 && segs[0] == "activities":
		s.deprecated(w)
		s.getActivity(w, segs[1])
	case len(segs) == 1 && segs[0] == "activityActions":
		s.listActions(w, r, ep, q)
	case len(segs) == 2 && segs[0] == "activityActions":
		s.getAction(w, segs[1])
	case len(segs) == 3 && segs[0] == "organizations" && segs[2] == "activities":
		s.deprecated(w)
		if s.checkOrg(w, segs[1]) {
			s.listActivities(w, r, ep, q, "")
		}
	case len(segs) == 5 && segs[0] == "organizations" && segs[2] == "workspaces" && segs[4] == "activities":
		if !s.checkOrg(w, segs[1]) {
			return
		}
		if !s.data.wsIdx[segs[3]] {
			writeError(w, http.StatusNotFound, "404NotFound", fmt.Sprintf("workspace %q not found in organization %s", segs[3], segs[1]), "workspaceId")
			return
		}
		s.listActivities(w, r, ep, q, segs[3])
	default:
		writeError(w, http.StatusNotFound, "404NotFound", "no such resource: "+r.URL.Path, "")
	}
}

func (s *Server) checkOrg(w http.ResponseWriter, org string) bool {
	switch org {
	case s.data.org.ID:
		return true
	case ForbiddenOrganizationID:
		writeError(w, http.StatusForbidden, "403Forbidden", "The API token does not have permissions to perform the request: no admin role in organization "+org, "organizationId")
	default:
		writeError(w, http.StatusNotFound, "404NotFound", fmt.Sprintf("organization %q not found", org), "organizationId")
	}
	return false
}

func (s *Server) getActivity(w http.ResponseWriter, id string) {
	i, ok := s.data.byID[id]
	if !ok {
		writeError(w, http.StatusNotFound, "404NotFound", fmt.Sprintf("activity %q not found", id), "activityId")
		return
	}
	b := s.data.encoded[i]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Server) getAction(w http.ResponseWriter, id string) {
	i, ok := s.data.actionIdx[id]
	if !ok {
		writeError(w, http.StatusNotFound, "404NotFound", fmt.Sprintf("activity action %q not found", id), "activityActionId")
		return
	}
	writeJSON(w, http.StatusOK, s.data.actions[i])
}

func pageSize(w http.ResponseWriter, q url.Values) (int, bool) {
	v, ok := q["$maxpagesize"]
	if !ok {
		return maxPageSize, true
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > maxPageSize {
		writeError(w, http.StatusBadRequest, "BadArgument", fmt.Sprintf("$maxpagesize must be an integer from 1 to %d, got %q", maxPageSize, v[0]), "$maxpagesize")
		return 0, false
	}
	return n, true
}

// cursor is the decoded $next: which page of a walk comes next and where it
// starts. key binds it to the query it was made for.
type cursor struct {
	page, offset int
	key          uint32
}

func keyHash(key string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return h.Sum32()
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "v1.%d.%d.%08x", c.page, c.offset, c.key))
}

func decodeCursor(w http.ResponseWriter, q url.Values, key uint32, total int) (cursor, bool) {
	v, ok := q["$next"]
	if !ok {
		return cursor{page: 1, key: key}, true
	}
	bad := func(why string) (cursor, bool) {
		writeError(w, http.StatusBadRequest, "BadArgument", "invalid $next cursor: "+why+"; follow @nextLink as given", "$next")
		return cursor{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(v[0])
	if err != nil {
		return bad("not a cursor")
	}
	var c cursor
	if n, err := fmt.Sscanf(string(b), "v1.%d.%d.%08x", &c.page, &c.offset, &c.key); err != nil || n != 3 {
		return bad("not a cursor")
	}
	if c.key != key {
		return bad("it belongs to a different query")
	}
	if c.page < 2 || c.offset < 0 || c.offset > total {
		return bad("out of range")
	}
	return c, true
}

// index returns the positions (into the ascending data set) matching the
// filter within the scope, in the requested order. It is cached by key so
// paging through a result costs O(page).
func (s *Server) index(key string, ws string, e Expr, desc bool) []int32 {
	s.mu.Lock()
	idx, ok := s.idxCache[key]
	s.mu.Unlock()
	if ok {
		return idx
	}
	acts := s.data.activities
	// The activities are sorted by time: a filter's time bounds narrow the
	// scan to their range, as a real API's index on the time would (a
	// parallel read sends a new filter per piece of its window; scanning
	// every activity for each cost the client under test CPU on a 2-core
	// machine that a real server's would not).
	from, to, exact := timeRange(e, acts)
	idx = make([]int32, 0, to-from)
	for i := from; i < to; i++ {
		a := &acts[i]
		if ws != "" && (a.Workspace == nil || a.Workspace.ID != ws) {
			continue
		}
		if !exact && !e.match(a) {
			continue
		}
		idx = append(idx, int32(i))
	}
	if desc {
		slices.Reverse(idx)
	}
	idx = slices.Clip(idx)
	s.mu.Lock()
	if len(s.idxCache) >= maxIndexEntries {
		clear(s.idxCache)
	}
	s.idxCache[key] = idx
	s.mu.Unlock()
	return idx
}

// timeRange narrows acts (sorted by time) to the part [from, to) that can
// match e: the activityDateTime bounds of e, or of the conjunctions it is
// made of, exclude everything outside. exact reports that e holds nothing
// but such bounds (or is nil), so that everything inside matches.
func timeRange(e Expr, acts []Activity) (from, to int, exact bool) {
	from, to, exact = 0, len(acts), true
	// The first index at or after t (strict: after t).
	search := func(t time.Time, strict bool) int {
		return sort.Search(len(acts), func(i int) bool {
			c := acts[i].At.Compare(t)
			return c > 0 || (c == 0 && !strict)
		})
	}
	var narrow func(Expr)
	narrow = func(e Expr) {
		switch e := e.(type) {
		case nil:
		case *And:
			narrow(e.Left)
			narrow(e.Right)
		case *Compare:
			if e.Field != FieldActivityDateTime {
				exact = false
				return
			}
			switch e.Op {
			case "ge":
				from = max(from, search(e.Time, false))
			case "gt":
				from = max(from, search(e.Time, true))
			case "lt":
				to = min(to, search(e.Time, false))
			case "le":
				to = min(to, search(e.Time, true))
			case "eq":
				from, to = max(from, search(e.Time, false)), min(to, search(e.Time, true))
			default:
				exact = false
			}
		default:
			exact = false
		}
	}
	narrow(e)
	to = max(to, from)
	return from, to, exact
}

func (s *Server) listActivities(w http.ResponseWriter, r *http.Request, ep string, q url.Values, ws string) {
	var expr Expr
	if f := q.Get("$filter"); strings.TrimSpace(f) != "" {
		e, err := ParseFilter(f)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgument", err.Error(), "$filter")
			return
		}
		expr = e
	}
	desc := true
	if v, ok := q["$orderBy"]; ok {
		f := strings.Fields(v[0])
		switch {
		case len(f) == 1 && f[0] == FieldActivityDateTime:
			desc = false // OData: no direction means ascending
		case len(f) == 2 && f[0] == FieldActivityDateTime && strings.EqualFold(f[1], "asc"):
			desc = false
		case len(f) == 2 && f[0] == FieldActivityDateTime && strings.EqualFold(f[1], "desc"):
			desc = true
		default:
			writeError(w, http.StatusBadRequest, "BadArgument", fmt.Sprintf("$orderBy %q is not supported; use 'activityDateTime asc' or 'activityDateTime desc'", v[0]), "$orderBy")
			return
		}
	}
	size, ok := pageSize(w, q)
	if !ok {
		return
	}
	canon := ""
	if expr != nil {
		canon = expr.String()
	}
	key := "org\x00" + ws + "\x00" + canon + "\x00" + strconv.FormatBool(desc)
	kh := keyHash(key)
	idx := s.index(key, ws, expr, desc)
	c, ok := decodeCursor(w, q, kh, len(idx))
	if !ok {
		return
	}
	end := min(c.offset+size, len(idx))
	items := make([][]byte, 0, end-c.offset)
	for _, i := range idx[c.offset:end] {
		items = append(items, s.data.encoded[i])
	}
	s.writePage(w, r, ep, c, end, end < len(idx), items)
}

func (s *Server) listActions(w http.ResponseWriter, r *http.Request, ep string, q url.Values) {
	if _, ok := q["$filter"]; ok {
		writeError(w, http.StatusBadRequest, "BadArgument", "getActivityActions does not support $filter", "$filter")
		return
	}
	acts := s.data.actions // by id
	order := "id asc"
	if v, ok := q["$orderBy"]; ok {
		f := strings.Fields(v[0])
		if len(f) == 1 {
			f = append(f, "asc")
		}
		if len(f) != 2 || (f[0] != "name" && f[0] != "id") || (!strings.EqualFold(f[1], "asc") && !strings.EqualFold(f[1], "desc")) {
			writeError(w, http.StatusBadRequest, "BadArgument", fmt.Sprintf("$orderBy %q is not supported; use 'name asc|desc' or 'id asc|desc'", v[0]), "$orderBy")
			return
		}
		order = f[0] + " " + strings.ToLower(f[1])
	}
	size, ok := pageSize(w, q)
	if !ok {
		return
	}
	sorted := slices.Clone(acts)
	if strings.HasPrefix(order, "name") {
		slices.SortStableFunc(sorted, func(a, b Action) int { return strings.Compare(a.Name, b.Name) })
	}
	if strings.HasSuffix(order, "desc") {
		slices.Reverse(sorted)
	}
	kh := keyHash("actions\x00" + order)
	c, ok := decodeCursor(w, q, kh, len(sorted))
	if !ok {
		return
	}
	end := min(c.offset+size, len(sorted))
	items := make([][]byte, 0, end-c.offset)
	for _, a := range sorted[c.offset:end] {
		b, err := marshalNoEscape(a)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "500InternalServerError", "encoding failed", "")
			return
		}
		items = append(items, b)
	}
	s.writePage(w, r, ep, c, end, end < len(sorted), items)
}

// writePage writes {"data":[...],"@nextLink":...} by concatenating
// pre-encoded items, applying the page faults.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, ep string, c cursor, end int, more bool, items [][]byte) {
	f := s.Faults()
	base := s.url
	if base == "" {
		base = "http://" + r.Host
	}
	next := ""
	switch {
	case f.RepeatNextLinkPage == c.page:
		// The link that fetched this page, i.e. the previous page's link.
		next = base + ep
		if r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
	case f.ForeignNextLinkPage == c.page:
		host := f.ForeignHost
		if host == "" {
			host = "foreign.invalid"
		}
		if !strings.Contains(host, "://") {
			host = "http://" + host
		}
		next = nextLink(strings.TrimSuffix(host, "/"), ep, r.URL.RawQuery, cursor{page: c.page + 1, offset: end, key: c.key})
	case more:
		next = nextLink(base, ep, r.URL.RawQuery, cursor{page: c.page + 1, offset: end, key: c.key})
	}

	// The body is written at once: the emulator shares the machine with
	// the client under test, and a write per item (2,000 a page) cost it
	// CPU that a real server's does not (BenchmarkListAll100k).
	bp, _ := pageBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer pageBufs.Put(bp)
	buf := append((*bp)[:0], `{"data":[`...)
	first := len(buf) // where the first item begins
	for i, it := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, it...)
	}
	buf = append(buf, ']')
	if next != "" {
		buf = append(buf, `,"@nextLink":`...)
		nb, _ := marshalNoEscape(next)
		buf = append(buf, nb...)
	}
	buf = append(buf, '}')
	*bp = buf
	switch c.page {
	case f.MalformedPage:
		// Valid start, then a stray token mid-array: a decoder
		// streaming items meets it after the first item.
		cut := first
		if len(items) > 0 {
			cut += len(items[0])
		}
		buf = append(buf[:cut:cut], []byte(`,}{"id":]`+string(buf[cut:]))...)
	case f.TruncatedPage:
		buf = buf[:len(buf)/2]
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

// pageBufs keeps the page bodies' buffers between requests.
var pageBufs sync.Pool // of *[]byte

// nextLink keeps the original query in its order, minus any $next, and
// appends the new cursor.
func nextLink(base, ep, rawQuery string, c cursor) string {
	var parts []string
	for p := range strings.SplitSeq(rawQuery, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == "$next" {
			continue
		}
		parts = append(parts, p)
	}
	parts = append(parts, "$next="+c.encode())
	return base + ep + "?" + strings.Join(parts, "&")
}

var _ json.Marshaler = Activity{}
