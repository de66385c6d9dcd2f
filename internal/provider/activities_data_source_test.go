package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

func hcl(ss ...string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Every activity, both orders, several pages, with the defaults shown.
func TestAccActivities_allBothOrders(t *testing.T) {
	srv := startEmulator(t, testActivities)
	checks := append(
		listChecks(t, "data.workiva_activities.desc", selectActivities(srv, "desc", 0, nil), false),
		listChecks(t, "data.workiva_activities.asc", selectActivities(srv, "asc", 0, nil), false)...)
	d := "data.workiva_activities.desc"
	checks = append(checks,
		statecheck.ExpectKnownValue(d, tfjsonpath.New("order"), knownvalue.StringExact("desc")),
		statecheck.ExpectKnownValue(d, tfjsonpath.New("page_size"), knownvalue.Int64Exact(1000)),
		statecheck.ExpectKnownValue(d, tfjsonpath.New("summary_only"), knownvalue.Bool(false)),
		statecheck.ExpectKnownValue(d, tfjsonpath.New("organization_id"), knownvalue.StringExact(srv.OrganizationID())),
		statecheck.ExpectKnownValue(d, tfjsonpath.New("max_results"), knownvalue.Null()),
		statecheck.ExpectKnownValue(d, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{32}$`))),
		statecheck.ExpectKnownValue("data.workiva_activities.asc", tfjsonpath.New("page_size"), knownvalue.Int64Exact(37)),
		statecheck.ExpectKnownValue("data.workiva_activities.asc", tfjsonpath.New("order"), knownvalue.StringExact("asc")),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + `
data "workiva_activities" "desc" {}

data "workiva_activities" "asc" {
  order     = "asc"
  page_size = 37
}
`,
			ConfigStateChecks: checks,
		}},
	})
}

// Each filter alone, then combined; expectations come from the emulator's
// data set with the same predicates.
func TestAccActivities_filters(t *testing.T) {
	srv := startEmulator(t, testActivities)
	all := srv.Activities()
	sample := all[len(all)/2]
	var ws *emulator.Workspace
	for _, a := range all {
		if a.Workspace != nil {
			ws = a.Workspace
			break
		}
	}
	if ws == nil || len(sample.Targets) == 0 {
		t.Fatal("data set lacks a workspace activity or a target")
	}
	since, before := all[100].At, all[300].At
	alias2 := "user_logout"
	targetID := sample.Targets[0].ID

	inWindow := func(a *emulator.Activity) bool { return !a.At.Before(since) && a.At.Before(before) }
	cases := []struct {
		name, body string
		keep       func(a *emulator.Activity) bool
	}{
		{"workspace", fmt.Sprintf("workspace_id = %q", ws.ID),
			func(a *emulator.Activity) bool { return a.Workspace != nil && a.Workspace.ID == ws.ID }},
		{"aliases", fmt.Sprintf("action_aliases = %s", hcl(sample.Action.Alias, alias2)),
			func(a *emulator.Activity) bool {
				return a.Action.Alias == sample.Action.Alias || a.Action.Alias == alias2
			}},
		{"action_ids", fmt.Sprintf("action_ids = %s", hcl(sample.Action.ID)),
			func(a *emulator.Activity) bool { return a.Action.ID == sample.Action.ID }},
		{"performers", fmt.Sprintf("performer_ids = %s", hcl(sample.Performer.ID)),
			func(a *emulator.Activity) bool { return a.Performer.ID == sample.Performer.ID }},
		{"targets", fmt.Sprintf("target_ids = %s", hcl(targetID)),
			func(a *emulator.Activity) bool {
				return slices.ContainsFunc(a.Targets, func(t emulator.Target) bool { return t.ID == targetID })
			}},
		{"since", fmt.Sprintf("since = %q", since.Format(time.RFC3339Nano)),
			func(a *emulator.Activity) bool { return !a.At.Before(since) }},
		{"before", fmt.Sprintf("before = %q", before.Format(time.RFC3339Nano)),
			func(a *emulator.Activity) bool { return a.At.Before(before) }},
		// The same instant written in another zone selects the same items.
		{"window_offset", fmt.Sprintf("since = %q\n  before = %q",
			since.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano), before.Format(time.RFC3339Nano)), inWindow},
		{"raw_filter", `filter = "action.alias eq 'user_login' or action.alias eq 'user_logout'"`,
			func(a *emulator.Activity) bool {
				return a.Action.Alias == "user_login" || a.Action.Alias == "user_logout"
			}},
		{"combined", fmt.Sprintf("since = %q\n  before = %q\n  filter = \"action.alias eq 'user_login' or action.alias eq 'user_logout'\"\n  performer_ids = %s\n  order = \"asc\"\n  page_size = 3",
			since.Format(time.RFC3339), before.Format(time.RFC3339), hcl(sample.Performer.ID)),
			func(a *emulator.Activity) bool {
				return inWindow(a) && (a.Action.Alias == "user_login" || a.Action.Alias == "user_logout") && a.Performer.ID == sample.Performer.ID
			}},
	}
	var cfg strings.Builder
	cfg.WriteString(providerBlock(srv))
	var checks []statecheck.StateCheck
	for _, c := range cases {
		fmt.Fprintf(&cfg, "data \"workiva_activities\" %q {\n  %s\n}\n", c.name, c.body)
		order := "desc"
		if strings.Contains(c.body, `order = "asc"`) {
			order = "asc"
		}
		want := selectActivities(srv, order, 0, c.keep)
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("case %s selects %d of %d activities: not a useful filter", c.name, len(want), len(all))
		}
		checks = append(checks, listChecks(t, "data.workiva_activities."+c.name, want, false)...)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:            cfg.String(),
			ConfigStateChecks: checks,
		}},
	})
}

// max_results stops the walk (truncated, with the right items and no more
// requests than needed); max_results beyond the data is not truncated.
func TestAccActivities_maxResults(t *testing.T) {
	srv := startEmulator(t, testActivities)
	n := len(srv.Activities())
	checks := append(listChecks(t, "data.workiva_activities.cut", selectActivities(srv, "desc", 25, nil), true),
		listChecks(t, "data.workiva_activities.exact", selectActivities(srv, "asc", n, nil), false)...)
	checks = append(checks, listChecks(t, "data.workiva_activities.more", selectActivities(srv, "asc", 0, nil), false)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities" "cut" {
  max_results = 25
  page_size   = 10
}
data "workiva_activities" "exact" {
  order       = "asc"
  max_results = %d
}
data "workiva_activities" "more" {
  order       = "asc"
  max_results = %d
}
`, n, n+1),
			ConfigStateChecks: checks,
		}},
	})
}

// ceil(N / page_size) list calls for N items; summary_only fills everything
// but activities.
func TestAccActivities_requestsAndSummaryOnly(t *testing.T) {
	srv := startEmulator(t, testActivities)
	want := selectActivities(srv, "desc", 0, nil)
	checks := listChecks(t, "data.workiva_activities.s", want, false)
	checks[0] = statecheck.ExpectKnownValue("data.workiva_activities.s", tfjsonpath.New("activities"), knownvalue.ListExact([]knownvalue.Check{}))
	checks = append(checks, statecheck.ExpectKnownValue("data.workiva_activities.s", tfjsonpath.New("summary_only"), knownvalue.Bool(true)))
	const pageSize = 30
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetRequests,
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities" "s" {
  summary_only = true
  page_size    = %d
}
`, pageSize),
			ConfigStateChecks: checks,
			Check: func(*terraform.State) error {
				// Every CLI command in the step reads the data source once.
				calls := len(srv.ListRequests())
				pages := (len(want) + pageSize - 1) / pageSize
				if calls%pages != 0 || calls == 0 {
					return fmt.Errorf("%d list calls: not a multiple of %d pages", calls, pages)
				}
				reads := calls / pages
				if tokens := srv.TokensIssued(); tokens > reads {
					return fmt.Errorf("%d tokens for %d reads: want at most one per provider instance", tokens, reads)
				}
				return nil
			},
		}},
	})
}

func TestAccActivities_empty(t *testing.T) {
	srv := startEmulator(t, 50)
	checks := listChecks(t, "data.workiva_activities.none", nil, false)
	checks = append(checks, listChecks(t, "data.workiva_activities.none_window", nil, false)...)
	last := srv.Activities()[len(srv.Activities())-1].At
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities" "none" {
  action_aliases        = ["no_such_alias"]
  allow_unknown_actions = true # an alias no activity carries: an empty result, with a warning
}
data "workiva_activities" "none_window" {
  since = %q
}
`, last.Add(time.Second).Format(time.RFC3339)),
			ConfigStateChecks: checks,
		}},
	})
}

// API errors: each names the data source, the HTTP status and Workiva's
// code and message.
func TestAccActivities_apiErrors(t *testing.T) {
	srv := startEmulator(t, 50)
	steps := []resource.TestStep{
		{
			Config: providerBlock(srv) + `
data "workiva_activities" "x" {
  filter = "action.alias eq"
}
`,
			ExpectError: errRE(`workiva_activities: listing activities.*filter.*HTTP 400.*BadArgument`),
		},
		{
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities" "x" {
  organization_id = %q
}
`, emulator.ForbiddenOrganizationID),
			ExpectError: errRE(`workiva_activities: listing activities.*HTTP 403.*403Forbidden`),
		},
		{
			Config: providerBlock(srv) + `
data "workiva_activities" "x" {
  organization_id = "00000000-0000-4000-8000-000000000000"
}
`,
			ExpectError: errRE(`workiva_activities: listing activities.*HTTP 404.*404NotFound.*not found`),
		},
		{
			Config: providerBlock(srv) + `
data "workiva_activities" "x" {
  workspace_id = "no-such-workspace"
}
`,
			ExpectError: errRE(`workiva_activities: listing activities.*workspace no-such-workspace.*HTTP 404`),
		},
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}

// Every validation error, at plan time, naming the attribute; no request
// reaches the API.
func TestAccActivities_validation(t *testing.T) {
	srv := startEmulator(t, 10)
	cases := []planErrorCase{
		{`organization_id = "not-a-uuid"`, `Attribute organization_id must be a UUID`},
		{`organization_id = ""`, `Attribute organization_id must be a UUID`},
		{`workspace_id = " "`, `Attribute workspace_id must not be empty or only whitespace`},
		{`action_aliases = []`, `Attribute action_aliases set must contain at least 1 elements`},
		{`action_aliases = ["user_login", ""]`, `Attribute action_aliases\[Value\(""\)\] must not be empty`},
		{`action_ids = ["  "]`, `Attribute action_ids\[Value\("  "\)\] must not be empty`},
		{`performer_ids = [""]`, `Attribute performer_ids\[Value\(""\)\] must not be empty`},
		{`target_ids = ["\t"]`, `Attribute target_ids\[Value\("\\t"\)\] must not be empty`},
		{`since = "2026-01-01T00:00:00"`, `Attribute since must be an RFC 3339 date-time with a time zone`},
		{`since = "2026-01-01"`, `Attribute since must be an RFC 3339 date-time`},
		{`before = "yesterday"`, `Attribute before must be an RFC 3339 date-time`},
		{"since = \"2026-02-01T00:00:00Z\"\n before = \"2026-02-01T00:00:00Z\"", `Attribute before \(2026-02-01T00:00:00Z\) must be later than attribute since`},
		{"since = \"2026-02-01T00:00:00Z\"\n before = \"2026-02-01T01:00:00+02:00\"", `Attribute before .* must be later than attribute since`},
		{`filter = ""`, `Attribute filter must not be empty or only whitespace`},
		{`order = "newest"`, `Attribute order value must be one of: \["asc" "desc"\]`},
		{`max_results = 0`, `Attribute max_results value must be at least 1, got: 0`},
		{`max_results = -5`, `Attribute max_results value must be at least 1, got: -5`},
		{`page_size = 0`, `Attribute page_size value must be between 1 and 1000, got: 0`},
		{`page_size = 1001`, `Attribute page_size value must be between 1 and 1000, got: 1001`},
	}
	steps := planErrorSteps(t, srv, cases, resource.TestStep{
		Config: providerBlock(srv) + `data "workiva_activities" "ok" { max_results = 1 }`,
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}

// A fault on a later page fails the whole read: no partial list in state.
func TestAccActivities_pageFaults(t *testing.T) {
	srv := startEmulator(t, 200)
	cfg := providerBlock(srv, "max_retries = 0") + `
data "workiva_activities" "x" {
  page_size = 50
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.SetFaults(emulator.Faults{MalformedPage: 2}) },
				Config:      cfg,
				ExpectError: errRE(`workiva_activities: listing activities.*page 2`),
			},
			{
				PreConfig:   func() { srv.SetFaults(emulator.Faults{ServerErrors: 1000, ServerErrorStatus: 502}) },
				Config:      cfg,
				ExpectError: errRE(`workiva_activities: listing activities.*502`),
			},
		},
	})
}
