// Command workiva-emulator serves the local Workiva API emulator on a
// loopback port, for the demo and for manual runs. It writes the connection
// settings to an env file (shell `export` lines) once it listens and runs
// until SIGINT or SIGTERM, or, started by `go run`, until the go command ends.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "workiva-emulator:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	addr    string
	envFile string
	latency time.Duration
	deprec  bool
	// maxInFlight is the MaxInFlight fault: concurrent API calls beyond it
	// answer 429 with Retry-After.
	maxInFlight int
	opts        emulator.Options
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("workiva-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "listen address; loopback only (port 0 picks a free one)")
	fs.IntVar(&c.opts.Activities, "activities", emulator.DefaultActivities, "number of activities in the data set")
	fs.Int64Var(&c.opts.Seed, "seed", emulator.DefaultSeed, "data set seed")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every request (e.g. 50ms)")
	fs.IntVar(&c.maxInFlight, "max-in-flight", 0, "answer 429 with Retry-After: 1 to API calls beyond this many in flight, as a shared API limits a client (0 = no limit)")
	burst := fs.String("burst", "", `pack a share of the activities into a short part of the span, as SHARE:SPAN (e.g. 0.7:0.02: 70% of them in 2% of the span, centred); "" spreads them evenly`)
	fs.BoolVar(&c.deprec, "deprecation-headers", false, "send Deprecation and Sunset headers from the endpoints Workiva documents as deprecated")
	now := fs.String("now", "now", `anchor of the data set: "now" or an RFC 3339 time; activities lie in the 180 days before it`)
	fs.StringVar(&c.envFile, "env-file", "", "write WORKIVA_API_URL, WORKIVA_CLIENT_ID, WORKIVA_CLIENT_SECRET, WORKIVA_ORGANIZATION_ID here once listening")
	fs.StringVar(&c.opts.ClientID, "client-id", emulator.DefaultClientID, "client ID the token endpoint accepts")
	fs.StringVar(&c.opts.ClientSecret, "client-secret", emulator.DefaultClientSecret, "client secret the token endpoint accepts")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if c.opts.Activities < 1 {
		return c, errors.New("-activities must be at least 1")
	}
	if c.latency < 0 {
		return c, errors.New("-latency must not be negative")
	}
	if c.maxInFlight < 0 {
		return c, errors.New("-max-in-flight must not be negative")
	}
	b, err := emulator.ParseBurst(*burst)
	if err != nil {
		return c, fmt.Errorf("-burst: %w", err)
	}
	c.opts.Burst = b
	if *now == "now" {
		c.opts.Now = time.Now().UTC()
	} else {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return c, fmt.Errorf(`-now must be "now" or an RFC 3339 time: %w`, err)
		}
		c.opts.Now = t
	}
	if err := emulator.CheckLoopback(c.addr); err != nil {
		return c, err
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if underGoRun() {
		// `go run` does not pass SIGTERM on to the program it built: killing
		// its PID would leave the emulator running. Its binary lives in a
		// go-build temporary directory; stop when the go command is gone.
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go exitWithParent(ctx, cancel, os.Getppid(), 200*time.Millisecond)
	}
	return serve(ctx, c, stdout)
}

// serve runs the emulator until ctx ends.
func serve(ctx context.Context, c config, stdout io.Writer) error {
	s, err := emulator.StartOn(c.addr, c.opts) //nolint:contextcheck // the server outlives no context: Shutdown below ends it
	if err != nil {
		return err
	}
	defer s.Close()
	if c.latency > 0 || c.deprec || c.maxInFlight > 0 {
		s.SetFaults(emulator.Faults{Latency: c.latency, DeprecationHeaders: c.deprec, MaxInFlight: c.maxInFlight})
	}
	if c.envFile != "" {
		if err := writeEnvFile(c.envFile, s); err != nil {
			return err
		}
	}
	// The secret is not printed: it is in the env file (or the flag).
	burst := ""
	if c.opts.Burst.Share > 0 {
		start, end := emulator.BurstWindow(c.opts.Burst, s.Now())
		burst = fmt.Sprintf(", %g of them from %s to %s", c.opts.Burst.Share, start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "Workiva API emulator listening on %s (organization %s, %d activities%s, client id %s)\n",
		s.URL(), s.OrganizationID(), len(s.Activities()), burst, s.ClientID())
	<-ctx.Done()
	if err := s.Shutdown(5 * time.Second); err != nil { //nolint:contextcheck // a fresh grace period: the signal context is already done
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// underGoRun reports whether this binary was built by `go run` (it then
// lives in a go-build work directory that the go command deletes).
func underGoRun() bool {
	exe, err := os.Executable()
	return err == nil && strings.Contains(filepath.ToSlash(exe), "/go-build")
}

// exitWithParent calls cancel once the parent process ppid is gone (this
// process is then re-parented), polling every interval until ctx ends.
func exitWithParent(ctx context.Context, cancel context.CancelFunc, ppid int, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != ppid {
				cancel()
				return
			}
		}
	}
}

// shellQuote quotes s for a POSIX shell: single quotes, with each quote
// inside written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeEnvFile writes the settings atomically (temp file, then rename) so a
// reader polling for the file never sees half of it.
func writeEnvFile(path string, s *emulator.Server) error {
	// `export K='v'` lines: `. file` loads them into a shell. The
	// organization ID comes last: readers poll for it to know the file is
	// complete.
	var b strings.Builder
	for _, kv := range [][2]string{
		{"WORKIVA_API_URL", s.URL()},
		{"WORKIVA_CLIENT_ID", s.ClientID()},
		{"WORKIVA_CLIENT_SECRET", s.ClientSecret()},
		{"WORKIVA_ORGANIZATION_ID", s.OrganizationID()},
	} {
		fmt.Fprintf(&b, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	body := b.String()
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("env file: %w", err)
	}
	tmp := f.Name()
	_, werr := f.WriteString(body)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("env file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("env file: %w", err)
	}
	return nil
}
