// Command matrixtable reads the `go test -json` output of each acceptance
// pass of `make matrix` and prints one row per CLI: passed, failed and
// skipped tests. It fails when a pass failed, ran no test, or skipped a test
// for any reason but a CLI feature check (acctest.NeedsFeature), so a skip
// can never hide a test that should have run.
//
// Usage: matrixtable CLI=VERSION=FILE...
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/workiva/terraform-provider-workiva/internal/acctest"
)

// event is the part of a test2json event this command reads.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type result struct {
	passed, failed, skipped []string
	// reasons holds each skipped test's output, where the skip message is.
	reasons map[string]string
	// broken lists packages that failed without a failing test (build errors,
	// panics in TestMain, timeouts).
	broken []string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: matrixtable CLI=VERSION=FILE...")
		os.Exit(2)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLI\tVERSION\tPASSED\tFAILED\tSKIPPED")
	var problems []string
	for _, arg := range os.Args[1:] {
		parts := strings.SplitN(arg, "=", 3)
		if len(parts) != 3 {
			fmt.Fprintf(os.Stderr, "bad argument %q: want CLI=VERSION=FILE\n", arg)
			os.Exit(2)
		}
		cli, version, file := parts[0], parts[1], parts[2]
		r, err := read(file)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s: %v", cli, version, err))
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\n", cli, version)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", cli, version, len(r.passed), len(r.failed), len(r.skipped))
		for _, t := range r.skipped {
			if line := skipLine(r.reasons[t]); line != "" {
				fmt.Fprintf(os.Stderr, "skipped on %s %s: %s (%s)\n", cli, version, t, line)
			}
		}
		for _, p := range r.problems() {
			problems = append(problems, fmt.Sprintf("%s %s: %s", cli, version, p))
		}
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "\nmatrix FAILED:")
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p)
		}
		os.Exit(1)
	}
}

// problems lists what makes a pass fail the matrix: failed tests, packages
// that failed outside any test, no test run, and skips that are not CLI
// feature checks.
func (r *result) problems() []string {
	var out []string
	for _, t := range r.failed {
		out = append(out, "FAIL "+t)
	}
	for _, p := range r.broken {
		out = append(out, "package "+p+" failed outside any test")
	}
	if len(r.passed)+len(r.failed) == 0 {
		out = append(out, "no test ran")
	}
	for _, t := range r.skipped {
		if skipLine(r.reasons[t]) == "" {
			out = append(out, fmt.Sprintf("%s skipped for a reason other than a CLI feature check: %s", t, strings.TrimSpace(r.reasons[t])))
		}
	}
	return out
}

// skipLine returns the line of a skipped test's output that explains it.
func skipLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, acctest.SkipMarker) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func read(file string) (*result, error) {
	f, err := os.Open(file) //nolint:gosec // G703: the files are the ones scripts/matrix.sh names
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f)
}

// parse counts the leaf tests of a `go test -json` stream: a test with
// subtests is counted through its subtests only.
func parse(r io.Reader) (*result, error) {
	final := map[string]string{} // package + test -> pass/fail/skip
	output := map[string]*strings.Builder{}
	var broken []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // build output interleaved with the JSON
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("decoding %q: %w", line, err)
		}
		if e.Test == "" {
			if e.Action == "fail" {
				broken = append(broken, e.Package)
			}
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "pass", "fail", "skip":
			final[key] = e.Action
		case "output":
			b := output[key]
			if b == nil {
				b = &strings.Builder{}
				output[key] = b
			}
			b.WriteString(e.Output)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(final) == 0 && len(broken) == 0 {
		return nil, errors.New("no test events (did the pass run?)")
	}
	keys := make([]string, 0, len(final))
	for k := range final {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	res := &result{reasons: map[string]string{}}
	for i, k := range keys {
		// Sorted, a test's subtests follow it directly. A parent counts only
		// when it failed with every subtest passing (its own check failed).
		if i+1 < len(keys) && strings.HasPrefix(keys[i+1], k+"/") {
			if final[k] == "fail" && !subtestFailed(final, k) {
				res.failed = append(res.failed, k)
			}
			continue
		}
		switch final[k] {
		case "pass":
			res.passed = append(res.passed, k)
		case "fail":
			res.failed = append(res.failed, k)
		case "skip":
			res.skipped = append(res.skipped, k)
			if b := output[k]; b != nil {
				res.reasons[k] = b.String()
			}
		}
	}
	// A package fails as a whole when one of its tests fails; report it only
	// when no test explains the failure.
	for _, p := range broken {
		explained := false
		for _, k := range res.failed {
			if strings.HasPrefix(k, p+" ") {
				explained = true
			}
		}
		if !explained {
			res.broken = append(res.broken, p)
		}
	}
	return res, nil
}

func subtestFailed(final map[string]string, parent string) bool {
	for k, v := range final {
		if v == "fail" && strings.HasPrefix(k, parent+"/") {
			return true
		}
	}
	return false
}
