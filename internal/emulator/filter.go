package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The $filter grammar the emulator accepts, from the API notes:
//
//	expr    = and { "or" and }
//	and     = primary { "and" primary }
//	primary = "(" expr ")" | field op value | field "in" "(" value { "," value } ")"
//
// Strings are single-quoted with '' for a quote; date-times are unquoted RFC
// 3339. Keywords are case-insensitive, field names are not. "and" binds
// tighter than "or", as in OData.

// Filter fields.
const (
	FieldActionAlias      = "action.alias"
	FieldActionID         = "action.id"
	FieldActivityDateTime = "activityDateTime"
	FieldPerformerID      = "performer.id"
	FieldTargetID         = "target.id"
)

// maxFilterDepth bounds parenthesis nesting so a hostile filter cannot
// exhaust the stack.
const maxFilterDepth = 64

// Expr is a parsed $filter expression.
type Expr interface {
	// String renders the expression canonically: every and/or is
	// parenthesised, so parsing String() gives back an equal expression.
	String() string
	match(a *Activity) bool
}

// And is a conjunction.
type And struct{ Left, Right Expr }

// Or is a disjunction.
type Or struct{ Left, Right Expr }

// Compare is one predicate: Field Op Values[0], or Field in (Values...).
// Time holds the instant for activityDateTime.
type Compare struct {
	Field  string
	Op     string // eq, in, lt, gt, le, ge (lower case)
	Values []string
	Time   time.Time
}

func (e *And) String() string { return "(" + e.Left.String() + " and " + e.Right.String() + ")" }
func (e *Or) String() string  { return "(" + e.Left.String() + " or " + e.Right.String() + ")" }

func (e *Compare) String() string {
	if e.Field == FieldActivityDateTime {
		return e.Field + " " + e.Op + " " + e.Time.Format(time.RFC3339Nano)
	}
	if e.Op == "in" {
		q := make([]string, len(e.Values))
		for i, v := range e.Values {
			q[i] = quote(v)
		}
		return e.Field + " in (" + strings.Join(q, ",") + ")"
	}
	return e.Field + " " + e.Op + " " + quote(e.Values[0])
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (e *And) match(a *Activity) bool { return e.Left.match(a) && e.Right.match(a) }
func (e *Or) match(a *Activity) bool  { return e.Left.match(a) || e.Right.match(a) }

func (e *Compare) match(a *Activity) bool {
	switch e.Field {
	case FieldActionAlias:
		return slices.Contains(e.Values, a.Action.Alias)
	case FieldActionID:
		return slices.Contains(e.Values, a.Action.ID)
	case FieldPerformerID:
		return slices.Contains(e.Values, a.Performer.ID)
	case FieldTargetID:
		// Matches when any target has one of the IDs.
		for _, t := range a.Targets {
			if slices.Contains(e.Values, t.ID) {
				return true
			}
		}
		return false
	case FieldActivityDateTime:
		c := a.At.Compare(e.Time)
		switch e.Op {
		case "eq":
			return c == 0
		case "lt":
			return c < 0
		case "gt":
			return c > 0
		case "le":
			return c <= 0
		case "ge":
			return c >= 0
		}
	}
	return false
}

// FilterError is a $filter the emulator rejects; Pos is a 0-based byte
// offset into the expression.
type FilterError struct {
	Pos int
	Msg string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("invalid $filter at position %d: %s", e.Pos, e.Msg)
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokTime // an unquoted literal starting with a digit
	tokLParen
	tokRParen
	tokComma
)

type ftoken struct {
	kind tokKind
	text string // identifier, literal, or unquoted string value
	pos  int
}

func describe(t ftoken) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string " + quote(t.text)
	case tokLParen:
		return "'('"
	case tokRParen:
		return "')'"
	case tokComma:
		return "','"
	}
	return fmt.Sprintf("%q", t.text)
}

func lex(s string) ([]ftoken, error) {
	var toks []ftoken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, ftoken{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, ftoken{tokRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, ftoken{tokComma, ",", i})
			i++
		case c == '\'':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, &FilterError{start, "unterminated string (a quote inside a string is written '')"}
			}
			if !utf8.ValidString(b.String()) {
				return nil, &FilterError{start, "string is not valid UTF-8"}
			}
			toks = append(toks, ftoken{tokString, b.String(), start})
		case c >= '0' && c <= '9':
			start := i
			for i < len(s) && isTimeChar(s[i]) {
				i++
			}
			toks = append(toks, ftoken{tokTime, s[start:i], start})
		case isIdentStart(c):
			start := i
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			toks = append(toks, ftoken{tokIdent, s[start:i], start})
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, &FilterError{i, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return append(toks, ftoken{tokEOF, "", len(s)}), nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}
func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' }
func isTimeChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ':' || c == '.' || c == '+' || c == '-'
}

type parser struct {
	toks  []ftoken
	i     int
	depth int
}

// ParseFilter parses a $filter expression. An empty or all-blank filter is
// an error: callers leave $filter out instead.
func ParseFilter(s string) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tokEOF {
		return nil, &FilterError{0, "empty expression"}
	}
	e, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, &FilterError{t.pos, "unexpected " + describe(t) + " after a complete expression (expected 'and', 'or' or the end)"}
	}
	return e, nil
}

func (p *parser) peek() ftoken { return p.toks[p.i] }
func (p *parser) next() ftoken {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) orExpr() (Expr, error) {
	left, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		p.next()
		right, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		left = &Or{left, right}
	}
	return left, nil
}

func (p *parser) andExpr() (Expr, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		p.next()
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		left = &And{left, right}
	}
	return left, nil
}

var fieldOps = map[string][]string{
	FieldActionAlias:      {"eq", "in"},
	FieldActionID:         {"eq", "in"},
	FieldPerformerID:      {"eq", "in"},
	FieldTargetID:         {"eq", "in"},
	FieldActivityDateTime: {"eq", "lt", "gt", "le", "ge"},
}

const fieldList = "action.alias, action.id, activityDateTime, performer.id, target.id"

func (p *parser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		p.depth++
		if p.depth > maxFilterDepth {
			return nil, &FilterError{t.pos, fmt.Sprintf("parentheses nested deeper than %d", maxFilterDepth)}
		}
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, &FilterError{c.pos, "expected ')' but found " + describe(c)}
		}
		p.depth--
		return e, nil
	case tokIdent:
		if strings.EqualFold(t.text, "and") || strings.EqualFold(t.text, "or") {
			return nil, &FilterError{t.pos, "expected a field or '(' but found " + describe(t)}
		}
		if strings.EqualFold(t.text, "not") {
			return nil, &FilterError{t.pos, "'not' is not supported; operators are 'and' and 'or'"}
		}
		ops, ok := fieldOps[t.text]
		if !ok {
			return nil, &FilterError{t.pos, fmt.Sprintf("unknown field %q; fields are %s", t.text, fieldList)}
		}
		return p.comparison(t, ops)
	}
	return nil, &FilterError{t.pos, "expected a field or '(' but found " + describe(t)}
}

func (p *parser) comparison(field ftoken, ops []string) (Expr, error) {
	o := p.next()
	op := strings.ToLower(o.text)
	if o.kind != tokIdent || !slices.Contains(ops, op) {
		return nil, &FilterError{o.pos, fmt.Sprintf("field %s takes %s, not %s", field.text, strings.Join(ops, ", "), describe(o))}
	}
	c := &Compare{Field: field.text, Op: op}
	if field.text == FieldActivityDateTime {
		v := p.next()
		if v.kind != tokTime {
			return nil, &FilterError{v.pos, "activityDateTime needs an unquoted RFC 3339 date-time (e.g. 2026-01-01T00:00:00Z), found " + describe(v)}
		}
		tm, err := time.Parse(time.RFC3339Nano, v.text)
		if err != nil {
			return nil, &FilterError{v.pos, fmt.Sprintf("%q is not an RFC 3339 date-time with a zone (e.g. 2026-01-01T00:00:00Z)", v.text)}
		}
		c.Time = tm
		return c, nil
	}
	if op == "eq" {
		v, err := p.stringValue(field.text)
		if err != nil {
			return nil, err
		}
		c.Values = []string{v}
		return c, nil
	}
	if l := p.next(); l.kind != tokLParen {
		return nil, &FilterError{l.pos, "'in' needs a parenthesised list of quoted strings, found " + describe(l)}
	}
	for {
		v, err := p.stringValue(field.text)
		if err != nil {
			return nil, err
		}
		c.Values = append(c.Values, v)
		sep := p.next()
		if sep.kind == tokRParen {
			return c, nil
		}
		if sep.kind != tokComma {
			return nil, &FilterError{sep.pos, "expected ',' or ')' in the 'in' list but found " + describe(sep)}
		}
	}
}

func (p *parser) stringValue(field string) (string, error) {
	v := p.next()
	if v.kind != tokString {
		return "", &FilterError{v.pos, fmt.Sprintf("%s needs a single-quoted string, found %s", field, describe(v))}
	}
	return v.text, nil
}
