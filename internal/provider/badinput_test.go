package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Bad input, attribute by attribute: a plan-time diagnostic naming the
// attribute, and not one request to the API. These extend the cases of
// TestAccProvider_validation and TestAccActivities_validation (not repeated
// here) with the values issue 5 lists, against a live emulator whose request
// log proves that nothing was sent.

// providerWith is providerBlock with some attributes replaced or added
// (values are HCL expressions).
func providerWith(srv *emulator.Server, attrs map[string]string) string {
	all := map[string]string{
		"api_url":         fmt.Sprintf("%q", srv.URL()),
		"client_id":       fmt.Sprintf("%q", srv.ClientID()),
		"client_secret":   fmt.Sprintf("%q", srv.ClientSecret()),
		"organization_id": fmt.Sprintf("%q", srv.OrganizationID()),
	}
	for k, v := range attrs {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("provider \"workiva\" {\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = %s\n", k, all[k])
	}
	b.WriteString("}\n")
	return b.String()
}

type badInput struct {
	config string // whole configuration
	want   string // errRE pattern; names the attribute
}

// planOnlyBadInputs runs each case as a PlanOnly step expecting its error,
// then proves with a last, valid step that the emulator was reachable and
// had received nothing before it.
func planOnlyBadInputs(t *testing.T, srv *emulator.Server, cases []badInput) {
	t.Helper()
	steps := make([]resource.TestStep, 0, len(cases)+1)
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: c.config, ExpectError: errRE(c.want), PlanOnly: true})
	}
	steps[0].PreConfig = srv.ResetRequests
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			if rs := srv.Requests(); len(rs) != 0 {
				t.Errorf("%d requests reached the emulator during validation failures; first: %s %s", len(rs), rs[0].Method, rs[0].Path)
			}
		},
		Config: providerBlock(srv) + `data "workiva_activities" "ok" { max_results = 1 }`,
		Check: func(*terraform.State) error {
			if len(srv.Requests()) == 0 {
				return fmt.Errorf("the valid step reached no emulator: the no-request check above proves nothing")
			}
			return nil
		},
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}

func TestAccBadInput_provider(t *testing.T) {
	srv := startEmulator(t, 10)
	const read = `data "workiva_activities" "x" {}`
	urlRule := `must be an absolute https:// URL \(http:// is allowed only for loopback hosts`
	cases := []struct{ attr, value, want string }{
		{"api_url", `""`, `Attribute api_url ` + urlRule},
		{"api_url", `"  "`, `Attribute api_url ` + urlRule},
		{"api_url", `"http://api.example.com"`, `Attribute api_url ` + urlRule},
		{"api_url", `"http://10.1.2.3:8080"`, `Attribute api_url ` + urlRule},
		{"api_url", `"http://localhost.example.com"`, `Attribute api_url ` + urlRule},
		{"api_url", `"https://"`, `Attribute api_url ` + urlRule},
		{"token_url", `""`, `Attribute token_url ` + urlRule},
		{"token_url", `"http://auth.example.com/oauth2/token"`, `Attribute token_url ` + urlRule},
		{"token_url", `"/iam/v1/oauth2/token"`, `Attribute token_url ` + urlRule},
		{"region", `""`, `Attribute region value must be one of: \["us" "eu" "apac"\], got: ""`},
		{"region", `" us"`, `Attribute region value must be one of: \["us" "eu" "apac"\], got: " us"`},
		{"region", `"US"`, `Attribute region value must be one of: \["us" "eu" "apac"\], got: "US"`},
		{"region", `"ap"`, `Attribute region value must be one of`},
		{"organization_id", `""`, `Attribute organization_id must be a UUID`},
		{"organization_id", `" "`, `Attribute organization_id must be a UUID`},
		{"organization_id", `"6f1c2b9e3d4a4e8b9c712a5d8e0f4b13"`, `Attribute organization_id must be a UUID`},
		{"organization_id", `"{6f1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13}"`, `Attribute organization_id must be a UUID`},
		{"organization_id", `" 6f1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13"`, `Attribute organization_id must be a UUID`},
		{"client_id", `"\t"`, `Attribute client_id must not be empty or only whitespace`},
		{"client_secret", `""`, `Attribute client_secret must not be empty or only whitespace`},
		{"access_token", `" \n "`, `Attribute access_token must not be empty or only whitespace`},
		{"api_version", `""`, `Attribute api_version must be a Workiva API version date`},
		{"api_version", `"2026-1-1"`, `Attribute api_version must be a Workiva API version date`},
		{"request_timeout", `""`, `Attribute request_timeout must be a positive Go duration`},
		{"request_timeout", `" "`, `Attribute request_timeout must be a positive Go duration`},
		{"request_timeout", `"-1s"`, `Attribute request_timeout must be a positive Go duration`},
		{"request_timeout", `"30"`, `Attribute request_timeout must be a positive Go duration`},
		{"max_retries", `-1`, `Attribute max_retries value must be at least 0, got: -1`},
		{"max_retries", `-100`, `Attribute max_retries value must be at least 0, got: -100`},
		{"scopes", `[" "]`, `Attribute scopes\[0\] must not be empty or only whitespace`},
	}
	bad := make([]badInput, len(cases))
	for i, c := range cases {
		bad[i] = badInput{config: providerWith(srv, map[string]string{c.attr: c.value}) + read, want: c.want}
	}
	planOnlyBadInputs(t, srv, bad)
}

func TestAccBadInput_dataSources(t *testing.T) {
	srv := startEmulator(t, 10)
	p := providerBlock(srv)
	list := func(body string) string { return p + "data \"workiva_activities\" \"x\" {\n  " + body + "\n}\n" }
	rfc := `must be an RFC 3339 date-time with a time zone`
	cases := []badInput{
		// workiva_activities
		{list(`organization_id = " "`), `Attribute organization_id must be a UUID`},
		{list(`organization_id = "6f1c2b9e-3d4a-4e8b-9c71"`), `Attribute organization_id must be a UUID`},
		{list(`organization_id = "zz1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13"`), `Attribute organization_id must be a UUID`},
		{list(`workspace_id = ""`), `Attribute workspace_id must not be empty or only whitespace`},
		{list(`action_ids = []`), `Attribute action_ids set must contain at least 1 elements`},
		{list(`performer_ids = []`), `Attribute performer_ids set must contain at least 1 elements`},
		{list(`target_ids = []`), `Attribute target_ids set must contain at least 1 elements`},
		{list(`action_aliases = [" "]`), `Attribute action_aliases\[Value\(" "\)\] must not be empty or only whitespace`},
		{list(`since = ""`), `Attribute since ` + rfc},
		{list(`since = " 2026-01-01T00:00:00Z"`), `Attribute since ` + rfc},
		{list(`since = "2026-01-01 00:00:00Z"`), `Attribute since ` + rfc},
		{list(`since = "2026-01-01T00:00:00 UTC"`), `Attribute since ` + rfc},
		{list(`before = "2026-01-01T00:00:00"`), `Attribute before ` + rfc},
		{list(`before = ""`), `Attribute before ` + rfc},
		{list(`before = "1767225600"`), `Attribute before ` + rfc},
		{list("since  = \"2026-02-01T00:00:00Z\"\n  before = \"2026-01-31T23:59:59Z\""),
			`Attribute before \(2026-01-31T23:59:59Z\) must be later than attribute since \(2026-02-01T00:00:00Z\)`},
		{list("since  = \"2026-02-01T12:00:00+02:00\"\n  before = \"2026-02-01T10:00:00Z\""),
			`Attribute before \(2026-02-01T10:00:00Z\) must be later than attribute since`},
		{list(`filter = " \t "`), `Attribute filter must not be empty or only whitespace`},
		{list(`order = ""`), `Attribute order value must be one of: \["asc" "desc"\]`},
		{list(`order = "DESC"`), `Attribute order value must be one of: \["asc" "desc"\]`},
		{list(`page_size = -1`), `Attribute page_size value must be between 1 and 1000, got: -1`},
		{list(`page_size = 100000`), `Attribute page_size value must be between 1 and 1000, got: 100000`},
		{list(`max_results = -1`), `Attribute max_results value must be at least 1, got: -1`},
		// workiva_activity
		{p + `data "workiva_activity" "x" { id = "" }`, `Attribute id must not be empty or only whitespace`},
		{p + `data "workiva_activity" "x" { id = "\t\n" }`, `Attribute id must not be empty or only whitespace`},
		// workiva_activity_action
		{p + `data "workiva_activity_action" "x" { alias = "" }`, `Attribute alias must not be empty or only whitespace`},
		{p + `data "workiva_activity_action" "x" { id = "  " }`, `Attribute id must not be empty or only whitespace`},
		// workiva_activity_actions
		{p + `data "workiva_activity_actions" "x" { category = "" }`, `Attribute category must not be empty or only whitespace`},
		{p + `data "workiva_activity_actions" "x" { category = " " }`, `Attribute category must not be empty or only whitespace`},
	}
	planOnlyBadInputs(t, srv, cases)
}

// The raw filter goes to the API as written; when the API rejects it, the
// diagnostic is attached to `filter`, quotes it and the $filter sent, and
// carries Workiva's code and message.
func TestAccBadInput_filterRejectedByAPI(t *testing.T) {
	srv := startEmulator(t, 10)
	var steps []resource.TestStep
	for _, raw := range []string{`action.alias eq`, `summary eq 'x'`, `action.alias eq "x"`} {
		// What the API says about the filter as the client sends it.
		_, perr := emulator.ParseFilter(workiva.BuildFilter(workiva.ActivityQuery{Filter: raw}))
		if perr == nil {
			t.Fatalf("the emulator accepts %q", raw)
		}
		steps = append(steps, resource.TestStep{
			Config: providerBlock(srv) + fmt.Sprintf("data \"workiva_activities\" \"x\" {\n  filter = %q\n}\n", raw),
			ExpectError: errRE(`workiva_activities: listing activities failed.*filter = .*` +
				fmt.Sprintf(`Your filter \(attribute filter, %d characters\): `, len(raw)) + spaced(fmt.Sprintf("%q", raw)) + `.*` +
				`\$filter sent: ` + spaced(fmt.Sprintf("%q", "("+raw+")")) + `.*` +
				`HTTP 400 Bad Request, Workiva code "BadArgument": ` + spaced(perr.Error()) + ` \(target \$filter\)`),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}

// spaced quotes s for errRE (where a space matches any run of whitespace).
func spaced(s string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(s)), " ")
}

// parallelism arrived with the parallel walk; the cases run once the schema
// has it.
func TestAccBadInput_parallelism(t *testing.T) {
	var resp datasource.SchemaResponse
	newActivitiesDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if _, ok := resp.Schema.Attributes["parallelism"]; !ok {
		t.Skip("workiva_activities has no parallelism attribute")
	}
	srv := startEmulator(t, 10)
	list := func(body string) string {
		return providerBlock(srv) + "data \"workiva_activities\" \"x\" {\n  " + body + "\n}\n"
	}
	window := "since  = \"2026-01-01T00:00:00Z\"\n  before = \"2026-02-01T00:00:00Z\"\n  order  = \"asc\"\n  "
	planOnlyBadInputs(t, srv, []badInput{
		{list(window + `parallelism = 0`), `Attribute parallelism value must be between 1 and \d+, got: 0`},
		{list(window + `parallelism = -4`), `Attribute parallelism value must be between 1 and \d+, got: -4`},
		{list(window + `parallelism = 1000`), `Attribute parallelism value must be between 1 and \d+, got: 1000`},
	})
}
