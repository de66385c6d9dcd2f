package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/workiva/terraform-provider-workiva/internal/apicontract"
)

// Every answer the emulator gives to an operation of Workiva's OpenAPI
// document, errors and the faults it injects by default included, is
// validated against the document: the emulator must be no stricter and no
// looser than the API the provider will meet.

type contractRun struct {
	t    *testing.T
	s    *Server
	c    *apicontract.Contract
	seen map[string][]int // operationId -> statuses validated
}

func newContractRun(t *testing.T, s *Server) *contractRun {
	t.Helper()
	c, err := apicontract.New(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	return &contractRun{t: t, s: s, c: c, seen: map[string][]int{}}
}

// send does one request; conforming says the request itself follows the
// document (it is then checked too), so that a 200 answers a request the API
// would accept. It fails the test unless the answer has status want and
// conforms.
func (cr *contractRun) send(name string, req *http.Request, body string, conforming bool, want int) result {
	cr.t.Helper()
	if conforming {
		if _, err := cr.c.CheckRequest(req, []byte(body)); err != nil {
			cr.t.Fatalf("%s: the test's request does not conform: %v", name, err)
		}
	}
	r := do(cr.t, req)
	op, err := cr.c.CheckResponse(req, []byte(body), r.status, r.header, r.body)
	if err != nil {
		cr.t.Errorf("%s: %v", name, err)
	}
	if r.status != want {
		cr.t.Errorf("%s: status %d, want %d: %.300s", name, r.status, want, r.body)
	}
	if !slices.Contains(cr.seen[op], r.status) {
		cr.seen[op] = append(cr.seen[op], r.status)
	}
	return r
}

func (cr *contractRun) token(name string, form url.Values, id, secret string, want int) result {
	cr.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, cr.s.URL()+"/iam/v1/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" || secret != "" {
		req.SetBasicAuth(id, secret)
	}
	return cr.send(name, req, form.Encode(), want == http.StatusOK, want)
}

// get sends a GET with tok ("" = no Authorization) and version ("" = no
// X-Version).
func (cr *contractRun) get(name, rawURL, tok, version string, conforming bool, want int) result {
	cr.t.Helper()
	if !strings.HasPrefix(rawURL, "http") {
		rawURL = cr.s.URL() + rawURL
	}
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		cr.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if version != "" {
		req.Header.Set("X-Version", version)
	}
	return cr.send(name, req, "", conforming, want)
}

// walk follows @nextLink from first to the end, validating every page, and
// returns the number of items.
func (cr *contractRun) walk(name, first, tok string) int {
	cr.t.Helper()
	n, next := 0, first
	for pages := 0; next != ""; pages++ {
		if pages > 10_000 {
			cr.t.Fatalf("%s: more than 10000 pages", name)
		}
		r := cr.get(fmt.Sprintf("%s page %d", name, pages+1), next, tok, "2026-01-01", true, http.StatusOK)
		var p page
		if err := json.Unmarshal(r.body, &p); err != nil {
			cr.t.Fatalf("%s: %v", name, err)
		}
		n += len(p.Data)
		next = ""
		if p.NextLink != nil {
			next = *p.NextLink
		}
	}
	return n
}

func TestContractTokenEndpoint(t *testing.T) {
	s := start(t, Options{Activities: 10})
	cr := newContractRun(t, s)
	id, secret := s.ClientID(), s.ClientSecret()
	grant := url.Values{"grant_type": {"client_credentials"}}
	cr.token("basic", grant, id, secret, 200)
	cr.token("form credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, "", "", 200)
	cr.token("scopes", url.Values{"grant_type": {"client_credentials"}, "scope": {"activity:read file:read"}}, id, secret, 200)
	cr.token("no grant_type", url.Values{}, id, secret, 400)
	cr.token("other grant", url.Values{"grant_type": {"password"}}, id, secret, 400)
	cr.token("unknown scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"everything"}}, id, secret, 400)
	cr.token("no credentials", grant, "", "", 401)
	cr.token("wrong secret", grant, id, "wrong", 401)

	s.SetFaults(Faults{TokenErrors: 1})
	r := cr.token("default token fault", grant, id, secret, DefaultTokenErrorStatus)
	var ie IamError
	if json.Unmarshal(r.body, &ie) != nil || ie.Error != "server_error" {
		t.Errorf("default token fault: %s", r.body)
	}
	cr.token("after the fault", grant, id, secret, 200)

	// Statuses a test must ask for explicitly are beyond the document, and
	// the checker says so: the default above is what keeps faults honest.
	for _, status := range []int{429, 500, 502, 503} {
		s.SetFaults(Faults{TokenErrors: 1, TokenErrorStatus: status})
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/iam/v1/oauth2/token", strings.NewReader(grant.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		r := do(t, req)
		if _, err := cr.c.CheckResponse(req, []byte(grant.Encode()), r.status, r.header, r.body); r.status != status || err == nil || !strings.Contains(err.Error(), "status is not supported") {
			t.Errorf("TokenErrorStatus %d: answered %d, checker said %v", status, r.status, err)
		}
	}
	if got := cr.seen[apicontract.TokenOperation]; !sameSet(got, []int{200, 400, 401}) {
		t.Errorf("token statuses validated: %v", got)
	}
}

func TestContractAPI(t *testing.T) {
	s := start(t, Options{}) // the full default data set: every activity's encoding is checked
	cr := newContractRun(t, s)
	tok := getToken(t, s)
	org := s.OrganizationID()
	orgList := "/admin/v1/organizations/" + org + "/activities"
	ws := s.Workspaces()[0].ID
	wsList := "/admin/v1/organizations/" + org + "/workspaces/" + url.PathEscape(ws) + "/activities"
	act := s.Activities()[0].ID
	actPath := "/admin/v1/activities/" + url.PathEscape(act)
	action := s.Actions()[0].ID
	actionPath := "/admin/v1/activityActions/" + url.PathEscape(action)
	const v = "2026-01-01"

	// Every item of every list, and every single object.
	if n := cr.walk("organization activities", orgList+"?%24maxpagesize=1000", tok); n != len(s.Activities()) {
		t.Errorf("walked %d activities, want %d", n, len(s.Activities()))
	}
	for _, w := range s.Workspaces() {
		cr.walk("workspace "+w.Name, "/admin/v1/organizations/"+org+"/workspaces/"+url.PathEscape(w.ID)+"/activities", tok)
	}
	if n := cr.walk("actions", "/admin/v1/activityActions?%24maxpagesize=7&%24orderBy=name+desc", tok); n != len(s.Actions()) {
		t.Errorf("walked %d actions, want %d", n, len(s.Actions()))
	}
	for _, a := range s.Actions() {
		cr.get("action "+a.ID, "/admin/v1/activityActions/"+url.PathEscape(a.ID), tok, v, true, 200)
	}
	for i, a := range s.Activities() {
		if i%97 == 0 || strings.ContainsAny(a.ID, "+/=") && i%7 == 0 {
			cr.get("activity "+a.ID, "/admin/v1/activities/"+url.PathEscape(a.ID), tok, v, true, 200)
		}
	}
	cr.walk("filtered ascending", orgList+"?"+url.Values{
		"$filter":      {"action.alias in ('user_login','file_export') and activityDateTime ge 2025-01-01T00:00:00Z"},
		"$orderBy":     {"activityDateTime asc"},
		"$maxpagesize": {"50"},
	}.Encode(), tok)

	// No X-Version: the API answers as 2022-01-01, and so must the emulator.
	for _, p := range []string{actPath, actionPath, "/admin/v1/activityActions", orgList + "?%24maxpagesize=5", wsList + "?%24maxpagesize=5"} {
		cr.get("no X-Version "+p, p, tok, "", true, 200)
	}

	// Errors the data and the request cause.
	unknownOrg := "00000000-0000-4000-8000-000000000000"
	cr.get("unknown activity", "/admin/v1/activities/nope", tok, v, true, 404)
	cr.get("unknown action", "/admin/v1/activityActions/nope", tok, v, true, 404)
	cr.get("unknown organization", "/admin/v1/organizations/"+unknownOrg+"/activities", tok, v, true, 404)
	cr.get("unknown organization, workspace list", "/admin/v1/organizations/"+unknownOrg+"/workspaces/w/activities", tok, v, true, 404)
	cr.get("unknown workspace", "/admin/v1/organizations/"+org+"/workspaces/nope/activities", tok, v, true, 404)
	cr.get("forbidden organization", "/admin/v1/organizations/"+ForbiddenOrganizationID+"/activities", tok, v, true, 403)
	cr.get("forbidden organization, workspace list", "/admin/v1/organizations/"+ForbiddenOrganizationID+"/workspaces/w/activities", tok, v, true, 403)
	cr.get("bad filter", orgList+"?%24filter=nonsense", tok, v, true, 400)
	cr.get("bad filter, workspace list", wsList+"?%24filter=nonsense", tok, v, true, 400)
	cr.get("bad order", orgList+"?%24orderBy=summary", tok, v, true, 400)
	cr.get("bad order, workspace list", wsList+"?%24orderBy=summary", tok, v, true, 400)
	cr.get("bad action order", "/admin/v1/activityActions?%24orderBy=category", tok, v, true, 400)
	cr.get("page size 0", orgList+"?%24maxpagesize=0", tok, v, false, 400)
	cr.get("page size 1001", "/admin/v1/activityActions?%24maxpagesize=1001", tok, v, false, 400)
	cr.get("page size 0, workspace list", wsList+"?%24maxpagesize=0", tok, v, false, 400)
	cr.get("bad cursor", orgList+"?%24next=garbage", tok, v, true, 400)
	cr.get("bad action cursor", "/admin/v1/activityActions?%24next=garbage", tok, v, true, 400)
	cr.get("filter on actions", "/admin/v1/activityActions?%24filter=x", tok, v, false, 400)
	cr.get("unknown version", actPath, tok, "2030-01-01", true, 400)
	cr.get("unknown version, action", actionPath, tok, "2030-01-01", true, 400)

	// Errors of authentication, and injected faults, on every operation.
	scoped := cr.token("token without activity:read", url.Values{"grant_type": {"client_credentials"}, "scope": {"file:read"}}, s.ClientID(), s.ClientSecret(), 200)
	var bt BearerToken
	if err := json.Unmarshal(scoped.body, &bt); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{actPath, actionPath, "/admin/v1/activityActions", orgList, wsList} {
		cr.get("no token "+p, p, "", v, false, 401)
		cr.get("unknown token "+p, p, "nope", v, true, 401)
		cr.get("no activity:read "+p, p, bt.AccessToken, v, true, 403)

		expiring := s.IssueToken()
		s.SetFaults(Faults{TokenExpiresAfter: 1})
		cr.get("before expiry "+p, p, expiring, v, true, 200)
		cr.get("expired token "+p, p, expiring, v, true, 401)

		s.SetFaults(Faults{RateLimit: 1, RetryAfter: "2"})
		if r := cr.get("rate limit "+p, p, tok, v, true, 429); r.header.Get("Retry-After") != "2" {
			t.Errorf("rate limit %s: Retry-After %q", p, r.header.Get("Retry-After"))
		}
		s.SetFaults(Faults{ServerErrors: 1})
		cr.get("default server error "+p, p, tok, v, true, 503)
		s.SetFaults(Faults{ServerErrors: 1, ServerErrorStatus: 500})
		cr.get("server error 500 "+p, p, tok, v, true, 500)
		s.SetFaults(Faults{DeprecationHeaders: true})
		cr.get("deprecation headers "+p, p, tok, v, true, 200)
		s.SetFaults(Faults{})
	}

	want := map[string][]int{
		"getActivityById":                    {200, 400, 401, 403, 404, 429, 500, 503},
		"getActivityActionById":              {200, 400, 401, 403, 404, 429, 500, 503},
		"getActivityActions":                 {200, 400, 401, 403, 429, 500, 503},
		"getOrganizationActivities":          {200, 400, 401, 403, 404, 429, 500, 503},
		"getOrganizationWorkspaceActivities": {200, 400, 401, 403, 404, 429, 500, 503},
		apicontract.TokenOperation:           {200},
	}
	for _, op := range cr.c.Operations() {
		if !sameSet(cr.seen[op], want[op]) {
			t.Errorf("%s: statuses validated %v, want %v", op, cr.seen[op], want[op])
		}
	}
}

func sameSet(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
