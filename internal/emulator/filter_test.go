package emulator

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseFilterValid(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"action.alias eq 'user_login'", "action.alias eq 'user_login'"},
		{"  action.alias   EQ   'user_login'  ", "action.alias eq 'user_login'"},
		{"action.id eq 'com.workiva.iam.authentication.login'", "action.id eq 'com.workiva.iam.authentication.login'"},
		{"performer.id eq 'V0ZVc2VyHz+/=='", "performer.id eq 'V0ZVc2VyHz+/=='"},
		{"target.id in ('a','b', 'c' )", "target.id in ('a','b','c')"},
		{"action.alias in ('x')", "action.alias in ('x')"},
		{"action.alias In ('x')", "action.alias in ('x')"},
		// Quotes: '' inside a string is one quote; an empty string is fine.
		{"performer.id eq 'O''Brien'", "performer.id eq 'O''Brien'"},
		{"performer.id eq ''''", "performer.id eq ''''"},
		{"performer.id eq ''", "performer.id eq ''"},
		{"target.id eq 'Zoë Ångström 李小龍'", "target.id eq 'Zoë Ångström 李小龍'"},
		{"target.id eq 'a and b or (c)'", "target.id eq 'a and b or (c)'"},
		// Times.
		{"activityDateTime ge 2026-01-01T00:00:00Z", "activityDateTime ge 2026-01-01T00:00:00Z"},
		{"activityDateTime lt 2026-01-01T00:00:00.250Z", "activityDateTime lt 2026-01-01T00:00:00.25Z"},
		{"activityDateTime gt 2026-01-01T02:00:00+02:00", "activityDateTime gt 2026-01-01T02:00:00+02:00"},
		{"activityDateTime eq 2026-01-01T00:00:00Z", "activityDateTime eq 2026-01-01T00:00:00Z"},
		// Precedence: and binds tighter than or, both left-associative.
		{"action.alias eq 'a' or action.alias eq 'b' and performer.id eq 'p'",
			"(action.alias eq 'a' or (action.alias eq 'b' and performer.id eq 'p'))"},
		{"action.alias eq 'a' and action.alias eq 'b' or performer.id eq 'p'",
			"((action.alias eq 'a' and action.alias eq 'b') or performer.id eq 'p')"},
		{"action.alias eq 'a' AND action.alias eq 'b' And action.alias eq 'c'",
			"((action.alias eq 'a' and action.alias eq 'b') and action.alias eq 'c')"},
		{"(action.alias eq 'a' or action.alias eq 'b') and performer.id eq 'p'",
			"((action.alias eq 'a' or action.alias eq 'b') and performer.id eq 'p')"},
		{"((((action.alias eq 'a'))))", "action.alias eq 'a'"},
		{"(action.alias in ('user_login','user_logout')) and (activityDateTime ge 2026-05-31T12:00:00Z and activityDateTime lt 2026-06-01T12:00:00Z)",
			"(action.alias in ('user_login','user_logout') and (activityDateTime ge 2026-05-31T12:00:00Z and activityDateTime lt 2026-06-01T12:00:00Z))"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseFilter(tt.in)
			if err != nil {
				t.Fatalf("ParseFilter: %v", err)
			}
			if got := e.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			e2, err := ParseFilter(e.String())
			if err != nil || e2.String() != e.String() {
				t.Fatalf("re-parse of %q: %v, %v", e.String(), e2, err)
			}
		})
	}
}

func TestParseFilterInvalid(t *testing.T) {
	tests := []struct {
		in, wantMsg string
		pos         int
	}{
		{"", "empty expression", 0},
		{"   ", "empty expression", 0},
		{"summary eq 'x'", `unknown field "summary"`, 0},
		{"Action.Alias eq 'x'", `unknown field "Action.Alias"`, 0},
		{"action.alias lt 'x'", "field action.alias takes eq, in", 13},
		{"action.alias ne 'x'", "field action.alias takes eq, in", 13},
		{"activityDateTime in (2026-01-01T00:00:00Z)", "field activityDateTime takes eq, lt, gt, le, ge", 17},
		{"activityDateTime ge '2026-01-01T00:00:00Z'", "unquoted RFC 3339", 20},
		{"activityDateTime ge 2026-01-01", "not an RFC 3339 date-time", 20},
		{"activityDateTime ge 2026-01-01T00:00:00", "not an RFC 3339 date-time", 20},
		{"activityDateTime ge 2026-13-01T00:00:00Z", "not an RFC 3339 date-time", 20},
		{"activityDateTime ge yesterday", "unquoted RFC 3339", 20},
		{"action.alias eq user_login", "needs a single-quoted string", 16},
		{"action.alias eq \"user_login\"", "unexpected character '\"'", 16},
		{"action.alias eq 'user_login", "unterminated string", 16},
		{"action.alias eq 'O'Brien'", "unterminated string (a quote inside a string is written '')", 24},
		{"activityDateTime le 2026-01-01T00:00:00z", "not an RFC 3339 date-time", 20},
		{"action.alias eq 'a' 'b'", "after a complete expression", 20},
		{"action.alias eq 'a' and", "expected a field or '('", 23},
		{"action.alias eq 'a' or or action.alias eq 'b'", "expected a field or '('", 23},
		{"action.alias eq 'a' xor action.alias eq 'b'", "after a complete expression", 20},
		{"(action.alias eq 'a'", "expected ')'", 20},
		{"action.alias eq 'a')", "after a complete expression", 19},
		{"()", "expected a field or '('", 1},
		{"action.alias in 'a'", "parenthesised list", 16},
		{"action.alias in ()", "needs a single-quoted string", 17},
		{"action.alias in ('a',)", "needs a single-quoted string", 21},
		{"action.alias in ('a' 'b')", "expected ',' or ')'", 21},
		{"action.alias in ('a'", "expected ',' or ')'", 20},
		{"not action.alias eq 'a'", "'not' is not supported", 0},
		{"action.alias eq 'a'; drop", "unexpected character ';'", 19},
		{"action.alias eq 'a' & action.alias eq 'b'", "unexpected character '&'", 20},
		{"action.alias", "takes eq, in, not end of expression", 12},
		{strings.Repeat("(", 100) + "action.alias eq 'a'" + strings.Repeat(")", 100), "nested deeper than 64", 64},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseFilter(tt.in)
			if err == nil {
				t.Fatalf("ParseFilter = %v, want an error", e)
			}
			var fe *FilterError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T, want *FilterError", err)
			}
			if !strings.Contains(fe.Msg, tt.wantMsg) {
				t.Errorf("message %q, want it to contain %q", fe.Msg, tt.wantMsg)
			}
			if fe.Pos != tt.pos {
				t.Errorf("position %d, want %d (%v)", fe.Pos, tt.pos, err)
			}
		})
	}
}

func TestFilterMatch(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a := &Activity{
		Action:    Action{ID: "com.x.login", Alias: "user_login"},
		Performer: Performer{ID: "p1"},
		Targets:   []Target{{ID: "t1"}, {ID: "t2"}},
		At:        at,
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{"action.alias eq 'user_login'", true},
		{"action.alias eq 'USER_LOGIN'", false}, // values are case-sensitive
		{"action.id in ('x','com.x.login')", true},
		{"performer.id eq 'p2'", false},
		{"target.id eq 't2'", true}, // any target
		{"target.id in ('t3','t1')", true},
		{"target.id eq 't3'", false},
		{"activityDateTime eq 2026-03-01T10:00:00Z", true},
		{"activityDateTime eq 2026-03-01T11:00:00+01:00", true}, // same instant
		{"activityDateTime lt 2026-03-01T10:00:00Z", false},
		{"activityDateTime le 2026-03-01T10:00:00Z", true},
		{"activityDateTime gt 2026-03-01T09:59:59.999Z", true},
		{"activityDateTime ge 2026-03-01T10:00:00.001Z", false},
		{"performer.id eq 'p2' or target.id eq 't1'", true},
		{"performer.id eq 'p2' and target.id eq 't1'", false},
		{"performer.id eq 'p2' and target.id eq 't9' or action.alias eq 'user_login'", true},
		{"performer.id eq 'p2' and (target.id eq 't9' or action.alias eq 'user_login')", false},
	}
	for _, tt := range tests {
		e, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if got := e.match(a); got != tt.want {
			t.Errorf("%s: match = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"action.alias eq 'user_login'",
		"action.alias in ('a','b''c') or performer.id eq 'x'",
		"(activityDateTime ge 2026-01-01T00:00:00Z and activityDateTime lt 2026-02-01T00:00:00.5+05:30)",
		"target.id in ('') and (action.id eq 'q' or (performer.id eq 'z'))",
		"activityDateTime eq 2026-01-01T00:00:00z",
		"'", "(", ")", "and", "not x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseFilter(s)
		if err != nil {
			if fe := (*FilterError)(nil); !errors.As(err, &fe) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		r := e.String()
		e2, err := ParseFilter(r)
		if err != nil {
			t.Fatalf("rendering %q of %q does not parse: %v", r, s, err)
		}
		if r2 := e2.String(); r2 != r {
			t.Fatalf("render/parse not stable: %q -> %q", r, r2)
		}
	})
}

// The index's narrowing by time (timeRange) never leaves out an activity
// the filter matches, and when it says the filter is only time bounds,
// everything it keeps matches: checked against the plain scan for filters
// built from every time operator, with other fields, and with or.
func TestTimeRangeAgreesWithScan(t *testing.T) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var acts []Activity
	for i := range 60 {
		// runs of equal instants, so bounds fall on ties
		at := base.Add(time.Duration(i/3) * time.Second)
		acts = append(acts, Activity{ID: fmt.Sprint(i), At: at, Action: Action{Alias: []string{"a", "b"}[i%2]}})
	}
	inst := func(k int) string { return base.Add(time.Duration(k) * time.Second).Format(time.RFC3339) }
	var filters []string
	for _, op := range []string{"eq", "lt", "le", "gt", "ge"} {
		for _, k := range []int{-1, 0, 7, 19, 25} {
			one := "activityDateTime " + op + " " + inst(k)
			filters = append(filters, one,
				one+" and activityDateTime lt "+inst(12),
				"activityDateTime ge "+inst(3)+" and "+one,
				one+" and action.alias eq 'a'",
				one+" or activityDateTime eq "+inst(2))
		}
	}
	for _, f := range filters {
		e, err := ParseFilter(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		from, to, exact := timeRange(e, acts)
		for i := range acts {
			m := e.match(&acts[i])
			if m && (i < from || i >= to) {
				t.Errorf("%s: activity %d matches but is outside [%d, %d)", f, i, from, to)
			}
			if exact && !m && i >= from && i < to {
				t.Errorf("%s: exact, but activity %d in [%d, %d) does not match", f, i, from, to)
			}
		}
	}
	if from, to, exact := timeRange(nil, acts); from != 0 || to != len(acts) || !exact {
		t.Errorf("no filter: [%d, %d) exact=%v", from, to, exact)
	}
}
