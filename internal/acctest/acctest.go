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
	if req.TerraformVersion != nil && req.TerraformVersion.LessThan(c.f.Since) {
		resp.Skip = fmt.Sprintf("%s %s (since %s), CLI is %s", SkipMarker, c.f.Name, c.f.Since, req.TerraformVersion)
	}
}
