package provider

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Cells a spreadsheet would run as a formula get a leading apostrophe, by
// OWASP's rule and also behind the blanks and control characters
// spreadsheets skip and in fullwidth forms; a leading apostrophe is doubled
// so that dropping one always recovers the value.
func TestNeutralizeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tx":                      "'\tx",
		"\rx":                      "'\rx",
		"\r=1+1":                   "'\r=1+1",
		"\x00=1+1":                 "'\x00=1+1",
		"\n=1+1":                   "'\n=1+1",
		" =1+1":                    "' =1+1",
		"\u00a0=1+1":               "'\u00a0=1+1",
		"\ufeff+1":                 "'\ufeff+1",
		"＝1+1":                     "'＝1+1",
		"＠x":                       "'＠x",
		"'quoted":                  "''quoted",
		"":                         "",
		" ":                        " ",
		"plain, with comma":        "plain, with comma",
		"a=b":                      "a=b",
		" plain":                   " plain",
	} {
		got := neutralizeCell(in)
		if got != want {
			t.Errorf("neutralizeCell(%q) = %q, want %q", in, got, want)
		}
		if back := recoverCell(got); back != in && got != in {
			t.Errorf("recoverCell(neutralizeCell(%q)) = %q", in, back)
		}
	}
}

// The CSV keeps every character Workiva sent: a lone CR, CRLF, quotes and
// commas round-trip through a standard reader; neutralised columns recover
// by dropping one apostrophe, and ID and time columns are exact.
func TestCSVKeepsEveryCharacter(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.csv")
	f, err := createExportFile(p, formatCSV, compressionNone)
	if err != nil {
		t.Fatal(err)
	}
	a := &workiva.Activity{
		ID: "+abc/=", ActivityDateTime: "-2026-01-01T00:00:00Z",
		Summary: "\r=1+1", Outcome: "=1+1",
		Action:       workiva.ActivityAction{ID: "=act", Alias: "'a", Name: "cr\rinside", Category: "crlf\r\nend"},
		Performer:    workiva.Performer{ID: "@p", DisplayName: "Doe, \"J\"\nline", UniqueName: " \u00a0=x"},
		Organization: workiva.Organization{ID: "-org", Name: "\x00=1"},
	}
	if err := f.write(a); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	r := csv.NewReader(bytes.NewReader(b))
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows, %v:\n%q", len(rows), err, b)
	}
	for i, c := range csvColumns {
		cell, sent := rows[1][i], c.value(a)
		if c.exact {
			if cell != sent {
				t.Errorf("exact column %s = %q, want %q as sent", c.name, cell, sent)
			}
			continue
		}
		// encoding/csv's reader turns a CRLF inside a quoted field into LF:
		// compare what our file holds at the byte level for those.
		if strings.Contains(sent, "\r\n") {
			if !bytes.Contains(b, []byte(sent)) {
				t.Errorf("column %s: the file lacks %q", c.name, sent)
			}
			continue
		}
		if got := recoverCell(cell); got != sent && cell != sent {
			t.Errorf("column %s = %q, recovers to %q, want %q", c.name, cell, got, sent)
		}
	}
	if !bytes.Contains(b, []byte("\"cr\rinside\"")) {
		t.Errorf("the lone CR was not kept:\n%q", b)
	}
	if !bytes.Contains(b, []byte("\"'\r=1+1\"")) {
		t.Errorf("the CR-led formula is not neutralised with its CR kept:\n%q", b)
	}
}

// abort (the path of every error and cancellation) removes the temporary
// file and leaves the file at path as it was.
func TestExportFileAbortKeepsExisting(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.jsonl")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := createExportFile(p, formatJSONL, compressionGzip)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.write(&workiva.Activity{ID: "a", Raw: []byte(`{"id":"a"}`)}); err != nil {
		t.Fatal(err)
	}
	f.abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "out.jsonl" {
		t.Errorf("directory after abort: %v", entries)
	}
	if b, _ := os.ReadFile(p); string(b) != "old\n" {
		t.Errorf("existing file now %q", b)
	}
}

// JSON Lines holds one activity per line even if the API pretty-printed
// an item; JSON stays one valid array, empty included.
func TestExportFileOneLinePerActivity(t *testing.T) {
	dir := t.TempDir()
	for format, want := range map[string]string{
		formatJSONL: "{\"id\":\"a\",\"x\":[1,2]}\n{\"id\":\"b\"}\n",
		formatJSON:  "[\n{\"id\":\"a\",\"x\":[1,2]}\n]\n",
	} {
		p := filepath.Join(dir, "out."+format)
		f, err := createExportFile(p, format, compressionNone)
		if err != nil {
			t.Fatal(err)
		}
		raws := []string{"{\n  \"id\": \"a\",\r\n  \"x\": [1, 2]\n}", `{"id":"b"}`}
		if format == formatJSON {
			raws = raws[:1]
		}
		for _, r := range raws {
			if err := f.write(&workiva.Activity{Raw: []byte(r)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.commit(nil); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != want {
			t.Errorf("%s: %q, want %q", format, b, want)
		}
	}
	p := filepath.Join(dir, "empty.json")
	f, err := createExportFile(p, formatJSON, compressionNone)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.commit(nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "[]\n" {
		t.Errorf("empty json export: %q", b)
	}
}

// The export's query arguments are workiva_activities' own: the same
// attributes (types, defaults, validators) and the same config validators.
func TestExportSharesTheActivityQuery(t *testing.T) {
	ctx := context.Background()
	var list, export datasource.SchemaResponse
	(&activitiesDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &list)
	(&activitiesExportDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &export)
	for name := range activityQueryAttributes(nil) {
		a, b := list.Schema.Attributes[name], export.Schema.Attributes[name]
		if a == nil || b == nil || fmt.Sprintf("%#v", a) != fmt.Sprintf("%#v", b) {
			t.Errorf("query attribute %s differs between the data sources:\n%#v\n%#v", name, a, b)
		}
	}
	lv := (&activitiesDataSource{}).ConfigValidators(ctx)
	ev := (&activitiesExportDataSource{}).ConfigValidators(ctx)
	if fmt.Sprintf("%#v", lv) != fmt.Sprintf("%#v", ev) || len(ev) == 0 {
		t.Errorf("config validators differ: %#v vs %#v", lv, ev)
	}
}
