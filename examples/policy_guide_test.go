package examples_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/acctest"
	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// findOPA returns the Open Policy Agent binary: OPA if set, else the pinned
// build in .tools/bin, else opa on PATH. Missing, the test fails (never
// skips): the guide's policy would otherwise go untested in CI.
func findOPA(t *testing.T) string {
	t.Helper()
	return findTool(t, "opa", "OPA", "Open Policy Agent")
}

// findConftest is findOPA for conftest (tools/conftest, CONFTEST).
func findConftest(t *testing.T) string {
	t.Helper()
	return findTool(t, "conftest", "CONFTEST", "conftest")
}

func findTool(t *testing.T, name, envVar, what string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		return p
	}
	if p, err := filepath.Abs(filepath.Join("..", ".tools", "bin", name)); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	t.Fatalf("%s not found: run `make tool-%s` (builds the version pinned in tools/%s/go.mod into .tools/bin/%s), or set %s to a %s binary",
		what, name, name, name, envVar, name)
	return ""
}

// policyFindings is what policy/access_changes.rego reports on, by alias.
var policyFindings = map[string]string{
	"org_user_role_create":        "organization role granted",
	"org_user_role_delete":        "organization role removed",
	"workspace_membership_create": "added to a workspace",
}

var findingLine = regexp.MustCompile(`(?m)^\S+ (organization role granted|organization role removed|added to a workspace) by (.*) \(activity (\S+)\): .*$`)

// TestAccExamples_policyGuideCIJudgesFindings runs the guide's CI job (ci.sh) verbatim
// with the CLI under test and the real OPA: the plan must be saved although
// there are findings, and the judge step must print exactly the emulator's
// role changes and new memberships of the plan's 24 hours, and fail the job.
func TestAccExamples_policyGuideCIJudgesFindings(t *testing.T) {
	skipUnlessCLIHas(t, policyGuideNeeds...)
	t.Parallel()
	opa := findOPA(t)
	w := copyExample(t, "guides/policy-checks-in-ci")
	out, err := w.exec([]string{"TERRAFORM=" + cli, "PATH=" + filepath.Dir(opa) + string(os.PathListSeparator) + os.Getenv("PATH")},
		"sh", "ci.sh")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("ci.sh: want exit status 1 from the judge step, got %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(w.dir, "plan.json"))
	if err != nil {
		t.Fatalf("the plan step did not save plan.json: %v\n%s", err, out)
	}
	var plan planJSON
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	ts, err := time.Parse(time.RFC3339Nano, plan.Timestamp)
	if err != nil {
		t.Fatalf("plan timestamp %q: %v", plan.Timestamp, err)
	}

	var want []string
	performer := map[string]string{}
	what := map[string]string{}
	for _, a := range srv.Activities() {
		if w, ok := policyFindings[a.Action.Alias]; ok && !a.At.Before(ts.Add(-24*time.Hour)) && a.At.Before(ts) {
			want = append(want, a.ID)
			performer[a.ID], what[a.ID] = a.Performer.UniqueName, w
		}
	}
	if len(want) == 0 {
		t.Fatal("the emulator has no role change or new membership in the window: the test would prove nothing")
	}
	var got []string
	for _, m := range findingLine.FindAllStringSubmatch(out, -1) {
		id := m[3]
		got = append(got, id)
		if m[1] != what[id] || m[2] != performer[id] {
			t.Errorf("finding %q: want %q by %q", m[0], what[id], performer[id])
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("findings for %d activities, want %d:\ngot  %v\nwant %v\n%s", len(got), len(want), got, want, out)
	}

	// A plan without findings passes the judge: same command, the fixture
	// plan of a window without findings. An empty plan does not: the policy
	// checked nothing there.
	for file, wantOut := range map[string]string{
		filepath.Join("testdata", "plans", "quiet", "plan.json"): "",
		"empty.json": "no workiva_activities data source in the plan: nothing was checked",
	} {
		if err := os.WriteFile(filepath.Join(w.dir, "empty.json"), []byte(`{"prior_state":{"values":{"root_module":{"resources":[]}}}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err = w.exec(nil, opa, "eval", "--fail-defined", "--format", "raw", "--data", "policy/", "--input", file,
			"data.workiva.access_changes.deny[_]")
		if strings.TrimSpace(out) != wantOut || (err == nil) != (wantOut == "") {
			t.Errorf("%s: want %q (exit 1 if any), got %v %q", file, wantOut, err, out)
		}
	}
}

// policyGuide is the guide's directory, relative to this package.
const policyGuide = "guides/policy-checks-in-ci"

// policyFixtureNow anchors the emulator that plans the policy's fixtures and
// ends their window (window_end): the same data set and window every time,
// so a regenerated fixture holds the same activities and findings.
var policyFixtureNow = emulator.DefaultNow

// policyFixtures are the plans the policy's tests (policy/*_test.rego)
// judge: testdata/plans/NAME/plan.json, each the `show -json` of a plan of
// dir (relative to the guide) against the emulator.
var policyFixtures = []struct {
	name, dir string
	vars      []string
}{
	// The guide's configuration over a window with findings, and over one
	// before the emulator's data set begins (180 days before its anchor).
	{"root", ".", []string{"window_end=" + policyFixtureNow.Format(time.RFC3339)}},
	{"quiet", ".", []string{"window_end=" + policyFixtureNow.AddDate(-1, 0, 0).Format(time.RFC3339)}},
	{"child_module", "testdata/plans/child_module", []string{"window_end=" + policyFixtureNow.Format(time.RFC3339)}},
	{"not_read", "testdata/plans/not_read", []string{"window_end=" + policyFixtureNow.AddDate(-1, 0, 0).Format(time.RFC3339)}},
	{"deferred", "testdata/plans/deferred", nil},
	{"limited", "testdata/plans/limited", nil},
	{"no_workiva", "testdata/plans/no_workiva", nil},
}

// TestAccExamples_policyFixtures plans every fixture configuration with the
// CLI under test against an emulator anchored at policyFixtureNow. With
// UPDATE_POLICY_FIXTURES=1 it writes the plans into testdata/plans (indented,
// nothing removed); otherwise the policy's verdict (deny and warn) on each
// fresh plan must equal its verdict on the committed fixture, so the
// fixtures the policy tests judge are what this CLI produces today.
//
//	UPDATE_POLICY_FIXTURES=1 scripts/testacc.sh terraform -run TestAccExamples_policyFixtures
//
//nolint:tparallel // the fixtures are planned one after another: each is a whole CLI run
func TestAccExamples_policyFixtures(t *testing.T) {
	skipUnlessCLIHas(t, policyGuideNeeds...)
	t.Parallel()
	opa := findOPA(t)
	fix, err := emulator.Start(emulator.Options{Now: policyFixtureNow, Activities: 2000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fix.Close)
	env := []string{
		"WORKIVA_API_URL=" + fix.URL(),
		"WORKIVA_CLIENT_ID=" + fix.ClientID(),
		"WORKIVA_CLIENT_SECRET=" + fix.ClientSecret(),
		"WORKIVA_ORGANIZATION_ID=" + fix.OrganizationID(),
	}
	update := os.Getenv("UPDATE_POLICY_FIXTURES") == "1"
	guide := copyExample(t, policyGuide)
	for _, f := range policyFixtures {
		t.Run(f.name, func(t *testing.T) {
			w := &workdir{t: t, dir: filepath.Join(guide.dir, f.dir)}
			if out, err := w.exec(env, cli, "init", "-input=false", "-no-color"); err != nil {
				t.Fatalf("init: %v\n%s", err, out)
			}
			args := []string{"plan", "-input=false", "-no-color", "-out=tfplan"}
			for _, v := range f.vars {
				args = append(args, "-var", v)
			}
			if out, err := w.exec(env, cli, args...); err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			// stdout only: a CLI warning on stderr must not end up in the JSON.
			show, err := w.stdout(env, cli, "show", "-json", "-no-color", "tfplan")
			if err != nil {
				t.Fatalf("show -json: %v\n%s", err, show)
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, []byte(show), "", "  "); err != nil {
				t.Fatalf("show -json: %v\n%s", err, show)
			}
			indented.WriteByte('\n')
			committed := filepath.Join(policyGuide, "testdata", "plans", f.name, "plan.json")
			if update {
				if err := os.MkdirAll(filepath.Dir(committed), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(committed, indented.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			fresh := filepath.Join(t.TempDir(), "plan.json")
			if err := os.WriteFile(fresh, indented.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			abs, err := filepath.Abs(committed)
			if err != nil {
				t.Fatal(err)
			}
			got, want := policyVerdict(t, opa, fresh), policyVerdict(t, opa, abs)
			if got != want {
				t.Errorf("the policy's verdict on a fresh plan differs from the committed fixture %s: regenerate it (UPDATE_POLICY_FIXTURES=1) and update the tests\nfresh:     %s\ncommitted: %s", committed, got, want)
			}
		})
	}
}

// policyVerdict is the policy's deny and warn sets on a plan JSON file, as
// JSON (sets come out sorted).
func policyVerdict(t *testing.T, opa, plan string) string {
	t.Helper()
	cmd := exec.Command(opa, "eval", "--format", "raw", "--data", filepath.Join(policyGuide, "policy"), "--input", plan,
		`{"deny": data.workiva.access_changes.deny, "warn": data.workiva.access_changes.warn}`)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("opa eval on %s: %v\n%s", plan, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestPolicyGuide_policyTests runs the guide's test-policy.sh verbatim with
// the pinned OPA and conftest: every test of policy/*_test.rego must pass
// under both, and cover at least 90% of the policy.
func TestPolicyGuide_policyTests(t *testing.T) {
	t.Parallel()
	opa, conftest := findOPA(t), findConftest(t)
	w := copyExample(t, policyGuide)
	path := filepath.Dir(opa) + string(os.PathListSeparator) + filepath.Dir(conftest) + string(os.PathListSeparator) + os.Getenv("PATH")
	out, err := w.exec([]string{"PATH=" + path, "HOME=" + t.TempDir()}, "sh", "test-policy.sh")
	if err != nil {
		t.Fatalf("test-policy.sh: %v\n%s", err, out)
	}
	// Both engines must have run every test of the file.
	src, err := os.ReadFile(filepath.Join(policyGuide, "policy", "access_changes_test.rego"))
	if err != nil {
		t.Fatal(err)
	}
	tests := len(regexp.MustCompile(`(?m)^test_\w+ if`).FindAll(src, -1))
	if tests == 0 {
		t.Fatal("no test_ rule in policy/access_changes_test.rego")
	}
	if want := fmt.Sprintf("PASS: %d/%d", tests, tests); !strings.Contains(out, want) {
		t.Errorf("opa test: want %q in\n%s", want, out)
	}
	if want := fmt.Sprintf("%d tests, %d passed, 0 warnings, 0 failures, 0 exceptions, 0 skipped", tests, tests); !strings.Contains(out, want) {
		t.Errorf("conftest verify: want %q in\n%s", want, out)
	}
	raw, err := os.ReadFile(filepath.Join(w.dir, "coverage.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cov struct {
		Files map[string]struct {
			Coverage float64 `json:"coverage"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &cov); err != nil {
		t.Fatal(err)
	}
	policy, ok := cov.Files["policy/access_changes.rego"]
	if !ok || policy.Coverage < 90 {
		t.Errorf("coverage of policy/access_changes.rego: %v (reported: %v), want at least 90%%", policy.Coverage, ok)
	}
	t.Logf("coverage of policy/access_changes.rego: %.1f%%", policy.Coverage)
}

// TestPolicyGuide_conftestJudgesLikeOPA runs the guide's conftest command
// on every fixture plan: its failures and warnings must be exactly what
// `opa eval` finds in deny and warn, from the same package.
func TestPolicyGuide_conftestJudgesLikeOPA(t *testing.T) {
	t.Parallel()
	opa, conftest := findOPA(t), findConftest(t)
	for _, f := range policyFixtures {
		plan := filepath.Join("testdata", "plans", f.name, "plan.json")
		cmd := exec.Command(conftest, "test", "--no-color", "--output", "json", "--policy", "policy/", "--namespace", "workiva.access_changes", plan)
		cmd.Dir = policyGuide
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.Output()
		var results []struct {
			Warnings, Failures []struct {
				Msg string `json:"msg"`
			}
		}
		if jerr := json.Unmarshal(out, &results); jerr != nil || len(results) != 1 {
			t.Fatalf("conftest test %s: %v %v\n%s", plan, err, jerr, out)
		}
		var got struct {
			Deny []string `json:"deny"`
			Warn []string `json:"warn"`
		}
		got.Deny, got.Warn = []string{}, []string{}
		for _, m := range results[0].Failures {
			got.Deny = append(got.Deny, m.Msg)
		}
		for _, m := range results[0].Warnings {
			got.Warn = append(got.Warn, m.Msg)
		}
		slices.Sort(got.Deny)
		slices.Sort(got.Warn)
		// conftest fails (exit 1) exactly when something is denied.
		var exit *exec.ExitError
		if failed := errors.As(err, &exit) && exit.ExitCode() == 1; failed != (len(got.Deny) > 0) || (err != nil && !failed) {
			t.Errorf("conftest test %s: exit %v with %d denials", plan, err, len(got.Deny))
		}
		gotJSON, _ := json.Marshal(got)
		abs, _ := filepath.Abs(filepath.Join(policyGuide, plan))
		if want := policyVerdict(t, opa, abs); string(gotJSON) != want {
			t.Errorf("%s: conftest and opa eval disagree\nconftest: %s\nopa:      %s", plan, gotJSON, want)
		}
	}
}

// TestAccExamples_policyGuideTerraformTest runs the guide's
// tftest/access_changes.tftest.hcl as the guide says (init, then test) with
// the CLI under test. The provider is mocked: the WORKIVA_* settings point
// at nothing and hold no credential, so a run that reached the provider's
// configuration or the network would fail.
func TestAccExamples_policyGuideTerraformTest(t *testing.T) {
	skipUnlessCLIHas(t, append(policyGuideNeeds, acctest.TestMocks)...)
	t.Parallel()
	w := copyExample(t, policyGuide)
	noAPI := []string{"WORKIVA_API_URL=http://127.0.0.1:1", "WORKIVA_CLIENT_ID=", "WORKIVA_CLIENT_SECRET=", "WORKIVA_ORGANIZATION_ID="}
	if out, err := w.exec(noAPI, cli, "init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	out, err := w.exec(noAPI, cli, "test", "-test-directory=tftest", "-no-color")
	if err != nil {
		t.Fatalf("test: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(policyGuide, "tftest", "access_changes.tftest.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	runs := len(regexp.MustCompile(`(?m)^run "`).FindAll(src, -1))
	if want := fmt.Sprintf("Success! %d passed, 0 failed.", runs); runs == 0 || !strings.Contains(out, want) {
		t.Errorf("test: want %q\n%s", want, out)
	}
	t.Logf("%s", out)
}

// TestPolicyGuide_toolVersionsArePinned: the guide's CI job installs the
// OPA and conftest versions the tests run (tools/opa, tools/conftest).
func TestPolicyGuide_toolVersionsArePinned(t *testing.T) {
	t.Parallel()
	guide, err := os.ReadFile(filepath.Join("..", "templates", "guides", "policy-checks-in-ci.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ tool, module, inGuide string }{
		{"opa", "github.com/open-policy-agent/opa", `setup-opa@v2\s+with:\s+version: (\S+)`},
		{"conftest", "github.com/open-policy-agent/conftest", `conftest@v(\S+)`},
	} {
		mod, err := os.ReadFile(filepath.Join("..", "tools", c.tool, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		pin := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(c.module) + ` v(\S+)`).FindSubmatch(mod)
		got := regexp.MustCompile(c.inGuide).FindSubmatch(guide)
		if pin == nil || got == nil || string(got[1]) != string(pin[1]) {
			t.Errorf("the guide installs %s %q, tools/%s/go.mod pins %q", c.tool, got, c.tool, pin)
		}
	}
}
