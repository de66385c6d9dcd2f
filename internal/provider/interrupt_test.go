package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// SIGINT to the CLI during a long walk: the CLI exits promptly, the provider
// stops asking for pages, and no provider process is left behind. An export
// interrupted half-way leaves the file already at its path as it was, and
// no temporary file.
func TestAccInterrupt_longWalk(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		group bool // signal the process group, as a terminal's Ctrl-C does
	}{
		{"plan, SIGINT to the CLI", []string{"plan", "-input=false", "-no-color"}, false},
		{"plan, Ctrl-C", []string{"plan", "-input=false", "-no-color"}, true},
		// The CLI does not stop providers while it plans an apply: only the
		// provider's own SIGINT handling stops the export there.
		{"apply, Ctrl-C", []string{"apply", "-input=false", "-no-color", "-auto-approve"}, true},
	} {
		t.Run(c.name, func(t *testing.T) { testInterrupt(t, c.args, c.group) })
	}
}

func testInterrupt(t *testing.T, args []string, group bool) {
	t.Helper()
	requireAcc(t)
	r := newCLIRun(t)
	// 300 pages at 200 ms each: a minute of walking, far longer than the
	// test allows for the exit.
	srv := startEmulator(t, 3000)
	srv.SetFaults(emulator.Faults{Latency: 200 * time.Millisecond})
	exportDir := t.TempDir()
	exportPath := filepath.Join(exportDir, "export.jsonl")
	if err := os.WriteFile(exportPath, []byte("previous\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.writeConfig(providerBlock(srv) + fmt.Sprintf(`
data "workiva_activities" "x" {
  page_size = 10
}
data "workiva_activities_export" "x" {
  page_size = 10
  path      = %q
}
output "n" {
  value = data.workiva_activities.x.result_count
}
`, exportPath))

	var out syncBuffer
	cmd := r.command(context.Background(), nil, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that cleanup can reach the whole tree even
	// if the test fails half-way.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // no-op once it exited
		for _, pid := range r.providerPIDs() {
			var n int
			if _, err := fmt.Sscan(pid, &n); err == nil {
				_ = syscall.Kill(n, syscall.SIGKILL)
			}
		}
	})

	// Wait until the walk is under way: a few pages read.
	deadline := time.Now().Add(90 * time.Second)
	for len(srv.ListRequests()) < 3 {
		select {
		case err := <-done:
			t.Fatalf("the CLI exited before the walk started: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the walk did not start within 90s\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(r.providerPIDs()) == 0 {
		t.Fatal("no provider process found while the walk runs: the /proc check below would prove nothing")
	}

	// Both walks are under way (the export's temporary file has no name,
	// so the list calls are what shows it).
	for len(srv.ListRequests()) < 8 {
		if time.Now().After(deadline) {
			t.Fatalf("the export did not start within 90s\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	sent := time.Now()
	pid := cmd.Process.Pid
	if group {
		pid = -pid
	}
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	const limit = 10 * time.Second
	var err error
	select {
	case err = <-done:
	case <-time.After(limit):
		t.Fatalf("the CLI did not exit within %s of SIGINT\n%s", limit, out.String())
	}
	took := time.Since(sent)
	t.Logf("CLI exited %s after SIGINT (%d list calls)", took.Round(time.Millisecond), len(srv.ListRequests()))

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Errorf("interrupted plan exited with %v, want a non-zero exit\n%s", err, out.String())
	}
	// The provider saw the cancellation and ended the read itself (the CLI
	// reports its diagnostic) rather than being killed.
	if !errRE(`Error: workiva_activities: listing activities failed.*The read was interrupted: .*context canceled`).MatchString(out.String()) {
		t.Errorf("the CLI output lacks the provider's interrupted-read error\n%s", out.String())
	}

	if !errRE(`Error: workiva_activities_export: listing activities failed.*interrupted`).MatchString(out.String()) {
		t.Errorf("the CLI output lacks the export's interrupted-read error\n%s", out.String())
	}
	if entries, _ := os.ReadDir(exportDir); len(entries) != 1 {
		t.Errorf("the interrupted export left %d files in its directory, want only the previous export", len(entries))
	}
	if b, _ := os.ReadFile(exportPath); string(b) != "previous\n" {
		t.Errorf("the interrupted export changed the file at path: %q", b)
	}

	// No orphan: every process of the built binary is gone (allowing the
	// kernel a moment to reap).
	var left []string
	for end := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if left = r.providerPIDs(); len(left) == 0 || time.Now().After(end) {
			break
		}
	}
	if len(left) != 0 {
		t.Errorf("provider processes left after the CLI exited: %v", left)
	}

	// The walk stopped: no list call arrives after the exit.
	n := len(srv.ListRequests())
	time.Sleep(500 * time.Millisecond)
	if m := len(srv.ListRequests()); m != n {
		t.Errorf("%d list calls arrived after the CLI exited", m-n)
	}
	if n >= 300 {
		t.Errorf("the walk ran to its end (%d list calls) instead of stopping", n)
	}
}
