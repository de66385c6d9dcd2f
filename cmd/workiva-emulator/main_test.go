package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

func TestParseFlags(t *testing.T) {
	bad := [][]string{
		{"-addr", "0.0.0.0:8080"},
		{"-addr", ":0"},
		{"-activities", "0"},
		{"-latency", "-1s"},
		{"-now", "yesterday"},
		{"-max-in-flight", "-1"},
		{"-burst", "0.7"},
		{"-burst", "0.7:1"},
		{"extra"},
	}
	for _, args := range bad {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	c, err := parseFlags([]string{"-now", "2026-03-01T00:00:00Z", "-activities", "10", "-latency", "5ms", "-seed", "7", "-deprecation-headers",
		"-max-in-flight", "4", "-burst", "0.7:0.02"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.opts.Now.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || c.opts.Activities != 10 || c.latency != 5*time.Millisecond || c.opts.Seed != 7 || !c.deprec ||
		c.maxInFlight != 4 || c.opts.Burst != (emulator.Burst{Share: 0.7, Span: 0.02}) {
		t.Fatalf("%+v", c)
	}
	c, err = parseFlags(nil, io.Discard)
	if err != nil || time.Since(c.opts.Now) > time.Minute || c.addr != "127.0.0.1:0" || c.maxInFlight != 0 || c.opts.Burst != (emulator.Burst{}) {
		t.Fatalf("defaults: %+v %v", c, err)
	}
}

// sourceEnv loads an env file the way the README says, with `. file` in a
// POSIX shell, and returns the WORKIVA_* variables it set.
func sourceEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `. "$1" && env`, "sh", path).Output()
	if err != nil {
		t.Fatalf("sourcing %s: %v", path, err)
	}
	vars := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "="); ok && strings.HasPrefix(k, "WORKIVA_") {
			vars[k] = v
		}
	}
	return vars
}

// waitFile waits for path to hold the organization ID line (the last one).
func waitFile(t *testing.T, path string, limit time.Duration) []byte {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(5 * time.Millisecond) {
		if body, err := os.ReadFile(path); err == nil && strings.Contains(string(body), "WORKIVA_ORGANIZATION_ID=") {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not written within %s", path, limit)
		}
	}
}

func TestServeWritesEnvFileAndStops(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, "emu.env")
	// A secret a naive KEY=VALUE file would break in a shell.
	const secret = `it's a $ecret "with" spaces; $(false)`
	c, err := parseFlags([]string{"-activities", "20", "-env-file", env, "-client-secret", secret}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, &out) }()

	body := waitFile(t, env, 5*time.Second)
	for line := range strings.Lines(string(body)) {
		if !strings.HasPrefix(line, "export WORKIVA_") {
			t.Errorf("line %q is not an export", line)
		}
	}
	vars := sourceEnv(t, env)
	for _, k := range []string{"WORKIVA_API_URL", "WORKIVA_CLIENT_ID", "WORKIVA_CLIENT_SECRET", "WORKIVA_ORGANIZATION_ID"} {
		if vars[k] == "" {
			t.Fatalf("%s missing after sourcing %q", k, body)
		}
	}
	if vars["WORKIVA_CLIENT_SECRET"] != secret {
		t.Errorf("sourced secret %q, want %q", vars["WORKIVA_CLIENT_SECRET"], secret)
	}
	resp, err := http.Get(vars["WORKIVA_API_URL"] + "/admin/v1/activityActions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(out.String(), vars["WORKIVA_CLIENT_SECRET"]) || !strings.Contains(out.String(), vars["WORKIVA_API_URL"]) {
		t.Errorf("output %q", out.String())
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"": "''", "abc": "'abc'", "it's": `'it'\''s'`} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The README's `go run ./cmd/workiva-emulator`, stopped by the PID of the go
// command (SIGTERM, as `kill $pid` sends), leaves no emulator running.
func TestGoRunStoppedByPIDLeavesNothingRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command with go run")
	}
	env := filepath.Join(t.TempDir(), "emu.env")
	cmd := exec.Command("go", "run", ".", "-activities", "20", "-env-file", env)
	// No pipes: an emulator left running would hold them and hang Wait.
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitFile(t, env, 3*time.Minute) // go run compiles first
	url := sourceEnv(t, env)["WORKIVA_API_URL"]
	resp, err := http.Get(url + "/admin/v1/activityActions")
	if err != nil {
		t.Fatalf("emulator not answering: %v", err)
	}
	resp.Body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := client.Get(url + "/admin/v1/activityActions")
		if err != nil {
			return // nothing listens any more
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the emulator still answers 10s after its go run was stopped")
		}
	}
}
