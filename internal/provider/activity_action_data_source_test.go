package provider

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

const testActionPageSize = 4 // several catalog pages

func smallActionPages(p *workivaProvider) { p.actionPageSize = testActionPageSize }

func actionStateChecks(addr string, a emulator.Action) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(a.ID)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("alias"), strOrNull(a.Alias)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), strOrNull(a.Name)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("category"), strOrNull(a.Category)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("deprecated"), knownvalue.Bool(a.Deprecated)),
	}
}

func TestAccActivityAction_byAliasAndID(t *testing.T) {
	srv := startEmulator(t, 10)
	actions := srv.Actions()
	if len(actions) <= 2*testActionPageSize {
		t.Fatalf("only %d actions: the alias would not be on a later page", len(actions))
	}
	last, first, mid := actions[len(actions)-1], actions[0], actions[len(actions)/2]
	var deprecated emulator.Action
	for _, a := range actions {
		if a.Deprecated {
			deprecated = a
		}
	}
	checks := actionStateChecks("data.workiva_activity_action.last", last)
	checks = append(checks, actionStateChecks("data.workiva_activity_action.first", first)...)
	checks = append(checks, actionStateChecks("data.workiva_activity_action.by_id", mid)...)
	checks = append(checks, actionStateChecks("data.workiva_activity_action.deprecated", deprecated)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(smallActionPages),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activity_action" "last" {
  alias = %q
}
data "workiva_activity_action" "first" {
  alias = %q
}
data "workiva_activity_action" "deprecated" {
  alias = %q
}
data "workiva_activity_action" "by_id" {
  id = %q
}
`, last.Alias, first.Alias, deprecated.Alias, mid.ID),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccActivityAction_errors(t *testing.T) {
	srv := startEmulator(t, 10)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(smallActionPages),
		Steps: []resource.TestStep{
			{
				Config:      providerBlock(srv) + `data "workiva_activity_action" "x" { alias = "no_such_alias" }`,
				ExpectError: errRE(`workiva_activity_action: activity action not found.*No activity action with alias "no_such_alias" among the \d+ actions`),
			},
			{
				Config: providerBlock(srv) + `data "workiva_activity_action" "x" { alias = "user_logn" }`,
				ExpectError: errRE(`workiva_activity_action: activity action not found.*No activity action with alias "user_logn" among the \d+ actions Workiva lists\. ` +
					`Did you mean "user_login"`),
			},
			{
				Config:      providerBlock(srv) + `data "workiva_activity_action" "x" { id = "com.workiva.no.such.action" }`,
				ExpectError: errRE(`workiva_activity_action: activity action not found.*"com.workiva.no.such.action".*HTTP 404.*404NotFound`),
			},
			{
				Config:      providerBlock(srv) + `data "workiva_activity_action" "x" {}`,
				ExpectError: errRE(`Exactly one of these attributes must be configured: \[id,alias\]`),
				PlanOnly:    true,
			},
			{
				Config: providerBlock(srv) + `
data "workiva_activity_action" "x" {
  id    = "a"
  alias = "b"
}`,
				ExpectError: errRE(`Exactly one of these attributes must be configured: \[id,alias\]`),
				PlanOnly:    true,
			},
			{
				Config:      providerBlock(srv) + `data "workiva_activity_action" "x" { alias = " " }`,
				ExpectError: errRE(`Attribute alias must not be empty or only whitespace`),
				PlanOnly:    true,
			},
			{
				Config:      providerBlock(srv) + `data "workiva_activity_action" "x" { id = "" }`,
				ExpectError: errRE(`Attribute id must not be empty or only whitespace`),
				PlanOnly:    true,
			},
		},
	})
}

func TestAccActivityActions(t *testing.T) {
	srv := startEmulator(t, 10)
	listCheck := func(addr string, keep func(a emulator.Action) bool) []statecheck.StateCheck {
		objs, ids, aliases := []knownvalue.Check{}, []knownvalue.Check{}, []knownvalue.Check{}
		for _, a := range srv.Actions() {
			if keep(a) {
				objs = append(objs, actionCheck(a))
				ids = append(ids, knownvalue.StringExact(a.ID))
				aliases = append(aliases, strOrNull(a.Alias))
			}
		}
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("actions"), knownvalue.ListExact(objs)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("ids"), knownvalue.ListExact(ids)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("aliases"), knownvalue.ListExact(aliases)),
		}
	}
	checks := listCheck("data.workiva_activity_actions.all", func(emulator.Action) bool { return true })
	checks = append(checks, listCheck("data.workiva_activity_actions.security_current",
		func(a emulator.Action) bool { return a.Category == "Security" && !a.Deprecated })...)
	checks = append(checks, listCheck("data.workiva_activity_actions.security_all",
		func(a emulator.Action) bool { return a.Category == "Security" })...)
	checks = append(checks, listCheck("data.workiva_activity_actions.none",
		func(emulator.Action) bool { return false })...)
	checks = append(checks,
		statecheck.ExpectKnownValue("data.workiva_activity_actions.all", tfjsonpath.New("include_deprecated"), knownvalue.Bool(true)),
		statecheck.ExpectKnownValue("data.workiva_activity_actions.security_current", tfjsonpath.New("include_deprecated"), knownvalue.Bool(false)),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(smallActionPages),
		Steps: []resource.TestStep{
			{
				Config:      providerBlock(srv) + `data "workiva_activity_actions" "x" { category = "" }`,
				ExpectError: errRE(`Attribute category must not be empty or only whitespace`),
				PlanOnly:    true,
			},
			{
				Config: providerBlock(srv) + `
data "workiva_activity_actions" "all" {}
data "workiva_activity_actions" "security_current" {
  category           = "Security"
  include_deprecated = false
}
data "workiva_activity_actions" "security_all" {
  category = "Security"
}
data "workiva_activity_actions" "none" {
  category = "security" # exact, case-sensitive
}
`,
				ConfigStateChecks: checks,
			},
		},
	})
}

// The catalog is walked once however many lookups run concurrently, and a
// failed walk is retried by the next lookup rather than remembered.
func TestActionCatalogWalksOnce(t *testing.T) {
	srv := startEmulator(t, 10)
	cat := newTestCatalog(t, srv)
	actions := srv.Actions()
	catalogCalls := func() int { return catalogRequests(srv) }

	srv.SetFaults(emulator.Faults{ServerErrors: 1, ServerErrorStatus: 503})
	if _, _, err := cat.lookupAlias(context.Background(), actions[0].Alias); err == nil {
		t.Fatal("lookup succeeded although the catalog walk failed")
	}
	srv.SetFaults(emulator.Faults{})
	srv.ResetRequests()

	var wg sync.WaitGroup
	errs := make(chan error, 2*len(actions))
	for _, a := range actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, ok, err := cat.lookupAlias(context.Background(), a.Alias)
			switch {
			case err != nil:
				errs <- err
			case !ok || got.ID != a.ID:
				errs <- fmt.Errorf("alias %s: got %+v, %v", a.Alias, got, ok)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	pages := (len(actions) + testActionPageSize - 1) / testActionPageSize
	if got := catalogCalls(); got != pages {
		t.Errorf("%d catalog calls for %d lookups, want %d (one walk)", got, len(actions), pages)
	}
	if _, ok, err := cat.lookupAlias(context.Background(), "no_such_alias"); ok || err != nil {
		t.Errorf("unknown alias: ok=%v err=%v", ok, err)
	}
	if got := catalogCalls(); got != pages {
		t.Errorf("a miss walked the catalog again (%d calls)", got)
	}
}
