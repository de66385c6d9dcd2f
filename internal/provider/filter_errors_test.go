package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// A raw filter the API rejects, AND-ed with provider-built clauses: the
// error quotes the user's filter and the whole $filter, says which part is
// theirs and points into their text, not into the combined expression. The
// DEBUG log shows every $filter sent. Run through the real CLI, as a user
// would meet it.
func TestAccActivities_filterRejectedPointsIntoUserFilter(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	r := newCLIRun(t)
	srv := startEmulator(t, testActivities)
	const raw = `action.alias eq 'user_login' an` // a truncated "and ..."
	r.writeConfig(providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities" "x" {
  action_aliases = ["user_login", "user_logout"]
  since          = "2026-01-01T00:00:00Z"
  filter         = %q
}
`, raw))
	logPath := filepath.Join(r.logDir, "debug.log")
	out, err := r.run([]string{"TF_LOG=DEBUG", "TF_LOG_PATH=" + logPath}, "plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("plan succeeded:\n%s", out)
	}
	sent := workiva.BuildFilter(workiva.ActivityQuery{
		ActionAliases: []string{"user_login", "user_logout"}, Since: mustTime(t, "2026-01-01T00:00:00Z"), Filter: raw,
	})
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		fmt.Sprintf(`Your filter (attribute filter, %d characters): %q`, len(raw), raw),
		fmt.Sprintf(`$filter sent: %q`, sent),
		fmt.Sprintf("in the parentheses starting at position %d", strings.LastIndex(sent, "(")),
		"The API points at position 29 of your filter (0-based): " + raw + " ^",
		`HTTP 400 Bad Request, Workiva code "BadArgument"`,
		"on main.tf line", // attached to the attribute
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "workiva: listing activities") || !strings.Contains(string(log), fmt.Sprintf("filter=%q", sent)) &&
		!strings.Contains(string(log), fmt.Sprintf(`"filter":%q`, sent)) {
		t.Errorf("the DEBUG log does not show the $filter sent (%q)", sent)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
