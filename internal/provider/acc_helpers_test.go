package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Acceptance tests run the real CLI (terraform or tofu) against an in-process
// emulator. Each test starts its own emulator and provider, so tests share
// nothing mutable and run in parallel.

const testActivities = 400 // small data set: several pages at small page sizes, fast plans

// toClient converts an emulator activity into what the client decodes from
// the emulator's wire JSON.
func toClient(tb testing.TB, a emulator.Activity) *workiva.Activity {
	tb.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		tb.Fatal(err)
	}
	var out workiva.Activity
	if err := json.Unmarshal(raw, &out); err != nil {
		tb.Fatal(err)
	}
	return &out
}

// objectOf is a value of typ with the given attributes set and every other
// one null: a configuration as Terraform sends it.
func objectOf(typ tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func startEmulator(t *testing.T, n int) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{Activities: n})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// factories returns provider factories for a fresh provider instance per
// CLI command; opts adjust the instance (test hooks).
func factories(opts ...func(*workivaProvider)) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"workiva": func() (tfprotov6.ProviderServer, error) {
			p := &workivaProvider{version: "test"}
			for _, o := range opts {
				o(p)
			}
			return newServer(p) // the real path: the wrapper main serves
		},
	}
}

// providerBlock configures the provider for srv; extra lines go inside.
func providerBlock(srv *emulator.Server, extra ...string) string {
	return fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  client_id       = %q
  client_secret   = %q
  organization_id = %q
  %s
}
`, srv.URL(), srv.ClientID(), srv.ClientSecret(), srv.OrganizationID(), strings.Join(extra, "\n  "))
}

func strOrNull(s string) knownvalue.Check {
	if s == "" {
		return knownvalue.Null()
	}
	return knownvalue.StringExact(s)
}

// attachmentsJSON is what attachments_json must hold for a: the compact
// JSON array, "[]" when the emulator sent none.
func attachmentsJSON(t *testing.T, a emulator.Activity) string {
	t.Helper()
	if len(a.Attachments) == 0 {
		return "[]"
	}
	raw, err := json.Marshal(a.Attachments)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// activityChecks returns the check of every attribute of an activity object.
func activityChecks(t *testing.T, a emulator.Activity) map[string]knownvalue.Check {
	t.Helper()
	targets := make([]knownvalue.Check, 0, len(a.Targets))
	for _, tg := range a.Targets {
		targets = append(targets, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           strOrNull(tg.ID),
			"type":         strOrNull(tg.Type),
			"display_name": strOrNull(tg.DisplayName),
			"unique_name":  strOrNull(tg.UniqueName),
		}))
	}
	tags := make([]knownvalue.Check, 0, len(a.Tags))
	for _, tg := range a.Tags {
		tags = append(tags, knownvalue.StringExact(tg))
	}
	var workspace knownvalue.Check = knownvalue.Null()
	if w := a.Workspace; w != nil {
		var solutions knownvalue.Check = knownvalue.Null()
		if w.Solutions != nil {
			l := []knownvalue.Check{}
			for _, s := range w.Solutions {
				l = append(l, knownvalue.ObjectExact(map[string]knownvalue.Check{"id": strOrNull(s.ID), "name": strOrNull(s.Name)}))
			}
			solutions = knownvalue.ListExact(l)
		}
		workspace = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           strOrNull(w.ID),
			"name":         strOrNull(w.Name),
			"created":      stampCheck(w.Created),
			"modified":     stampCheck(w.Modified),
			"organization": organizationCheck(w.Organization),
			"solutions":    solutions,
		})
	}
	// An activity's action is the catalogue's with the type some answers carry.
	action := map[string]knownvalue.Check{"type": strOrNull(a.Action.Type)}
	maps.Copy(action, actionChecks(a.Action))
	return map[string]knownvalue.Check{
		"id":                 knownvalue.StringExact(a.ID),
		"activity_date_time": strOrNull(a.ActivityDateTime),
		"summary":            strOrNull(a.Summary),
		"outcome":            strOrNull(a.Outcome),
		"action":             knownvalue.ObjectExact(action),
		"performer": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           strOrNull(a.Performer.ID),
			"type":         strOrNull(a.Performer.Type),
			"display_name": strOrNull(a.Performer.DisplayName),
			"unique_name":  strOrNull(a.Performer.UniqueName),
			"ip_address":   strOrNull(a.Performer.IPAddress),
		}),
		"targets":          knownvalue.ListExact(targets),
		"organization":     organizationCheck(&a.Organization),
		"workspace":        workspace,
		"tags":             knownvalue.ListExact(tags),
		"attachments_json": knownvalue.StringExact(attachmentsJSON(t, a)),
	}
}

func actionCheck(a emulator.Action) knownvalue.Check { return knownvalue.ObjectExact(actionChecks(a)) }

// actionChecks are the catalogue action's attributes.
func actionChecks(a emulator.Action) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		"id":         strOrNull(a.ID),
		"alias":      strOrNull(a.Alias),
		"name":       strOrNull(a.Name),
		"category":   strOrNull(a.Category),
		"deprecated": knownvalue.Bool(a.Deprecated),
	}
}

// organizationCheck: null when o is (a workspace without one).
func organizationCheck(o *emulator.Organization) knownvalue.Check {
	if o == nil {
		return knownvalue.Null()
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":       strOrNull(o.ID),
		"name":     strOrNull(o.Name),
		"status":   strOrNull(o.Status),
		"created":  stampCheck(o.Created),
		"modified": stampCheck(o.Modified),
	})
}

func stampCheck(s *emulator.Stamp) knownvalue.Check {
	if s == nil {
		return knownvalue.Null()
	}
	var user knownvalue.Check = knownvalue.Null()
	if s.User != nil {
		user = knownvalue.ObjectExact(map[string]knownvalue.Check{"id": strOrNull(s.User.ID)})
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{"date_time": strOrNull(s.DateTime), "user": user})
}

// listChecks checks the whole result of a workiva_activities data source:
// every activity in order, ids, counts and truncated.
func listChecks(t *testing.T, addr string, want []emulator.Activity, truncated bool) []statecheck.StateCheck {
	t.Helper()
	objs := make([]knownvalue.Check, len(want))
	ids := make([]knownvalue.Check, len(want))
	byAlias := map[string]knownvalue.Check{}
	byPerf := map[string]knownvalue.Check{}
	aliasN, perfN := map[string]int64{}, map[string]int64{}
	for i, a := range want {
		objs[i] = knownvalue.ObjectExact(activityChecks(t, a))
		ids[i] = knownvalue.StringExact(a.ID)
		aliasN[a.Action.Alias]++
		perfN[a.Performer.ID]++
	}
	for k, n := range aliasN {
		byAlias[k] = knownvalue.Int64Exact(n)
	}
	for k, n := range perfN {
		byPerf[k] = knownvalue.Int64Exact(n)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("activities"), knownvalue.ListExact(objs)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("ids"), knownvalue.ListExact(ids)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("truncated"), knownvalue.Bool(truncated)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("result_count"), knownvalue.Int64Exact(int64(len(want)))),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("counts_by_action_alias"), knownvalue.MapExact(byAlias)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("counts_by_performer_id"), knownvalue.MapExact(byPerf)),
	}
}

// selectActivities returns the emulator's activities matching keep, in the
// given order ("asc" or "desc"), at most limit (0 = all).
func selectActivities(srv *emulator.Server, order string, limit int, keep func(*emulator.Activity) bool) []emulator.Activity {
	var out []emulator.Activity
	for _, a := range srv.Activities() { // ascending (activityDateTime, id)
		if keep == nil || keep(&a) {
			out = append(out, a)
		}
	}
	if order == "desc" {
		slices.Reverse(out)
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// planErrorCase is a workiva_activities body and the plan-time error it
// must give.
type planErrorCase struct{ body, want string }

// planErrorSteps is one plan-only step per case, each expecting its error,
// then ok: a step that succeeds and, first, checks that no request reached
// srv during the failing steps (validation is plan-time).
func planErrorSteps(t *testing.T, srv *emulator.Server, cases []planErrorCase, ok resource.TestStep) []resource.TestStep {
	t.Helper()
	steps := make([]resource.TestStep, 0, len(cases)+1)
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      providerBlock(srv) + "data \"workiva_activities\" \"x\" {\n " + c.body + "\n}\n",
			ExpectError: errRE(c.want),
			PlanOnly:    true,
		})
	}
	steps[0].PreConfig = srv.ResetRequests
	ok.PreConfig = func() {
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests reached the emulator during validation failures", n)
		}
	}
	return append(steps, ok)
}

// errRE compiles an ExpectError pattern in which each space matches any run
// of whitespace: the CLI wraps diagnostic text at arbitrary spaces.
func errRE(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}
