package provider

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

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
	// exact columns hold IDs and times Workiva generates: written as sent,
	// never neutralised, so a cell equals the API's value.
	exact bool
	value func(a *workiva.Activity) string
}{
	{"id", "Activity ID.", true, func(a *workiva.Activity) string { return a.ID }},
	{"activity_date_time", "When it happened, RFC 3339, as the API sent it.", true, func(a *workiva.Activity) string { return a.ActivityDateTime }},
	{"action_id", "Action ID.", true, func(a *workiva.Activity) string { return a.Action.ID }},
	{"action_alias", "Action alias, e.g. `user_login`.", false, func(a *workiva.Activity) string { return a.Action.Alias }},
	{"action_name", "Action name.", false, func(a *workiva.Activity) string { return a.Action.Name }},
	{"action_category", "Action category.", false, func(a *workiva.Activity) string { return a.Action.Category }},
	{"outcome", "Outcome, e.g. `success`.", false, func(a *workiva.Activity) string { return a.Outcome }},
	{"summary", "Summary text.", false, func(a *workiva.Activity) string { return a.Summary }},
	{"performer_id", "Performer ID.", true, func(a *workiva.Activity) string { return a.Performer.ID }},
	{"performer_type", "Performer type.", false, func(a *workiva.Activity) string { return a.Performer.Type }},
	{"performer_display_name", "Performer display name.", false, func(a *workiva.Activity) string { return a.Performer.DisplayName }},
	{"performer_unique_name", "Performer unique name (e.g. an e-mail address).", false, func(a *workiva.Activity) string { return a.Performer.UniqueName }},
	{"performer_ip_address", "Performer IP address.", false, func(a *workiva.Activity) string { return a.Performer.IPAddress }},
	{"organization_id", "Organization ID.", true, func(a *workiva.Activity) string { return a.Organization.ID }},
	{"organization_name", "Organization name.", false, func(a *workiva.Activity) string { return a.Organization.Name }},
	{"workspace_id", "Workspace ID (empty when the activity has no workspace).", true, func(a *workiva.Activity) string {
		if a.Workspace == nil {
			return ""
		}
		return a.Workspace.ID
	}},
	{"workspace_name", "Workspace name.", false, func(a *workiva.Activity) string {
		if a.Workspace == nil {
			return ""
		}
		return a.Workspace.Name
	}},
	{"targets", "Every target, as a JSON array of objects with `id`, `type`, `displayName` and `uniqueName`, in API order.", false, targetsCell},
	{"tags", "Tags, as a JSON array of strings.", false, func(a *workiva.Activity) string { return jsonCell(a.Tags, "[]") }},
	{"attachments", "Attachments, the JSON array as the API sent it (`[]` when none).", false, func(a *workiva.Activity) string {
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

// exportFile writes one export: to a temporary file beside the target
// (unnamed where the OS allows, so a crash leaves nothing), given its name
// over the target by commit only once everything is written. abort (or a
// commit that fails) drops the temporary file; the target is then as it
// was. Not safe for concurrent use.
type exportFile struct {
	path, format string

	tmp     *os.File
	unnamed bool // tmp has no name until commit links it
	buf     *bufio.Writer
	gz      *gzip.Writer
	out     io.Writer // where the format writes: gz or the counted, hashed file
	csv     *csvRowWriter
	row     []string
	sum     hash.Hash
	size    int64
	n       int
	line    []byte
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

// checkExportPath reports, before anything is read, what would stop an
// export to p or make it harm something other than a file: a missing or
// non-directory parent; p being a directory, a symbolic link, a device, a
// FIFO or a socket (replacing /dev/null, or a link's target, is never what
// the user meant: curl -o would write into it; an export only ever replaces
// a regular file, as a whole); a name the file system refuses; and a file a
// sticky directory would not let this user replace.
func checkExportPath(p string) error {
	dir := filepath.Dir(p)
	dst, err := os.Stat(dir) //nolint:gosec // G703: path is the user's own setting, checked here
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("directory %q does not exist (create it first; the export does not create directories)", dir)
		}
		return fmt.Errorf("directory %q: %w", dir, unwrapPathError(err))
	}
	if !dst.IsDir() {
		return fmt.Errorf("%q is not a directory", dir)
	}
	st, err := os.Lstat(p) //nolint:gosec // G703: as above
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return unwrapPathError(err)
	}
	switch m := st.Mode(); {
	case m.IsDir():
		return fmt.Errorf("%q is a directory, not a file", p)
	case m&os.ModeSymlink != 0:
		target, _ := os.Readlink(p)
		return fmt.Errorf("%q is a symbolic link (to %q): the export replaces a regular file as a whole and never "+
			"follows or replaces a link; set path to the file itself", p, target)
	case !m.IsRegular():
		return fmt.Errorf("%q is a %s, not a regular file: the export only replaces regular files; choose another path", p, fileKind(m))
	}
	if stickyRefuses(os.Geteuid(), dst, st) {
		return fmt.Errorf("%q belongs to another user and %q is a sticky directory (like /tmp): the system would refuse "+
			"to replace it; choose another path or remove the file first", p, dir)
	}
	return nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeCharDevice != 0:
		return "character device"
	case m&os.ModeDevice != 0:
		return "block device"
	case m&os.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// Temporary files are named .workiva-<16 hex>.tmp: short, so that any
// legal name at path works, and recognisable, so that the sweep only ever
// removes this provider's own.
const (
	tempPrefix = ".workiva-"
	tempSuffix = ".tmp"
	// A temporary file unlocked for this long belongs to a run that
	// crashed (a live run holds the lock from the first second).
	staleAfter = time.Minute
)

func tempName(dir string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return filepath.Join(dir, tempPrefix+hex.EncodeToString(b[:])+tempSuffix)
}

func isTempName(name string) bool {
	h, ok := strings.CutPrefix(name, tempPrefix)
	if !ok {
		return false
	}
	if h, ok = strings.CutSuffix(h, tempSuffix); !ok || len(h) != 16 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// sweepStaleTemps removes this provider's temporary files in dir that no
// live run holds: what a killed run (SIGKILL, a crash, a lost machine) left
// where the OS has no unnamed files, or between the link and the rename of
// a commit. It never touches other files.
func sweepStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !isTempName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < staleAfter || tempInUse(name) {
			continue
		}
		_ = os.Remove(name) //nolint:gosec // G703: only our own temporaries (isTempName) in path's directory
	}
}

// openTemp opens a temporary file in dir, mode 0600, locked by this process.
func openTemp(dir string) (f *os.File, unnamed bool, err error) {
	f, unnamed, err = openUnnamedTemp(dir)
	for i := 0; f == nil && err == nil && i < 10; i++ {
		f, err = os.OpenFile(tempName(dir), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			f, err = nil, nil
		}
	}
	if err == nil && f == nil {
		err = errors.New("no free temporary name")
	}
	if err != nil {
		return nil, false, err
	}
	if err := lockTemp(f); err != nil {
		dropTemp(f, unnamed)
		return nil, false, err
	}
	// The mode is 0600 whatever the umask: the file holds personal data.
	if err := f.Chmod(0o600); err != nil {
		dropTemp(f, unnamed)
		return nil, false, err
	}
	return f, unnamed, nil
}

// spoolFile is a temporary file holding part of a parallel read until its
// turn: removed when closed, and where the OS allows, nameless from the start
// (nothing is left if the provider is killed).
type spoolFile struct {
	*os.File
	unnamed bool
}

func (f spoolFile) Close() error {
	dropTemp(f.File, f.unnamed)
	return nil
}

func openSpool(dir string) (workiva.SpoolFile, error) {
	f, unnamed, err := openTempIn(dir)
	if err != nil {
		return nil, err
	}
	return spoolFile{File: f, unnamed: unnamed}, nil
}

// openTempIn is openTemp with the error a user reads: which directory.
func openTempIn(dir string) (*os.File, bool, error) {
	f, unnamed, err := openTemp(dir)
	if err != nil {
		return nil, false, fmt.Errorf("cannot write in directory %q: %w", dir, unwrapPathError(err))
	}
	return f, unnamed, nil
}

func dropTemp(f *os.File, unnamed bool) {
	_ = f.Close()
	if !unnamed {
		_ = os.Remove(f.Name()) //nolint:gosec // G703: our own temporary file
	}
}

// createExportFile checks path and opens the temporary file beside it.
func createExportFile(path, format, compression string) (*exportFile, error) {
	if err := checkExportPath(path); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	sweepStaleTemps(dir)
	// In the same directory: the rename stays within one file system
	// (atomic).
	tmp, unnamed, err := openTempIn(dir)
	if err != nil {
		return nil, err
	}
	f := &exportFile{path: path, format: format, tmp: tmp, unnamed: unnamed, sum: sha256.New()}
	f.buf = bufio.NewWriterSize(tmp, 256<<10)
	f.out = countingWriter{f}
	if compression == compressionGzip {
		// The zero header has no name and no modification time: the same
		// activities give the same bytes. klauspost/compress writes the
		// same format as compress/gzip at about twice its speed, files
		// about 12% larger: BenchmarkExportGzip writes this file at 272
		// MB/s of JSON Lines against compress/gzip's 127 MB/s alone. The
		// end of a parallel export waits for it.
		f.gz = gzip.NewWriter(f.out)
		f.out = f.gz
	}
	switch format {
	case formatCSV:
		f.csv = &csvRowWriter{w: f.out}
		f.row = make([]string, len(csvColumns))
		for i, c := range csvColumns {
			f.row[i] = c.name
		}
		if err := f.csv.write(f.row); err != nil {
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
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// write appends one activity.
func (f *exportFile) write(a *workiva.Activity) error {
	f.n++
	switch f.format {
	case formatCSV:
		for i, c := range csvColumns {
			if v := c.value(a); c.exact {
				f.row[i] = v
			} else {
				f.row[i] = neutralizeCell(v)
			}
		}
		return f.csv.write(f.row)
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

// sidecar is a small file written with the export (the evidence
// manifest): its content is made once the export's digest is known.
type sidecar struct {
	path    string
	content func(f *exportFile) ([]byte, error)
}

// finish ends the format and puts the bytes on disk.
func (f *exportFile) finish() error {
	var err error
	switch f.format {
	case formatCSV:
		// Each row was written whole.
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
	return err
}

// named gives tmp a name beside dst (linking an unnamed file), for the
// rename.
func named(tmp *os.File, unnamed bool, dir string) (string, error) {
	if !unnamed {
		return tmp.Name(), nil
	}
	for i := 0; ; i++ {
		name := tempName(dir)
		err := linkUnnamed(tmp, name)
		if err == nil || !errors.Is(err, os.ErrExist) || i == 9 {
			return name, err
		}
	}
}

// commit finishes the file and puts it at path, with side (when not nil)
// at its own path: both or neither. The manifest is renamed after the
// file; should that fail, the previous file is put back (from a hard link
// taken first). Only a crash between the two renames, microseconds apart,
// can leave a new file beside an old manifest, and then their sha256
// differ: the auditor's check fails rather than passes.
func (f *exportFile) commit(side *sidecar) (err error) {
	dir := filepath.Dir(f.path)
	var names []string // named temporaries to remove on every outcome
	var opened []*os.File
	defer func() {
		for _, n := range names {
			_ = os.Remove(n) // a no-op for those renamed into place
		}
		for _, o := range opened {
			_ = o.Close()
		}
		_ = f.tmp.Close()
		err = unwrapPathError(err)
	}()
	if err := f.finish(); err != nil {
		if !f.unnamed {
			names = append(names, f.tmp.Name())
		}
		return err
	}
	dataName, err := named(f.tmp, f.unnamed, dir)
	if dataName != "" {
		names = append(names, dataName)
	}
	if err != nil {
		return err
	}
	if side == nil {
		if err := os.Rename(dataName, f.path); err != nil {
			return err
		}
		syncDir(dir)
		return nil
	}

	content, err := side.content(f)
	if err != nil {
		return err
	}
	st, unnamed, err := openTemp(filepath.Dir(side.path))
	if err != nil {
		return err
	}
	opened = append(opened, st)
	if !unnamed {
		names = append(names, st.Name())
	}
	if _, err := st.Write(content); err != nil {
		return err
	}
	if err := st.Sync(); err != nil {
		return err
	}
	sideName, err := named(st, unnamed, filepath.Dir(side.path))
	if sideName != "" {
		names = append(names, sideName)
	}
	if err != nil {
		return err
	}
	// Keep the previous file reachable until the manifest is in place.
	backup := ""
	if _, err := os.Lstat(f.path); err == nil {
		backup = tempName(dir)
		if os.Link(f.path, backup) != nil {
			backup = "" // no hard links here: no roll-back, still both renames
		} else {
			names = append(names, backup)
		}
	}
	if err := os.Rename(dataName, f.path); err != nil {
		return err
	}
	if err := os.Rename(sideName, side.path); err != nil {
		if backup != "" {
			_ = os.Rename(backup, f.path)
		} else {
			_ = os.Remove(f.path)
		}
		return fmt.Errorf("writing the manifest %q: %w (the export was not replaced either)", side.path, unwrapPathError(err))
	}
	syncDir(dir)
	return nil
}

// syncDir makes the renames durable (best effort: not every OS can sync a
// directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// abort drops the temporary file.
func (f *exportFile) abort() { dropTemp(f.tmp, f.unnamed) }

// digest is the file's sha256, hex.
func (f *exportFile) digest() string { return hex.EncodeToString(f.sum.Sum(nil)) }
