// Package examples_test runs every configuration under examples/ verbatim
// through the real CLI (Terraform or OpenTofu, as chosen by
// TF_ACC_TERRAFORM_PATH) against the emulator, exactly as a user would: the
// files are copied unchanged into an empty directory, `init` installs the
// provider by its registry address (workiva/workiva, version 0.1.0, from a
// filesystem mirror: no dev_overrides, no network), then `plan` reads the
// data. A configuration without its required_providers block asks for
// hashicorp/workiva, which the mirror does not have, and fails. Credentials
// and the API URL come from the WORKIVA_* environment variables.
package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"

	"github.com/workiva/terraform-provider-workiva/internal/acctest"
	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// now anchors the emulator's data set at the real time, so that examples that
// ask for "the last 24 hours" (relative to plantimestamp()) find activities.
var (
	now time.Time
	srv *emulator.Server
	// cli is the CLI under test, cliEnv its environment (set up in TestMain
	// when TF_ACC is set).
	cli    string
	cliEnv []string
	// cliVersion is the CLI's own version (`version -json`), cliIsOpenTofu
	// whether it is OpenTofu.
	cliVersion    *version.Version
	cliIsOpenTofu bool
)

// planSlack bounds how long after `now` a test's plan may start: activities
// in the last planSlack of a relative window may or may not be in it.
const planSlack = 10 * time.Minute

// mirrorVersion is the version the built provider is installed as; every
// example's constraint ("~> 0.1") must accept it.
const mirrorVersion = "0.1.0"

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
	if os.Getenv("TF_ACC") != "" {
		tmp, err := os.MkdirTemp("", "workiva-examples-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		if err := setupCLI(tmp); err != nil {
			fmt.Fprintln(os.Stderr, "examples:", err)
			return 1
		}
	}
	return m.Run()
}

// setupCLI builds the provider into a filesystem mirror under both registry
// hosts and writes a CLI configuration that installs only from it.
func setupCLI(tmp string) error {
	cli = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return errors.New("TF_ACC is set but no CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
		cli = p
	}
	// The CLI's version decides which feature-dependent examples run.
	out, err := exec.Command(cli, "version", "-json").Output()
	if err != nil {
		return fmt.Errorf("%s version -json: %w", cli, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("%s version -json: %w", cli, err)
	}
	if cliVersion, err = version.NewVersion(v.Version); err != nil {
		return fmt.Errorf("%s version -json: %w", cli, err)
	}
	// `version -json` is the same for both CLIs; the text names OpenTofu.
	text, err := exec.Command(cli, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %w", cli, err)
	}
	cliIsOpenTofu = bytes.Contains(text, []byte("OpenTofu v"))
	mirror := filepath.Join(tmp, "mirror")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	var first string
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		dir := filepath.Join(mirror, host, "workiva", "workiva", mirrorVersion, platform)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		bin := filepath.Join(dir, "terraform-provider-workiva_v"+mirrorVersion)
		if first == "" {
			build := exec.Command("go", "build", "-o", bin, "..")
			if out, err := build.CombinedOutput(); err != nil {
				return fmt.Errorf("go build: %w\n%s", err, out)
			}
			first = bin
			continue
		}
		if err := os.Link(first, bin); err != nil {
			return err
		}
	}
	// No `direct` installation: nothing is ever fetched from a registry, and
	// a provider address the mirror lacks (hashicorp/workiva, when a
	// configuration forgets required_providers) fails init.
	rc := filepath.Join(tmp, "cli.tfrc")
	conf := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror)
	if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
		return err
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "WORKIVA_") || strings.HasPrefix(kv, "CHECKPOINT_") {
			continue
		}
		cliEnv = append(cliEnv, kv)
	}
	cliEnv = append(cliEnv,
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"WORKIVA_API_URL="+srv.URL(),
		"WORKIVA_CLIENT_ID="+srv.ClientID(),
		"WORKIVA_CLIENT_SECRET="+srv.ClientSecret(),
		"WORKIVA_ORGANIZATION_ID="+srv.OrganizationID(),
	)
	return nil
}

func requireCLI(t *testing.T) {
	t.Helper()
	if cli == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run the examples through the CLI")
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
		// testdata holds fixture configurations (the policy guide's plans),
		// planned by their own test, not examples of their own.
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata") {
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

// workdir is a copy of one example directory, as a user would have it.
type workdir struct {
	t   *testing.T
	dir string
}

// copyExample copies every file of examples/<dir> (subdirectories included,
// .terraform leftovers excluded) unchanged into a fresh directory.
func copyExample(t *testing.T, dir string) *workdir {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(d.Name(), ".terraform") || strings.HasPrefix(d.Name(), "terraform.tfstate") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), src, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return &workdir{t: t, dir: dst}
}

// run runs the CLI in the directory (at most three minutes) and returns its
// combined output.
func (w *workdir) run(args ...string) (string, error) {
	return w.exec(nil, cli, args...)
}

func (w *workdir) exec(extraEnv []string, name string, args ...string) (string, error) {
	w.t.Helper()
	var out bytes.Buffer
	err := w.command(extraEnv, &out, &out, name, args...)
	return out.String(), err
}

// command runs name in the directory with the CLI's environment plus
// extraEnv, for at most three minutes.
func (w *workdir) command(extraEnv []string, stdout, stderr *bytes.Buffer, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = w.dir
	cmd.Env = append(slices.Clone(cliEnv), extraEnv...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd.Run()
}

// plan runs init and plan -out, and returns the plan as `show -json` gives it.
func (w *workdir) plan(vars ...string) (planJSON, string, error) {
	w.t.Helper()
	if out, err := w.run("init", "-input=false", "-no-color"); err != nil {
		w.t.Fatalf("init: %v\n%s", err, out)
	}
	args := []string{"plan", "-input=false", "-no-color", "-out=tfplan"}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
	out, err := w.run(args...)
	if err != nil {
		return planJSON{}, out, err
	}
	show, err := w.run("show", "-json", "-no-color", "tfplan")
	if err != nil {
		w.t.Fatalf("show -json: %v\n%s", err, show)
	}
	var p planJSON
	if err := json.Unmarshal([]byte(show), &p); err != nil {
		w.t.Fatalf("show -json: %v\n%s", err, show)
	}
	return p, out, nil
}

// planJSON is the part of `show -json` the checks read.
type planJSON struct {
	Timestamp     string `json:"timestamp"` // plantimestamp()
	OutputChanges map[string]struct {
		After        any `json:"after"`
		AfterUnknown any `json:"after_unknown"`
	} `json:"output_changes"`
}

// output returns the planned value of a root module output.
func (p planJSON) output(name string) (any, error) {
	oc, ok := p.OutputChanges[name]
	if !ok {
		return nil, fmt.Errorf("output %q is not in the plan", name)
	}
	if unknown, _ := oc.AfterUnknown.(bool); unknown {
		return nil, fmt.Errorf("output %q is unknown at plan time", name)
	}
	return oc.After, nil
}

// example describes how one example directory is exercised.
type example struct {
	extra  map[string]string // files added next to the example's (probes only)
	vars   []string          // -var arguments
	checks []outputCheck
	err    *regexp.Regexp // the plan must fail with this error
	// needs lists the CLI features the example uses that the oldest
	// supported CLIs lack; the test skips on those, naming the feature.
	needs []acctest.Feature
}

// outputCheck runs fn on the planned value of a root module output.
type outputCheck struct {
	name string
	fn   func(any) error
}

func output(name string, fn func(any) error) outputCheck {
	return outputCheck{name: name, fn: fn}
}

func outputEquals(name string, want any) outputCheck {
	return output(name, func(v any) error {
		got, _ := json.Marshal(v)
		exp, _ := json.Marshal(want)
		if string(got) != string(exp) {
			return fmt.Errorf("got %s, want %s", got, exp)
		}
		return nil
	})
}

func outputLen(name string, b bounds) outputCheck {
	return output(name, func(v any) error {
		l, ok := v.([]any)
		if !ok {
			return errors.New("not a list")
		}
		return b.check(len(l))
	})
}

func examples(t *testing.T) map[string]example {
	t.Helper()
	acts := srv.Activities()
	actions := srv.Actions()

	roleChanges := count(acts, now.Add(-24*time.Hour), now, "org_user_role_create", "org_user_role_delete")
	logins := count(acts, now.Add(-24*time.Hour), now, "user_login")
	memberships := count(acts, now.Add(-168*time.Hour), now, "workspace_membership_create", "workspace_membership_delete")
	loginsWeek := count(acts, now.Add(-168*time.Hour), now, "user_login")
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

	q3 := auditWindow(acts)

	return map[string]example{
		"provider": {
			// The provider example reads nothing by itself: a probe makes the
			// CLI configure it, so its settings are exercised.
			extra: map[string]string{"zz_probe.tf": `data "workiva_activity_actions" "probe" {}
output "probe_count" { value = length(data.workiva_activity_actions.probe.ids) }`},
			checks: []outputCheck{outputEquals("probe_count", float64(len(actions)))},
		},
		"data-sources/workiva_activity": {
			vars: []string{"activity_id=" + one.ID},
			checks: []outputCheck{output("activity", func(v any) error {
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
			checks: []outputCheck{outputLen("membership_changes", memberships)},
		},
		"data-sources/workiva_activity_action": {
			checks: []outputCheck{output("login_action", func(v any) error {
				want := map[string]any{"id": loginAction.ID, "name": loginAction.Name, "category": loginAction.Category}
				if m, ok := v.(map[string]any); !ok || !mapsEqual(m, want) {
					return fmt.Errorf("got %#v, want %#v", v, want)
				}
				return nil
			})},
		},
		"data-sources/workiva_activity_actions": {
			checks: []outputCheck{outputEquals("security_action_aliases", security)},
		},
		"demo": {
			needs: []acctest.Feature{acctest.PlanTimestamp},
			checks: []outputCheck{
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
			// Without max_role_changes the plan goes through (the checks
			// only warn) and lists the role changes; ci.sh judges it
			// (TestAccExamples_policyGuideCIJudgesFindings).
			checks: []outputCheck{outputLen("role_changes", roleChanges)},
		},
		"guides/exporting-activities-for-an-audit": {
			// The file's content is tested in internal/provider; here the
			// guide's outputs must describe the whole window.
			checks: []outputCheck{
				outputEquals("activity_count", float64(len(q3))),
				outputEquals("first_and_last_activity", []any{q3[0].ActivityDateTime, q3[len(q3)-1].ActivityDateTime}),
				output("sha256", func(v any) error {
					if s, ok := v.(string); !ok || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(s) {
						return fmt.Errorf("not a sha256: %#v", v)
					}
					return nil
				}),
			},
		},
		"data-sources/workiva_activities_export": {
			needs: []acctest.Feature{acctest.PlanTimestamp},
			checks: []outputCheck{output("logins_export", func(v any) error {
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("not an object: %#v", v)
				}
				n, err := strconv.Atoi(fmt.Sprint(m["logins"]))
				if err != nil {
					return fmt.Errorf("logins = %#v", m["logins"])
				}
				return loginsWeek.check(n)
			})},
		},
	}
}

// policyGuideNeeds are the features the policy guide's example uses.
var policyGuideNeeds = []acctest.Feature{acctest.CheckBlocks, acctest.PlanTimestamp}

// skipUnlessCLIHas skips the test, naming the feature, on a CLI older than
// a feature the configuration uses (as plugin-testing's version checks do
// for the provider's acceptance tests).
func skipUnlessCLIHas(t *testing.T, needs ...acctest.Feature) {
	t.Helper()
	requireCLI(t)
	for _, f := range needs {
		if why := f.SkipReason(cliVersion, cliIsOpenTofu); why != "" {
			t.Skip(why)
		}
	}
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
		files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no .tf files in %s (%v)", dir, err)
		}
		var src strings.Builder
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src.Write(b)
		}
		for f, re := range uses {
			used, declared := re.MatchString(src.String()), slices.Contains(ex.needs, f)
			if used != declared {
				t.Errorf("examples/%s: uses %s = %v but declares it in needs = %v", dir, f.Name, used, declared)
			}
		}
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

// TestExamplesRunVerbatim copies each example directory unchanged, then runs
// init and plan with the real CLI and checks the planned outputs.
func TestAccExamples_runVerbatim(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	for dir, ex := range examples(t) {
		t.Run(strings.ReplaceAll(dir, "/", "_"), func(t *testing.T) {
			t.Parallel()
			skipUnlessCLIHas(t, ex.needs...)
			w := copyExample(t, dir)
			for name, body := range ex.extra {
				if err := os.WriteFile(filepath.Join(w.dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, out, err := w.plan(ex.vars...)
			if ex.err != nil {
				if err == nil || !ex.err.MatchString(out) {
					t.Fatalf("plan: want an error matching %s, got %v\n%s", ex.err, err, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			for _, c := range ex.checks {
				v, err := p.output(c.name)
				if err == nil {
					err = c.fn(v)
				}
				if err != nil {
					t.Errorf("output %q: %v", c.name, err)
				}
			}
		})
	}
}

// The harness itself: a configuration without required_providers asks for
// hashicorp/workiva and must fail, or the test above would prove nothing.
func TestAccExamples_harnessRejectsMissingRequiredProviders(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	w := &workdir{t: t, dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(`data "workiva_activity_actions" "all" {}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := w.run("init", "-input=false", "-no-color")
	if err == nil || !strings.Contains(out, "hashicorp/workiva") {
		t.Fatalf("init without required_providers: %v\n%s", err, out)
	}
}

// The policy guide's escape hatch for pipelines without a policy engine: with
// max_role_changes set, the precondition fails the plan itself.
func TestAccExamples_policyGuideBlocksWhenLimitSet(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	skipUnlessCLIHas(t, policyGuideNeeds...)
	roleChanges := count(srv.Activities(), now.Add(-24*time.Hour), now, "org_user_role_create", "org_user_role_delete")
	w := copyExample(t, "guides/policy-checks-in-ci")
	_, out, err := w.plan("max_role_changes=0")
	flat := strings.Join(strings.Fields(out), " ")
	if err == nil || !regexp.MustCompile(`Organization role changes since \S+: \d+ \(at most 0 allowed\)`).MatchString(flat) {
		t.Fatalf("max_role_changes=0: want the precondition to fail the plan, got %v\n%s", err, out)
	}
	p, out, err := w.plan(fmt.Sprintf("max_role_changes=%d", roleChanges.max))
	if err != nil {
		t.Fatalf("max_role_changes=%d: %v\n%s", roleChanges.max, err, out)
	}
	v, err := p.output("role_changes")
	if err == nil {
		err = outputLen("role_changes", roleChanges).fn(v)
	}
	if err != nil {
		t.Error(err)
	}
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

// The audit guide's hand-over: the auditor's script, run as the guide shows
// it in the folder the export was written to, passes for the file the plan
// wrote and fails for a file changed by one byte.
func TestAccExamples_auditGuideManifestCheck(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	w := copyExample(t, "guides/exporting-activities-for-an-audit")
	p, out, err := w.plan()
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	v, err := p.output("manifest")
	if err != nil {
		t.Fatal(err)
	}
	manifest, _ := v.(string)
	if filepath.Base(manifest) != "activities-2026-07-01.jsonl.manifest.json" {
		t.Fatalf("manifest output %#v", v)
	}
	out, err = w.exec(nil, "sh", "verify.sh", filepath.Base(manifest))
	want := fmt.Sprintf("activities-2026-07-01.jsonl: OK\nresult_count = %d\ntruncated = false\nwindow_settled = true\n", len(auditWindow(srv.Activities())))
	if err != nil || out != want {
		t.Fatalf("verify.sh: %v\n%s\nwant\n%s", err, out, want)
	}
	f, err := os.OpenFile(filepath.Join(w.dir, "activities-2026-07-01.jsonl"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("\n")
	_ = f.Close()
	out, err = w.exec(nil, "sh", "verify.sh", filepath.Base(manifest))
	if err == nil || !strings.Contains(out, "activities-2026-07-01.jsonl: FAILED") {
		t.Fatalf("verify.sh of a changed file: %v\n%s", err, out)
	}
}

// auditWindow is what the audit guide exports by default: its variables'
// window, 2026-07-01 to 2026-10-01.
func auditWindow(acts []emulator.Activity) []emulator.Activity {
	since := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var in []emulator.Activity
	for _, a := range acts {
		if !a.At.Before(since) && a.At.Before(before) {
			in = append(in, a)
		}
	}
	return in
}

// stdout runs a command like exec but returns its standard output alone
// (standard error goes into the error), for output that is parsed.
func (w *workdir) stdout(extraEnv []string, name string, args ...string) (string, error) {
	w.t.Helper()
	var out, errOut bytes.Buffer
	if err := w.command(extraEnv, &out, &errOut, name, args...); err != nil {
		return out.String(), fmt.Errorf("%w: %s", err, errOut.String())
	}
	return out.String(), nil
}
