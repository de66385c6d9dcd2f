package workiva

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Every request this client sends carries a credential (Basic client
// credentials to the token endpoint, a bearer token to the API), so no 3xx
// may ever be followed: Go keeps Authorization when only the port changes.
// These tests redirect to a second server on another port of 127.0.0.1 and
// check that it receives nothing.

var redirectCodes = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// thief is the redirect target: it must never be reached.
type thief struct {
	srv  *httptest.Server
	hits atomic.Int32
}

func newThief(t *testing.T) *thief {
	t.Helper()
	th := &thief{}
	th.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		th.hits.Add(1)
		// Answer as a working API would, so that a followed redirect succeeds.
		if r.URL.Path == TokenPath {
			writeJSON(w, http.StatusOK, `{"access_token":"stolen","expires_in":3600,"token_type":"Bearer"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"data":[]}`)
	}))
	t.Cleanup(th.srv.Close)
	return th
}

// checkRefused asserts that err reports the refused redirect and that the
// redirect target received nothing.
func checkRefused(t *testing.T, th *thief, code int, err error, secrets ...string) {
	t.Helper()
	if n := th.hits.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests", n)
	}
	if err == nil {
		t.Fatal("no error")
	}
	var re *RedirectError
	if !errors.As(err, &re) || re.StatusCode != code || StatusCode(err) != code {
		t.Errorf("want a *RedirectError with status %d, got %T %v", code, err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, statusLine(code)) || !strings.Contains(msg, "redirects are refused") {
		t.Errorf("error does not name the status and the refusal: %s", msg)
	}
	for _, s := range append(secrets, testClientSecret, "Zm9vYmFyYmF6", th.srv.URL) {
		if strings.Contains(msg, s) {
			t.Errorf("error contains %q: %s", s, msg)
		}
	}
}

func TestTokenRedirectRefused(t *testing.T) {
	for _, code := range redirectCodes {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			th := newThief(t)
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) { t.Error("API called without a token") })
			var tokenRequests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == TokenPath {
					tokenRequests.Add(1)
					http.Redirect(w, r, th.srv.URL+TokenPath, code)
					return
				}
				f.serve(w, r)
			}))
			defer srv.Close()
			cfg := testConfig(f)
			cfg.APIURL = srv.URL
			_, err := mustNew(t, cfg).GetActivity(context.Background(), "x")
			checkRefused(t, th, code, err)
			// Not a transient failure: no retry, and no advice to retry.
			var te *TokenError
			if !errors.As(err, &te) || te.Transient || te.Attempts != 1 || tokenRequests.Load() != 1 {
				t.Errorf("want a non-transient *TokenError after 1 request, got %#v (%d requests)", err, tokenRequests.Load())
			}
			if !strings.Contains(err.Error(), "token_url") {
				t.Errorf("error does not name token_url: %v", err)
			}
		})
	}
}

// TestAPIRedirectRefused covers every operation, a later page, and both
// kinds of credential (fetched and pre-issued tokens).
func TestAPIRedirectRefused(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ops := map[string]func(*Client) error{
		"get activity": func(c *Client) error {
			_, err := c.GetActivity(context.Background(), "x")
			return err
		},
		"get action": func(c *Client) error {
			_, err := c.GetActivityAction(context.Background(), "x")
			return err
		},
		"list actions": func(c *Client) error {
			return c.ListActivityActions(context.Background(), ActionListOptions{}, func(*ActivityAction) error { return nil })
		},
		"list organization": func(c *Client) error {
			_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o"}, func(*Activity) error { return nil })
			return err
		},
		"list workspace": func(c *Client) error {
			_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", WorkspaceID: "w"}, func(*Activity) error { return nil })
			return err
		},
		"list parallel": func(c *Client) error {
			q := ActivityQuery{OrganizationID: "o", Since: now, Before: now.Add(time.Hour), Order: "asc", Parallelism: 4}
			_, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
			return err
		},
	}
	for _, code := range redirectCodes {
		for name, op := range ops {
			for _, preIssued := range []bool{false, true} {
				t.Run(fmt.Sprintf("%d/%s/pre-issued=%v", code, name, preIssued), func(t *testing.T) {
					th := newThief(t)
					f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
						http.Redirect(w, r, th.srv.URL+r.URL.RequestURI(), code)
					})
					cfg := testConfig(f)
					if preIssued {
						cfg.AccessToken = "pre-issued-token-value"
						f.calls[cfg.AccessToken] = 0
					}
					err := op(mustNew(t, cfg))
					checkRefused(t, th, code, err, "pre-issued-token-value")
					if !strings.Contains(err.Error(), "api_url") {
						t.Errorf("error does not name api_url: %v", err)
					}
					if name != "list parallel" && len(f.apiRequests()) != 1 {
						t.Errorf("%d API requests, want 1 (a redirect is not retried)", len(f.apiRequests()))
					}
				})
			}
		}
	}
}

// TestNextPageRedirectRefused: the first page answers, the second redirects.
func TestNextPageRedirectRefused(t *testing.T) {
	for _, code := range redirectCodes {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			th := newThief(t)
			var f *fakeAPI
			p := &pager{base: func() string { return f.URL() }, items: testActivities(3)}
			f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("$next") != "" {
					http.Redirect(w, r, th.srv.URL+r.URL.RequestURI(), code)
					return
				}
				p.ServeHTTP(w, r)
			})
			seen := 0
			_, err := mustNew(t, testConfig(f)).ListActivities(context.Background(),
				ActivityQuery{OrganizationID: "o", PageSize: 2}, func(*Activity) error { seen++; return nil })
			checkRefused(t, th, code, err)
			if seen != 2 {
				t.Errorf("saw %d items of the first page, want 2", seen)
			}
		})
	}
}
