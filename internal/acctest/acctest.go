// Package acctest holds what the acceptance tests of several packages share
// and the matrix report (scripts/matrixtable) reads: the CLI feature checks
// that skip a test on a CLI too old for the feature it needs.
package acctest

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// SkipMarker begins every feature-check skip message; the matrix report
// fails on any skip without it.
const SkipMarker = "needs CLI feature:"

// Features the tests and examples use that not every supported CLI has, with
// the Terraform version that introduced each and, for those OpenTofu added
// after it forked at 1.6, the OpenTofu version. The README's compatibility
// table lists the same.
var (
	CheckBlocks   = Feature{Name: "check blocks", Doc: "`check` blocks", Since: tfversion.Version1_5_0}
	PlanTimestamp = Feature{Name: "plantimestamp()", Doc: "`plantimestamp()`", Since: tfversion.Version1_5_0}
	TestMocks     = Feature{
		Name: "mock_provider in tests", Doc: "`mock_provider` and `override_data` in `.tftest.hcl`",
		Since: tfversion.Version1_7_0, OpenTofuSince: tfversion.Version1_8_0,
	}
)

// Features is every Feature, for the compatibility tables' test.
var Features = []Feature{CheckBlocks, PlanTimestamp, TestMocks}

// Feature is a CLI language feature and the first version that has it.
type Feature struct {
	Name  string           // in skip messages
	Doc   string           // in the docs' compatibility table
	Since *version.Version // Terraform
	// OpenTofuSince is the first OpenTofu version with the feature; nil:
	// every OpenTofu version (it forked from Terraform 1.6, so it has what
	// Terraform had by then).
	OpenTofuSince *version.Version
}

// NeedsFeature skips the test, naming the feature, when the CLI is older
// than the feature; use it in TestCase.TerraformVersionChecks. The CLI is
// taken for OpenTofu when TF_ACC_PROVIDER_HOST is registry.opentofu.org, as
// plugin-testing needs it there (scripts/testacc.sh sets it).
func NeedsFeature(f Feature) tfversion.TerraformVersionCheck {
	return featureCheck{f}
}

type featureCheck struct{ f Feature }

func (c featureCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	resp.Skip = c.f.SkipReason(req.TerraformVersion, os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org")
}

// SkipReason is why a test needing f skips on a CLI of version v (OpenTofu
// when openTofu is true); "" when v has f (or is unknown). Tests that drive
// the CLI without plugin-testing (the examples) skip with the same message.
func (f Feature) SkipReason(v *version.Version, openTofu bool) string {
	cli, since := "Terraform", f.Since
	if openTofu {
		if f.OpenTofuSince == nil {
			return ""
		}
		cli, since = "OpenTofu", f.OpenTofuSince
	}
	if v == nil || !v.LessThan(since) {
		return ""
	}
	return fmt.Sprintf("%s %s (since %s %s), CLI is %s %s", SkipMarker, f.Name, cli, since, cli, v)
}
