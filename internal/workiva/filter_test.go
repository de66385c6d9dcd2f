package workiva

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBuildFilter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cet := time.FixedZone("CET", 3600)
	cases := []struct {
		name string
		q    ActivityQuery
		want string
	}{
		{"empty", ActivityQuery{OrganizationID: "o"}, ""},
		{"one alias", ActivityQuery{ActionAliases: []string{"user_login"}}, "action.alias eq 'user_login'"},
		{"many aliases sorted", ActivityQuery{ActionAliases: []string{"workspace_membership_delete", "workspace_membership_create"}},
			"action.alias in ('workspace_membership_create','workspace_membership_delete')"},
		{"duplicates collapse to eq", ActivityQuery{ActionAliases: []string{"a", "a"}}, "action.alias eq 'a'"},
		{"dedup and sort", ActivityQuery{PerformerIDs: []string{"c", "a", "b", "a", "c"}}, "performer.id in ('a','b','c')"},
		{"quotes doubled", ActivityQuery{TargetIDs: []string{"O'Brien's"}}, "target.id eq 'O''Brien''s'"},
		{"quotes in list", ActivityQuery{TargetIDs: []string{"it's", "''"}}, "target.id in ('''''','it''s')"},
		{"base64 ids", ActivityQuery{ActionIDs: []string{"a/b+c=="}}, "action.id eq 'a/b+c=='"},
		{"non-ascii", ActivityQuery{PerformerIDs: []string{"Zoë", "Ålborg"}}, "performer.id in ('Zoë','Ålborg')"},
		{"since only", ActivityQuery{Since: t0}, "activityDateTime ge 2026-01-01T00:00:00Z"},
		{"before only", ActivityQuery{Before: t1}, "activityDateTime lt 2026-02-01T00:00:00Z"},
		{"window", ActivityQuery{Since: t0, Before: t1}, "activityDateTime ge 2026-01-01T00:00:00Z and activityDateTime lt 2026-02-01T00:00:00Z"},
		{"window converted to UTC", ActivityQuery{Since: time.Date(2026, 1, 1, 1, 0, 0, 0, cet)}, "activityDateTime ge 2026-01-01T00:00:00Z"},
		{"sub-second kept", ActivityQuery{Since: t0.Add(1500 * time.Millisecond)}, "activityDateTime ge 2026-01-01T00:00:01.5Z"},
		{"raw filter parenthesised", ActivityQuery{Filter: "performer.id eq 'x' or target.id eq 'y'"}, "(performer.id eq 'x' or target.id eq 'y')"},
		{"raw filter trimmed", ActivityQuery{Filter: "  a eq 'b'  "}, "(a eq 'b')"},
		{"blank raw filter ignored", ActivityQuery{Filter: "   "}, ""},
		{"fixed clause order", ActivityQuery{
			Filter: "x", Before: t1, Since: t0, TargetIDs: []string{"t"}, PerformerIDs: []string{"p2", "p1"},
			ActionIDs: []string{"i"}, ActionAliases: []string{"al"},
		}, "action.alias eq 'al' and action.id eq 'i' and performer.id in ('p1','p2') and target.id eq 't' and " +
			"activityDateTime ge 2026-01-01T00:00:00Z and activityDateTime lt 2026-02-01T00:00:00Z and (x)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.q.PerformerIDs)
			if got := BuildFilter(tc.q); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !slices.Equal(in, tc.q.PerformerIDs) {
				t.Error("BuildFilter reordered the caller's slice")
			}
		})
	}
}

func TestBuildFilterEqualQueriesEqualRequests(t *testing.T) {
	a := ActivityQuery{OrganizationID: "o", ActionAliases: []string{"b", "a", "c"}, TargetIDs: []string{"y", "x"}, PageSize: 10}
	b := ActivityQuery{OrganizationID: "o", ActionAliases: []string{"c", "b", "a", "a"}, TargetIDs: []string{"x", "y", "x"}, PageSize: 10}
	if ActivityQueryString(a) != ActivityQueryString(b) {
		t.Errorf("%s\n%s", ActivityQueryString(a), ActivityQueryString(b))
	}
}

func TestActivityQueryString(t *testing.T) {
	cases := []struct {
		q    ActivityQuery
		want string
	}{
		{ActivityQuery{}, "$maxpagesize=1000"},
		{ActivityQuery{PageSize: 20, MaxResults: 5}, "$maxpagesize=5"},
		{ActivityQuery{PageSize: 20, MaxResults: 50, Order: "desc"}, "$maxpagesize=20&$orderBy=activityDateTime%20desc"},
		{ActivityQuery{ActionAliases: []string{"a b", "c&d=e+f"}}, "$filter=action.alias%20in%20%28%27a%20b%27%2C%27c%26d%3De%2Bf%27%29&$maxpagesize=1000"},
	}
	for _, tc := range cases {
		if got := ActivityQueryString(tc.q); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestValidatePageSize(t *testing.T) {
	for _, n := range []int{0, 1, 500, 1000} {
		if err := validateQuery(ActivityQuery{OrganizationID: "o", PageSize: n}); err != nil {
			t.Errorf("%d: %v", n, err)
		}
	}
	for _, n := range []int{-1, 1001} {
		var qe *QueryError
		if err := validateQuery(ActivityQuery{OrganizationID: "o", PageSize: n}); !errors.As(err, &qe) || qe.Field != "PageSize" {
			t.Errorf("%d: %v", n, err)
		}
	}
}

// parseFilterLiterals is an independent reading of BuildFilter's output: it
// splits the clauses and returns, per field, the string literals found
// (undoubling quotes), plus the raw filter. It fails on anything it does
// not expect, which is the point.
func parseFilterLiterals(s string) (map[string][]string, string, error) {
	out := map[string][]string{}
	raw := ""
	for len(s) > 0 {
		if raw != "" {
			return nil, "", errors.New("clause after the raw filter")
		}
		if s[0] == '(' {
			if !strings.HasSuffix(s, ")") {
				return nil, "", errors.New("unclosed raw filter")
			}
			raw = s[1 : len(s)-1]
			break
		}
		field, rest, ok := strings.Cut(s, " ")
		if !ok {
			return nil, "", errors.New("no operator")
		}
		op, rest, ok := strings.Cut(rest, " ")
		if !ok {
			return nil, "", errors.New("no operand")
		}
		var vals []string
		readLit := func() error {
			if !strings.HasPrefix(rest, "'") {
				return errors.New("expected a quote")
			}
			var b strings.Builder
			i := 1
			for {
				if i >= len(rest) {
					return errors.New("unterminated string")
				}
				if rest[i] == '\'' {
					if i+1 < len(rest) && rest[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(rest[i])
				i++
			}
			vals = append(vals, b.String())
			rest = rest[i+1:]
			return nil
		}
		switch {
		case field == "activityDateTime":
			v, r, _ := strings.Cut(rest, " ")
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				return nil, "", err
			}
			vals, rest = []string{op + " " + v}, r
			if rest != "" {
				rest = " " + rest
			}
		case op == "eq":
			if err := readLit(); err != nil {
				return nil, "", err
			}
		case op == "in":
			if !strings.HasPrefix(rest, "(") {
				return nil, "", errors.New("expected (")
			}
			rest = rest[1:]
			for {
				if err := readLit(); err != nil {
					return nil, "", err
				}
				if strings.HasPrefix(rest, ",") {
					rest = rest[1:]
					continue
				}
				if !strings.HasPrefix(rest, ")") {
					return nil, "", errors.New("expected )")
				}
				rest = rest[1:]
				break
			}
		default:
			return nil, "", errors.New("unknown operator " + op)
		}
		out[field] = append(out[field], vals...)
		if rest == "" {
			break
		}
		if !strings.HasPrefix(rest, " and ") {
			return nil, "", errors.New("expected and, got " + rest)
		}
		s = rest[len(" and "):]
	}
	return out, raw, nil
}

func FuzzBuildFilter(f *testing.F) {
	f.Add("user_login", "a/b+c==", "O'Brien", "t1", int64(0), int64(0), "performer.id eq 'x'")
	f.Add("a,b", "", "''", "", int64(1767225600), int64(1769904000), "")
	f.Add("x' or '1'='1", "id) or (true", "\x00", "é", int64(-5), int64(253402300799), "a) or (b")
	f.Fuzz(func(t *testing.T, alias, actionID, performer, target string, since, before int64, raw string) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		q := ActivityQuery{ActionAliases: split(alias), ActionIDs: split(actionID), PerformerIDs: split(performer), TargetIDs: split(target), Filter: raw}
		if since != 0 {
			q.Since = time.Unix(since, 0)
		}
		if before != 0 {
			q.Before = time.Unix(before, 0)
		}
		got := BuildFilter(q)

		// Deterministic under permutation and duplication of values.
		q2 := q
		q2.ActionAliases = append(slices.Clone(q.ActionAliases), q.ActionAliases...)
		slices.Reverse(q2.ActionAliases)
		if BuildFilter(q2) != got {
			t.Fatalf("permuted query gives a different filter")
		}

		// Values survive a round trip through the quoting; the raw filter
		// stays whole, last, in parentheses.
		if (q.Since.IsZero() || q.Since.Year() >= 0 && q.Since.Year() <= 9999) && (q.Before.IsZero() || q.Before.Year() >= 0 && q.Before.Year() <= 9999) {
			fields, gotRaw, err := parseFilterLiterals(got)
			if err != nil {
				t.Fatalf("cannot parse %q: %v", got, err)
			}
			if gotRaw != strings.TrimSpace(raw) {
				t.Fatalf("raw filter %q became %q", raw, gotRaw)
			}
			for field, in := range map[string][]string{"action.alias": q.ActionAliases, "action.id": q.ActionIDs, "performer.id": q.PerformerIDs, "target.id": q.TargetIDs} {
				want := sortedUnique(in)
				if len(want) == 0 {
					want = nil
				}
				if !slices.Equal(fields[field], want) {
					t.Fatalf("%s: values %q became %q in %q", field, want, fields[field], got)
				}
			}
		}
		if got == "" && (len(q.ActionAliases)+len(q.ActionIDs)+len(q.PerformerIDs)+len(q.TargetIDs) > 0 || since != 0 || before != 0 || strings.TrimSpace(raw) != "") {
			t.Fatalf("empty filter for a non-empty query")
		}
	})
}

// Query values are percent-encoded byte for byte: unreserved characters
// as they are, everything else (space included, as %20) escaped.
func TestEscapeQueryValue(t *testing.T) {
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	got := escapeQueryValue(all.String() + "a b+c")
	var want strings.Builder
	for _, c := range []byte(all.String() + "a b+c") {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			want.WriteByte(c)
		} else {
			fmt.Fprintf(&want, "%%%02X", c)
		}
	}
	if got != want.String() {
		t.Errorf("got  %s\nwant %s", got, want.String())
	}
}
