package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// The evidence manifest: a small JSON file beside the export saying what
// the file claims to cover, for an auditor who gets the file and not
// Terraform's state. It holds the query as configured and as sent, never
// an activity, so no names, e-mail or IP addresses.

const (
	manifestSuffix  = ".manifest.json"
	manifestVersion = 1
	// nameMax is the longest file name (bytes) the common file systems
	// take.
	nameMax = 255
)

// manifestPath is path + ".manifest.json"; when that name would be too
// long for the file system, the export's name is shortened and a hash of
// it added, so any legal path still gets a manifest (its name is in state,
// and the manifest names its file).
func manifestPath(path string) string {
	base := filepath.Base(path)
	if len(base)+len(manifestSuffix) <= nameMax {
		return path + manifestSuffix
	}
	sum := sha256.Sum256([]byte(base))
	n := nameMax - len(manifestSuffix) - 9
	for n > 0 && !utf8.RuneStart(base[n]) { // never cut a character in two
		n--
	}
	short := base[:n]
	return filepath.Join(filepath.Dir(path), short+"~"+hex.EncodeToString(sum[:4])+manifestSuffix)
}

type exportManifest struct {
	ManifestVersion int    `json:"manifest_version"`
	File            string `json:"file"`
	// SHA256Sum is the line `sha256sum -c` checks: run in the file's
	// directory, it needs no other tool.
	SHA256Sum             string        `json:"sha256sum"`
	SHA256                string        `json:"sha256"`
	Bytes                 int64         `json:"bytes"`
	Format                string        `json:"format"`
	Compression           string        `json:"compression"`
	ResultCount           int           `json:"result_count"`
	Truncated             bool          `json:"truncated"`
	FirstActivityDateTime *string       `json:"first_activity_date_time"`
	LastActivityDateTime  *string       `json:"last_activity_date_time"`
	Query                 manifestQuery `json:"query"`
	// WindowSettled is true when before was set and at least settleAfter
	// before the read began: a later export of the window should then hold
	// the same activities.
	WindowSettled  bool         `json:"window_settled"`
	ReadStartedAt  string       `json:"read_started_at"`
	ReadFinishedAt string       `json:"read_finished_at"`
	Provider       manifestTool `json:"provider"`
	API            manifestAPI  `json:"api"`
}

type manifestQuery struct {
	OrganizationID string   `json:"organization_id"`
	WorkspaceID    string   `json:"workspace_id,omitempty"`
	Since          string   `json:"since,omitempty"`
	Before         string   `json:"before,omitempty"`
	Order          string   `json:"order"`
	ActionAliases  []string `json:"action_aliases,omitempty"`
	ActionIDs      []string `json:"action_ids,omitempty"`
	PerformerIDs   []string `json:"performer_ids,omitempty"`
	TargetIDs      []string `json:"target_ids,omitempty"`
	Filter         string   `json:"filter,omitempty"`
	// ODataFilter is the $filter the requests carried, built from the
	// above: what Workiva was asked, word for word.
	ODataFilter string `json:"odata_filter"`
	MaxResults  int    `json:"max_results,omitempty"`
}

type manifestTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type manifestAPI struct {
	URL     string `json:"url"`
	Version string `json:"version"`
}

func manifestTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// newManifest fills what is known before the read; complete adds the rest.
func newManifest(q workiva.ActivityQuery, c *workiva.Client, providerVersion, format, compression string, started time.Time) *exportManifest {
	return &exportManifest{
		ManifestVersion: manifestVersion,
		Format:          format,
		Compression:     compression,
		Query: manifestQuery{
			OrganizationID: q.OrganizationID, WorkspaceID: q.WorkspaceID,
			Since: manifestTime(q.Since), Before: manifestTime(q.Before), Order: q.Order,
			ActionAliases: q.ActionAliases, ActionIDs: q.ActionIDs, PerformerIDs: q.PerformerIDs, TargetIDs: q.TargetIDs,
			Filter: q.Filter, ODataFilter: workiva.BuildFilter(q), MaxResults: q.MaxResults,
		},
		WindowSettled: settled(q.Before, started),
		ReadStartedAt: manifestTime(started),
		Provider:      manifestTool{Name: "terraform-provider-workiva", Version: providerVersion},
		API:           manifestAPI{URL: c.APIURL(), Version: c.APIVersion()},
	}
}

// content is the manifest of the finished file f, as a sidecar's content.
func (m *exportManifest) content(path string, truncated bool, first, last string) func(*exportFile) ([]byte, error) {
	return func(f *exportFile) ([]byte, error) {
		m.File = filepath.Base(path)
		m.SHA256 = f.digest()
		m.SHA256Sum = m.SHA256 + "  " + m.File
		m.Bytes = f.size
		m.ResultCount = f.n
		m.Truncated = truncated
		if f.n > 0 {
			m.FirstActivityDateTime, m.LastActivityDateTime = &first, &last
		}
		m.ReadFinishedAt = manifestTime(time.Now())
		// Not HTML-escaped: the sha256sum line must stay as sha256sum
		// prints it for a name with & < or >.
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err := enc.Encode(m)
		return b.Bytes(), err
	}
}

// settleAfter is how long after the fact this provider treats Workiva's
// record of a moment as final. Activities are recorded asynchronously,
// usually within seconds; a quarter of an hour leaves a wide margin for
// bursts and delayed writers while still allowing a same-day export.
const settleAfter = 15 * time.Minute

// settled reports whether a window ending at before (zero: no end) was
// over at least settleAfter when the read started.
func settled(before, started time.Time) bool {
	return !before.IsZero() && !before.After(started.Add(-settleAfter))
}

// unsettledDetail explains the warning for a window that may still grow.
func unsettledDetail(before, started time.Time) string {
	suggest := started.Add(-settleAfter).UTC().Truncate(time.Hour).Format(time.RFC3339)
	what := "before is not set, so the window reaches the moment of the read"
	if !before.IsZero() {
		what = fmt.Sprintf("before = %q is less than %d minutes before the read", manifestTime(before), int(settleAfter.Minutes()))
	}
	return fmt.Sprintf("%s: Workiva may still be recording activities of the last minutes, so an export of the same "+
		"window later could hold more, with another sha256. For evidence, end the window at least %d minutes before "+
		"the read, e.g. before = %q (a whole hour), or export the same window again once that much time has passed. "+
		"The manifest records this as \"window_settled\": false.", what, int(settleAfter.Minutes()), suggest)
}
