package acctest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func TestNeedsFeature(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cli  string
		skip bool
	}{
		{"1.4.7", true},
		{"1.5.0", false},
		{"1.5.7", false},
		{"1.13.3", false},
	} {
		resp := &tfversion.CheckTerraformVersionResponse{}
		req := tfversion.CheckTerraformVersionRequest{TerraformVersion: version.Must(version.NewVersion(tc.cli))}
		NeedsFeature(CheckBlocks).CheckTerraformVersion(context.Background(), req, resp)
		// Every OpenTofu release of the matrix has check blocks: the
		// version only matters under Terraform.
		want := tc.skip && os.Getenv("TF_ACC_PROVIDER_HOST") != "registry.opentofu.org"
		if got := resp.Skip != ""; got != want {
			t.Errorf("CLI %s: skip = %q, want a skip: %v", tc.cli, resp.Skip, want)
		}
		if want && (!strings.HasPrefix(resp.Skip, SkipMarker) || !strings.Contains(resp.Skip, "check blocks")) {
			t.Errorf("CLI %s: skip message %q must start with %q and name the feature", tc.cli, resp.Skip, SkipMarker)
		}
		if resp.Error != nil {
			t.Errorf("CLI %s: error %v", tc.cli, resp.Error)
		}
	}
}

// TestSkipReasonPerCLI: a feature OpenTofu gained later than Terraform
// skips by the version of the CLI actually run.
func TestSkipReasonPerCLI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f        Feature
		cli      string
		openTofu bool
		skip     bool
	}{
		{TestMocks, "1.6.6", false, true},
		{TestMocks, "1.7.0", false, false},
		{TestMocks, "1.7.5", true, true},
		{TestMocks, "1.8.0", true, false},
		{CheckBlocks, "1.6.3", true, false},
		{CheckBlocks, "1.4.7", false, true},
	} {
		why := tc.f.SkipReason(version.Must(version.NewVersion(tc.cli)), tc.openTofu)
		if (why != "") != tc.skip {
			t.Errorf("%s on %s (OpenTofu %v): skip reason %q, want a skip: %v", tc.f.Name, tc.cli, tc.openTofu, why, tc.skip)
		}
		if tc.skip && (!strings.HasPrefix(why, SkipMarker) || !strings.Contains(why, tc.f.Name) || !strings.Contains(why, tc.cli)) {
			t.Errorf("skip reason %q must start with %q and name the feature and the CLI version", why, SkipMarker)
		}
	}
}

// TestCompatibilityTables keeps the compatibility tables of the README and
// the provider docs in step with the versions the matrix tests (pinned in
// tools/*/go.mod) and with the feature versions the tests skip on.
func TestCompatibilityTables(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	pin := func(tool, module string) string {
		t.Helper()
		src, err := os.ReadFile(filepath.Join(root, "tools", tool, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + ` v(\S+)`).FindSubmatch(src)
		if m == nil {
			t.Fatalf("tools/%s/go.mod does not require %s", tool, module)
		}
		return string(m[1])
	}
	want := []string{
		"| Terraform | " + pin("terraform-oldest", "github.com/hashicorp/terraform") + " | " + pin("terraform-newest", "github.com/hashicorp/terraform") + " |",
		"| OpenTofu | " + pin("tofu-oldest", "github.com/opentofu/opentofu") + " | " + pin("tofu-newest", "github.com/opentofu/opentofu") + " |",
	}
	var rows []*regexp.Regexp
	minor := func(v *version.Version) string {
		seg := v.Segments()
		return regexp.QuoteMeta(fmt.Sprintf("%d.%d", seg[0], seg[1]))
	}
	for _, f := range Features {
		// | `check` blocks | used in | 1.5 | 1.6 (every version) |
		tofu := `1\.6 \(every version\)`
		if f.OpenTofuSince != nil {
			tofu = minor(f.OpenTofuSince)
		}
		rows = append(rows, regexp.MustCompile(`(?m)^\| `+regexp.QuoteMeta(f.Doc)+` \| [^|]+ \| `+minor(f.Since)+` \| `+tofu+` \|`))
	}
	for _, doc := range []string{"README.md", "templates/index.md.tmpl", "docs/index.md"} {
		src, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(src), w) {
				t.Errorf("%s: the compatibility section lacks %q", doc, w)
			}
		}
		for _, re := range rows {
			if !re.Match(src) {
				t.Errorf("%s: the compatibility section lacks a row matching %s", doc, re)
			}
		}
	}
}
