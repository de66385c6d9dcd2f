package provider

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Export formats and compressions of workiva_activities_export.
const (
	formatJSONL     = "jsonl"
	formatJSON      = "json"
	formatCSV       = "csv"
	compressionNone = "none"
	compressionGzip = "gzip"
)

var (
	exportFormats      = []string{formatJSONL, formatJSON, formatCSV}
	exportCompressions = []string{compressionNone, compressionGzip}
)

// csvColumns are the CSV export's columns, in order. Lists and objects
// without a fixed shape are compact JSON in one cell, so nothing is lost
// and a row stays one activity. One definition: the header, the docs and
// the rows come from it.
var csvColumns = []struct {
	name, desc string
	value      func(a *workiva.Activity) string
}{
	{"id", "Activity ID.", func(a *workiva.Activity) string { return a.ID }},
	{"activity_date_time", "When it happened, RFC 3339, as the API sent it.", func(a *workiva.Activity) string { return a.ActivityDateTime }},
	{"action_id", "Action ID.", func(a *workiva.Activity) string { return a.Action.ID }},
	{"action_alias", "Action alias, e.g. `user_login`.", func(a *workiva.Activity) string { return a.Action.Alias }},
	{"action_name", "Action name.", func(a *workiva.Activity) string { return a.Action.Name }},
	{"action_category", "Action category.", func(a *workiva.Activity) string { return a.Action.Category }},
	{"outcome", "Outcome, e.g. `success`.", func(a *workiva.Activity) string { return a.Outcome }},
	{"summary", "Summary text.", func(a *workiva.Activity) string { return a.Summary }},
	{"performer_id", "Performer ID.", func(a *workiva.Activity) string { return a.Performer.ID }},
	{"performer_type", "Performer type.", func(a *workiva.Activity) string { return a.Performer.Type }},
	{"performer_display_name", "Performer display name.", func(a *workiva.Activity) string { return a.Performer.DisplayName }},
	{"performer_unique_name", "Performer unique name (e.g. an e-mail address).", func(a *workiva.Activity) string { return a.Performer.UniqueName }},
	{"performer_ip_address", "Performer IP address.", func(a *workiva.Activity) string { return a.Performer.IPAddress }},
	{"organization_id", "Organization ID.", func(a *workiva.Activity) string { return a.Organization.ID }},
	{"organization_name", "Organization name.", func(a *workiva.Activity) string { return a.Organization.Name }},
	{"workspace_id", "Workspace ID (empty when the activity has no workspace).", func(a *workiva.Activity) string {
		if a.Workspace == nil {
			return ""
		}
		return a.Workspace.ID
	}},
	{"workspace_name", "Workspace name.", func(a *workiva.Activity) string {
		if a.Workspace == nil {
			return ""
		}
		return a.Workspace.Name
	}},
	{"targets", "Every target, as a JSON array of objects with `id`, `type`, `displayName` and `uniqueName`, in API order.", targetsCell},
	{"tags", "Tags, as a JSON array of strings.", func(a *workiva.Activity) string { return jsonCell(a.Tags, "[]") }},
	{"attachments", "Attachments, the JSON array as the API sent it (`[]` when none).", func(a *workiva.Activity) string {
		if len(a.Attachments) == 0 {
			return "[]"
		}
		var b bytes.Buffer
		if json.Compact(&b, a.Attachments) != nil {
			return string(a.Attachments)
		}
		return b.String()
	}},
}

// csvTarget fixes the targets cell's shape: every key always present.
type csvTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"displayName"`
	UniqueName  string `json:"uniqueName"`
}

func targetsCell(a *workiva.Activity) string {
	ts := make([]csvTarget, len(a.Targets))
	for i, t := range a.Targets {
		ts[i] = csvTarget(t)
	}
	return jsonCell(ts, "[]")
}

func jsonCell(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

// neutralizeCell keeps a spreadsheet from running a cell as a formula: a
// cell starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before looking) gets a leading apostrophe, as OWASP
// advises. Readers recover the value by dropping that one character.
func neutralizeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportFile writes one export: to a temporary file beside the target,
// renamed over it by commit only once everything is written. abort (or a
// commit that fails) removes the temporary file; the target is then as it
// was. Not safe for concurrent use.
type exportFile struct {
	path, format string

	tmp  *os.File
	buf  *bufio.Writer
	gz   *gzip.Writer
	out  io.Writer // where the format writes: gz or the counted, hashed file
	csv  *csv.Writer
	row  []string
	sum  hash.Hash
	size int64
	n    int
	line []byte
}

// countingWriter passes writes to w, hashing and counting them: the
// sha256 and the size are those of the bytes on disk.
type countingWriter struct{ f *exportFile }

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.f.buf.Write(p)
	c.f.sum.Write(p[:n])
	c.f.size += int64(n)
	return n, err
}

// checkExportPath reports what would stop an export to p before anything
// is read: a missing or non-directory parent, or p being a directory.
func checkExportPath(p string) error {
	dir := filepath.Dir(p)
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("directory %q does not exist (create it first; the export does not create directories)", dir)
		}
		return fmt.Errorf("directory %q: %w", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%q is not a directory", dir)
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return fmt.Errorf("%q is a directory, not a file", p)
	}
	return nil
}

// createExportFile opens the temporary file beside path (mode 0600).
func createExportFile(path, format, compression string) (*exportFile, error) {
	if err := checkExportPath(path); err != nil {
		return nil, err
	}
	// A hidden name in the same directory: the rename stays within one
	// file system (atomic), and a listing does not show a half-written
	// export as the real one.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write in directory %q: %w", filepath.Dir(path), unwrapPathError(err))
	}
	f := &exportFile{path: path, format: format, tmp: tmp, sum: sha256.New()}
	f.buf = bufio.NewWriterSize(tmp, 256<<10)
	f.out = countingWriter{f}
	if compression == compressionGzip {
		// The zero header has no name and no modification time: the same
		// activities give the same bytes.
		f.gz = gzip.NewWriter(f.out)
		f.out = f.gz
	}
	if err := f.tmp.Chmod(0o600); err != nil {
		f.abort()
		return nil, fmt.Errorf("cannot set the mode of %q: %w", tmp.Name(), unwrapPathError(err))
	}
	switch format {
	case formatCSV:
		f.csv = csv.NewWriter(f.out)
		f.csv.UseCRLF = true // RFC 4180
		f.row = make([]string, len(csvColumns))
		for i, c := range csvColumns {
			f.row[i] = c.name
		}
		if err := f.csv.Write(f.row); err != nil {
			f.abort()
			return nil, err
		}
	case formatJSON:
		if _, err := io.WriteString(f.out, "["); err != nil {
			f.abort()
			return nil, err
		}
	}
	return f, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// write appends one activity.
func (f *exportFile) write(a *workiva.Activity) error {
	f.n++
	switch f.format {
	case formatCSV:
		for i, c := range csvColumns {
			f.row[i] = neutralizeCell(c.value(a))
		}
		return f.csv.Write(f.row)
	case formatJSON:
		sep := ",\n"
		if f.n == 1 {
			sep = "\n"
		}
		f.line = append(append(f.line[:0], sep...), oneLine(a.Raw)...)
	default:
		f.line = append(append(f.line[:0], oneLine(a.Raw)...), '\n')
	}
	_, err := f.out.Write(f.line)
	return err
}

// oneLine is raw without line breaks: a JSON Lines record is one line. The
// API sends compact items, so this is the identity in practice; a
// pretty-printed item loses only whitespace between tokens (JSON strings
// cannot hold raw line breaks).
func oneLine(raw []byte) []byte {
	if !bytes.ContainsAny(raw, "\r\n") {
		return raw
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		// Not reached (raw was read as one JSON value); still one line.
		return bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, raw)
	}
	return b.Bytes()
}

// commit finishes the file and renames it over path.
func (f *exportFile) commit() error {
	var err error
	switch f.format {
	case formatCSV:
		f.csv.Flush()
		err = f.csv.Error()
	case formatJSON:
		end := "\n]\n"
		if f.n == 0 {
			end = "]\n"
		}
		_, err = io.WriteString(f.out, end)
	}
	if err == nil && f.gz != nil {
		err = f.gz.Close()
	}
	if err == nil {
		err = f.buf.Flush()
	}
	if err == nil {
		err = f.tmp.Sync() // on disk before the rename makes it the export
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		_ = os.Remove(f.tmp.Name())
		return unwrapPathError(err)
	}
	return nil
}

// abort drops the temporary file.
func (f *exportFile) abort() {
	_ = f.tmp.Close()
	_ = os.Remove(f.tmp.Name())
}

// digest is the file's sha256, hex.
func (f *exportFile) digest() string { return hex.EncodeToString(f.sum.Sum(nil)) }
