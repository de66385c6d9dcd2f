package emulator

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testOpts keeps the data set small so each test starts in milliseconds.
var testOpts = Options{Activities: 800}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) errorBody(t *testing.T) ErrorResponse {
	t.Helper()
	var e ErrorResponse
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return e
}

func do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, b}
}

func tokenRequest(t *testing.T, s *Server, form url.Values, basicID, basicSecret string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/iam/v1/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" || basicSecret != "" {
		req.SetBasicAuth(basicID, basicSecret)
	}
	return do(t, req)
}

func getToken(t *testing.T, s *Server) string {
	t.Helper()
	r := tokenRequest(t, s, url.Values{"grant_type": {"client_credentials"}}, s.ClientID(), s.ClientSecret())
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	var bt BearerToken
	if err := json.Unmarshal(r.body, &bt); err != nil {
		t.Fatal(err)
	}
	return bt.AccessToken
}

// get fetches rawURL (absolute, or a path under the server) with the token.
func get(t *testing.T, s *Server, tok, rawURL string) result {
	t.Helper()
	if !strings.HasPrefix(rawURL, "http") {
		rawURL = s.URL() + rawURL
	}
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("X-Version", "2026-01-01")
	return do(t, req)
}

func orgPath(s *Server) string {
	return "/admin/v1/organizations/" + s.OrganizationID() + "/activities"
}

func withQuery(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" { // "" leaves the parameter out
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

type page struct {
	Data     []json.RawMessage `json:"data"`
	NextLink *string           `json:"@nextLink"`
}

type idOnly struct {
	ID               string `json:"id"`
	ActivityDateTime string `json:"activityDateTime"`
}

// walk follows @nextLink from first until the end, returning the IDs.
func walk(t *testing.T, s *Server, tok, first string) []string {
	t.Helper()
	var ids []string
	next := first
	seen := map[string]bool{}
	for n := 0; next != ""; n++ {
		if n > 10000 || seen[next] {
			t.Fatalf("walk does not end (at %s)", next)
		}
		seen[next] = true
		r := get(t, s, tok, next)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		var p page
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("page %d: %v", n+1, err)
		}
		if p.Data == nil {
			t.Fatalf("page %d: data is missing or null: %s", n+1, r.body)
		}
		for _, raw := range p.Data {
			var a idOnly
			if err := json.Unmarshal(raw, &a); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		next = ""
		if p.NextLink != nil {
			next = *p.NextLink
			if !strings.HasPrefix(next, s.URL()+"/") {
				t.Fatalf("next link %q is not absolute on the server", next)
			}
		}
	}
	return ids
}

// expected returns the IDs of the data set matching keep, in order.
func expected(s *Server, desc bool, keep func(*Activity) bool) []string {
	var ids []string
	for i := range s.Activities() {
		a := &s.Activities()[i]
		if keep == nil || keep(a) {
			ids = append(ids, a.ID)
		}
	}
	if desc {
		slices.Reverse(ids)
	}
	return ids
}

func TestTokenEndpoint(t *testing.T) {
	s := start(t, Options{Activities: 10, ClientSecret: "s3cr+t/with=odd&chars"})
	cc := url.Values{"grant_type": {"client_credentials"}}
	escape := url.QueryEscape
	tests := []struct {
		name          string
		form          url.Values
		bid, bsec     string
		status        int
		iamErr, scope string
	}{
		{name: "basic", form: cc, bid: s.ClientID(), bsec: s.ClientSecret(), status: 200, scope: "activity:read"},
		{name: "basic form-encoded (RFC 6749, x/oauth2)", form: cc, bid: escape(s.ClientID()), bsec: escape(s.ClientSecret()), status: 200, scope: "activity:read"},
		{name: "form fields", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID()}, "client_secret": {s.ClientSecret()}}, status: 200, scope: "activity:read"},
		{name: "scope", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"activity:read  organization:read"}}, bid: s.ClientID(), bsec: s.ClientSecret(), status: 200, scope: "activity:read organization:read"},
		{name: "unknown scope", form: url.Values{"grant_type": {"client_credentials"}, "scope": {"activity:write"}}, bid: s.ClientID(), bsec: s.ClientSecret(), status: 400, iamErr: "invalid_scope"},
		{name: "wrong secret basic", form: cc, bid: s.ClientID(), bsec: "nope", status: 401, iamErr: "invalid_client"},
		{name: "wrong id form", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"other"}, "client_secret": {s.ClientSecret()}}, status: 401, iamErr: "invalid_client"},
		{name: "no credentials", form: cc, status: 401, iamErr: "invalid_client"},
		{name: "bad grant type", form: url.Values{"grant_type": {"password"}}, bid: s.ClientID(), bsec: s.ClientSecret(), status: 400, iamErr: "unsupported_grant_type"},
		{name: "no grant type", form: url.Values{}, bid: s.ClientID(), bsec: s.ClientSecret(), status: 400, iamErr: "invalid_request"},
	}
	issued := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tokenRequest(t, s, tt.form, tt.bid, tt.bsec)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if strings.Contains(string(r.body), s.ClientSecret()) {
				t.Fatalf("body echoes the secret: %s", r.body)
			}
			if tt.status != 200 {
				var e IamError
				if err := json.Unmarshal(r.body, &e); err != nil || e.Error != tt.iamErr || e.ErrorDescription == "" {
					t.Fatalf("IamError %+v (%v), want error %q with a description", e, err, tt.iamErr)
				}
				return
			}
			issued++
			var bt BearerToken
			if err := json.Unmarshal(r.body, &bt); err != nil {
				t.Fatal(err)
			}
			if bt.AccessToken == "" || bt.TokenType != "Bearer" || bt.ExpiresIn != 3600 || bt.Scope != tt.scope {
				t.Fatalf("token %+v", bt)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Error("no Cache-Control: no-store")
			}
		})
	}
	if got := s.TokensIssued(); got != issued {
		t.Errorf("TokensIssued = %d, want %d", got, issued)
	}
	// GET is not the token endpoint's method.
	r := get(t, s, "", "/iam/v1/oauth2/token")
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d", r.status)
	}
}

func TestTokensAreDistinctAndTheyExpire(t *testing.T) {
	s := start(t, Options{Activities: 10, TokenTTL: time.Nanosecond})
	a, b := getToken(t, s), getToken(t, s)
	if a == b {
		t.Fatal("two tokens are equal")
	}
	r := get(t, s, a, "/admin/v1/activityActions")
	if r.status != 401 || r.errorBody(t).Code != "401Unauthorized" || !strings.Contains(r.errorBody(t).Message, "expired") {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
}

func TestScopeWithoutActivityReadIsForbidden(t *testing.T) {
	s := start(t, Options{Activities: 10})
	r := tokenRequest(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"file:read"}}, s.ClientID(), s.ClientSecret())
	var bt BearerToken
	if err := json.Unmarshal(r.body, &bt); err != nil {
		t.Fatal(err)
	}
	if r := get(t, s, bt.AccessToken, "/admin/v1/activityActions"); r.status != 403 || r.errorBody(t).Code != "403Forbidden" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestAuthAndVersion(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := getToken(t, s)
	path := s.URL() + "/admin/v1/activityActions"
	tests := []struct {
		name, auth, version string
		status              int
		code                string
	}{
		{"ok", "Bearer " + tok, "2026-01-01", 200, ""},
		{"old version", "Bearer " + tok, "2022-01-01", 200, ""},
		{"lower-case scheme", "bearer " + tok, "2026-01-01", 200, ""},
		{"no auth", "", "2026-01-01", 401, "401Unauthorized"},
		{"unknown token", "Bearer nope", "2026-01-01", 401, "401Unauthorized"},
		{"basic scheme", "Basic " + tok, "2026-01-01", 401, "401Unauthorized"},
		{"no version: answered as 2022-01-01", "Bearer " + tok, "", 200, ""},
		{"unknown version", "Bearer " + tok, "2030-01-01", 400, "BadArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.version != "" {
				req.Header.Set("X-Version", tt.version)
			}
			r := do(t, req)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code != "" {
				e := r.errorBody(t)
				if e.Code != tt.code || e.Message == "" {
					t.Fatalf("error %+v, want code %s", e, tt.code)
				}
				if tt.status == 400 && e.Target != "X-Version" {
					t.Errorf("target %q", e.Target)
				}
				if strings.Contains(string(r.body), tok) {
					t.Error("error body echoes the token")
				}
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Version", "2026-01-01")
	if r := do(t, req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", r.status)
	}
}

func TestGetActivityEscapedIDs(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	var withSlash, withPlus *Activity
	for i := range s.Activities() {
		a := &s.Activities()[i]
		if withSlash == nil && strings.Contains(a.ID, "/") {
			withSlash = a
		}
		if withPlus == nil && strings.Contains(a.ID, "+") && strings.HasSuffix(a.ID, "=") {
			withPlus = a
		}
	}
	if withSlash == nil || withPlus == nil {
		t.Fatal("data set lacks IDs with '/' or '+' and '='")
	}
	for _, a := range []*Activity{withSlash, withPlus} {
		r := get(t, s, tok, "/admin/v1/activities/"+url.PathEscape(a.ID))
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", a.ID, r.status, r.body)
		}
		want, _ := s.ActivityJSON(a.ID)
		if string(r.body) != string(want) {
			t.Fatalf("body differs from the data set")
		}
		var got idOnly
		if err := json.Unmarshal(r.body, &got); err != nil || got.ID != a.ID {
			t.Fatalf("got %+v, %v", got, err)
		}
	}
	// Unescaped, the '/' splits the path: no such resource.
	if r := get(t, s, tok, "/admin/v1/activities/"+withSlash.ID); r.status != 404 {
		t.Fatalf("unescaped slash: %d", r.status)
	}
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if last.Path != "/admin/v1/activities/"+withSlash.ID || last.Status != 404 || !last.HasAuth {
		t.Errorf("log entry %+v", last)
	}
	prev := reqs[len(reqs)-3]
	if !strings.Contains(prev.EscapedPath, "%2F") || prev.Path != "/admin/v1/activities/"+withSlash.ID || prev.Status != 200 || prev.Version != "2026-01-01" {
		t.Errorf("log entry %+v", prev)
	}
	r := get(t, s, tok, "/admin/v1/activities/"+url.PathEscape("bm9wZQ/+=="))
	e := r.errorBody(t)
	if r.status != 404 || e.Code != "404NotFound" || e.Target != "activityId" || !strings.Contains(e.Message, "bm9wZQ/+==") {
		t.Fatalf("unknown id: %d %+v", r.status, e)
	}
}

func TestActivityActions(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := getToken(t, s)
	acts := s.Actions()
	if len(acts) < 35 {
		t.Fatalf("only %d actions", len(acts))
	}
	r := get(t, s, tok, "/admin/v1/activityActions/"+url.PathEscape("com.workiva.administration.workspace_membership.create"))
	var a Action
	if r.status != 200 || json.Unmarshal(r.body, &a) != nil || a.Alias != "workspace_membership_create" || a.Category != "Administration" || a.Name == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := get(t, s, tok, "/admin/v1/activityActions/com.workiva.nope"); r.status != 404 || r.errorBody(t).Target != "activityActionId" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, order := range []string{"", "name asc", "name desc", "id desc", "name"} {
		var names, ids []string
		next := withQuery("/admin/v1/activityActions", "$maxpagesize", "7", "$orderBy", order)
		pages := 0
		for next != "" {
			r := get(t, s, tok, next)
			var p struct {
				Data     []Action `json:"data"`
				NextLink string   `json:"@nextLink"`
			}
			if r.status != 200 || json.Unmarshal(r.body, &p) != nil {
				t.Fatalf("%s: %d %s", next, r.status, r.body)
			}
			pages++
			for _, a := range p.Data {
				names, ids = append(names, a.Name), append(ids, a.ID)
			}
			next = p.NextLink
		}
		if len(ids) != len(acts) || pages != (len(acts)+6)/7 {
			t.Fatalf("order %q: %d actions in %d pages", order, len(ids), pages)
		}
		switch order {
		case "":
			if !slices.IsSorted(ids) {
				t.Errorf("default order is not by id")
			}
		case "name asc", "name":
			if !slices.IsSorted(names) {
				t.Errorf("%q: not sorted", order)
			}
		case "name desc":
			if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(b, a) }) {
				t.Errorf("%q: not sorted", order)
			}
		}
	}
	deprecated := 0
	for _, a := range acts {
		if a.Deprecated {
			deprecated++
		}
	}
	if deprecated < 3 {
		t.Errorf("%d deprecated actions", deprecated)
	}
	for _, q := range []string{"$orderBy=category+asc", "$filter=action.alias+eq+'x'", "$maxpagesize=0"} {
		if r := get(t, s, tok, "/admin/v1/activityActions?"+q); r.status != 400 || r.errorBody(t).Code != "BadArgument" {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}

func TestPaginationWalksEverything(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	for _, tc := range []struct {
		order string
		size  string
		desc  bool
	}{
		{"", "", true}, {"activityDateTime desc", "37", true}, {"activityDateTime asc", "100", false},
		{"activityDateTime ASC", "1000", false}, {"activityDateTime", "799", false}, {"activityDateTime desc", "800", true},
	} {
		t.Run(tc.order+"/"+tc.size, func(t *testing.T) {
			s.ResetRequests()
			got := walk(t, s, tok, withQuery(orgPath(s), "$orderBy", tc.order, "$maxpagesize", tc.size))
			want := expected(s, tc.desc, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("walk gave %d ids, want %d in order", len(got), len(want))
			}
			size := 1000
			if tc.size != "" {
				if _, err := fmt.Sscan(tc.size, &size); err != nil {
					t.Fatalf("page size %q: %v", tc.size, err)
				}
			}
			if n, wantN := len(s.Requests()), (len(want)+size-1)/size; n != wantN {
				t.Errorf("%d requests, want %d", n, wantN)
			}
		})
	}
}

func TestNextLinkKeepsTheQuery(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	first := orgPath(s) + "?$filter=" + url.QueryEscape("action.alias eq 'user_login'") + "&$maxpagesize=5&$orderBy=activityDateTime%20asc"
	r := get(t, s, tok, first)
	var p page
	if err := json.Unmarshal(r.body, &p); err != nil || p.NextLink == nil {
		t.Fatalf("%s", r.body)
	}
	u, err := url.Parse(*p.NextLink)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("$filter") != "action.alias eq 'user_login'" || q.Get("$maxpagesize") != "5" || q.Get("$orderBy") != "activityDateTime asc" || q.Get("$next") == "" {
		t.Fatalf("next link %s", *p.NextLink)
	}
	if strings.Contains(string(r.body), `\u0026`) {
		t.Error("next link is HTML-escaped")
	}
	// The cursor is bound to its query: reusing it with another filter fails.
	other := orgPath(s) + "?$filter=" + url.QueryEscape("action.alias eq 'user_logout'") + "&$next=" + q.Get("$next")
	if r := get(t, s, tok, other); r.status != 400 || r.errorBody(t).Target != "$next" {
		t.Fatalf("foreign cursor: %d %s", r.status, r.body)
	}
	for _, bad := range []string{"garbage!", base64.RawURLEncoding.EncodeToString([]byte("v1.1.0.00000000")), ""} {
		if r := get(t, s, tok, orgPath(s)+"?$next="+url.QueryEscape(bad)); r.status != 400 || r.errorBody(t).Target != "$next" {
			t.Errorf("cursor %q: %d %s", bad, r.status, r.body)
		}
	}
}

func TestFiltersEndToEnd(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	acts := s.Activities()
	// A performer whose ID holds '+' and '/': query escaping must keep them.
	var odd string
	for _, u := range users {
		if strings.ContainsAny(u.ID, "+/") {
			odd = u.ID
		}
	}
	mid := acts[len(acts)/2]
	target := acts[len(acts)/3].Targets[len(acts[len(acts)/3].Targets)-1].ID
	tests := []struct {
		filter string
		keep   func(*Activity) bool
	}{
		{"action.alias eq 'user_login'", func(a *Activity) bool { return a.Action.Alias == "user_login" }},
		{"action.alias in ('org_user_role_create','org_user_role_delete')", func(a *Activity) bool {
			return a.Action.Alias == "org_user_role_create" || a.Action.Alias == "org_user_role_delete"
		}},
		{"action.id eq 'com.workiva.file.export'", func(a *Activity) bool { return a.Action.ID == "com.workiva.file.export" }},
		{"performer.id eq '" + odd + "'", func(a *Activity) bool { return a.Performer.ID == odd }},
		{"target.id eq '" + target + "'", func(a *Activity) bool {
			return slices.ContainsFunc(a.Targets, func(t Target) bool { return t.ID == target })
		}},
		{"activityDateTime ge " + mid.ActivityDateTime, func(a *Activity) bool { return !a.At.Before(mid.At) }},
		{"activityDateTime lt " + mid.ActivityDateTime + " and action.alias eq 'user_logout'", func(a *Activity) bool {
			return a.At.Before(mid.At) && a.Action.Alias == "user_logout"
		}},
		{"activityDateTime eq " + mid.ActivityDateTime, func(a *Activity) bool { return a.At.Equal(mid.At) }},
		{"action.alias eq 'user_login' or (performer.id eq '" + odd + "' and action.alias eq 'file_export')", func(a *Activity) bool {
			return a.Action.Alias == "user_login" || a.Performer.ID == odd && a.Action.Alias == "file_export"
		}},
		{"action.alias eq 'no_such_alias'", func(*Activity) bool { return false }},
		{"performer.id eq 'Seán O''Brien'", func(*Activity) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			want := expected(s, false, tt.keep)
			if len(want) == 0 && !strings.Contains(tt.filter, "no_such") && !strings.Contains(tt.filter, "O''Brien") {
				t.Fatal("test filter matches nothing; pick another")
			}
			got := walk(t, s, tok, withQuery(orgPath(s), "$filter", tt.filter, "$orderBy", "activityDateTime asc", "$maxpagesize", "50"))
			if !slices.Equal(got, want) {
				t.Fatalf("got %d ids, want %d", len(got), len(want))
			}
		})
	}
	// Nothing matches: data is [] and there is no next link.
	r := get(t, s, tok, withQuery(orgPath(s), "$filter", "action.alias eq 'nope'"))
	if string(r.body) != `{"data":[]}` {
		t.Fatalf("empty page: %s", r.body)
	}
}

func TestWorkspaceActivities(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	var ws Workspace
	for _, w := range s.Workspaces() {
		if strings.Contains(w.ID, "/") {
			ws = w
		}
	}
	if ws.ID == "" {
		t.Fatal("no workspace ID with '/'")
	}
	path := "/admin/v1/organizations/" + s.OrganizationID() + "/workspaces/" + url.PathEscape(ws.ID) + "/activities"
	got := walk(t, s, tok, withQuery(path, "$maxpagesize", "10", "$filter", "action.alias in ('file_create','workspace_membership_create')"))
	want := expected(s, true, func(a *Activity) bool {
		return a.Workspace != nil && a.Workspace.ID == ws.ID && (a.Action.Alias == "file_create" || a.Action.Alias == "workspace_membership_create")
	})
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("got %d, want %d", len(got), len(want))
	}
}

func TestErrorAnswers(t *testing.T) {
	s := start(t, Options{Activities: 50})
	tok := getToken(t, s)
	org := orgPath(s)
	wsBase := "/admin/v1/organizations/" + s.OrganizationID() + "/workspaces/"
	tests := []struct {
		name, path    string
		status        int
		code, target  string
		msgContaining string
	}{
		{"bad filter", withQuery(org, "$filter", "summary eq 'x'"), 400, "BadArgument", "$filter", `unknown field "summary"`},
		{"bad filter literal", withQuery(org, "$filter", "activityDateTime ge 2026-01-01"), 400, "BadArgument", "$filter", "RFC 3339"},
		{"bad order", withQuery(org, "$orderBy", "summary asc"), 400, "BadArgument", "$orderBy", "activityDateTime"},
		{"bad order direction", withQuery(org, "$orderBy", "activityDateTime up"), 400, "BadArgument", "$orderBy", ""},
		{"page size 0", withQuery(org, "$maxpagesize", "0"), 400, "BadArgument", "$maxpagesize", "1 to 1000"},
		{"page size 1001", withQuery(org, "$maxpagesize", "1001"), 400, "BadArgument", "$maxpagesize", "1 to 1000"},
		{"page size text", withQuery(org, "$maxpagesize", "ten"), 400, "BadArgument", "$maxpagesize", ""},
		{"repeated param", org + "?$maxpagesize=5&$maxpagesize=6", 400, "BadArgument", "$maxpagesize", "more than once"},
		{"forbidden org", "/admin/v1/organizations/" + ForbiddenOrganizationID + "/activities", 403, "403Forbidden", "organizationId", "permissions"},
		{"forbidden org workspace", "/admin/v1/organizations/" + ForbiddenOrganizationID + "/workspaces/" + url.PathEscape(workspaces[0].ID) + "/activities", 403, "403Forbidden", "organizationId", ""},
		{"unknown org", "/admin/v1/organizations/00000000-0000-4000-8000-000000000000/activities", 404, "404NotFound", "organizationId", "not found"},
		{"unknown workspace", wsBase + "bm9wZQ%3D%3D/activities", 404, "404NotFound", "workspaceId", "bm9wZQ=="},
		{"unknown path", "/admin/v1/nothing", 404, "404NotFound", "", ""},
		{"trailing slash", org + "/", 404, "404NotFound", "", ""},
		{"outside admin", "/other", 404, "404NotFound", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, s, tok, tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			e := r.errorBody(t)
			if e.Code != tt.code || e.Target != tt.target || !strings.Contains(e.Message, tt.msgContaining) {
				t.Fatalf("error %+v, want code %s target %q message with %q", e, tt.code, tt.target, tt.msgContaining)
			}
		})
	}
}

func TestFaultRateLimit(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := getToken(t, s)
	s.SetFaults(Faults{RateLimit: 2, RetryAfter: "1"})
	for i := range 2 {
		r := get(t, s, tok, orgPath(s))
		if r.status != 429 || r.header.Get("Retry-After") != "1" || r.errorBody(t).Code != "429TooManyRequests" {
			t.Fatalf("call %d: %d %v %s", i, r.status, r.header, r.body)
		}
	}
	if r := get(t, s, tok, orgPath(s)); r.status != 200 {
		t.Fatalf("after the faults: %d", r.status)
	}
	// The token endpoint is not rate limited, and "" means no header.
	s.SetFaults(Faults{RateLimit: 1})
	getToken(t, s)
	r := get(t, s, tok, orgPath(s))
	if r.status != 429 || r.header.Get("Retry-After") != "" {
		t.Fatalf("%d %v", r.status, r.header)
	}
	if f := s.Faults(); f.RateLimit != 0 {
		t.Errorf("RateLimit left %d", f.RateLimit)
	}
}

func TestFaultServerErrors(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := getToken(t, s)
	for _, tc := range []struct{ status, want int }{{0, 503}, {500, 500}, {502, 502}, {504, 504}} {
		s.SetFaults(Faults{ServerErrors: 2, ServerErrorStatus: tc.status})
		for i := range 2 {
			r := get(t, s, tok, "/admin/v1/activityActions")
			if r.status != tc.want || !strings.HasPrefix(r.errorBody(t).Code, fmt.Sprint(tc.want)) {
				t.Fatalf("status %d call %d: %d %s", tc.status, i, r.status, r.body)
			}
		}
		if r := get(t, s, tok, "/admin/v1/activityActions"); r.status != 200 {
			t.Fatalf("after the faults: %d", r.status)
		}
	}
	// SetFaults replaces counters.
	s.SetFaults(Faults{ServerErrors: 5})
	s.SetFaults(Faults{})
	if r := get(t, s, tok, "/admin/v1/activityActions"); r.status != 200 {
		t.Fatalf("after reset: %d", r.status)
	}
}

func TestFaultLatency(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := getToken(t, s)
	s.SetFaults(Faults{Latency: 30 * time.Millisecond})
	t0 := time.Now()
	if r := get(t, s, tok, "/admin/v1/activityActions"); r.status != 200 {
		t.Fatal(r.status)
	}
	if d := time.Since(t0); d < 30*time.Millisecond {
		t.Fatalf("answered in %v", d)
	}
	// A client that gives up is let go at once, not after the latency.
	s.SetFaults(Faults{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/admin/v1/activityActions", nil)
	resp, err := http.DefaultClient.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	// The handler notices and logs the abandoned request with status 0.
	deadline := time.Now().Add(2 * time.Second)
	for {
		reqs := s.Requests()
		if last := reqs[len(reqs)-1]; last.Path == "/admin/v1/activityActions" && last.Status == 0 && len(reqs) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("abandoned request not logged: %+v", s.Requests())
		}
		time.Sleep(time.Millisecond)
	}
	s.SetFaults(Faults{})
}

func TestFaultTokenExpiresAfter(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	s.SetFaults(Faults{TokenExpiresAfter: 2})
	first := withQuery(orgPath(s), "$maxpagesize", "100")
	r1 := get(t, s, tok, first)
	var p page
	_ = json.Unmarshal(r1.body, &p)
	r2 := get(t, s, tok, *p.NextLink)
	_ = json.Unmarshal(r2.body, &p)
	r3 := get(t, s, tok, *p.NextLink)
	if r1.status != 200 || r2.status != 200 || r3.status != 401 || r3.errorBody(t).Code != "401Unauthorized" {
		t.Fatalf("statuses %d %d %d", r1.status, r2.status, r3.status)
	}
	// A new token continues the walk from the same link.
	tok2 := getToken(t, s)
	if r := get(t, s, tok2, *p.NextLink); r.status != 200 {
		t.Fatalf("new token: %d", r.status)
	}
	if s.TokensIssued() != 2 {
		t.Errorf("TokensIssued %d", s.TokensIssued())
	}
}

func TestFaultBadPages(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	first := withQuery(orgPath(s), "$maxpagesize", "50")
	for _, f := range []Faults{{MalformedPage: 2}, {TruncatedPage: 2}, {MalformedPage: 1}, {TruncatedPage: 3}} {
		s.SetFaults(f)
		next := first
		for pg := 1; pg <= 3; pg++ {
			r := get(t, s, tok, next)
			var p page
			err := json.Unmarshal(r.body, &p)
			bad := pg == f.MalformedPage || pg == f.TruncatedPage
			if r.status != 200 {
				t.Fatalf("%+v page %d: status %d", f, pg, r.status)
			}
			if bad {
				if err == nil {
					t.Fatalf("%+v page %d decodes", f, pg)
				}
				if f.TruncatedPage == pg && !strings.Contains(err.Error(), "unexpected end") {
					t.Errorf("truncated page error: %v", err)
				}
				break
			}
			if err != nil {
				t.Fatalf("%+v page %d: %v", f, pg, err)
			}
			next = *p.NextLink
		}
	}
	// Activity action lists have pages too.
	s.SetFaults(Faults{MalformedPage: 1})
	r := get(t, s, tok, "/admin/v1/activityActions")
	if json.Valid(r.body) {
		t.Fatal("actions page 1 is valid JSON")
	}
}

func TestFaultNextLinks(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	first := withQuery(orgPath(s), "$maxpagesize", "50")
	links := func() []string {
		var out []string
		next := first
		for range 4 {
			r := get(t, s, tok, next)
			var p page
			if err := json.Unmarshal(r.body, &p); err != nil || p.NextLink == nil {
				t.Fatalf("%s", r.body)
			}
			out = append(out, *p.NextLink)
			next = *p.NextLink
			if !strings.HasPrefix(next, s.URL()) {
				break
			}
		}
		return out
	}
	s.SetFaults(Faults{ForeignNextLinkPage: 2, ForeignHost: "127.0.0.2:9"})
	l := links()
	if len(l) != 2 || !strings.HasPrefix(l[1], "http://127.0.0.2:9/admin/v1/") || !strings.Contains(l[1], "$next=") {
		t.Fatalf("foreign: %q", l)
	}
	s.SetFaults(Faults{ForeignNextLinkPage: 1})
	if l := links(); !strings.HasPrefix(l[0], "http://foreign.invalid/") {
		t.Fatalf("default foreign host: %q", l)
	}
	s.SetFaults(Faults{RepeatNextLinkPage: 3})
	l = links()
	if l[2] != l[1] || l[0] == l[1] || l[3] != l[1] {
		t.Fatalf("repeat: %q", l)
	}
}

func TestConcurrentRequests(t *testing.T) {
	s := start(t, testOpts)
	tok := getToken(t, s)
	s.SetFaults(Faults{RateLimit: 10, ServerErrors: 10})
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := get(t, s, tok, withQuery(orgPath(s), "$maxpagesize", fmt.Sprint(1+i%5)))
			mu.Lock()
			counts[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[429] != 10 || counts[503] != 10 || counts[200] != 40 {
		t.Fatalf("statuses %v", counts)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if _, err := StartOn(addr, Options{Activities: 1}); err == nil {
			t.Errorf("StartOn(%q) succeeded", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := CheckLoopback(addr); err != nil {
			t.Errorf("CheckLoopback(%q): %v", addr, err)
		}
	}
}

func TestHandlerWithoutListener(t *testing.T) {
	// New serves as a plain http.Handler; next links use the request Host.
	s := New(Options{Activities: 30})
	tok := s.IssueToken()
	req, _ := http.NewRequest(http.MethodGet, "http://emu.test"+orgPath(s)+"?$maxpagesize=10", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Version", "2026-01-01")
	rec := &recorder{header: http.Header{}}
	s.ServeHTTP(rec, req)
	var p page
	if err := json.Unmarshal([]byte(rec.body.String()), &p); err != nil || p.NextLink == nil || !strings.HasPrefix(*p.NextLink, "http://emu.test/admin/v1/") {
		t.Fatalf("%d %s", rec.status, rec.body.String())
	}
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int)   { r.status = s }
func (r *recorder) Write(b []byte) (int, error) {
	return r.body.Write(b)
}

// A request still being answered when the log is reset belongs to the earlier
// step: it must not show up in the fresh log (this made request-count tests
// flaky when a client had its answer before the handler logged it).
func TestResetRequestsWaitsForRequestsInFlight(t *testing.T) {
	s := start(t, Options{Activities: 20})
	s.SetFaults(Faults{Latency: 50 * time.Millisecond})
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(s.URL() + "/admin/v1/activityActions")
		if err == nil {
			resp.Body.Close()
		}
	}()
	for deadline := time.Now().Add(2 * time.Second); s.inFlight.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s.ResetRequests()
	<-done
	if got := s.Requests(); len(got) != 0 {
		t.Fatalf("log after reset holds %d request(s) of the earlier step: %+v", len(got), got)
	}
}

func TestFaultMaxInFlight(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := getToken(t, s)
	// The latency keeps every call open long enough to overlap the others.
	s.SetFaults(Faults{MaxInFlight: 2, Latency: time.Second})
	const n = 5
	type answer struct {
		status int
		ra     string
	}
	answers := make(chan answer, n)
	for range n {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, s.URL()+orgPath(s), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("X-Version", "2026-01-01")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{}
				return
			}
			resp.Body.Close()
			answers <- answer{resp.StatusCode, resp.Header.Get("Retry-After")}
		}()
	}
	ok, limited := 0, 0
	for range n {
		a := <-answers
		switch {
		case a.status == 200:
			ok++
		case a.status == 429 && a.ra == "1":
			limited++
		default:
			t.Errorf("answer %+v", a)
		}
	}
	if ok > 2 || ok+limited != n || limited < n-2 {
		t.Fatalf("%d answered, %d limited", ok, limited)
	}
	// Without the limit every call is answered.
	s.SetFaults(Faults{})
	if r := get(t, s, tok, orgPath(s)); r.status != 200 {
		t.Fatal(r.status)
	}
}

// An answer read to its end is logged and no longer in flight: a client
// that sends its next request as soon as it has read a page is neither
// refused by MaxInFlight: 1 nor missing from the log, however the
// handler's goroutine is scheduled after its last write.
func TestAnswerReadIsSettled(t *testing.T) {
	s := start(t, Options{Activities: 3000})
	tok := getToken(t, s)
	s.ResetRequests()
	s.SetFaults(Faults{MaxInFlight: 1})
	const n = 300
	for i := range n {
		if r := get(t, s, tok, withQuery(orgPath(s), "$maxpagesize", "1000")); r.status != http.StatusOK {
			t.Fatalf("request %d: status %d (%s)", i+1, r.status, r.body)
		}
		if got := len(s.ListRequests()); got != i+1 {
			t.Fatalf("after %d answers read, %d logged", i+1, got)
		}
	}
}
