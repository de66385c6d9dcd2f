package provider

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// exportCase is one workiva_activities_export block and what its file must
// hold.
type exportCase struct {
	name, format, compression, order string
	maxResults                       int
}

func (c exportCase) file(dir string) string {
	ext := c.format
	if c.compression == compressionGzip {
		ext += ".gz"
	}
	return filepath.Join(dir, c.name+"."+ext)
}

func (c exportCase) hcl(dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "data \"workiva_activities_export\" %q {\n  path = %q\n  page_size = 37\n", c.name, c.file(dir))
	for k, v := range map[string]string{"format": c.format, "compression": c.compression, "order": c.order} {
		if v != "" {
			fmt.Fprintf(&b, "  %s = %q\n", k, v)
		}
	}
	if c.maxResults > 0 {
		fmt.Fprintf(&b, "  max_results = %d\n", c.maxResults)
	}
	b.WriteString("}\n")
	return b.String()
}

// readExport returns the file's bytes and its content (gunzipped when
// compressed).
func readExport(t *testing.T, c exportCase, dir string) (file, content []byte) {
	t.Helper()
	file, err := os.ReadFile(c.file(dir))
	if err != nil {
		t.Fatal(err)
	}
	if c.compression != compressionGzip {
		return file, file
	}
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" {
		t.Errorf("%s: gzip header has time %v, name %q: the bytes would differ per run", c.name, zr.ModTime, zr.Name)
	}
	content, err = io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return file, content
}

// parseExport parses content back in its format and returns the activity
// IDs in file order; for JSON it checks each activity's bytes against what
// the emulator sent, for CSV each row's cells against the emulator's data.
func parseExport(t *testing.T, c exportCase, srv *emulator.Server, content []byte) []string {
	t.Helper()
	var ids []string
	sameAsSent := func(raw []byte) {
		var v struct{ ID string }
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: activity %d: %v", c.name, len(ids)+1, err)
		}
		sent, ok := srv.ActivityJSON(v.ID)
		if !ok || !bytes.Equal(raw, sent) {
			t.Fatalf("%s: activity %s differs from what the API sent:\n got %s\nwant %s", c.name, v.ID, raw, sent)
		}
		ids = append(ids, v.ID)
	}
	switch c.format {
	case formatJSON:
		var all []json.RawMessage
		if err := json.Unmarshal(content, &all); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, raw := range all {
			sameAsSent(raw)
		}
	case formatCSV:
		byID := map[string]emulator.Activity{}
		for _, a := range srv.Activities() {
			byID[a.ID] = a
		}
		r := csv.NewReader(bytes.NewReader(content))
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Contains(content, []byte("\r\n")) {
			t.Errorf("%s: rows do not end in CRLF (RFC 4180)", c.name)
		}
		header := make([]string, len(csvColumns))
		for i, col := range csvColumns {
			header[i] = col.name
		}
		if !slices.Equal(rows[0], header) {
			t.Fatalf("%s: header %v, want %v", c.name, rows[0], header)
		}
		cell := func(row []string, name string) string {
			v := row[slices.Index(header, name)]
			if v != "" && v[0] == '\'' { // neutralised formula: drop the apostrophe
				return v[1:]
			}
			return v
		}
		for _, row := range rows[1:] {
			id := cell(row, "id")
			a, ok := byID[id]
			if !ok {
				t.Fatalf("%s: unknown id %q", c.name, id)
			}
			var targets []emulator.Target
			if err := json.Unmarshal([]byte(cell(row, "targets")), &targets); err != nil {
				t.Fatalf("%s: targets of %s: %v", c.name, id, err)
			}
			wsID := ""
			if a.Workspace != nil {
				wsID = a.Workspace.ID
			}
			got := []string{cell(row, "activity_date_time"), cell(row, "action_alias"), cell(row, "performer_unique_name"),
				cell(row, "performer_ip_address"), cell(row, "workspace_id"), cell(row, "summary")}
			want := []string{a.ActivityDateTime, a.Action.Alias, a.Performer.UniqueName, a.Performer.IPAddress, wsID, a.Summary}
			if !slices.Equal(got, want) || !slices.Equal(targets, a.Targets) && len(targets)+len(a.Targets) > 0 {
				t.Fatalf("%s: row of %s:\n got %q %v\nwant %q %v", c.name, id, got, targets, want, a.Targets)
			}
			ids = append(ids, id)
		}
	default:
		sc := bufio.NewScanner(bytes.NewReader(content))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			sameAsSent(sc.Bytes())
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		if len(content) > 0 && content[len(content)-1] != '\n' {
			t.Errorf("%s: last line not terminated", c.name)
		}
	}
	return ids
}

// checkExports checks each case's file against the API's data and the
// state's metadata; digests collects each file's sha256 by name.
func checkExports(t *testing.T, srv *emulator.Server, dir string, cases []exportCase, digests map[string]string) resource.TestCheckFunc {
	t.Helper()
	return func(s *terraform.State) error {
		for _, c := range cases {
			order := c.order
			if order == "" {
				order = "desc"
			}
			want := selectActivities(srv, order, c.maxResults, nil)
			file, content := readExport(t, c, dir)
			ids := parseExport(t, c, srv, content)
			if !slices.Equal(ids, activityIDs(want)) {
				t.Errorf("%s: %d ids in file, want %d in the API's order", c.name, len(ids), len(want))
			}
			st, err := os.Stat(c.file(dir))
			if err != nil {
				return err
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600", c.name, st.Mode().Perm())
			}
			sum := sha256.Sum256(file)
			digests[c.name] = hex.EncodeToString(sum[:])
			rs := s.RootModule().Resources["data.workiva_activities_export."+c.name]
			if rs == nil {
				return fmt.Errorf("%s not in state", c.name)
			}
			attrs := rs.Primary.Attributes
			wantAttrs := map[string]string{
				"sha256":                   digests[c.name],
				"bytes":                    strconv.Itoa(len(file)),
				"result_count":             strconv.Itoa(len(want)),
				"first_activity_date_time": want[0].ActivityDateTime,
				"last_activity_date_time":  want[len(want)-1].ActivityDateTime,
				"truncated":                strconv.FormatBool(c.maxResults > 0),
				"format":                   c.format,
			}
			if c.format == "" {
				wantAttrs["format"] = formatJSONL
			}
			for k, v := range wantAttrs {
				if attrs[k] != v {
					t.Errorf("%s: %s = %q in state, want %q", c.name, k, attrs[k], v)
				}
			}
		}
		noTempFiles(t, dir)
		return nil
	}
}

// noTempFiles fails when dir holds anything but the exports (a temporary
// file left behind).
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left in %s: %s", dir, e.Name())
		}
	}
}

// Every format and compression, parsed back with its own reader, equals
// what the API holds; sha256 and bytes are the file's; a second read of the
// same data gives the same bytes.
func TestAccActivitiesExport_formats(t *testing.T) {
	srv := startEmulator(t, testActivities)
	dir := t.TempDir()
	cases := []exportCase{
		{name: "default"},
		{name: "json", format: formatJSON, order: "asc"},
		{name: "csv", format: formatCSV},
		{name: "jsonl_gz", format: formatJSONL, compression: compressionGzip},
		{name: "csv_gz", format: formatCSV, compression: compressionGzip, order: "asc"},
		{name: "first10", format: formatJSONL, maxResults: 10},
	}
	cfg := providerBlock(srv)
	for _, c := range cases {
		cfg += c.hcl(dir)
	}
	first, second := map[string]string{}, map[string]string{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: checkExports(t, srv, dir, cases, first)},
			{
				// Read again (refresh): the files are rewritten from the
				// same data.
				Config: cfg, Check: checkExports(t, srv, dir, cases, second),
			},
		},
	})
	for _, c := range cases {
		if first[c.name] == "" || first[c.name] != second[c.name] {
			t.Errorf("%s: sha256 %q then %q: the same data must give the same bytes", c.name, first[c.name], second[c.name])
		}
	}
	// The compressed JSON Lines file holds exactly the plain one's bytes.
	_, plain := readExport(t, cases[0], dir)
	_, unzipped := readExport(t, cases[3], dir)
	if !bytes.Equal(plain, unzipped) {
		t.Error("jsonl_gz does not decompress to the jsonl export")
	}
}

// A failure mid-walk leaves no new file, no temporary file, and a file
// already at path untouched.
func TestAccActivitiesExport_faultLeavesNothing(t *testing.T) {
	srv := startEmulator(t, 200)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.jsonl")
	const before = "the previous export\n"
	if err := os.WriteFile(existing, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.csv.gz")
	cfg := providerBlock(srv, "max_retries = 0") + fmt.Sprintf(`
data "workiva_activities_export" "existing" {
  path      = %q
  page_size = 50
}
data "workiva_activities_export" "fresh" {
  path        = %q
  page_size   = 50
  format      = "csv"
  compression = "gzip"
}
`, existing, fresh)
	pageErr := errRE(`workiva_activities_export: listing activities failed.*decoding page 2 of list organization activities.*No file was written`)
	unchanged := func() {
		if b, err := os.ReadFile(existing); err != nil || string(b) != before {
			t.Errorf("the existing file changed after a failed read: %q, %v", b, err)
		}
		if _, err := os.Stat(fresh); !os.IsNotExist(err) {
			t.Errorf("a failed read created %s (%v)", fresh, err)
		}
		noTempFiles(t, dir)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { srv.SetFaults(emulator.Faults{MalformedPage: 2}) },
				Config:      cfg,
				ExpectError: pageErr,
			},
			{
				PreConfig:   func() { unchanged(); srv.SetFaults(emulator.Faults{TruncatedPage: 2}) },
				Config:      cfg,
				ExpectError: pageErr,
			},
			{
				PreConfig: func() { unchanged(); srv.SetFaults(emulator.Faults{}) },
				Config:    cfg,
				Check: func(*terraform.State) error {
					// Healthy again: both files written, the old one replaced.
					b, err := os.ReadFile(existing)
					if err != nil || string(b) == before || len(bytes.Split(bytes.TrimSpace(b), []byte("\n"))) != 200 {
						t.Errorf("existing.jsonl not replaced by the 200 activities: %d bytes, %v", len(b), err)
					}
					if _, err := os.Stat(fresh); err != nil {
						t.Error(err)
					}
					noTempFiles(t, dir)
					return nil
				},
			},
		},
	})
}

// A path that cannot be written is an error naming path, before any page
// is read.
func TestAccActivitiesExport_badPath(t *testing.T) {
	srv := startEmulator(t, 50)
	dir := t.TempDir()
	aFile := filepath.Join(dir, "a-file")
	if err := os.WriteFile(aFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	step := func(p, msg string) resource.TestStep {
		return resource.TestStep{
			Config:      providerBlock(srv) + fmt.Sprintf("data \"workiva_activities_export\" \"x\" {\n  path = %q\n}\n", p),
			ExpectError: errRE(`workiva_activities_export: cannot write the export.*path = ` + regexp.QuoteMeta(strconv.Quote(p)) + `.*` + msg),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			step(filepath.Join(dir, "missing", "out.jsonl"), `directory ".*missing" does not exist`),
			step(filepath.Join(aFile, "out.jsonl"), `is not a directory`),
			step(dir, `is a directory, not a file`),
			{
				Config:      providerBlock(srv) + "data \"workiva_activities_export\" \"x\" {\n  path = \"x\"\n  format = \"xml\"\n}\n",
				ExpectError: errRE(`Attribute format value must be one of`),
			},
			{
				Config:      providerBlock(srv) + "data \"workiva_activities_export\" \"x\" {\n  path = \"  \"\n}\n",
				ExpectError: errRE(`path`),
			},
			{
				// The query's own rules apply (shared with workiva_activities).
				Config: providerBlock(srv) + "data \"workiva_activities_export\" \"x\" {\n  path = \"x\"\n" +
					"  since = \"2026-02-01T00:00:00Z\"\n  before = \"2026-01-01T00:00:00Z\"\n}\n",
				ExpectError: errRE(`Invalid time window`),
			},
		},
	})
	if n := len(srv.ListRequests()); n != 0 {
		t.Errorf("%d list requests for exports that could not be written, want none", n)
	}
	noTempFiles(t, dir)
}

// Two exports of one configuration to one path both fail (the later at
// once, the earlier at its commit), each error describing the other, and
// neither replaces the file: no sha256 in state could describe a file the
// other one wrote.
func TestAccActivitiesExport_samePath(t *testing.T) {
	srv := startEmulator(t, 50)
	// Pages slow enough that both reads are running when the second
	// claims the path (Terraform reads data sources in parallel).
	srv.SetFaults(emulator.Faults{Latency: 200 * time.Millisecond})
	dir := t.TempDir()
	p := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities_export" "a" {
  path      = %q
  page_size = 10
}

data "workiva_activities_export" "b" {
  path      = %q
  page_size = 10
  order     = "desc"
}
`, p, filepath.Join(dir, ".", "audit.jsonl"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ExpectError: errRE(`(another workiva_activities_export of this configuration \(path = .*writes .* too.*` +
				`was given the same path while this one was being written: nothing was replaced` +
				`|was given the same path while this one was being written: nothing was replaced.*` +
				`another workiva_activities_export of this configuration \(path = .*writes .* too)`),
		}},
	})
	if b, _ := os.ReadFile(p); string(b) != "old\n" {
		t.Errorf("the file was replaced: %.60q", b)
	}
	noTempFiles(t, dir)
}
