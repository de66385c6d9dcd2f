// Package examples_test plans every configuration under examples/ against the
// emulator through the real CLI (Terraform or OpenTofu, as chosen by
// TF_ACC_TERRAFORM_PATH), so that the examples the docs and README show can
// never rot. Each example is used as written: credentials and the API URL come
// from the WORKIVA_* environment variables, as they would for a user.
package examples_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/workiva/terraform-provider-workiva/internal/acctest"
	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/provider"
)

// now anchors the emulator's data set at the real time, so that examples that
// ask for "the last 24 hours" (relative to plantimestamp()) find activities.
var (
	now time.Time
	srv *emulator.Server
)

// planSlack bounds how long after `now` a test's plan may start: activities
// in the last planSlack of a relative window may or may not be in it.
const planSlack = 10 * time.Minute

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	now = time.Now().UTC()
	var err error
	srv, err = emulator.Start(emulator.Options{Now: now, Activities: 2000})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting emulator:", err)
		return 1
	}
	defer srv.Close()

	// The provider runs in this process (plugin-testing reattaches to it), so
	// it reads this environment, exactly as a user's provider reads theirs.
	for k, v := range map[string]string{
		"WORKIVA_API_URL":         srv.URL(),
		"WORKIVA_CLIENT_ID":       srv.ClientID(),
		"WORKIVA_CLIENT_SECRET":   srv.ClientSecret(),
		"WORKIVA_ORGANIZATION_ID": srv.OrganizationID(),
	} {
		if err := os.Setenv(k, v); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	for _, k := range []string{"WORKIVA_ACCESS_TOKEN", "WORKIVA_REGION", "WORKIVA_TOKEN_URL", "WORKIVA_API_VERSION", "WORKIVA_MAX_RETRIES"} {
		_ = os.Unsetenv(k)
	}
	// The examples declare source = "workiva/workiva"; plugin-testing must
	// serve the provider under that namespace (the host, registry.terraform.io
	// or registry.opentofu.org, follows TF_ACC_PROVIDER_HOST).
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "workiva")
	}
	return m.Run()
}

func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"workiva": provider.NewServer("test"),
	}
}

// exampleDirs lists every directory under examples/ that holds .tf files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") {
			seen[filepath.ToSlash(filepath.Dir(path))] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

// readExample returns the .tf files of dir, concatenated in name order.
func readExample(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
		b.WriteString("\n")
	}
	return b.String()
}

// example describes how one example directory is exercised.
type example struct {
	extra  string           // HCL appended to the example (probes only)
	vars   config.Variables // values for the example's variables
	checks []plancheck.PlanCheck
	err    *regexp.Regexp // the plan must fail with this error
	// needs lists the CLI features the example uses that the oldest
	// supported CLIs lack; the test skips on those, naming the feature.
	needs []acctest.Feature
}

// examples maps each directory under examples/ to its expectations; a new
// example directory without an entry fails TestEveryExampleIsTested.
func examples(t *testing.T) map[string]example {
	t.Helper()
	acts := srv.Activities()
	actions := srv.Actions()

	roleChanges := count(acts, now.Add(-24*time.Hour), now, "org_user_role_create", "org_user_role_delete")
	logins := count(acts, now.Add(-24*time.Hour), now, "user_login")
	memberships := count(acts, now.Add(-168*time.Hour), now, "workspace_membership_create", "workspace_membership_delete")
	if roleChanges.min < 1 || logins.min < 1 || memberships.min < 1 {
		t.Fatalf("emulator data set lacks recent activity: role changes %v, logins %v, memberships %v", roleChanges, logins, memberships)
	}

	var loginAction emulator.Action
	var security []any
	for _, a := range actions {
		if a.Alias == "user_login" {
			loginAction = a
		}
		if a.Category == "Security" && !a.Deprecated {
			security = append(security, a.Alias)
		}
	}
	if loginAction.ID == "" || len(security) == 0 {
		t.Fatal("emulator catalogue lacks user_login or Security actions")
	}

	// Prefer an activity whose ID needs path escaping, with a workspace.
	one := acts[len(acts)/2]
	for _, a := range acts {
		if a.Workspace != nil && a.Performer.UniqueName != "" && a.Summary != "" && strings.ContainsAny(a.ID, "/+=") {
			one = a
			break
		}
	}

	q3start := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	q3end := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var q3 []emulator.Activity
	for _, a := range acts {
		if !a.At.Before(q3start) && a.At.Before(q3end) {
			q3 = append(q3, a)
		}
	}

	return map[string]example{
		"provider": {
			// The provider example reads nothing by itself: a probe makes the
			// CLI configure it, so its settings are exercised.
			extra: `data "workiva_activity_actions" "probe" {}
output "probe_count" { value = length(data.workiva_activity_actions.probe.ids) }`,
			checks: []plancheck.PlanCheck{outputEquals("probe_count", float64(len(actions)))},
		},
		"data-sources/workiva_activity": {
			vars: config.Variables{"activity_id": config.StringVariable(one.ID)},
			checks: []plancheck.PlanCheck{output("activity", func(v any) error {
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("not an object: %#v", v)
				}
				when, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["when"]))
				if err != nil || !when.Equal(one.At) {
					return fmt.Errorf("when = %v, want %s", m["when"], one.ActivityDateTime)
				}
				want := map[string]any{"action": one.Action.Alias, "who": one.Performer.UniqueName, "summary": one.Summary, "workspace": one.Workspace.Name}
				for k, w := range want {
					if m[k] != w {
						return fmt.Errorf("%s = %#v, want %#v", k, m[k], w)
					}
				}
				return nil
			})},
		},
		"data-sources/workiva_activities": {
			needs:  []acctest.Feature{acctest.PlanTimestamp},
			checks: []plancheck.PlanCheck{outputLen("membership_changes", memberships)},
		},
		"data-sources/workiva_activity_action": {
			checks: []plancheck.PlanCheck{output("login_action", func(v any) error {
				want := map[string]any{"id": loginAction.ID, "name": loginAction.Name, "category": loginAction.Category}
				if m, ok := v.(map[string]any); !ok || !mapsEqual(m, want) {
					return fmt.Errorf("got %#v, want %#v", v, want)
				}
				return nil
			})},
		},
		"data-sources/workiva_activity_actions": {
			checks: []plancheck.PlanCheck{outputEquals("security_action_aliases", security)},
		},
		"demo": {
			needs: []acctest.Feature{acctest.PlanTimestamp},
			checks: []plancheck.PlanCheck{
				outputLen("role_changes_last_24h", roleChanges),
				output("logins_per_user", func(v any) error {
					m, ok := v.(map[string]any)
					if !ok {
						return fmt.Errorf("not a map: %#v", v)
					}
					total := 0
					for user, n := range m {
						// Plan JSON numbers arrive as json.Number.
						c, err := strconv.Atoi(fmt.Sprint(n))
						if err != nil || c < 1 || user == "" {
							return fmt.Errorf("bad entry %q = %#v", user, n)
						}
						total += c
					}
					return logins.check(total)
				}),
				outputEquals("action_catalogue_size", float64(len(actions))),
			},
		},
		"guides/policy-checks-in-ci": {
			needs: policyGuideNeeds,
			// The emulator always has role changes in the last 24 hours, so
			// the guide's precondition must stop the plan.
			err: regexp.MustCompile(`Organization role changes in the last 24 hours`),
		},
		"guides/exporting-activities-for-an-audit": {
			checks: []plancheck.PlanCheck{
				outputEquals("activity_count", float64(len(q3))),
				output("activities_json", func(v any) error {
					var got []struct {
						ID   string `json:"id"`
						Time string `json:"time"`
					}
					s, ok := v.(string)
					if !ok {
						return fmt.Errorf("not a string: %#v", v)
					}
					if err := json.Unmarshal([]byte(s), &got); err != nil {
						return err
					}
					if len(got) != len(q3) {
						return fmt.Errorf("%d activities, want %d", len(got), len(q3))
					}
					for i := range got {
						if got[i].ID != q3[i].ID { // order = "asc": the emulator's own order
							return fmt.Errorf("activity %d is %s, want %s", i, got[i].ID, q3[i].ID)
						}
					}
					return nil
				}),
			},
		},
	}
}

func TestEveryExampleIsTested(t *testing.T) {
	t.Parallel()
	table := examples(t)
	for _, dir := range exampleDirs(t) {
		if _, ok := table[dir]; !ok {
			t.Errorf("examples/%s has no entry in examples(): add one so it runs against the emulator", dir)
		}
	}
	for dir := range table {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("examples(%q): %v", dir, err)
		}
	}
}

// policyGuideNeeds are the features the policy guide's example uses.
var policyGuideNeeds = []acctest.Feature{acctest.CheckBlocks, acctest.PlanTimestamp}

// featureChecks turns the features a configuration needs into version checks.
func featureChecks(needs []acctest.Feature) []tfversion.TerraformVersionCheck {
	checks := make([]tfversion.TerraformVersionCheck, 0, len(needs))
	for _, f := range needs {
		checks = append(checks, acctest.NeedsFeature(f))
	}
	return checks
}

// TestExampleNeedsAreDeclared keeps each example's needs honest: an example
// that uses a feature must declare it (so the oldest CLIs skip it with the
// reason) and must not declare one it does not use.
func TestExampleNeedsAreDeclared(t *testing.T) {
	t.Parallel()
	uses := map[acctest.Feature]*regexp.Regexp{
		acctest.CheckBlocks:   regexp.MustCompile(`(?m)^check\s+"`),
		acctest.PlanTimestamp: regexp.MustCompile(`\bplantimestamp\(\)`),
	}
	for dir, ex := range examples(t) {
		src := readExample(t, dir)
		for f, re := range uses {
			used, declared := re.MatchString(src), slices.Contains(ex.needs, f)
			if used != declared {
				t.Errorf("examples/%s: uses %s = %v but declares it in needs = %v", dir, f.Name, used, declared)
			}
		}
	}
}

func TestAccExamples(t *testing.T) {
	t.Parallel()
	for dir, ex := range examples(t) {
		t.Run(strings.ReplaceAll(dir, "/", "_"), func(t *testing.T) {
			t.Parallel()
			step := resource.TestStep{
				Config:          readExample(t, dir) + ex.extra,
				ConfigVariables: ex.vars,
				// Plan only: the examples read data and hold no resources,
				// and their plantimestamp()-based outputs would make the
				// post-apply plan differ from the applied one.
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ExpectError:        ex.err,
			}
			if ex.err == nil {
				step.ConfigPlanChecks.PostApplyPostRefresh = ex.checks
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				TerraformVersionChecks:   featureChecks(ex.needs),
				Steps:                    []resource.TestStep{step},
			})
		})
	}
}

// The policy guide's escape hatch: raising max_role_changes lets the plan
// through, with the role changes listed.
func TestAccExamples_policyGuideAllowsReviewedChanges(t *testing.T) {
	t.Parallel()
	roleChanges := count(srv.Activities(), now.Add(-24*time.Hour), now, "org_user_role_create", "org_user_role_delete")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		TerraformVersionChecks:   featureChecks(policyGuideNeeds),
		Steps: []resource.TestStep{{
			Config:             readExample(t, "guides/policy-checks-in-ci"),
			ConfigVariables:    config.Variables{"max_role_changes": config.IntegerVariable(1000)},
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{outputLen("role_changes", roleChanges)},
			},
		}},
	})
}

// bounds is the range a count over a window relative to plantimestamp() may
// take: the plan starts between now and now+planSlack.
type bounds struct{ min, max int }

func (b bounds) check(n int) error {
	if n < b.min || n > b.max {
		return fmt.Errorf("%d items, want %d..%d", n, b.min, b.max)
	}
	return nil
}

// count bounds the number of activities with one of aliases in a window
// [from, to) that the plan will shift forward by up to planSlack.
func count(acts []emulator.Activity, from, to time.Time, aliases ...string) bounds {
	var b bounds
	for _, a := range acts {
		if !slices.Contains(aliases, a.Action.Alias) || !a.At.Before(to.Add(planSlack)) {
			continue
		}
		if !a.At.Before(from) {
			b.max++
		}
		if !a.At.Before(from.Add(planSlack)) && a.At.Before(to) {
			b.min++
		}
	}
	return b
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// outputCheck runs fn on the planned value of a root module output.
type outputCheck struct {
	name string
	fn   func(any) error
}

func (c outputCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	oc, ok := req.Plan.OutputChanges[c.name]
	if !ok || oc == nil {
		resp.Error = fmt.Errorf("output %q is not in the plan", c.name)
		return
	}
	if unknown, _ := oc.AfterUnknown.(bool); unknown {
		resp.Error = fmt.Errorf("output %q is unknown at plan time", c.name)
		return
	}
	if err := c.fn(oc.After); err != nil {
		resp.Error = fmt.Errorf("output %q: %w", c.name, err)
	}
}

func output(name string, fn func(any) error) plancheck.PlanCheck {
	return outputCheck{name: name, fn: fn}
}

func outputEquals(name string, want any) plancheck.PlanCheck {
	return output(name, func(v any) error {
		got, _ := json.Marshal(v)
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			return fmt.Errorf("got %s, want %s", got, exp)
		}
		return nil
	})
}

func outputLen(name string, b bounds) plancheck.PlanCheck {
	return output(name, func(v any) error {
		l, ok := v.([]any)
		if !ok {
			return errors.New("not a list")
		}
		return b.check(len(l))
	})
}
