package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// A harness for tests that need what terraform-plugin-testing hides: the
// real provider binary served by the real CLI (dev_overrides, no init), so
// that signals, process trees, TRACE logs and state files can be checked.

// requireAcc skips tests that run the CLI unless TF_ACC is set, like the
// other acceptance tests.
func requireAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it")
	}
}

// moduleRoot is the directory of go.mod (tests run in internal/provider).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root not found from the test directory: %v", err)
	}
	return dir
}

// cliPath is the CLI the acceptance tests use: TF_ACC_TERRAFORM_PATH, else
// terraform on PATH, else the pinned OpenTofu build.
func cliPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return p
	}
	if p := filepath.Join(moduleRoot(t), ".tools", "bin", "tofu"); fileExists(p) {
		return p
	}
	t.Skip("no terraform or tofu CLI found (set TF_ACC_TERRAFORM_PATH)")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// cliRun is one working directory served by a freshly built provider.
type cliRun struct {
	t      *testing.T
	cli    string
	bin    string // the provider binary
	work   string // the configuration directory
	logDir string
	env    []string
}

// newCLIRun builds the provider into a temporary directory and prepares a
// CLI configuration whose dev_overrides point both registries' addresses at
// it.
func newCLIRun(t *testing.T) *cliRun {
	t.Helper()
	cli := cliPath(t)
	tmp := t.TempDir()
	plugins := filepath.Join(tmp, "plugins")
	work := filepath.Join(tmp, "work")
	logs := filepath.Join(tmp, "logs")
	for _, d := range []string{plugins, work, logs} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(plugins, "terraform-provider-workiva")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = moduleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rc := filepath.Join(tmp, "cli.tfrc")
	conf := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/workiva/workiva" = %q
    "registry.opentofu.org/workiva/workiva" = %q
  }
  direct {}
}
`, plugins, plugins)
	if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// The CLI sees none of the caller's Terraform or Workiva settings.
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_") || strings.HasPrefix(kv, "WORKIVA_") || strings.HasPrefix(kv, "CHECKPOINT_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return &cliRun{t: t, cli: cli, bin: bin, work: work, logDir: logs, env: env}
}

// writeConfig replaces the configuration; body follows a terraform block
// requiring the provider.
func (r *cliRun) writeConfig(body string) {
	r.t.Helper()
	cfg := `terraform {
  required_providers {
    workiva = { source = "workiva/workiva" }
  }
}
` + body
	if err := os.WriteFile(filepath.Join(r.work, "main.tf"), []byte(cfg), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// command prepares the CLI with args in the working directory; extra are
// added to its environment.
func (r *cliRun) command(ctx context.Context, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.cli, args...)
	cmd.Dir = r.work
	cmd.Env = append(append([]string(nil), r.env...), extra...)
	return cmd
}

// run runs the CLI to completion (at most two minutes) and returns its
// combined output and error.
func (r *cliRun) run(extra []string, args ...string) (string, error) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := r.command(ctx, extra, args...).CombinedOutput()
	return string(out), err
}

// providerPIDs lists the running processes whose executable is the built
// provider binary.
func (r *cliRun) providerPIDs() []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil {
			continue // gone, a zombie, or not ours to read
		}
		if strings.TrimSuffix(exe, " (deleted)") == r.bin {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// syncBuffer is a bytes.Buffer safe for a process writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
