package workiva

import (
	"regexp"
	"strconv"
)

// FilterRejectedError is a 400 answer to an activity list that had a
// $filter: the API rejected the query. It keeps the whole $filter sent and
// where the caller's raw filter sits in it, because the API reports
// positions in the combined expression, which the user never wrote.
type FilterRejectedError struct {
	Filter   string // the whole $filter sent
	Raw      string // ActivityQuery.Filter, trimmed, as it appears in Filter ("" when none)
	RawStart int    // byte offset of Raw in Filter; -1 when there is no raw filter
	Err      *APIError
}

func (e *FilterRejectedError) Error() string {
	return e.Err.Error() + "; $filter sent: " + strconv.Quote(e.Filter)
}

func (e *FilterRejectedError) Unwrap() error { return e.Err }

// positionRE finds the offset an OData parser reports ("position 122",
// "at pos 3"). Workiva does not document a format, so this is best effort:
// without a match, Position reports none.
var positionRE = regexp.MustCompile(`\bpos(?:ition)?\s+(\d+)\b`)

// Position returns the 0-based byte offset into Filter that the API blamed,
// when its answer names one within the filter.
func (e *FilterRejectedError) Position() (int, bool) {
	texts := []string{e.Err.Message, e.Err.Target}
	for _, d := range e.Err.Details {
		texts = append(texts, d.Message, d.Target)
	}
	for _, t := range texts {
		if m := positionRE.FindStringSubmatch(t); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n >= 0 && n <= len(e.Filter) {
				return n, true
			}
		}
	}
	return 0, false
}

// RawPosition maps Position onto Raw. atEnd is true when the API blamed the
// parenthesis the client closes Raw with, or the end of the expression: Raw
// ended too early (an unclosed quote or parenthesis, a missing operand), and
// the returned offset is len(Raw). ok is false when the position is outside
// Raw (then the client-built part was blamed) or unknown.
func (e *FilterRejectedError) RawPosition() (pos int, atEnd, ok bool) {
	p, known := e.Position()
	if !known || e.RawStart < 0 {
		return 0, false, false
	}
	end := e.RawStart + len(e.Raw)
	switch {
	case p >= e.RawStart && p < end:
		return p - e.RawStart, false, true
	case p == end || p == end+1:
		// Raw is the last clause: the ')' after it, or the end of input.
		return len(e.Raw), true, true
	}
	return 0, false, false
}
