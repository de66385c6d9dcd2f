package main

import (
	"slices"
	"strings"
	"testing"
)

// A go test -json stream: a passing test, a test whose subtests pass and
// skip, a skip by feature check, a skip for another reason, a failure and a
// package that failed without any failing test.
const stream = `{"Action":"run","Package":"p","Test":"TestAccA"}
{"Action":"pass","Package":"p","Test":"TestAccA"}
{"Action":"run","Package":"p","Test":"TestAccB"}
{"Action":"pass","Package":"p","Test":"TestAccB/one"}
{"Action":"output","Package":"p","Test":"TestAccB/two","Output":"    x_test.go:1: needs CLI feature: check blocks (since 1.5.0), CLI is 1.4.7\n"}
{"Action":"skip","Package":"p","Test":"TestAccB/two"}
{"Action":"pass","Package":"p","Test":"TestAccB"}
{"Action":"output","Package":"p","Test":"TestAccC","Output":"    x_test.go:2: flaky, skipped\n"}
{"Action":"skip","Package":"p","Test":"TestAccC"}
{"Action":"fail","Package":"p","Test":"TestAccD"}
{"Action":"fail","Package":"p"}
not JSON: build output
{"Action":"fail","Package":"q"}
`

func TestParse(t *testing.T) {
	t.Parallel()
	r, err := parse(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"p TestAccA", "p TestAccB/one"}; !slices.Equal(r.passed, want) {
		t.Errorf("passed = %q, want %q", r.passed, want)
	}
	if want := []string{"p TestAccD"}; !slices.Equal(r.failed, want) {
		t.Errorf("failed = %q, want %q", r.failed, want)
	}
	if want := []string{"p TestAccB/two", "p TestAccC"}; !slices.Equal(r.skipped, want) {
		t.Errorf("skipped = %q, want %q", r.skipped, want)
	}
	if want := []string{"q"}; !slices.Equal(r.broken, want) {
		t.Errorf("broken = %q, want %q (p's failure is TestAccD's)", r.broken, want)
	}
	got := strings.Join(r.problems(), "\n")
	for _, want := range []string{"FAIL p TestAccD", "package q failed", "p TestAccC skipped for a reason other than a CLI feature check: x_test.go:2: flaky, skipped"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "TestAccB/two") {
		t.Errorf("a feature-check skip is reported as a problem:\n%s", got)
	}
}

func TestParentFailingAlone(t *testing.T) {
	t.Parallel()
	r, err := parse(strings.NewReader(`{"Action":"pass","Package":"p","Test":"TestAccE/sub"}
{"Action":"fail","Package":"p","Test":"TestAccE"}
{"Action":"fail","Package":"p"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"p TestAccE"}; !slices.Equal(r.failed, want) || len(r.broken) != 0 {
		t.Errorf("failed = %q, broken = %q: a parent failing with passing subtests must count as failed", r.failed, r.broken)
	}
}
