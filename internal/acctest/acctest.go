// Package acctest holds what the acceptance tests of several packages share
// and the matrix report (scripts/matrixtable) reads: the CLI feature checks
// that skip a test on a CLI too old for the feature it needs.
package acctest

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// SkipMarker begins every feature-check skip message; the matrix report
// fails on any skip without it.
const SkipMarker = "needs CLI feature:"

// Features the tests and examples use that not every supported CLI has, with
// the Terraform version that introduced each (OpenTofu forked at 1.6, so it
// has all of them). The README's compatibility table lists the same.
var (
	CheckBlocks   = Feature{Name: "check blocks", Doc: "`check` blocks", Since: tfversion.Version1_5_0}
	PlanTimestamp = Feature{Name: "plantimestamp()", Doc: "`plantimestamp()`", Since: tfversion.Version1_5_0}
)

// Feature is a CLI language feature and the first version that has it.
type Feature struct {
	Name  string // in skip messages
	Doc   string // in the docs' compatibility table
	Since *version.Version
}

// NeedsFeature skips the test, naming the feature, when the CLI is older
// than f.Since; use it in TestCase.TerraformVersionChecks.
func NeedsFeature(f Feature) tfversion.TerraformVersionCheck {
	return featureCheck{f}
}

type featureCheck struct{ f Feature }

func (c featureCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	resp.Skip = c.f.SkipReason(req.TerraformVersion)
}

// SkipReason is why a test needing f skips on a CLI of version v; "" when v
// has f (or is unknown). Tests that drive the CLI without plugin-testing
// (the examples) skip with the same message.
func (f Feature) SkipReason(v *version.Version) string {
	if v == nil || !v.LessThan(f.Since) {
		return ""
	}
	return fmt.Sprintf("%s %s (since %s), CLI is %s", SkipMarker, f.Name, f.Since, v)
}
