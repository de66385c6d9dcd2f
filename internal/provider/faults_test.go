package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// The fault matrix of issue 5: each fault the emulator can inject, through
// the real CLI, ends in the right data or a clear error.

// fastBackoff replaces exponential backoff by 1 ms, so that retried 5xx cost
// nothing; Retry-After is still honoured as sent.
func fastBackoff(p *workivaProvider) {
	p.configHook = func(c *workiva.Config) {
		c.Backoff = func(int, *http.Response) time.Duration { return time.Millisecond }
	}
}

func statuses(rs []emulator.Request) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// errorCapture is a TestCase.ErrorCheck that keeps the CLI's error text, for
// assertions ExpectError cannot make (that something is absent from it).
// ErrorCheck only sees failing steps, so tests must also assert that it ran.
type errorCapture struct {
	mu   sync.Mutex
	errs []string
}

func (c *errorCapture) check(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err.Error())
	return nil
}

func (c *errorCapture) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errs)
}

// stateIDs reads the state file of the test's working directory (base is
// TestCase.WorkingDir) without running the CLI, and returns the ids of the
// data source addr ("workiva_activities.x"), and whether it is in state.
func stateIDs(t *testing.T, base, addr string) ([]string, bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(base, "work*", "terraform.tfstate"))
	if len(files) > 1 {
		t.Fatalf("several working directories under %s: %v", base, files)
	}
	if len(files) == 0 {
		return nil, false
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				Attributes struct {
					IDs []string `json:"ids"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state file: %v", err)
	}
	typ, name, _ := strings.Cut(addr, ".")
	for _, r := range st.Resources {
		if r.Mode == "data" && r.Type == typ && r.Name == name {
			if len(r.Instances) != 1 {
				t.Fatalf("%s: %d instances in state", addr, len(r.Instances))
			}
			return r.Instances[0].Attributes.IDs, true
		}
	}
	return nil, false
}

func activityIDs(as []emulator.Activity) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// Faults the client recovers from (429 with Retry-After, each 5xx, a token
// that expires mid-walk) end, through the CLI, in the complete list in
// state. How the client recovers (waits, retries, the new token) is tested
// against the emulator in internal/workiva.
func TestAccFaults_recovered(t *testing.T) {
	srv := startEmulator(t, 200)
	want := selectActivities(srv, "desc", 0, nil)
	faults := []emulator.Faults{
		{RateLimit: 2, RetryAfter: "1"},
		{TokenExpiresAfter: 2},
	}
	for _, status := range []int{500, 502, 503, 504} {
		faults = append(faults, emulator.Faults{ServerErrors: 3, ServerErrorStatus: status})
	}
	var steps []resource.TestStep
	for _, f := range faults {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				srv.ResetRequests()
				srv.SetFaults(f)
			},
			Config:            providerBlock(srv) + `data "workiva_activities" "x" { page_size = 50 }`,
			ConfigStateChecks: listChecks(t, "data.workiva_activities.x", want, false),
			Check: func(*terraform.State) error {
				// The fault was met: the read did not pass it by.
				if got := statuses(srv.ListRequests()); !slices.ContainsFunc(got, func(s int) bool { return s != 200 }) {
					return fmt.Errorf("list calls answered %v: the fault %+v was not injected", got, f)
				}
				return nil
			},
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(fastBackoff), Steps: steps})
}

// A Retry-After beyond the cap ends the read at once with an error naming
// the wait; it is neither slept nor retried.
func TestAccFaults_retryAfterBeyondCap(t *testing.T) {
	srv := startEmulator(t, 50)
	var start time.Time
	cfg := providerBlock(srv) + `data "workiva_activities" "x" {}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(fastBackoff),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					srv.ResetRequests()
					srv.SetFaults(emulator.Faults{RateLimit: 100, RetryAfter: "3600"})
					start = time.Now()
				},
				Config:      cfg,
				ExpectError: errRE(`workiva_activities: listing activities failed.*429 Too Many Requests.*retry after 1h0m0s, which exceeds the maximum wait \(1m0s\); not waiting`),
			},
			{
				PreConfig: func() {
					if d := time.Since(start); d > 30*time.Second {
						t.Errorf("the failing step took %s: the client waited instead of failing at once", d)
					}
					if calls := srv.ListRequests(); len(calls) != 1 {
						t.Errorf("%d list calls, want 1: a Retry-After beyond the cap must not be retried", len(calls))
					}
					srv.SetFaults(emulator.Faults{})
				},
				Config:            cfg,
				ConfigStateChecks: listChecks(t, "data.workiva_activities.x", selectActivities(srv, "desc", 0, nil), false),
			},
		},
	})
}

// 5xx beyond max_retries: an error naming the status and the attempts.
func TestAccFaults_serverErrorsExhausted(t *testing.T) {
	srv := startEmulator(t, 50)
	var steps []resource.TestStep
	for _, status := range []int{503, 500} {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				if n := len(srv.ListRequests()); n != 0 && n != 3 {
					t.Errorf("previous step: %d list calls, want 3 (1 + max_retries)", n)
				}
				srv.ResetRequests()
				srv.SetFaults(emulator.Faults{ServerErrors: 1000, ServerErrorStatus: status})
			},
			Config: providerBlock(srv, "max_retries = 2") + `data "workiva_activities" "x" {}`,
			ExpectError: errRE(fmt.Sprintf(`workiva_activities: listing activities failed.*HTTP %d %s.*\(3 attempts\)`,
				status, regexp.QuoteMeta(http.StatusText(status)))),
		})
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			if n := len(srv.ListRequests()); n != 3 {
				t.Errorf("previous step: %d list calls, want 3 (1 + max_retries)", n)
			}
			srv.SetFaults(emulator.Faults{})
		},
		Config: providerBlock(srv, "max_retries = 2") + `data "workiva_activities" "x" {}`,
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(fastBackoff), Steps: steps})
}

// Wrong credentials: the token endpoint's error, and neither the wrong nor
// the right secret in it.
func TestAccFaults_wrongCredentials(t *testing.T) {
	srv := startEmulator(t, 10)
	const wrong = "wrong-secret-5e1f0c"
	var ec errorCapture
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(fastBackoff),
		ErrorCheck:               ec.check,
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetRequests,
			Config: fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  client_id       = %q
  client_secret   = %q
  organization_id = %q
}
data "workiva_activities" "x" {}
`, srv.URL(), srv.ClientID(), wrong, srv.OrganizationID()),
		}},
	})
	errs := ec.all()
	if len(errs) != 1 {
		t.Fatalf("%d failing steps, want 1: %q", len(errs), errs)
	}
	msg := errs[0]
	if !errRE(`workiva_activities: listing activities failed.*token endpoint answered HTTP 401 Unauthorized, error "invalid_client".*Check client_id and client_secret`).MatchString(msg) {
		t.Errorf("error does not name the token endpoint's answer:\n%s", msg)
	}
	for _, secret := range []string{wrong, srv.ClientSecret()} {
		if strings.Contains(msg, secret) {
			t.Errorf("error text contains a client secret %q:\n%s", secret, msg)
		}
	}
	if n := srv.TokensIssued(); n != 0 {
		t.Errorf("%d tokens issued for wrong credentials", n)
	}
	if calls := srv.ListRequests(); len(calls) != 0 {
		t.Errorf("%d list calls without a token", len(calls))
	}
}

// Truncated or malformed JSON on page 2: an error naming the page, and no
// partial list in state: none when the data source had no state, the prior
// list untouched when it had one.
func TestAccFaults_badPageNoPartialState(t *testing.T) {
	srv := startEmulator(t, 200)
	base := t.TempDir()
	want := selectActivities(srv, "desc", 0, nil)
	wantIDs := activityIDs(want)
	cfg := providerBlock(srv, "max_retries = 0") + `data "workiva_activities" "x" { page_size = 50 }`
	const addr = "workiva_activities.x"
	pageErr := errRE(`workiva_activities: listing activities failed.*decoding page 2 of list organization activities`)
	untouched := func() {
		ids, ok := stateIDs(t, base, addr)
		if !ok || !slices.Equal(ids, wantIDs) {
			t.Errorf("after a failed read the state holds %d ids (in state: %v), want the prior %d", len(ids), ok, len(wantIDs))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		WorkingDir:               base,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.SetFaults(emulator.Faults{TruncatedPage: 2}) },
				Config:      cfg,
				ExpectError: pageErr,
			},
			{
				PreConfig: func() {
					if ids, ok := stateIDs(t, base, addr); ok {
						t.Errorf("a failed first read left %d ids in state", len(ids))
					}
					srv.SetFaults(emulator.Faults{MalformedPage: 2})
				},
				Config:      cfg,
				ExpectError: pageErr,
			},
			{
				PreConfig: func() {
					if ids, ok := stateIDs(t, base, addr); ok {
						t.Errorf("a failed first read left %d ids in state", len(ids))
					}
					srv.SetFaults(emulator.Faults{})
				},
				Config:            cfg,
				ConfigStateChecks: listChecks(t, "data."+addr, want, false),
			},
			{
				PreConfig:   func() { untouched(); srv.SetFaults(emulator.Faults{MalformedPage: 2}) },
				Config:      cfg,
				ExpectError: pageErr,
			},
			{
				PreConfig:   func() { untouched(); srv.SetFaults(emulator.Faults{TruncatedPage: 2}) },
				Config:      cfg,
				ExpectError: pageErr,
			},
			{
				PreConfig:         func() { untouched(); srv.SetFaults(emulator.Faults{}) },
				Config:            cfg,
				ConfigStateChecks: listChecks(t, "data."+addr, want, false),
			},
		},
	})
}

// A server slower than request_timeout: an error naming the timeout, for the
// token request (client credentials) and for an API call (access token).
func TestAccFaults_slowServer(t *testing.T) {
	srv := startEmulator(t, 10)
	tok := srv.IssueToken()
	withToken := fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  access_token    = %q
  organization_id = %q
  request_timeout = "200ms"
  max_retries     = 0
}
data "workiva_activities" "x" {}
`, srv.URL(), tok, srv.OrganizationID())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(fastBackoff),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.SetFaults(emulator.Faults{Latency: 1500 * time.Millisecond}) },
				Config:      providerBlock(srv, `request_timeout = "200ms"`, "max_retries = 0") + `data "workiva_activities" "x" {}`,
				ExpectError: errRE(`workiva_activities: listing activities failed.*token.*timed out after 200ms`),
			},
			{
				Config:      withToken,
				ExpectError: errRE(`workiva_activities: listing activities failed.*GET /admin/v1/organizations/[^ ]+/activities: request timed out after 200ms`),
			},
			{
				// Retries of a timed-out attempt are counted in the error.
				Config:      strings.Replace(withToken, "max_retries     = 0", "max_retries     = 1", 1),
				ExpectError: errRE(`request timed out after 200ms \(giving up after 2 attempts\)`),
			},
		},
	})
}

// A next link to another host: an error, and the other host (a second
// emulator, listening) receives nothing.
func TestAccFaults_foreignNextLink(t *testing.T) {
	srv := startEmulator(t, 200)
	foreign := startEmulator(t, 10)
	var steps []resource.TestStep
	for _, page := range []int{1, 2} {
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				srv.SetFaults(emulator.Faults{ForeignNextLinkPage: page, ForeignHost: foreign.URL()})
			},
			Config: providerBlock(srv) + `data "workiva_activities" "x" { page_size = 50 }`,
			ExpectError: errRE(fmt.Sprintf(`workiva_activities: listing activities failed.*page %d: next link points at a different scheme, host or port than the API URL \(%s\); refusing to send the token there`,
				page, regexp.QuoteMeta(foreign.URL()))),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(fastBackoff), Steps: steps})
	if rs := foreign.Requests(); len(rs) != 0 {
		t.Errorf("the foreign host received %d requests, first %s %s", len(rs), rs[0].Method, rs[0].Path)
	}
}

// A next link that repeats: an error after two pages, not a loop.
func TestAccFaults_repeatedNextLink(t *testing.T) {
	srv := startEmulator(t, 200)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(fastBackoff),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					srv.ResetRequests()
					srv.SetFaults(emulator.Faults{RepeatNextLinkPage: 2})
				},
				Config:      providerBlock(srv) + `data "workiva_activities" "x" { page_size = 50 }`,
				ExpectError: errRE(`workiva_activities: listing activities failed.*page 2: next link repeats a page already read in this walk`),
			},
			{
				PreConfig: func() {
					if n := len(srv.ListRequests()); n != 2 {
						t.Errorf("%d list calls, want 2: the repeated link must not be followed", n)
					}
					srv.SetFaults(emulator.Faults{})
				},
				Config: providerBlock(srv) + `data "workiva_activities" "x" { page_size = 50 }`,
			},
		},
	})
}

// 200 data source reads in one plan (count = 200, read concurrently by the
// CLI): every one correct, one token.
func TestAccFaults_manyReadsOneToken(t *testing.T) {
	const n = 200
	srv := startEmulator(t, testActivities)
	acts := srv.Activities()[:n]
	ids := make([]string, n)
	var checks []statecheck.StateCheck
	for i, a := range acts {
		ids[i] = a.ID
		for attr, c := range activityChecks(t, a) {
			checks = append(checks, statecheck.ExpectKnownValue(fmt.Sprintf("data.workiva_activity.a[%d]", i), tfjsonpath.New(attr), c))
		}
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetRequests,
			Config: providerBlock(srv) + fmt.Sprintf(`
locals {
  ids = %s
}
data "workiva_activity" "a" {
  count = %d
  id    = local.ids[count.index]
}
`, idList, n),
			ConfigStateChecks: checks,
			Check: func(*terraform.State) error {
				var errs []error
				if n := srv.TokensIssued(); n != 1 {
					errs = append(errs, fmt.Errorf("%d tokens issued for one plan, want 1", n))
				}
				gets := 0
				for _, r := range srv.Requests() {
					if strings.HasPrefix(r.Path, "/admin/v1/activities/") {
						gets++
						if r.Status != http.StatusOK {
							errs = append(errs, fmt.Errorf("GET %s answered %d", r.Path, r.Status))
						}
					}
				}
				if gets != n {
					errs = append(errs, fmt.Errorf("%d activity reads, want %d", gets, n))
				}
				return errors.Join(errs...)
			},
		}},
	})
}

// A token request that got no HTTP answer is described by what happened,
// not as "HTTP 0" with advice about the credentials.
func TestDescribeTokenErrorWithoutStatus(t *testing.T) {
	err := &workiva.TokenError{
		TokenURL: "http://127.0.0.1:1/iam/v1/oauth2/token",
		Err:      &workiva.TimeoutError{Operation: "token request", Method: "POST", Timeout: 200 * time.Millisecond, Attempts: 1},
	}
	got := describeError(fmt.Errorf("wrapped: %w", err))
	if !strings.Contains(got, "token request to http://127.0.0.1:1/iam/v1/oauth2/token failed: request timed out after 200ms") {
		t.Errorf("describeError = %q", got)
	}
	if strings.Contains(got, "HTTP 0") || strings.Contains(got, "client_secret") {
		t.Errorf("describeError blames the credentials or an HTTP status it never got: %q", got)
	}
}

// A 429 that outlasts the retries reads as rate limiting, with what to
// lower, not as a failure of Workiva or the network (issue 16, finding 8).
func TestAccFaults_rateLimitedMessage(t *testing.T) {
	srv := startEmulator(t, 50)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(fastBackoff),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				srv.ResetRequests()
				srv.SetFaults(emulator.Faults{RateLimit: 1 << 20})
			},
			Config: providerBlock(srv) + `data "workiva_activities" "x" {}`,
			ExpectError: errRE(`workiva_activities: listing activities failed.*HTTP 429 Too Many Requests.*` +
				`The API is rate-limiting this client \(429 Too Many Requests\), not failing.*Lower parallelism.*raise max_retries`),
		}},
	})
	if errs := srv.ListRequests(); len(errs) < 2 {
		t.Errorf("%d list calls: the read was not retried", len(errs))
	}
}
