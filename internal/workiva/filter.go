package workiva

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// BuildFilter renders the $filter expression for q ("" when q has no filter).
//
// Clauses come in a fixed order (action.alias, action.id, performer.id,
// target.id, since, before, raw filter) joined by "and"; values of each list
// are deduplicated and sorted, so equal queries give byte-equal requests.
// One value renders as `field eq 'v'`, several as `field in ('a','b')`.
// Strings are single-quoted with quotes doubled; date-times are RFC 3339 in
// UTC, unquoted. The raw filter is parenthesised so that its own "or" cannot
// escape the AND with the rest.
func BuildFilter(q ActivityQuery) string {
	f, _ := buildFilter(q)
	return f
}

// buildFilter is BuildFilter that also returns the byte offset of the raw
// filter inside the result (-1 when there is none), so that an error the API
// reports at a position can be mapped back onto what the user wrote.
func buildFilter(q ActivityQuery) (string, int) {
	rawAt := -1
	var b strings.Builder
	clause := func() {
		if b.Len() > 0 {
			b.WriteString(" and ")
		}
	}
	for _, f := range [...]struct {
		field  string
		values []string
	}{
		{"action.alias", q.ActionAliases},
		{"action.id", q.ActionIDs},
		{"performer.id", q.PerformerIDs},
		{"target.id", q.TargetIDs},
	} {
		vals := sortedUnique(f.values)
		if len(vals) == 0 {
			continue
		}
		clause()
		b.WriteString(f.field)
		if len(vals) == 1 {
			b.WriteString(" eq ")
			writeQuoted(&b, vals[0])
			continue
		}
		b.WriteString(" in (")
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			writeQuoted(&b, v)
		}
		b.WriteByte(')')
	}
	if !q.Since.IsZero() {
		clause()
		b.WriteString("activityDateTime ge ")
		b.WriteString(q.Since.UTC().Format(time.RFC3339Nano))
	}
	if !q.Before.IsZero() {
		clause()
		b.WriteString("activityDateTime lt ")
		b.WriteString(q.Before.UTC().Format(time.RFC3339Nano))
	}
	if raw := strings.TrimSpace(q.Filter); raw != "" {
		clause()
		b.WriteByte('(')
		rawAt = b.Len()
		b.WriteString(raw)
		b.WriteByte(')')
	}
	return b.String(), rawAt
}

// QuoteString renders s as an OData string literal: single quotes, with
// each quote inside doubled.
func QuoteString(s string) string {
	var b strings.Builder
	writeQuoted(&b, s)
	return b.String()
}

func writeQuoted(b *strings.Builder, s string) {
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(s, "'", "''"))
	b.WriteByte('\'')
}

func sortedUnique(in []string) []string {
	if len(in) <= 1 {
		return in
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// orderBy maps ActivityQuery.Order onto $orderBy ("" = API default).
func orderBy(order string) string {
	switch order {
	case "asc", "desc":
		return "activityDateTime " + order
	}
	return ""
}

// encodeQuery renders query parameters in the given order. Keys are written
// as is ($filter...): '$' is legal in a query and some OData servers only
// recognise the literal form. Values are percent-encoded with spaces as %20,
// never '+', which not every server decodes as a space.
func encodeQuery(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(escapeQueryValue(kv[i+1]))
	}
	return b.String()
}

// escapeQueryValue is url.QueryEscape with spaces as %20: QueryEscape
// writes a literal '+' as %2B, so every '+' it leaves stands for a space.
func escapeQueryValue(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// validateQuery rejects what the API would reject (or what would silently
// widen the result) before any request.
func validateQuery(q ActivityQuery) error {
	if strings.TrimSpace(q.OrganizationID) == "" {
		return &QueryError{Field: "OrganizationID", Reason: "must not be empty"}
	}
	if q.WorkspaceID != "" && strings.TrimSpace(q.WorkspaceID) == "" {
		return &QueryError{Field: "WorkspaceID", Reason: "must not be blank"}
	}
	for _, l := range [...]struct {
		name string
		vals []string
	}{{"ActionAliases", q.ActionAliases}, {"ActionIDs", q.ActionIDs}, {"PerformerIDs", q.PerformerIDs}, {"TargetIDs", q.TargetIDs}} {
		for _, v := range l.vals {
			if strings.TrimSpace(v) == "" {
				return &QueryError{Field: l.name, Reason: "values must not be empty"}
			}
			if !utf8.ValidString(v) {
				return &QueryError{Field: l.name, Reason: "values must be valid UTF-8"}
			}
		}
	}
	for _, tf := range [...]struct {
		name string
		t    time.Time
	}{{"Since", q.Since}, {"Before", q.Before}} {
		if !tf.t.IsZero() && (tf.t.UTC().Year() < 1 || tf.t.UTC().Year() > 9999) {
			return &QueryError{Field: tf.name, Reason: "year must be between 1 and 9999 (RFC 3339)"}
		}
	}
	if !q.Since.IsZero() && !q.Before.IsZero() && !q.Before.After(q.Since) {
		return &QueryError{Field: "Before", Value: q.Before.UTC().Format(time.RFC3339Nano), Reason: "must be after Since (" + q.Since.UTC().Format(time.RFC3339Nano) + ")"}
	}
	if !utf8.ValidString(q.Filter) {
		return &QueryError{Field: "Filter", Reason: "must be valid UTF-8"}
	}
	if q.Order != "" && orderBy(q.Order) == "" {
		return &QueryError{Field: "Order", Value: q.Order, Reason: `must be "asc" or "desc"`}
	}
	if err := checkPageSize(q.PageSize); err != nil {
		return err
	}
	if q.Parallelism < 0 || q.Parallelism > MaxParallelism {
		return &QueryError{Field: "Parallelism", Value: strconv.Itoa(q.Parallelism), Reason: "must be between 1 and 16 (0 = 1)"}
	}
	if q.Parallelism > 1 && q.Order == "" {
		// The API's default order is not documented: sub-windows could be
		// joined in the wrong one.
		return &QueryError{Field: "Order", Reason: `must be "asc" or "desc" when Parallelism is above 1`}
	}
	if q.MaxResults < 0 {
		return &QueryError{Field: "MaxResults", Value: strconv.Itoa(q.MaxResults), Reason: "must not be negative (0 = no limit)"}
	}
	return nil
}

func checkPageSize(n int) error {
	if n < 0 || n > MaxPageSize {
		return &QueryError{Field: "PageSize", Value: strconv.Itoa(n), Reason: "must be between 1 and 1000 (0 = default)"}
	}
	return nil
}
