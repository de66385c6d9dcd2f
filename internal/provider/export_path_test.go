//go:build unix

package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Every existing path that is not a regular file is refused before the
// read, with a message naming it and what it is, and is left as it was.
func TestCheckExportPathRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "old.jsonl")
	if err := os.WriteFile(regular, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.jsonl")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/dev/null":                       `"/dev/null" is a character device, not a regular file`,
		fifo:                              "is a named pipe (FIFO), not a regular file",
		link:                              "is a symbolic link (to \"" + regular + "\")",
		dangling:                          "is a symbolic link",
		sub:                               "is a directory, not a file",
		filepath.Join(dir, "no", "x.csv"): "does not exist (create it first",
		filepath.Join(regular, "x.csv"):   "is not a directory",
		filepath.Join(dir, strings.Repeat("n", 256)): "file name too long",
	} {
		err := checkExportPath(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkExportPath(%q) = %v, want it to say %q", path, err, want)
		}
		if _, cerr := createExportFile(path, formatJSONL, compressionNone); cerr == nil {
			t.Errorf("createExportFile(%q) accepted it", path)
		}
	}
	if st, err := os.Lstat("/dev/null"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("/dev/null is no longer a device: %v %v", st.Mode(), err)
	}
	if b, _ := os.ReadFile(regular); string(b) != "old\n" {
		t.Errorf("the link's target now holds %q", b)
	}
	if err := checkExportPath(regular); err != nil {
		t.Errorf("a regular file is refused: %v", err)
	}
}

type fakeInfo struct {
	os.FileInfo
	mode os.FileMode
	uid  uint32
}

func (f fakeInfo) Mode() os.FileMode { return f.mode }
func (f fakeInfo) Sys() any          { return &syscall.Stat_t{Uid: f.uid} }

// In a sticky directory (like /tmp) only the file's or the directory's
// owner may replace a file: the check says so before the read instead of
// the rename failing after it.
func TestStickyRefuses(t *testing.T) {
	const me, other = 1000, 1001
	sticky := os.ModeDir | os.ModeSticky | 0o777
	for _, c := range []struct {
		dir      os.FileMode
		dirUID   uint32
		fileUID  uint32
		refusing bool
	}{
		{sticky, other, other, true},
		{sticky, me, other, false},
		{sticky, other, me, false},
		{os.ModeDir | 0o777, other, other, false},
	} {
		if stickyRefuses(0, fakeInfo{mode: c.dir, uid: c.dirUID}, fakeInfo{mode: 0o644, uid: c.fileUID}) {
			t.Errorf("root refused in %v", c.dir)
		}
		got := stickyRefuses(me, fakeInfo{mode: c.dir, uid: c.dirUID}, fakeInfo{mode: 0o644, uid: c.fileUID})
		if got != c.refusing {
			t.Errorf("stickyRefuses(dir %v owned by %d, file owned by %d) = %v", c.dir, c.dirUID, c.fileUID, got)
		}
	}
}

// The temporary name is short whatever path is: a legal 255-byte name
// exports, with its manifest (whose own name is shortened).
func TestLongFileName(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, strings.Repeat("é", 100)+strings.Repeat("x", 49)+".jsonl") // 255 bytes
	if n := len(filepath.Base(p)); n != 255 {
		t.Fatalf("name is %d bytes", n)
	}
	f, err := createExportFile(p, formatJSONL, compressionNone)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.write(&workiva.Activity{ID: "a", Raw: []byte(`{"id":"a"}`)}); err != nil {
		t.Fatal(err)
	}
	side := &sidecar{path: manifestPath(p), content: func(*exportFile) ([]byte, error) { return []byte("{}"), nil }}
	if n := len(filepath.Base(side.path)); n > nameMax {
		t.Errorf("manifest name is %d bytes", n)
	}
	if !strings.HasSuffix(side.path, manifestSuffix) || !utf8Valid(filepath.Base(side.path)) {
		t.Errorf("manifest name %q", filepath.Base(side.path))
	}
	if err := f.commit(side); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{p, side.path} {
		if _, err := os.Stat(q); err != nil {
			t.Error(err)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// The sweep removes this provider's own temporaries that no run holds and
// that are older than staleAfter, and nothing else.
func TestSweepStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * staleAfter)
	mk := func(name string, age time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, age, age); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk(filepath.Base(tempName(dir)), old)
	fresh := mk(filepath.Base(tempName(dir)), time.Now())
	notOurs := mk(".workiva-notahexname1.tmp", old)
	user := mk("audit.jsonl", old)
	held := mk(filepath.Base(tempName(dir)), old)
	h, err := os.OpenFile(held, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := lockTemp(h); err != nil {
		t.Fatal(err)
	}

	sweepStaleTemps(dir)

	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary %s survived the sweep", stale)
	}
	for _, p := range []string{fresh, notOurs, user, held} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("sweep removed %s", p)
		}
	}
}

// A provider killed with SIGKILL mid-export (no deferred clean-up runs)
// leaves nothing a later export keeps: with unnamed temporaries nothing at
// all, otherwise a file the next export's sweep removes.
func TestKilledExportLeavesNoTemporary(t *testing.T) {
	if dir := os.Getenv("WORKIVA_TEST_KILLED_EXPORT"); dir != "" {
		f, err := createExportFile(filepath.Join(dir, "audit.jsonl"), formatJSONL, compressionNone)
		if err != nil {
			os.Exit(3)
		}
		_ = f.write(&workiva.Activity{ID: "a", Raw: []byte(`{"id":"a","personal":"data"}`)})
		_ = f.buf.Flush()
		_, _ = os.Stdout.WriteString("writing\n")
		time.Sleep(time.Minute) // killed here
		os.Exit(4)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledExportLeavesNoTemporary$")
	cmd.Env = append(os.Environ(), "WORKIVA_TEST_KILLED_EXPORT="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, err := out.Read(buf); err != nil || string(buf[:n]) != "writing\n" {
		_ = cmd.Process.Kill()
		t.Fatalf("child did not start writing: %q %v", buf[:n], err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	left, _ := os.ReadDir(dir)
	for _, e := range left {
		if !isTempName(e.Name()) {
			t.Errorf("killed export left %s", e.Name())
			continue
		}
		// No unnamed temporaries on this file system: the next export
		// sweeps it once stale.
		p := filepath.Join(dir, e.Name())
		old := time.Now().Add(-2 * staleAfter)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	f, err := createExportFile(filepath.Join(dir, "audit.jsonl"), formatJSONL, compressionNone)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.commit(nil); err != nil {
		t.Fatal(err)
	}
	left, _ = os.ReadDir(dir)
	if len(left) != 1 || left[0].Name() != "audit.jsonl" {
		t.Errorf("after a later export the directory holds %v", names(left))
	}
}

func names(es []os.DirEntry) []string {
	var s []string
	for _, e := range es {
		s = append(s, e.Name())
	}
	return s
}

// The manifest and the file are both replaced or neither: when the
// manifest cannot be put in place, the previous file is put back.
func TestCommitBothOrNeither(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(side *sidecar) error {
		f, err := createExportFile(p, formatJSONL, compressionNone)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.write(&workiva.Activity{ID: "a", Raw: []byte(`{"id":"a"}`)}); err != nil {
			t.Fatal(err)
		}
		return f.commit(side)
	}

	// A non-empty directory where the manifest goes: its rename fails.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := write(&sidecar{path: blocked, content: func(*exportFile) ([]byte, error) { return []byte("{}"), nil }})
	if err == nil || !strings.Contains(err.Error(), "the export was not replaced either") {
		t.Fatalf("commit = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old\n" {
		t.Errorf("file after the failed manifest: %q", b)
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("directory after the failed manifest: %v", names(es))
	}

	// And when it can, the manifest's digest is the new file's.
	side := &sidecar{path: manifestPath(p), content: func(f *exportFile) ([]byte, error) {
		return json.Marshal(map[string]string{"sha256": f.digest()})
	}}
	if err := write(side); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	var m map[string]string
	if b, err := os.ReadFile(side.path); err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %s %v", b, err)
	}
	sum := sha256.Sum256(data)
	if m["sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("manifest sha256 %s, file's %x", m["sha256"], sum)
	}
}
