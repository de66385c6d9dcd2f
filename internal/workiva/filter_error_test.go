package workiva

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A rejected raw filter comes back as a FilterRejectedError that holds the
// whole $filter sent and maps the emulator's position onto the user's text.
func TestEmulatorFilterRejectedMapsPosition(t *testing.T) {
	s := sharedEmulator(t)
	cfg := emuConfig(s)
	log := &recLogger{}
	cfg.Logger = log
	c := mustNew(t, cfg)
	base := ActivityQuery{
		OrganizationID: s.OrganizationID(),
		ActionAliases:  []string{"user_login", "org_user_role_create"},
		Since:          s.Now().Add(-48 * time.Hour),
		Before:         s.Now(),
		Order:          "asc",
	}
	for _, tc := range []struct {
		raw   string
		pos   int // want RawPosition
		atEnd bool
	}{
		{raw: "action.alias eq 'x' and summary eq 'y'", pos: len("action.alias eq 'x' and ")}, // unknown field
		{raw: "action.alias eq 'x' and", pos: len("action.alias eq 'x' and"), atEnd: true},    // missing operand
		{raw: "(action.alias eq 'x'", pos: len("(action.alias eq 'x'"), atEnd: true},          // unclosed parenthesis
	} {
		q := base
		q.Filter = "  " + tc.raw + " "
		_, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
		var fe *FilterRejectedError
		if !errors.As(err, &fe) || !IsBadRequest(err) {
			t.Fatalf("%q: got %T %v", tc.raw, err, err)
		}
		sent := s.APIRequests()
		if fe.Filter != sent[len(sent)-1].Query.Get("$filter") || fe.Filter != BuildFilter(q) {
			t.Errorf("%q: Filter %q is not the $filter sent", tc.raw, fe.Filter)
		}
		if fe.Raw != tc.raw || fe.Filter[fe.RawStart:fe.RawStart+len(fe.Raw)] != tc.raw {
			t.Errorf("%q: Raw %q at %d in %q", tc.raw, fe.Raw, fe.RawStart, fe.Filter)
		}
		if p, ok := fe.Position(); !ok || p < fe.RawStart {
			t.Errorf("%q: Position %d, %v (raw starts at %d): %v", tc.raw, p, ok, fe.RawStart, err)
		}
		pos, atEnd, ok := fe.RawPosition()
		if !ok || pos != tc.pos || atEnd != tc.atEnd {
			t.Errorf("%q: RawPosition = %d, %v, %v; want %d, %v (error %v)", tc.raw, pos, atEnd, ok, tc.pos, tc.atEnd, err)
		}
		if !strings.Contains(err.Error(), fe.Filter) {
			t.Errorf("error text lacks the $filter sent: %v", err)
		}
	}
	// Every $filter sent is in the DEBUG log, each parallel sub-window's too.
	q := base
	q.Parallelism = 3
	s.ResetRequests()
	listAll(t, c, q)
	logged := map[string]bool{}
	for _, e := range log.all() {
		if e.Msg == "workiva: listing activities" && e.Level == LevelDebug {
			logged[e.Fields["filter"].(string)] = true
		}
	}
	sent := 0
	for _, r := range s.APIRequests() {
		if f := r.Query.Get("$filter"); f != "" && r.Query.Get("$next") == "" {
			sent++
			if !logged[f] {
				t.Errorf("$filter %q sent but not logged", f)
			}
		}
	}
	if sent != 3 {
		t.Errorf("%d first-page requests, want 3 sub-windows", sent)
	}
}

// Without a position, or one in the client-built part, nothing is mapped.
func TestFilterRejectedRawPosition(t *testing.T) {
	t.Parallel()
	f, at := buildFilter(ActivityQuery{ActionAliases: []string{"a"}, Filter: "x eq"})
	mk := func(msg string) *FilterRejectedError {
		return &FilterRejectedError{Filter: f, Raw: "x eq", RawStart: at, Err: &APIError{StatusCode: 400, Message: msg}}
	}
	if _, _, ok := mk("bad filter").RawPosition(); ok {
		t.Error("mapped a position the API did not give")
	}
	if _, _, ok := mk("invalid $filter at position 2: x").RawPosition(); ok {
		t.Error("mapped a position in the client-built part")
	}
	if p, end, ok := mk("invalid $filter at position " + strconv.Itoa(at+2) + ": x").RawPosition(); !ok || p != 2 || end {
		t.Errorf("got %d %v %v", p, end, ok)
	}
}
