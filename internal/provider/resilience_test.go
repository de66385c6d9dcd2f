package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Issue 10 through the CLI: token endpoint faults, Retry-After beyond the
// cap, passwords in URLs, the default timeout and deprecation notices.

// tokenStatuses are the statuses of the emulator's token requests (0 for a
// reset connection).
func tokenStatuses(srv *emulator.Server) []int {
	var out []int
	for _, r := range srv.Requests() {
		if r.Path == workiva.TokenPath {
			out = append(out, r.Status)
		}
	}
	return out
}

// A blip at the token endpoint is retried and the read succeeds; a token
// endpoint that stays down ends in an error that names the attempts, says
// the run can be retried and does not blame the credentials.
func TestAccResilience_tokenEndpointFaults(t *testing.T) {
	srv := startEmulator(t, 50)
	want := selectActivities(srv, "desc", 0, nil)
	cfg := providerBlock(srv, "max_retries = 2") + `data "workiva_activities" "x" {}`
	firstTwo := func(want ...int) func(*terraform.State) error {
		return func(*terraform.State) error {
			if got := tokenStatuses(srv); len(got) < 2 || got[0] != want[0] || got[1] != want[1] {
				return fmt.Errorf("token requests answered %v, want %v first", got, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(fastBackoff),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					srv.ResetRequests()
					srv.SetFaults(emulator.Faults{TokenErrors: 1, TokenErrorStatus: 503, TokenRetryAfter: "1"})
				},
				Config:            cfg,
				ConfigStateChecks: listChecks(t, "data.workiva_activities.x", want, false),
				Check:             firstTwo(503, 200),
			},
			{
				PreConfig: func() {
					srv.ResetRequests()
					srv.SetFaults(emulator.Faults{TokenResets: 1})
				},
				Config:            cfg,
				ConfigStateChecks: listChecks(t, "data.workiva_activities.x", want, false),
				Check:             firstTwo(0, 200),
			},
		},
	})
	for _, tc := range []struct {
		faults emulator.Faults
		want   string
	}{
		{emulator.Faults{TokenErrors: 1000, TokenErrorStatus: 503}, `workiva_activities: listing activities failed.*The token endpoint answered HTTP 503 Service Unavailable, error "server_error".*\(3 attempts\).*` +
			`Workiva or the network failed after 3 attempts; this is not a configuration or credentials problem, and the run can be retried`},
		{emulator.Faults{TokenResets: 1000}, `workiva_activities: listing activities failed.*token request to http://127\.0\.0\.1:[0-9]+/iam/v1/oauth2/token failed after 3 attempts: .*` +
			`Workiva or the network failed after 3 attempts; this is not a configuration or credentials problem, and the run can be retried`},
	} {
		ec := &errorCapture{}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(fastBackoff),
			ErrorCheck:               ec.check,
			Steps: []resource.TestStep{{
				PreConfig: func() {
					srv.ResetRequests()
					srv.SetFaults(tc.faults)
				},
				Config: cfg,
			}},
		})
		errs := ec.all()
		if len(errs) != 1 {
			t.Fatalf("%+v: %d failing steps, want 1: %q", tc.faults, len(errs), errs)
		}
		if !errRE(tc.want).MatchString(errs[0]) {
			t.Errorf("%+v: error does not match %s:\n%s", tc.faults, tc.want, errs[0])
		}
		if strings.Contains(errs[0], "client_id") || strings.Contains(errs[0], "client ID") {
			t.Errorf("a failure of the token endpoint blames the credentials:\n%s", errs[0])
		}
		if got := tokenStatuses(srv); len(got) != 3 {
			t.Errorf("%+v: token requests answered %v, want 3 (1 + max_retries)", tc.faults, got)
		}
	}
}

// A Retry-After no cap allows (an integer overflow, a date centuries ahead)
// ends the read at once with an error naming the wait.
func TestAccResilience_retryAfterUnhonourable(t *testing.T) {
	srv := startEmulator(t, 50)
	cfg := providerBlock(srv) + `data "workiva_activities" "x" {}`
	var steps []resource.TestStep
	for _, ra := range []string{"99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		var start time.Time
		steps = append(steps, resource.TestStep{
			PreConfig: func() {
				srv.ResetRequests()
				srv.SetFaults(emulator.Faults{RateLimit: 100, RetryAfter: ra})
				start = time.Now()
			},
			Config: cfg,
			ExpectError: errRE(`workiva_activities: listing activities failed.*429 Too Many Requests: server asked to retry after more than a year \(Retry-After: ` +
				regexp.QuoteMeta(ra) + `\), which exceeds the maximum wait \(1m0s\); not waiting`),
		}, resource.TestStep{
			PreConfig: func() {
				if d := time.Since(start); d > 30*time.Second {
					t.Errorf("%s: the failing step took %s", ra, d)
				}
				if n := len(srv.ListRequests()); n != 1 {
					t.Errorf("%s: %d list calls, want 1", ra, n)
				}
				srv.SetFaults(emulator.Faults{})
			},
			Config: cfg,
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(fastBackoff), Steps: steps})
}

// A timeout's error names the limit, the default and how to raise it (the
// default itself: TestConfigureDefaults).
func TestAccResilience_requestTimeout(t *testing.T) {
	srv := startEmulator(t, 10)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			PreConfig:   func() { srv.SetFaults(emulator.Faults{Latency: 1500 * time.Millisecond}) },
			Config:      providerBlock(srv, `request_timeout = "200ms"`, "max_retries = 0") + `data "workiva_activities" "x" {}`,
			ExpectError: errRE(`timed out after 200ms.*Each HTTP request may take at most request_timeout \(here 200ms; default 60s\)\. If Workiva is slow rather than unreachable, raise it in the provider block, e\.g\. request_timeout = "5m"\.`),
		}},
	})
}

func TestRequestTimeoutDocumented(t *testing.T) {
	var resp provider.SchemaResponse
	(&workivaProvider{}).Schema(t.Context(), provider.SchemaRequest{}, &resp)
	d := resp.Schema.Attributes["request_timeout"].GetMarkdownDescription()
	if !strings.Contains(d, "Default: `60s`") || strings.Contains(d, "Terraform's own timeouts") {
		t.Errorf("request_timeout description: %s", d)
	}
}

var snippetLine = regexp.MustCompile(`^\s*[0-9]+:\s+api_url\s+=`)

// A password in WORKIVA_API_URL, WORKIVA_TOKEN_URL or the attributes never
// reaches the CLI's output, TRACE log included; the URL shows masked.
func TestAccResilience_passwordInURLNotPrinted(t *testing.T) {
	requireAcc(t)
	srv := startEmulator(t, 10)
	r := newCLIRun(t)
	const read = `data "workiva_activity_actions" "all" {}` + "\n"
	base := []string{
		"WORKIVA_CLIENT_ID=" + srv.ClientID(), "WORKIVA_CLIENT_SECRET=" + srv.ClientSecret(),
		"WORKIVA_ORGANIZATION_ID=" + srv.OrganizationID(), "TF_LOG=trace",
	}
	host := strings.TrimPrefix(srv.URL(), "http://")
	for _, tc := range []struct {
		name, config string
		env          []string
		want         string
	}{
		{"WORKIVA_API_URL", `provider "workiva" {}` + "\n" + read,
			[]string{"WORKIVA_API_URL=http://user:PASSWORD@" + host}, `Environment variable WORKIVA_API_URL (provider attribute api_url) must not contain user information`},
		{"WORKIVA_TOKEN_URL", `provider "workiva" {}` + "\n" + read,
			[]string{"WORKIVA_API_URL=" + srv.URL(), "WORKIVA_TOKEN_URL=http://user:PASSWORD@" + host + workiva.TokenPath}, `WORKIVA_TOKEN_URL (provider attribute token_url) must not contain user information`},
		{"unparseable", `provider "workiva" {}` + "\n" + read,
			[]string{"WORKIVA_API_URL=http://user:PASSWORD@" + host + "%zz"}, `not a valid URL`},
		{"api_url attribute", fmt.Sprintf("provider \"workiva\" {\n  api_url = %q\n}\n", "https://user:PASSWORD@api.example.com") + read,
			nil, `Attribute api_url must not contain user information`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.writeConfig(tc.config)
			out, err := r.run(append(append([]string(nil), base...), tc.env...), "plan", "-no-color", "-input=false")
			if err == nil {
				t.Fatalf("plan succeeded:\n%s", out)
			}
			if !errRE(regexp.QuoteMeta(tc.want)).MatchString(out) || !strings.Contains(out, "xxxxx@") {
				t.Errorf("output lacks %q or the masked URL:\n%.3000s", tc.want, out)
			}
			// The one line allowed to hold it is the CLI quoting the
			// user's own main.tf ("  7:   api_url = ...").
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, "PASSWORD") && !snippetLine.MatchString(l) {
					t.Errorf("the password is in the output (TRACE log included): %.200s", l)
				}
			}
		})
	}
}

// Deprecation and Sunset headers reach the user as one warning per data
// source read that used a deprecated operation, however many pages carried
// them; reads of other operations get none.
func TestAccResilience_deprecationWarning(t *testing.T) {
	requireAcc(t)
	srv := startEmulator(t, testActivities)
	srv.SetFaults(emulator.Faults{DeprecationHeaders: true})
	r := newCLIRun(t)
	env := []string{
		"WORKIVA_API_URL=" + srv.URL(), "WORKIVA_CLIENT_ID=" + srv.ClientID(), "WORKIVA_CLIENT_SECRET=" + srv.ClientSecret(),
		"WORKIVA_ORGANIZATION_ID=" + srv.OrganizationID(),
	}
	for _, tc := range []struct {
		name, config string
		warnings     int
		op           string
	}{
		{"organization list, 8 pages", `data "workiva_activities" "x" { page_size = 50 }`, 1, "list organization activities (GET /admin/v1/organizations/" + srv.OrganizationID() + "/activities)"},
		{"single activity", fmt.Sprintf(`data "workiva_activity" "x" { id = %q }`, srv.Activities()[0].ID), 1, "get activity (GET /admin/v1/activities/"},
		{"workspace list", fmt.Sprintf(`data "workiva_activities" "x" { workspace_id = %q }`, srv.Workspaces()[0].ID), 0, ""},
		{"actions", `data "workiva_activity_actions" "x" {}`, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r.writeConfig(`provider "workiva" {}` + "\n" + tc.config + "\n")
			out, err := r.run(env, "plan", "-no-color", "-input=false")
			if err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			if n := strings.Count(out, "Warning: Deprecated Workiva API operation"); n != tc.warnings {
				t.Fatalf("%d deprecation warnings, want %d:\n%s", n, tc.warnings, out)
			}
			if tc.warnings == 0 {
				return
			}
			for _, want := range []string{tc.op, "deprecated since 2026-02-12, sunset (removal) on 2029-01-31", "The read still works"} {
				if !errRE(regexp.QuoteMeta(want)).MatchString(out) {
					t.Errorf("warning lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// Only rejected credentials are blamed on the credentials; failures of
// Workiva or the network say the run can be retried.
func TestDescribeErrorNamesTheCause(t *testing.T) {
	const creds, retry = "Check client_id and client_secret", "the run can be retried"
	for _, tc := range []struct {
		err            error
		creds, retried bool
	}{
		{&workiva.TokenError{StatusCode: 401, Code: "invalid_client", Attempts: 1}, true, false},
		{&workiva.TokenError{StatusCode: 400, Code: "unauthorized_client", Attempts: 1}, true, false},
		{&workiva.TokenError{StatusCode: 400, Code: "invalid_request", Attempts: 1}, false, false},
		{&workiva.TokenError{StatusCode: 503, Code: "server_error", Attempts: 6, Transient: true}, false, true},
		{&workiva.TokenError{Err: fmt.Errorf("connection reset by peer"), Attempts: 6, Transient: true}, false, true},
		{&workiva.APIError{StatusCode: 502, Attempts: 6}, false, true},
		{&workiva.APIError{StatusCode: 404}, false, false},
		{&workiva.RequestError{Operation: "get activity", Attempts: 6, Err: fmt.Errorf("connection reset by peer")}, false, true},
	} {
		got := describeError(fmt.Errorf("wrapped: %w", tc.err))
		if strings.Contains(got, creds) != tc.creds || strings.Contains(got, retry) != tc.retried {
			t.Errorf("%#v:\n%s", tc.err, got)
		}
		if tc.retried && !strings.Contains(got, "after 6 attempts") {
			t.Errorf("%#v: attempts not named:\n%s", tc.err, got)
		}
	}
}
