package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFaultTokenErrors(t *testing.T) {
	s := start(t, Options{Activities: 10})
	s.SetFaults(Faults{TokenErrors: 2, TokenErrorStatus: 502, TokenRetryAfter: "3"})
	form := url.Values{"grant_type": {"client_credentials"}}
	for i := range 2 {
		r := tokenRequest(t, s, form, s.ClientID(), s.ClientSecret())
		var ie IamError
		if r.status != 502 || r.header.Get("Retry-After") != "3" || json.Unmarshal(r.body, &ie) != nil || ie.Error != "server_error" {
			t.Fatalf("request %d: %d %v %s", i+1, r.status, r.header, r.body)
		}
	}
	if r := tokenRequest(t, s, form, s.ClientID(), s.ClientSecret()); r.status != 200 {
		t.Fatalf("after the faults: %d %s", r.status, r.body)
	}
	// API calls are not counted by token faults.
	s.SetFaults(Faults{TokenErrors: 1})
	if r := get(t, s, s.IssueToken(), "/admin/v1/activityActions"); r.status != 200 {
		t.Errorf("API call during a token fault: %d", r.status)
	}
	if s.Faults().TokenErrors != 1 {
		t.Errorf("an API call consumed a token fault")
	}
}

func TestFaultTokenResets(t *testing.T) {
	s := start(t, Options{Activities: 10})
	s.SetFaults(Faults{TokenResets: 1})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/iam/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID(), s.ClientSecret())
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a reset token request was answered: %d", resp.StatusCode)
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
		t.Errorf("want a reset connection, got %v", err)
	}
	// The handler logs after it has closed the connection: wait for it.
	for deadline := time.Now().Add(5 * time.Second); s.inFlight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got := s.Requests(); len(got) != 1 || got[0].Status != 0 {
		t.Errorf("request log %+v, want one unanswered request", got)
	}
	if r := tokenRequest(t, s, url.Values{"grant_type": {"client_credentials"}}, s.ClientID(), s.ClientSecret()); r.status != 200 {
		t.Errorf("after the reset: %d", r.status)
	}
}

func TestFaultDeprecationHeaders(t *testing.T) {
	s := start(t, Options{Activities: 10})
	tok := s.IssueToken()
	paths := map[string]bool{ // path -> deprecated
		orgPath(s): true,
		"/admin/v1/activities/" + url.PathEscape(s.Activities()[0].ID): true,
		"/admin/v1/activities/nope":                                    true,
		"/admin/v1/organizations/" + s.OrganizationID() + "/workspaces/" + s.Workspaces()[0].ID + "/activities": false,
		"/admin/v1/activityActions": false,
	}
	for p := range paths {
		if r := get(t, s, tok, p); r.header.Get("Deprecation") != "" || r.header.Get("Sunset") != "" {
			t.Errorf("%s: deprecation headers without the fault", p)
		}
	}
	s.SetFaults(Faults{DeprecationHeaders: true})
	for p, deprecated := range paths {
		r := get(t, s, tok, p)
		dep, sun := r.header.Get("Deprecation"), r.header.Get("Sunset")
		if !deprecated {
			if r.status != 200 || dep != "" || sun != "" {
				t.Errorf("%s: deprecation headers on an endpoint that is not deprecated", p)
			}
			continue
		}
		if dep != "@1770854400" || sun != "Wed, 31 Jan 2029 00:00:00 GMT" {
			t.Errorf("%s (%d): Deprecation %q, Sunset %q", p, r.status, dep, sun)
		}
	}
}
