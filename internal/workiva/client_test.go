package workiva

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failTransport fails the test on any request: New must not touch the network.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected request to %s", r.URL)
	return nil, errors.New("no network in this test")
}

func TestNewResolvesConfig(t *testing.T) {
	noNet := &http.Client{Transport: failTransport{t}}
	cases := []struct {
		name               string
		cfg                Config
		wantAPI, wantToken string
	}{
		{"default region", Config{ClientID: "a", ClientSecret: "b"}, "https://api.app.wdesk.com", "https://api.app.wdesk.com/iam/v1/oauth2/token"},
		{"eu", Config{Region: "eu", ClientID: "a", ClientSecret: "b"}, "https://api.eu.wdesk.com", "https://api.eu.wdesk.com/iam/v1/oauth2/token"},
		{"apac upper", Config{Region: "APAC", AccessToken: "t"}, "https://api.apac.wdesk.com", "https://api.apac.wdesk.com/iam/v1/oauth2/token"},
		{"api url overrides region", Config{Region: "eu", APIURL: "https://example.test/", ClientID: "a", ClientSecret: "b"}, "https://example.test", "https://example.test/iam/v1/oauth2/token"},
		{"unknown region ignored with api url", Config{Region: "mars", APIURL: "https://example.test", AccessToken: "t"}, "https://example.test", "https://example.test/iam/v1/oauth2/token"},
		{"token url", Config{APIURL: "https://example.test", TokenURL: "https://auth.example.test/token", ClientID: "a", ClientSecret: "b"}, "https://example.test", "https://auth.example.test/token"},
		{"loopback http v4", Config{APIURL: "http://127.0.0.9:8080", AccessToken: "t"}, "http://127.0.0.9:8080", "http://127.0.0.9:8080/iam/v1/oauth2/token"},
		{"loopback http v6", Config{APIURL: "http://[::1]:9", AccessToken: "t"}, "http://[::1]:9", "http://[::1]:9/iam/v1/oauth2/token"},
		{"localhost", Config{APIURL: "http://LocalHost:9/prefix/", AccessToken: "t"}, "http://LocalHost:9/prefix", "http://LocalHost:9/prefix/iam/v1/oauth2/token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.HTTPClient = noNet
			c, err := New(tc.cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.APIURL() != tc.wantAPI || c.TokenURL() != tc.wantToken {
				t.Errorf("got api %q token %q, want %q %q", c.APIURL(), c.TokenURL(), tc.wantAPI, tc.wantToken)
			}
			if c.APIVersion() != DefaultAPIVersion {
				t.Errorf("api version %q", c.APIVersion())
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		setting string
		want    string
	}{
		{"unknown region", Config{Region: "mars", AccessToken: "t"}, "region", `"mars"`},
		{"bad url", Config{APIURL: "://nope", AccessToken: "t"}, "api_url", "not a valid URL"},
		{"relative url", Config{APIURL: "api.app.wdesk.com", AccessToken: "t"}, "api_url", "absolute"},
		{"http off loopback", Config{APIURL: "http://api.app.wdesk.com", AccessToken: "t"}, "api_url", "loopback"},
		{"http 10.x", Config{APIURL: "http://10.0.0.1", AccessToken: "t"}, "api_url", "loopback"},
		{"http localhost lookalike", Config{APIURL: "http://localhost.evil.com", AccessToken: "t"}, "api_url", "loopback"},
		{"ftp", Config{APIURL: "ftp://example.test", AccessToken: "t"}, "api_url", "https"},
		{"query", Config{APIURL: "https://example.test?x=1", AccessToken: "t"}, "api_url", "query"},
		{"userinfo", Config{APIURL: "https://u:p@example.test", AccessToken: "t"}, "api_url", "user information"},
		{"token http off loopback", Config{APIURL: "https://example.test", TokenURL: "http://auth.example.test/t", ClientID: "a", ClientSecret: "b"}, "token_url", "loopback"},
		{"token http when api is loopback", Config{APIURL: "http://127.0.0.1:1", TokenURL: "http://auth.example.test/t", ClientID: "a", ClientSecret: "b"}, "token_url", "loopback"},
		{"no credentials", Config{}, "client_id", "missing credentials"},
		{"no secret", Config{ClientID: "a"}, "client_secret", "client_secret is missing"},
		{"no id", Config{ClientSecret: "b"}, "client_id", "client_id is missing"},
		{"bad version", Config{AccessToken: "t", APIVersion: "latest"}, "api_version", "date"},
		{"negative retries", Config{AccessToken: "t", MaxRetries: intPtr(-1)}, "max_retries", "negative"},
		{"negative timeout", Config{AccessToken: "t", RequestTimeout: -time.Second}, "request_timeout", "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want *ConfigError, got %v", err)
			}
			if ce.Setting != tc.setting || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.setting) {
				t.Errorf("got %q (setting %s), want setting %s and %q", err, ce.Setting, tc.setting, tc.want)
			}
		})
	}
}

func TestNewMakesNoRequest(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {})
	mustNew(t, testConfig(f))
	if len(f.requests) != 0 || f.tokensIssued.Load() != 0 {
		t.Fatalf("New sent %d requests", len(f.requests))
	}
}

func TestHeadersAndEscaping(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/admin/v1/activities/"):
			writeJSON(w, 200, `{"id":"x","summary":"s"}`)
		case strings.HasPrefix(r.URL.Path, "/admin/v1/activityActions/"):
			writeJSON(w, 200, `{"id":"y","alias":"a"}`)
		default:
			writeJSON(w, 200, `{"data":[]}`)
		}
	})
	cfg := testConfig(f)
	cfg.APIVersion = "2025-06-01"
	cfg.Scopes = []string{"activity:read", " "}
	c := mustNew(t, cfg)
	ctx := context.Background()
	if _, err := c.GetActivity(ctx, "ab/c+d=="); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetActivityAction(ctx, "com.workiva/x y"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: "org/1", WorkspaceID: "ws+/=", Order: "desc"}, func(*Activity) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/admin/v1/activities/ab%2Fc+d==",
		"/admin/v1/activityActions/com.workiva%2Fx%20y",
		"/admin/v1/organizations/org%2F1/workspaces/ws+%2F=/activities",
	}
	reqs := f.apiRequests()
	if len(reqs) != len(want) {
		t.Fatalf("got %d API requests, want %d", len(reqs), len(want))
	}
	for i, r := range reqs {
		if r.EscapedPath != want[i] {
			t.Errorf("request %d: escaped path %q, want %q", i, r.EscapedPath, want[i])
		}
		h := r.Header
		if h.Get("Authorization") != "Bearer tok-1-Zm9vYmFyYmF6" || h.Get("X-Version") != "2025-06-01" ||
			h.Get("Accept") != "application/json" || h.Get("User-Agent") != "test-agent/1.0" {
			t.Errorf("request %d headers: %v", i, h)
		}
	}
	if reqs[1].Path != "/admin/v1/activityActions/com.workiva/x y" {
		t.Errorf("unescaped path %q", reqs[1].Path)
	}
	if got := reqs[2].RawQuery; got != "$maxpagesize=1000&$orderBy=activityDateTime%20desc" {
		t.Errorf("query %q", got)
	}
	// The token request: Basic credentials, scopes, our user agent.
	tr := f.requests[0]
	if tr.Path != TokenPath || !strings.HasPrefix(tr.Header.Get("Authorization"), "Basic ") || tr.Header.Get("User-Agent") != "test-agent/1.0" {
		t.Errorf("token request: %+v", tr)
	}
	if f.tokensIssued.Load() != 1 {
		t.Errorf("tokens issued: %d", f.tokensIssued.Load())
	}
}

func TestGetActivityShapes(t *testing.T) {
	bodies := map[string]string{
		"summary":     `{"id":"1","summary":"new","description":"old","workspace":{"id":"w","name":"W"},"attachments":[{"a":1}]}`,
		"description": `{"id":"2","description":"old only","workspace":null,"attachments":null}`,
		"absent":      `{"id":"3","extra":{"nested":[1,2]},"organization":{"id":"o","name":"O","more":true}}`,
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, bodies[strings.TrimPrefix(r.URL.Path, "/admin/v1/activities/")])
	})
	c := mustNew(t, testConfig(f))
	ctx := context.Background()
	a, err := c.GetActivity(ctx, "summary")
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary != "new" || a.Workspace == nil || a.Workspace.Name != "W" || string(a.Attachments) != `[{"a":1}]` {
		t.Errorf("summary shape: %+v", a)
	}
	a, err = c.GetActivity(ctx, "description")
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary != "old only" || a.Workspace != nil || a.Attachments != nil {
		t.Errorf("description shape: %+v", a)
	}
	a, err = c.GetActivity(ctx, "absent")
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary != "" || a.Workspace != nil || a.Attachments != nil || a.Organization.Name != "O" {
		t.Errorf("absent shape: %+v", a)
	}
	// Activity.UnmarshalJSON agrees with the stream decoder.
	var b Activity
	if err := json.Unmarshal([]byte(bodies["description"]), &b); err != nil || b.Summary != "old only" || b.Attachments != nil {
		t.Errorf("UnmarshalJSON: %+v %v", b, err)
	}
}

func TestRetryAfterHTTPDateHonoured(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", time.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
			writeJSON(w, 503, `{}`)
			return
		}
		writeJSON(w, 200, `{"id":"x"}`)
	})
	c := mustNew(t, testConfig(f))
	waits := recordWaits(c)
	if _, err := c.GetActivity(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if len(*waits) != 1 || (*waits)[0] < 28*time.Second || (*waits)[0] > 30*time.Second {
		t.Errorf("waits %v, want one of about 29s", *waits)
	}
}

func TestServerErrorsExhaustRetries(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, `{"code":"ServiceUnavailable","message":"try later"}`)
	})
	cfg := testConfig(f)
	cfg.MaxRetries = intPtr(2)
	c := mustNew(t, cfg)
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o"}, func(*Activity) error { return nil })
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want *APIError, got %v", err)
	}
	if ae.StatusCode != 503 || ae.Attempts != 3 || ae.Message != "try later" {
		t.Errorf("got %+v", ae)
	}
	want := "workiva: list organization activities: GET /admin/v1/organizations/o/activities: giving up after 3 attempts: 503 Service Unavailable: ServiceUnavailable: try later"
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	if got := len(f.apiRequests()); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
}

func TestNoRetriesWhenDisabled(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = io.WriteString(w, "<html>bad gateway</html>")
	})
	cfg := testConfig(f)
	cfg.MaxRetries = intPtr(0)
	c := mustNew(t, cfg)
	_, err := c.GetActivity(context.Background(), "x")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 502 || ae.Code != "" {
		t.Fatalf("got %v", err)
	}
	if !strings.HasSuffix(err.Error(), "giving up after 1 attempt: 502 Bad Gateway") || len(f.apiRequests()) != 1 {
		t.Errorf("got %q after %d requests", err, len(f.apiRequests()))
	}
}

func TestClientErrorsNotRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/organizations/") {
			writeJSON(w, 400, `{"code":"BadArgument","message":"bad filter","target":"$filter","details":[{"code":"Syntax","message":"unexpected token","target":"pos 3"}]}`)
			return
		}
		writeJSON(w, 404, `{"code":"404NotFound","message":"The requested resource could not be found"}`)
	})
	c := mustNew(t, testConfig(f))
	_, err := c.GetActivity(context.Background(), "a/b")
	if !IsNotFound(err) {
		t.Fatalf("want 404, got %v", err)
	}
	want := "workiva: get activity: GET /admin/v1/activities/a%2Fb: 404 Not Found: 404NotFound: The requested resource could not be found"
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	_, err = c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", Filter: "x eq"}, func(*Activity) error { return nil })
	var ae *APIError
	if !errors.As(err, &ae) || !IsBadRequest(err) || ae.Target != "$filter" || len(ae.Details) != 1 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "BadArgument: bad filter (target $filter); Syntax: unexpected token (target pos 3)") {
		t.Errorf("message %q", err)
	}
	if got := len(f.apiRequests()); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

func TestForbiddenHint(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `{"code":"Forbidden","message":"no"}`)
	})
	c := mustNew(t, testConfig(f))
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o"}, func(*Activity) error { return nil })
	if !IsForbidden(err) || !strings.Contains(err.Error(), "Org User Admin") || !strings.Contains(err.Error(), "activity:read") {
		t.Errorf("org: %v", err)
	}
	_, err = c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", WorkspaceID: "w"}, func(*Activity) error { return nil })
	if !IsForbidden(err) || !strings.Contains(err.Error(), "Workspace Owner") || !strings.Contains(err.Error(), "activity:read") {
		t.Errorf("workspace: %v", err)
	}
}

func TestFreshTokenRejectedToo(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, `{"code":"Unauthorized","message":"nope"}`)
	})
	c := mustNew(t, testConfig(f))
	_, err := c.GetActivity(context.Background(), "x")
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || !strings.Contains(ae.Hint, "freshly issued") {
		t.Fatalf("got %v", err)
	}
	if n := f.tokensIssued.Load(); n != 2 {
		t.Errorf("tokens issued %d, want 2 (one retry only)", n)
	}
}

func TestTokenErrorRedactsEchoedSecret(t *testing.T) {
	f := newFake(t, nil)
	f.tokenStatus = 400
	f.tokenBody = fmt.Sprintf(`{"error":"invalid_request","error_description":"bad secret %s"}`, testClientSecret)
	c := mustNew(t, testConfig(f))
	_, err := c.GetActivity(context.Background(), "x")
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_request" {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), testClientSecret) || strings.Contains(fmt.Sprintf("%+v", *te), testClientSecret) {
		t.Errorf("secret leaked: %q", err)
	}
	// A non-JSON token failure still gives a TokenError with the status.
	f.tokenStatus, f.tokenBody = 500, "<html>down</html>"
	_, err = c.GetActivity(context.Background(), "x")
	if !errors.As(err, &te) || te.StatusCode != 500 {
		t.Fatalf("got %v", err)
	}
}

func pageTest(t *testing.T, mutate func(page int, body map[string]any, raw *[]byte)) (*fakeAPI, *Client) {
	t.Helper()
	p := &pager{items: testActivities(30), mutate: mutate}
	f := newFake(t, p.ServeHTTP)
	p.base = f.URL
	return f, mustNew(t, testConfig(f))
}

// Page shapes the emulator does not serve (its bad pages are in
// TestEmulatorBadPages).
func TestBadPageShapes(t *testing.T) {
	cases := map[string]struct {
		mutate func(page int, body map[string]any, raw *[]byte)
		want   string
	}{
		"not an object": {func(page int, body map[string]any, raw *[]byte) {
			if page == 2 {
				*raw = []byte(`[1,2]`)
			}
		}, "expected a JSON object"},
		"no data": {func(page int, body map[string]any, raw *[]byte) {
			if page == 2 {
				*raw = []byte(`{"value":[]}`)
			}
		}, `no "data"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, c := pageTest(t, tc.mutate)
			res, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(*Activity) error { return nil })
			var pe *PageError
			if !errors.As(err, &pe) || pe.Page != 2 {
				t.Fatalf("want *PageError on page 2, got %v", err)
			}
			if !strings.HasPrefix(err.Error(), "workiva: decoding page 2 of list organization activities: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("message %q", err)
			}
			if res.Pages != 2 {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestTimeoutWhileReadingPage(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[{"id":"a"},`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	cfg := testConfig(f)
	cfg.RequestTimeout = 100 * time.Millisecond
	c := mustNew(t, cfg)
	n := 0
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o"}, func(*Activity) error { n++; return nil })
	var pe *PageError
	var te *TimeoutError
	if !errors.As(err, &pe) || !errors.As(err, &te) || !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Fatalf("got %v", err)
	}
	if n != 1 {
		t.Errorf("%d items before the timeout, want 1", n)
	}
}

func TestForeignNextLink(t *testing.T) {
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		writeJSON(w, 200, `{"data":[]}`)
	}))
	defer foreign.Close()
	other := func(f *fakeAPI) []string {
		sameHostOtherPort := strings.Replace(foreign.URL, "127.0.0.1", "127.0.0.1", 1) // different port, same host
		return []string{
			foreign.URL + "/admin/v1/organizations/o/activities?$next=10",
			sameHostOtherPort + "/x",
			strings.Replace(f.URL(), "http://", "https://", 1) + "/x",
			strings.Replace(f.URL(), "127.0.0.1", "localhost", 1) + "/x",
			"//" + strings.TrimPrefix(foreign.URL, "http://") + "/x",
			strings.Replace(f.URL(), "http://", "http://user:pw@", 1) + "/x",
		}
	}
	for i := range 6 {
		var f *fakeAPI
		_, c := func() (*fakeAPI, *Client) {
			ff, cc := pageTest(t, func(page int, body map[string]any, raw *[]byte) {
				if page == 1 {
					body["@nextLink"] = other(f)[i]
				}
			})
			f = ff
			return ff, cc
		}()
		_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(*Activity) error { return nil })
		var nle *NextLinkError
		if !errors.As(err, &nle) || !errors.Is(err, ErrForeignNextLink) || nle.Page != 1 {
			t.Errorf("link %d (%s): got %v", i, other(f)[i], err)
			continue
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("error shows user info: %v", err)
		}
		if n := len(f.apiRequests()); n != 1 {
			t.Errorf("link %d: %d API requests, want 1", i, n)
		}
	}
	if foreignHits.Load() != 0 {
		t.Errorf("the foreign host got %d requests", foreignHits.Load())
	}
}

func TestRepeatingNextLink(t *testing.T) {
	var page1Next string
	f, c := pageTest(t, func(page int, body map[string]any, raw *[]byte) {
		switch page {
		case 1:
			page1Next, _ = body["@nextLink"].(string)
		case 2:
			body["@nextLink"] = page1Next // the link that led here
		}
	})
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(*Activity) error { return nil })
	var nle *NextLinkError
	if !errors.As(err, &nle) || !errors.Is(err, ErrRepeatedNextLink) || nle.Page != 2 {
		t.Fatalf("got %v", err)
	}
	if n := len(f.apiRequests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	// A link back to the first page is a repeat too.
	f, c = pageTest(t, func(page int, body map[string]any, raw *[]byte) {
		if page == 2 {
			body["@nextLink"] = f.URL() + "/admin/v1/organizations/o/activities?$maxpagesize=10"
		}
	})
	_, err = c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(*Activity) error { return nil })
	if !errors.Is(err, ErrRepeatedNextLink) {
		t.Fatalf("link to the first page: got %v", err)
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"x"}`)
	})
	f.tokenDelay = 20 * time.Millisecond
	c := mustNew(t, testConfig(f))
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for range 200 {
		wg.Go(func() {
			if _, err := c.GetActivity(context.Background(), "x"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.tokensIssued.Load(); n != 1 {
		t.Errorf("tokens issued %d, want 1", n)
	}
	if n := len(f.apiRequests()); n != 200 {
		t.Errorf("%d API requests, want 200", n)
	}
}

func TestTokenWaiterKeepsItsOwnContext(t *testing.T) {
	// The leader's context ends mid-fetch; a waiter with a live context
	// must still get a token instead of the leader's cancellation.
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"x"}`) })
	f.tokenDelay = 100 * time.Millisecond
	c := mustNew(t, testConfig(f))
	leaderCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetActivity(leaderCtx, "x")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	waiter := make(chan error, 1)
	go func() {
		_, err := c.GetActivity(context.Background(), "x")
		waiter <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v", err)
	}
	if err := <-waiter; err != nil {
		t.Errorf("waiter: %v", err)
	}
}

func TestConnectionErrorsRetried(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		writeJSON(w, 200, `{"id":"x"}`)
	})
	c := mustNew(t, testConfig(f))
	if _, err := c.GetActivity(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("%d attempts, want 3", n.Load())
	}
	// Beyond the retries: a *RequestError naming the attempts.
	cfg := testConfig(f)
	cfg.APIURL = "http://127.0.0.1:1" // nothing listens there
	cfg.TokenURL = f.URL() + TokenPath
	c = mustNew(t, cfg)
	_, err := c.GetActivity(context.Background(), "x")
	var re *RequestError
	if !errors.As(err, &re) || re.Attempts != 4 || !strings.Contains(err.Error(), "giving up after 4 attempts") {
		t.Errorf("got %v", err)
	}
}

func TestMaxResults(t *testing.T) {
	cases := []struct {
		total, pageSize, max int
		wantQuery            string
		wantCount, wantPages int
		wantTruncated        bool
	}{
		{25, 10, 15, "10", 15, 2, true},
		{25, 10, 5, "5", 5, 1, true},
		{25, 10, 20, "10", 20, 2, true}, // stops at a page end with a next link
		{25, 10, 25, "10", 25, 3, false},
		{25, 10, 40, "10", 25, 3, false},
		{25, 0, 25, "25", 25, 1, false},
		{25, 0, 24, "24", 24, 1, true}, // one item left after the limit... on the next page
		{10, 10, 10, "10", 10, 1, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d/%d/%d", tc.total, tc.pageSize, tc.max), func(t *testing.T) {
			p := &pager{items: testActivities(tc.total)}
			f := newFake(t, p.ServeHTTP)
			p.base = f.URL
			c := mustNew(t, testConfig(f))
			var got []string
			res, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: tc.pageSize, MaxResults: tc.max}, func(a *Activity) error {
				got = append(got, a.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Count != tc.wantCount || len(got) != tc.wantCount || res.Pages != tc.wantPages || res.Truncated != tc.wantTruncated {
				t.Errorf("got %+v (%d items), want count %d pages %d truncated %v", res, len(got), tc.wantCount, tc.wantPages, tc.wantTruncated)
			}
			if q := f.apiRequests()[0].Query.Get("$maxpagesize"); q != tc.wantQuery {
				t.Errorf("$maxpagesize %s, want %s", q, tc.wantQuery)
			}
		})
	}
}

func TestTruncatedWhenItemsLeftOnPage(t *testing.T) {
	// A server that ignores $maxpagesize: items beyond the limit on the
	// same page count as "more existed".
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[{"id":"a"},{"id":"b"},{"id":"c"}]}`)
	})
	c := mustNew(t, testConfig(f))
	res, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", MaxResults: 2}, func(*Activity) error { return nil })
	if err != nil || res.Count != 2 || !res.Truncated {
		t.Errorf("got %+v, %v", res, err)
	}
	res, err = c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", MaxResults: 3}, func(*Activity) error { return nil })
	if err != nil || res.Count != 3 || res.Truncated {
		t.Errorf("exact: got %+v, %v", res, err)
	}
}

func TestCallbackStopAndError(t *testing.T) {
	p := &pager{items: testActivities(30)}
	f := newFake(t, p.ServeHTTP)
	p.base = f.URL
	c := mustNew(t, testConfig(f))
	res, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(a *Activity) error {
		if a.ID == "act/012+x==" {
			return ErrStop
		}
		return nil
	})
	if err != nil || res.Count != 13 || res.Pages != 2 || res.Truncated {
		t.Errorf("ErrStop: got %+v, %v", res, err)
	}
	boom := errors.New("boom")
	_, err = c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(a *Activity) error { return boom })
	if err != boom { //nolint:errorlint // the contract: fn's error comes back unchanged, not wrapped
		t.Errorf("callback error: got %v", err)
	}
}

func TestCancellationEndsWalk(t *testing.T) {
	p := &pager{items: testActivities(100)}
	f := newFake(t, p.ServeHTTP)
	p.base = f.URL
	c := mustNew(t, testConfig(f))
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: "o", PageSize: 10}, func(a *Activity) error {
		n++
		if n == 15 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if len(f.apiRequests()) != 2 {
		t.Errorf("%d requests after cancel on page 2", len(f.apiRequests()))
	}
	// Cancellation while waiting to retry.
	f2 := newFake(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
	cfg := testConfig(f2)
	cfg.Backoff = func(int, *http.Response) time.Duration { return time.Hour }
	c2 := mustNew(t, cfg)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err = c2.GetActivity(ctx2, "x")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("got %v after %v", err, time.Since(start))
	}
}

func TestListActivityActions(t *testing.T) {
	var actions []map[string]any
	for i := range 25 {
		actions = append(actions, map[string]any{"id": fmt.Sprintf("com.workiva.a%02d", i), "alias": fmt.Sprintf("a%02d", i), "deprecated": i%5 == 0})
	}
	p := &pager{items: actions}
	f := newFake(t, p.ServeHTTP)
	p.base = f.URL
	c := mustNew(t, testConfig(f))
	var got []*ActivityAction
	err := c.ListActivityActions(context.Background(), ActionListOptions{PageSize: 10, Order: "alias asc"}, func(a *ActivityAction) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 || got[24].Alias != "a24" || !got[0].Deprecated || got[1].Deprecated {
		t.Errorf("got %d actions", len(got))
	}
	reqs := f.apiRequests()
	if len(reqs) != 3 || reqs[0].RawQuery != "$maxpagesize=10&$orderBy=alias%20asc" {
		t.Errorf("requests %d, first query %q", len(reqs), reqs[0].RawQuery)
	}
	if err := c.ListActivityActions(context.Background(), ActionListOptions{PageSize: 1001}, nil); err == nil {
		t.Error("page size 1001 accepted")
	}
}

func TestFilterSent(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"data":[]}`) })
	c := mustNew(t, testConfig(f))
	q := ActivityQuery{
		OrganizationID: "o",
		ActionAliases:  []string{"user_login", "o'brien"},
		Since:          time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600)),
		Filter:         "performer.id eq 'p' or target.id eq 't'",
		Order:          "asc",
		PageSize:       50,
	}
	if _, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil }); err != nil {
		t.Fatal(err)
	}
	r := f.apiRequests()[0]
	want := "action.alias in ('o''brien','user_login') and activityDateTime ge 2026-01-01T00:00:00Z and (performer.id eq 'p' or target.id eq 't')"
	if r.Query.Get("$filter") != want || r.Query.Get("$orderBy") != "activityDateTime asc" || r.Query.Get("$maxpagesize") != "50" {
		t.Errorf("query %v", r.Query)
	}
	if strings.Contains(r.RawQuery, "+") {
		t.Errorf("raw query uses '+' for spaces: %s", r.RawQuery)
	}
}

func TestQueryValidation(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent for an invalid query") })
	c := mustNew(t, testConfig(f))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]ActivityQuery{
		"OrganizationID": {},
		"PageSize":       {OrganizationID: "o", PageSize: 1001},
		"MaxResults":     {OrganizationID: "o", MaxResults: -1},
		"Order":          {OrganizationID: "o", Order: "sideways"},
		"Before":         {OrganizationID: "o", Since: t0, Before: t0},
		"ActionAliases":  {OrganizationID: "o", ActionAliases: []string{"a", " "}},
		"WorkspaceID":    {OrganizationID: "o", WorkspaceID: "  "},
	}
	for field, q := range cases {
		_, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	if _, err := c.GetActivity(context.Background(), ""); err == nil {
		t.Error("empty ID accepted")
	}
	if f.tokensIssued.Load() != 0 {
		t.Error("token fetched for invalid input")
	}
}

func TestLoggingWithoutSecrets(t *testing.T) {
	var n atomic.Int32
	items := testActivities(30)
	p := &pager{items: items}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"code":"TooManyRequests"}`)
			return
		}
		p.ServeHTTP(w, r)
	})
	p.base = f.URL
	f.rejectAfter = 2
	log := &recLogger{}
	cfg := testConfig(f)
	cfg.Logger = log
	c := mustNew(t, cfg)
	recordWaits(c)
	if _, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "o", PageSize: 10}, func(*Activity) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// And a failing token fetch.
	bad := testConfig(f)
	bad.ClientSecret = "another-" + testClientSecret
	bad.Logger = log
	_, _ = mustNew(t, bad).GetActivity(context.Background(), "x")

	text := log.text()
	for _, secret := range []string{testClientSecret, "tok-1-", "tok-2-", "Zm9vYmFyYmF6", "Bearer", "Basic"} {
		if strings.Contains(text, secret) {
			t.Errorf("log contains %q:\n%s", secret, text)
		}
	}
	var sawRetry, sawAttempt2, sawRefresh bool
	for _, e := range log.all() {
		if e.Msg == "workiva: retrying request" && e.Fields["status"] == 429 && e.Fields["wait"] == "1s" && e.Fields["method"] == "GET" && e.Fields["path"] != "" {
			sawRetry = true
		}
		if e.Msg == "workiva: sending request" && e.Fields["attempt"] == 2 {
			sawAttempt2 = true
		}
		if strings.Contains(e.Msg, "token rejected") {
			sawRefresh = true
		}
	}
	if !sawRetry || !sawAttempt2 || !sawRefresh {
		t.Errorf("missing entries (retry %v, attempt 2 %v, refresh %v):\n%s", sawRetry, sawAttempt2, sawRefresh, text)
	}
}

func TestTokenEndpointTimeoutAndDown(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { t.Error("API called") })
	f.tokenDelay = 300 * time.Millisecond
	cfg := testConfig(f)
	cfg.RequestTimeout = 50 * time.Millisecond
	c := mustNew(t, cfg)
	_, err := c.GetActivity(context.Background(), "x")
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "request timed out after 50ms") || strings.Contains(err.Error(), testClientSecret) {
		t.Errorf("timeout: %v", err)
	}
	cfg = testConfig(f)
	cfg.TokenURL = "http://127.0.0.1:1/token" // nothing listens there
	c = mustNew(t, cfg)
	_, err = c.GetActivity(context.Background(), "x")
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), testClientSecret) {
		t.Errorf("down: %v", err)
	}
	c.CloseIdleConnections()
}

// A parallel read's readers keep their connections: 16 requests at once,
// twice, open 16 connections, not 16 and then most of them again (with
// cleanhttp's default of GOMAXPROCS+1 idle connections per host they were
// closed after each answer, and against Workiva each new one costs a TLS
// handshake).
func TestClientKeepsAConnectionPerReader(t *testing.T) {
	var conns atomic.Int64
	release := make(chan struct{})
	var waiting atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hold every answer until all 16 requests are in, so that they
		// need 16 connections at once.
		if waiting.Add(1)%MaxParallelism == 0 {
			close(release)
		}
		<-release
		writeJSON(w, http.StatusOK, `{"id":"a","activityDateTime":"2026-01-01T00:00:00Z"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := mustNew(t, Config{APIURL: srv.URL, AccessToken: "token"})
	for round := range 2 {
		var wg sync.WaitGroup
		for range MaxParallelism {
			wg.Go(func() {
				if _, err := c.GetActivity(context.Background(), "a"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if round == 0 {
			release = make(chan struct{})
		}
	}
	if n := conns.Load(); n != MaxParallelism {
		t.Errorf("%d connections for two rounds of %d requests, want %d", n, MaxParallelism, MaxParallelism)
	}
}
