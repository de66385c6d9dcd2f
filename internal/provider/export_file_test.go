package provider

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Cells a spreadsheet would run as a formula get a leading apostrophe; the
// CSV still parses back to the neutralised text, quoted where RFC 4180
// needs it.
func TestNeutralizeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tx":                      "'\tx",
		"\rx":                      "'\rx",
		"":                         "",
		"plain, with comma":        "plain, with comma",
		"a=b":                      "a=b",
		"'quoted":                  "'quoted",
	} {
		if got := neutralizeCell(in); got != want {
			t.Errorf("neutralizeCell(%q) = %q, want %q", in, got, want)
		}
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "x.csv")
	f, err := createExportFile(p, formatCSV, compressionNone)
	if err != nil {
		t.Fatal(err)
	}
	a := &workiva.Activity{ID: "+abc/=", Summary: "=cmd|' /C calc'!A0", Performer: workiva.Performer{DisplayName: "Doe, \"J\"\nline"}}
	if err := f.write(a); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows, %v:\n%s", len(rows), err, b)
	}
	row := map[string]string{}
	for i, c := range csvColumns {
		row[c.name] = rows[1][i]
	}
	if row["id"] != "'+abc/=" || row["summary"] != "'=cmd|' /C calc'!A0" || row["performer_display_name"] != "Doe, \"J\"\nline" ||
		row["targets"] != "[]" || row["tags"] != "[]" || row["attachments"] != "[]" {
		t.Errorf("row parsed back as %q", row)
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
		if err := f.commit(); err != nil {
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
	if err := f.commit(); err != nil {
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
