package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// A window is settled when it ended at least settleAfter before the read;
// an open or recent one gets a warning saying how to pick a settled end.
func TestSettledWindow(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 7, 0, 0, time.UTC)
	for _, c := range []struct {
		before time.Time
		want   bool
	}{
		{time.Time{}, false},
		{now, false},
		{now.Add(-settleAfter + time.Second), false},
		{now.Add(-settleAfter), true},
		{now.Add(-24 * time.Hour), true},
		{now.Add(time.Hour), false},
	} {
		if got := settled(c.before, now); got != c.want {
			t.Errorf("settled(before %v) = %v", c.before, got)
		}
	}
	d := unsettledDetail(time.Time{}, now)
	if !strings.Contains(d, "before is not set") || !strings.Contains(d, `before = "2026-12-06T09:00:00Z"`) {
		t.Errorf("detail for no before: %s", d)
	}
	d = unsettledDetail(now.Add(-time.Minute), now)
	if !strings.Contains(d, `before = "2026-12-06T10:06:00Z" is less than 15 minutes before the read`) {
		t.Errorf("detail for a recent before: %s", d)
	}
}

// The manifest beside an export describes it for someone without the
// state: its sha256 is the file's (and sha256sum -c agrees), the count and
// times are the state's, the query is the one sent, and it holds no
// activity and no personal data.
func TestAccActivitiesExport_manifest(t *testing.T) {
	srv := startEmulator(t, 120)
	acts := srv.Activities()
	var first, last time.Time
	for i, a := range acts {
		at, err := time.Parse(time.RFC3339Nano, a.ActivityDateTime)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	since := first.UTC().Truncate(time.Second).Format(time.RFC3339)
	before := last.Add(time.Second).UTC().Truncate(time.Second).Format(time.RFC3339)
	dir := t.TempDir()
	p := filepath.Join(dir, "audit.jsonl")
	cfg := providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities_export" "audit" {
  path   = %q
  since  = %q
  before = %q
  order  = "asc"
}
`, p, since, before)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources["data.workiva_activities_export.audit"].Primary.Attributes
				if attrs["manifest_path"] != p+".manifest.json" {
					return fmt.Errorf("manifest_path = %q", attrs["manifest_path"])
				}
				raw, err := os.ReadFile(attrs["manifest_path"])
				if err != nil {
					return err
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				var m exportManifest
				if err := json.Unmarshal(raw, &m); err != nil {
					return err
				}
				sum := sha256.Sum256(data)
				hexSum := hex.EncodeToString(sum[:])
				if m.SHA256 != hexSum || attrs["sha256"] != hexSum || m.SHA256Sum != hexSum+"  audit.jsonl" {
					return fmt.Errorf("sha256: manifest %s / %q, state %s, file %s", m.SHA256, m.SHA256Sum, attrs["sha256"], hexSum)
				}
				if fmt.Sprint(m.ResultCount) != attrs["result_count"] || m.ResultCount != len(acts) || fmt.Sprint(m.Bytes) != attrs["bytes"] {
					return fmt.Errorf("count %d bytes %d, state %s %s, emulator %d", m.ResultCount, m.Bytes, attrs["result_count"], attrs["bytes"], len(acts))
				}
				if m.FirstActivityDateTime == nil || *m.FirstActivityDateTime != attrs["first_activity_date_time"] ||
					m.LastActivityDateTime == nil || *m.LastActivityDateTime != attrs["last_activity_date_time"] {
					return fmt.Errorf("first/last %v %v", m.FirstActivityDateTime, m.LastActivityDateTime)
				}
				q := m.Query
				if q.OrganizationID != srv.OrganizationID() || q.Order != "asc" || q.Before != before ||
					!strings.Contains(q.ODataFilter, "activityDateTime lt "+before) {
					return fmt.Errorf("query %+v", q)
				}
				if !m.WindowSettled || m.Provider.Name != "terraform-provider-workiva" || m.Provider.Version != "test" ||
					m.API.URL != srv.URL() || m.API.Version == "" || m.Format != "jsonl" || m.Compression != "none" {
					return fmt.Errorf("manifest %s", raw)
				}
				for _, tm := range []string{m.ReadStartedAt, m.ReadFinishedAt} {
					if _, err := time.Parse(time.RFC3339Nano, tm); err != nil {
						return err
					}
				}
				for _, a := range acts {
					if strings.Contains(string(raw), a.ID) || (a.Performer.UniqueName != "" && strings.Contains(string(raw), a.Performer.UniqueName)) ||
						(a.Performer.IPAddress != "" && strings.Contains(string(raw), a.Performer.IPAddress)) {
						return fmt.Errorf("the manifest holds an activity or a person (%s)", a.ID)
					}
				}
				// The auditor's check needs only sha256sum.
				cmd := exec.Command("sha256sum", "-c", "-")
				cmd.Dir, cmd.Stdin = dir, strings.NewReader(m.SHA256Sum+"\n")
				if out, err := cmd.CombinedOutput(); err != nil || string(out) != "audit.jsonl: OK\n" {
					return fmt.Errorf("sha256sum -c: %w %s", err, out)
				}
				return nil
			},
		}},
	})
	noTempFiles(t, dir)
}
