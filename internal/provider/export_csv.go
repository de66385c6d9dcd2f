package provider

import (
	"io"
	"strings"
	"unicode"
)

// A spreadsheet runs a cell as a formula when its text starts with one of
// these, possibly after blanks or control characters it skips (and some
// read the fullwidth forms as the ASCII ones).
func isFormulaStart(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// skippedLead is what spreadsheets may drop from the start of a cell
// before they look for a formula: white space (NBSP included), control
// characters (NUL, tab, CR, LF) and invisible format characters (BOM,
// zero-width space).
func skippedLead(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// neutralizeCell applies OWASP's rule for CSV injection: a cell a
// spreadsheet could run as a formula (one starting with = + - @, a tab or
// a carriage return, here also after any leading blanks or control
// characters and in the fullwidth forms) gets a leading apostrophe. A cell
// that already starts with an apostrophe gets one more, so the rule is
// reversible: in a neutralised column, a cell starting with ' had exactly
// one added. Nothing else changes.
func neutralizeCell(s string) string {
	if s == "" {
		return s
	}
	if s[0] == '\'' || s[0] == '\t' || s[0] == '\r' {
		return "'" + s
	}
	for _, r := range s {
		if skippedLead(r) {
			continue
		}
		if isFormulaStart(r) {
			return "'" + s
		}
		return s
	}
	return s
}

// recoverCell is the reader's side of neutralizeCell (for tests and the
// docs' promise): drop one leading apostrophe.
func recoverCell(s string) string { return strings.TrimPrefix(s, "'") }

// csvRowWriter writes RFC 4180 records (CRLF after each, a field quoted
// when it holds a comma, a quote, CR or LF, or starts with a blank) and,
// unlike encoding/csv with UseCRLF, keeps every character of a field: a
// lone CR inside a quoted field stays a CR.
type csvRowWriter struct {
	w   io.Writer
	buf []byte
}

func (c *csvRowWriter) write(fields []string) error {
	b := c.buf[:0]
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		if !csvNeedsQuotes(f) {
			b = append(b, f...)
			continue
		}
		b = append(b, '"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				break
			}
			b = append(append(b, f[:j+1]...), '"')
			f = f[j+1:]
		}
		b = append(append(b, f...), '"')
	}
	b = append(b, '\r', '\n')
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f[0] == ' ' || f[0] == '\t' {
		return true
	}
	return strings.ContainsAny(f, ",\"\r\n")
}
