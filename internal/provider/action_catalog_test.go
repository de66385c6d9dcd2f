package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// A misspelt alias or ID fails the read before any activity request: with
// zero matches a policy check would pass by mistake.
func TestAccActivities_unknownActionFailsBeforeAnyActivityRequest(t *testing.T) {
	srv := startEmulator(t, testActivities)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(smallActionPages),
		Steps: []resource.TestStep{
			{
				Config: providerBlock(srv) + `
data "workiva_activities" "x" {
  action_aliases = ["org_user_role_creat", "user_login"]
}`,
				ExpectError: errRE(`workiva_activities: unknown action alias .*Action alias "org_user_role_creat" in action_aliases ` +
					`is not among the \d+ actions Workiva lists \(deprecated ones included\), so it would match no activity\. ` +
					`Did you mean "org_user_role_create"(, "[a-z_]+"){0,2}\?.*set allow_unknown_actions = true`),
			},
			{
				Config: providerBlock(srv) + `
data "workiva_activities" "x" {
  action_ids = ["com.workiva.no.such.action"]
}`,
				ExpectError: errRE(`workiva_activities: unknown action id .*Action ID "com.workiva.no.such.action" in action_ids`),
			},
		},
	})
	if n := len(srv.ListRequests()); n != 0 {
		t.Errorf("%d activity requests were made although the action check failed", n)
	}
}

// The export shares the query model and so the check: a typo fails it
// before any activity request, and no file is written.
func TestAccActivitiesExport_unknownActionWritesNothing(t *testing.T) {
	srv := startEmulator(t, testActivities)
	out := filepath.Join(t.TempDir(), "audit.jsonl")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(smallActionPages),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities_export" "x" {
  path           = %q
  action_aliases = ["user_logn"]
}`, out),
			ExpectError: errRE(`workiva_activities_export: unknown action alias .*Action alias "user_logn" in action_aliases ` +
				`is not among the \d+ actions Workiva lists .*Did you mean "user_login"`),
		}},
	})
	if n := len(srv.ListRequests()); n != 0 {
		t.Errorf("%d activity requests were made although the action check failed", n)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("export file after a failed check: %v", err)
	}
}

// The opt-out: an action Workiva no longer lists is read anyway.
func TestAccActivities_allowUnknownActions(t *testing.T) {
	srv := startEmulator(t, testActivities)
	login := selectActivities(srv, "desc", 0, func(a *emulator.Activity) bool { return a.Action.Alias == "user_login" })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(smallActionPages),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + `
data "workiva_activities" "x" {
  action_aliases        = ["retired_action", "user_login"]
  allow_unknown_actions = true
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.workiva_activities.x", tfjsonpath.New("result_count"), knownvalue.Int64Exact(int64(len(login)))),
			},
		}},
	})
	if len(srv.ListRequests()) == 0 {
		t.Error("no activity request with allow_unknown_actions = true")
	}
}

func newTestCatalog(t *testing.T, srv *emulator.Server) *actionCatalog {
	t.Helper()
	zero := 0
	client, err := workiva.New(workiva.Config{
		APIURL: srv.URL(), ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(), MaxRetries: &zero,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &actionCatalog{client: client, pageSize: testActionPageSize}
}

func catalogRequests(srv *emulator.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/activityActions") {
			n++
		}
	}
	return n
}

func TestCheckActions(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, 10)
	cat := newTestCatalog(t, srv)
	ctx := context.Background()
	actions := srv.Actions()
	var deprecated emulator.Action
	for _, a := range actions {
		if a.Deprecated {
			deprecated = a
		}
	}
	if deprecated.Alias == "" {
		t.Fatal("emulator catalogue has no deprecated action")
	}

	if d := checkActions(ctx, cat, "ds", nil, nil, false); len(d) != 0 || catalogRequests(srv) != 0 {
		t.Fatalf("nothing to check: %v, %d catalogue requests", d, catalogRequests(srv))
	}
	if d := checkActions(ctx, cat, "ds", []string{deprecated.Alias, actions[0].Alias}, []string{actions[1].ID, deprecated.ID}, false); len(d) != 0 {
		t.Fatalf("known actions (deprecated included) rejected: %v", d)
	}

	d := checkActions(ctx, cat, "ds", []string{"org_user_role_creat", "zzzzzzzzzzzzzzzzzzzzzzzz"}, []string{"nope"}, false)
	if d.ErrorsCount() != 3 || d.WarningsCount() != 0 {
		t.Fatalf("want 3 errors: %v", d)
	}
	first := d[0].Detail()
	if !strings.Contains(first, `"org_user_role_creat" in action_aliases`) || !strings.Contains(first, `Did you mean "org_user_role_create"`) {
		t.Errorf("typo detail: %s", first)
	}
	if n := strings.Count(strings.SplitN(first, "Did you mean", 2)[1], `"`) / 2; n < 1 || n > 3 {
		t.Errorf("%d suggestions, want 1 to 3: %s", n, first)
	}
	if strings.Contains(d[1].Detail(), "Did you mean") {
		t.Errorf("a far-off value got suggestions: %s", d[1].Detail())
	}

	d = checkActions(ctx, cat, "ds", []string{"org_user_role_creat"}, nil, true)
	if d.ErrorsCount() != 0 || d.WarningsCount() != 1 || !strings.Contains(d[0].Detail(), "allow_unknown_actions = true") {
		t.Errorf("opted out: want one warning, got %v", d)
	}

	// One walk for every check above and for the alias lookups of
	// workiva_activity_action, which share the catalogue.
	if _, ok, err := cat.lookupAlias(ctx, actions[2].Alias); !ok || err != nil {
		t.Fatal(ok, err)
	}
	pages := (len(actions) + testActionPageSize - 1) / testActionPageSize
	if got := catalogRequests(srv); got != pages {
		t.Errorf("%d catalogue requests, want %d (one walk)", got, pages)
	}
}

// A catalogue that cannot be read fails the check (it cannot vouch for the
// aliases) unless the user opted out, then it is a warning.
func TestCheckActionsCatalogueUnavailable(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, 10)
	cat := newTestCatalog(t, srv)
	srv.SetFaults(emulator.Faults{ServerErrors: 100, ServerErrorStatus: 503})
	d := checkActions(context.Background(), cat, "ds", []string{"user_login"}, nil, false)
	if d.ErrorsCount() != 1 || !strings.Contains(d[0].Detail(), "HTTP 503") {
		t.Errorf("want an error with the cause: %v", d)
	}
	d = checkActions(context.Background(), cat, "ds", []string{"user_login"}, nil, true)
	if d.ErrorsCount() != 0 || d.WarningsCount() != 1 || d[0].Severity() != diag.SeverityWarning {
		t.Errorf("opted out: want a warning, got %v", d)
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	known := []string{"user_login", "user_logout", "org_user_role_create", "org_user_role_delete", "workspace_membership_create"}
	if got := closest("user_logn", known, 3); len(got) == 0 || got[0] != "user_login" {
		t.Errorf("closest(user_logn) = %v", got)
	}
	if got := closest("org_user_role_creat", known, 1); len(got) != 1 || got[0] != "org_user_role_create" {
		t.Errorf("closest(org_user_role_creat) = %v", got)
	}
	if got := closest("x", known, 3); len(got) != 0 {
		t.Errorf("closest(x) = %v", got)
	}
	if editDistance("kitten", "sitting") != 3 || editDistance("", "abc") != 3 || editDistance("abc", "abc") != 0 {
		t.Error("editDistance")
	}
}
