package examples_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// findOPA returns the Open Policy Agent binary: OPA if set, else the pinned
// build in .tools/bin, else opa on PATH. Missing, the test fails (never
// skips): the guide's policy would otherwise go untested in CI.
func findOPA(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("OPA"); p != "" {
		return p
	}
	if p, err := filepath.Abs(filepath.Join("..", ".tools", "bin", "opa")); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("opa"); err == nil {
		return p
	}
	t.Fatal("Open Policy Agent not found: run `make tool-opa` (builds the version pinned in tools/opa/go.mod into .tools/bin/opa), " +
		"or set OPA to an opa binary")
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

	// A plan without findings passes the judge: same command, empty plan.
	if err := os.WriteFile(filepath.Join(w.dir, "empty.json"), []byte(`{"prior_state":{"values":{"root_module":{"resources":[]}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = w.exec(nil, opa, "eval", "--fail-defined", "--format", "raw", "--data", "policy/", "--input", "empty.json",
		"data.workiva.access_changes.deny[_]")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("no findings: want exit 0 and no output, got %v %q", err, out)
	}
}
