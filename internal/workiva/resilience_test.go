package workiva

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// Token endpoint faults, Retry-After that cannot be honoured, the default
// timeout and deprecation headers, against the emulator (issue 10).

// The token request is retried as API calls are: 5xx, 429 and network
// errors, honouring Retry-After; the walk then succeeds with one token.
func TestTokenRequestRetriedLikeAPICalls(t *testing.T) {
	s := sharedEmulator(t)
	for _, tc := range []struct {
		name      string
		faults    emulator.Faults
		failures  int
		wantWaits []time.Duration // Retry-After waits; nil: backoff (not checked)
	}{
		{"one 500", emulator.Faults{TokenErrors: 1, TokenErrorStatus: 500}, 1, nil},
		{"503 with Retry-After 1", emulator.Faults{TokenErrors: 1, TokenErrorStatus: 503, TokenRetryAfter: "1"}, 1, []time.Duration{time.Second}},
		{"429 twice with Retry-After 2", emulator.Faults{TokenErrors: 2, TokenErrorStatus: 429, TokenRetryAfter: "2"}, 2, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"connection reset", emulator.Faults{TokenResets: 1}, 1, nil},
		{"reset then 502", emulator.Faults{TokenResets: 1, TokenErrors: 1, TokenErrorStatus: 502}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, emuConfig(s))
			waits := recordWaits(c)
			s.SetFaults(tc.faults)
			s.ResetRequests()
			issued := s.TokensIssued()
			a, err := c.GetActivity(context.Background(), s.Activities()[0].ID)
			if err != nil || a.ID != s.Activities()[0].ID {
				t.Fatalf("got %v, %v", a, err)
			}
			if n := len(s.TokenRequests()); n != tc.failures+1 {
				t.Errorf("%d token requests, want %d", n, tc.failures+1)
			}
			if n := s.TokensIssued() - issued; n != 1 {
				t.Errorf("%d tokens issued, want 1", n)
			}
			if len(*waits) != tc.failures {
				t.Errorf("waits %v, want %d", *waits, tc.failures)
			}
			if tc.wantWaits != nil && !equalDurations(*waits, tc.wantWaits) {
				t.Errorf("waits %v, want the Retry-After %v", *waits, tc.wantWaits)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// When the token endpoint keeps failing, the error names the attempts, says
// the run can be retried, and does not blame the credentials.
func TestTokenRequestGivesUpAfterMaxRetries(t *testing.T) {
	s := sharedEmulator(t)
	for _, tc := range []struct {
		name   string
		faults emulator.Faults
		want   string
	}{
		{"503", emulator.Faults{TokenErrors: 10, TokenErrorStatus: 503}, "failed after 4 attempts: 503 Service Unavailable: server_error"},
		{"reset", emulator.Faults{TokenResets: 10}, "failed after 4 attempts: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, emuConfig(s)) // MaxRetries 3
			s.SetFaults(tc.faults)
			s.ResetRequests()
			_, err := c.GetActivity(context.Background(), s.Activities()[0].ID)
			var te *TokenError
			if !errors.As(err, &te) || !te.Transient || te.CredentialsRejected() || te.Attempts != 4 {
				t.Fatalf("got %#v", err)
			}
			msg := err.Error()
			for _, want := range []string{tc.want, "Workiva or the network failed, not the credentials; the run can be retried"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "client ID") || strings.Contains(msg, s.ClientSecret()) || strings.Count(msg, "http://") > 1 {
				t.Errorf("message blames the credentials, leaks the secret or repeats the URL:\n%s", msg)
			}
			// A reset connection can reach the client before the emulator
			// has logged the request it dropped: give the log a moment.
			var n int
			for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if n = len(s.TokenRequests()); n >= 4 || time.Now().After(deadline) {
					break
				}
			}
			if n != 4 {
				t.Errorf("%d token requests, want 4", n)
			}
			if n := len(s.APIRequests()); n != 0 {
				t.Errorf("%d API requests without a token", n)
			}
		})
	}
}

// A 4xx other than 429 is an answer, not a fault: one attempt, and only
// rejected credentials are blamed on the credentials.
func TestTokenRequestNotRetriedOnClientErrors(t *testing.T) {
	s := sharedEmulator(t)
	cfg := emuConfig(s)
	cfg.ClientSecret = "wrong"
	c := mustNew(t, cfg)
	_, err := c.GetActivity(context.Background(), s.Activities()[0].ID)
	var te *TokenError
	if !errors.As(err, &te) || te.StatusCode != 401 || !te.CredentialsRejected() || te.Transient || te.Attempts != 1 {
		t.Fatalf("got %#v", err)
	}
	if !strings.HasSuffix(err.Error(), ". Check the client ID and client secret") {
		t.Errorf("message %q", err)
	}
	if n := len(s.TokenRequests()); n != 1 {
		t.Errorf("%d token requests for wrong credentials, want 1", n)
	}

	s.ResetRequests()
	s.SetFaults(emulator.Faults{TokenErrors: 5, TokenErrorStatus: 400})
	c = mustNew(t, emuConfig(s))
	_, err = c.GetActivity(context.Background(), s.Activities()[0].ID)
	if !errors.As(err, &te) || te.StatusCode != 400 || te.CredentialsRejected() || te.Transient {
		t.Fatalf("400: got %#v", err)
	}
	if strings.Contains(err.Error(), "client ID") || strings.Contains(err.Error(), "retried") {
		t.Errorf("400: message %q", err)
	}
	if n := len(s.TokenRequests()); n != 1 {
		t.Errorf("400: %d token requests, want 1", n)
	}
}

// Callers waiting for a token share one fetch, retries included.
func TestTokenRequestSingleFlightWithRetries(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	s.SetFaults(emulator.Faults{TokenErrors: 2, TokenErrorStatus: 503})
	issued := s.TokensIssued()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.GetActivity(context.Background(), s.Activities()[1].ID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(s.TokenRequests()); n != 3 {
		t.Errorf("%d token requests, want 3 (two failures, one success, shared)", n)
	}
	if n := s.TokensIssued() - issued; n != 1 {
		t.Errorf("%d tokens issued, want 1", n)
	}
}

// A Retry-After that cannot be honoured within the cap ends the call at
// once, whatever its form, and the error names the wait.
func TestRetryAfterBeyondCapEndsAtOnce(t *testing.T) {
	s := sharedEmulator(t)
	far := time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)
	for _, tc := range []struct{ header, wait string }{
		{"3600", "after 1h0m0s, which"},
		{"99999999999999999999", "more than a year (Retry-After: 99999999999999999999)"},
		{"31536001", "more than a year (Retry-After: 31536001)"},
		{"Fri, 31 Dec 9999 23:59:59 GMT", "more than a year (Retry-After: Fri, 31 Dec 9999 23:59:59 GMT)"},
		{far, "(Retry-After: " + far + ")"},
	} {
		for _, endpoint := range []string{"api", "token"} {
			t.Run(endpoint+" "+tc.header, func(t *testing.T) {
				c := mustNew(t, emuConfig(s))
				f := emulator.Faults{RateLimit: 5, RetryAfter: tc.header}
				if endpoint == "token" {
					f = emulator.Faults{TokenErrors: 5, TokenErrorStatus: 429, TokenRetryAfter: tc.header}
				}
				s.SetFaults(f)
				s.ResetRequests()
				start := time.Now()
				_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID()}, func(*Activity) error { return nil })
				var rae *RetryAfterError
				if !errors.As(err, &rae) || rae.Wait <= DefaultMaxRetryAfter || rae.Attempts != 1 {
					t.Fatalf("got %v", err)
				}
				if !strings.Contains(err.Error(), "server asked to retry after ") || !strings.Contains(err.Error(), tc.wait) ||
					!strings.Contains(err.Error(), "exceeds the maximum wait (1m0s); not waiting") {
					t.Errorf("message does not name the wait %q:\n%s", tc.wait, err)
				}
				if time.Since(start) > 2*time.Second || len(s.Requests()) > 2 {
					t.Errorf("%d requests in %v: the call was retried", len(s.Requests()), time.Since(start))
				}
			})
		}
	}
}

// Without RequestTimeout, each attempt is still bounded.
func TestDefaultRequestTimeout(t *testing.T) {
	c := mustNew(t, Config{APIURL: "https://api.example.com", AccessToken: "t"})
	if c.cfg.RequestTimeout != DefaultRequestTimeout || c.apiHTTP.Timeout != DefaultRequestTimeout || c.tokenHTTP.Timeout != DefaultRequestTimeout {
		t.Errorf("timeouts %v %v %v, want %v", c.cfg.RequestTimeout, c.apiHTTP.Timeout, c.tokenHTTP.Timeout, DefaultRequestTimeout)
	}
	if DefaultRequestTimeout != time.Minute {
		t.Errorf("DefaultRequestTimeout = %v: the provider documents 60s", DefaultRequestTimeout)
	}
}

// A silent token endpoint ends in a timeout error naming the limit, after
// the retries (network errors and timeouts are retried).
func TestTokenRequestTimeout(t *testing.T) {
	s := sharedEmulator(t)
	cfg := emuConfig(s)
	cfg.RequestTimeout = 50 * time.Millisecond
	cfg.MaxRetries = intPtr(1)
	c := mustNew(t, cfg)
	s.SetFaults(emulator.Faults{Latency: 2 * time.Second})
	_, err := c.GetActivity(context.Background(), "x")
	var te *TokenError
	var to *TimeoutError
	if !errors.As(err, &te) || !errors.As(err, &to) || te.Attempts != 2 || !te.Transient {
		t.Fatalf("got %#v", err)
	}
	if !strings.Contains(err.Error(), "failed after 2 attempts: request timed out after 50ms") {
		t.Errorf("message %q", err)
	}
}

// Deprecation and Sunset headers are recorded once per operation, however
// many pages carry them, and only for the endpoints that send them.
func TestDeprecationHeadersRecordedOncePerOperation(t *testing.T) {
	s := sharedEmulator(t)
	s.SetFaults(emulator.Faults{DeprecationHeaders: true})
	log := &recLogger{}
	cfg := emuConfig(s)
	cfg.Logger = log
	c := mustNew(t, cfg)

	ctx, notices := WithNotices(context.Background())
	res, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 500}, func(*Activity) error { return nil })
	if err != nil || res.Pages < 3 {
		t.Fatalf("pages %d, %v", res.Pages, err)
	}
	if _, err := c.GetActivity(ctx, s.Activities()[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetActivity(ctx, s.Activities()[1].ID); err != nil {
		t.Fatal(err)
	}
	ws := s.Workspaces()[0].ID
	if _, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: s.OrganizationID(), WorkspaceID: ws, MaxResults: 5}, func(*Activity) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.ListActivityActions(ctx, ActionListOptions{}, func(*ActivityAction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got := notices.Deprecations()
	if len(got) != 2 || got[0].Operation != OpListOrganizationActivities || got[1].Operation != OpGetActivity {
		t.Fatalf("deprecations %+v", got)
	}
	for _, d := range got {
		if !d.Deprecated || !d.Since.Equal(emulator.DeprecatedSince) || !d.Sunset.Equal(emulator.SunsetAt) || d.Method != "GET" {
			t.Errorf("deprecation %+v", d)
		}
	}
	warns := 0
	for _, e := range log.all() {
		if e.Level == LevelWarn && strings.Contains(e.Msg, "deprecated") {
			warns++
		}
	}
	if warns != 2 {
		t.Errorf("%d deprecation warnings logged, want 2", warns)
	}

	// Without the headers, nothing is recorded.
	s.SetFaults(emulator.Faults{})
	ctx, notices = WithNotices(context.Background())
	if _, err := c.GetActivity(ctx, s.Activities()[0].ID); err != nil {
		t.Fatal(err)
	}
	if d := notices.Deprecations(); len(d) != 0 {
		t.Errorf("deprecations without headers: %+v", d)
	}
}

func TestParseDeprecationDate(t *testing.T) {
	want := time.Date(2026, 2, 12, 0, 0, 0, 0, time.UTC)
	for in, w := range map[string]time.Time{
		"@1770854400":                   want,
		"Thu, 12 Feb 2026 00:00:00 GMT": want,
		"true":                          {},
		"@soon":                         {},
		"":                              {},
	} {
		if got := parseDeprecationDate(in); !got.Equal(w) {
			t.Errorf("parseDeprecationDate(%q) = %v, want %v", in, got, w)
		}
	}
}
