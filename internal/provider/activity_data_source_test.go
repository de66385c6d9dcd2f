package provider

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// mappingSamples picks, from the emulator's data set, one activity for each
// shape the flatten must handle.
func mappingSamples(t *testing.T, srv *emulator.Server) map[string]emulator.Activity {
	t.Helper()
	preds := map[string]func(a *emulator.Activity) bool{
		"no_workspace":    func(a *emulator.Activity) bool { return a.Workspace == nil },
		"workspace_null":  func(a *emulator.Activity) bool { return a.Workspace == nil && a.WorkspaceNull },
		"with_workspace":  func(a *emulator.Activity) bool { return a.Workspace != nil },
		"description_key": func(a *emulator.Activity) bool { return a.UsesDescription },
		"omitted_optional": func(a *emulator.Activity) bool {
			p := a.Performer
			if p.IPAddress == "" || p.UniqueName == "" || p.DisplayName == "" || a.Outcome == "" || a.Summary == "" {
				return true
			}
			for _, tg := range a.Targets {
				if tg.UniqueName == "" || tg.DisplayName == "" {
					return true
				}
			}
			return false
		},
		"no_attachments":    func(a *emulator.Activity) bool { return len(a.Attachments) == 0 },
		"with_attachments":  func(a *emulator.Activity) bool { return len(a.Attachments) > 0 },
		"id_with_slash_etc": func(a *emulator.Activity) bool { return strings.ContainsAny(a.ID, "/+=") },
		"non_ascii": func(a *emulator.Activity) bool {
			s := a.Summary + a.Performer.DisplayName + a.Organization.Name
			for _, tg := range a.Targets {
				s += tg.DisplayName
			}
			if a.Workspace != nil {
				s += a.Workspace.Name
			}
			return !isASCII(s)
		},
	}
	out := map[string]emulator.Activity{}
	for name, p := range preds {
		found := false
		for _, a := range srv.Activities() {
			if p(&a) {
				out[name], found = a, true
				break
			}
		}
		if !found {
			t.Errorf("the emulator's data set has no activity of shape %s", name)
		}
	}
	return out
}

func TestAccActivity_fieldMapping(t *testing.T) {
	srv := startEmulator(t, testActivities)
	samples := mappingSamples(t, srv)

	var cfg strings.Builder
	cfg.WriteString(providerBlock(srv))
	var checks []statecheck.StateCheck
	for name, a := range samples {
		fmt.Fprintf(&cfg, "data \"workiva_activity\" %q {\n  id = %q\n}\n", name, a.ID)
		for attr, c := range activityChecks(t, a) {
			checks = append(checks, statecheck.ExpectKnownValue("data.workiva_activity."+name, tfjsonpath.New(attr), c))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:            cfg.String(),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccActivity_notFound(t *testing.T) {
	srv := startEmulator(t, 50)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + `
data "workiva_activity" "x" {
  id = "bm8tc3VjaC1hY3Rpdml0eQ=="
}
`,
			ExpectError: errRE(`workiva_activity: activity not found.*bm8tc3VjaC1hY3Rpdml0eQ==.*HTTP 404`),
		}},
	})
}

func TestAccActivity_validation(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:      `data "workiva_activity" "x" { id = "  " }`,
				ExpectError: errRE(`Attribute id must not be empty or only whitespace`),
				PlanOnly:    true,
			},
			{
				Config:      `data "workiva_activity" "x" {}`,
				ExpectError: errRE(`The argument "id" is required`),
				PlanOnly:    true,
			},
		},
	})
}

// A single check of the whole object, to catch attributes the per-attribute
// checks might miss.
func TestAccActivity_wholeObject(t *testing.T) {
	srv := startEmulator(t, 20)
	a := srv.Activities()[7]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(srv) + fmt.Sprintf(`
data "workiva_activity" "x" {
  id = %q
}
output "obj" {
  value = data.workiva_activity.x
}
`, a.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("obj", knownvalue.ObjectExact(activityChecks(t, a))),
			},
		}},
	})
}
