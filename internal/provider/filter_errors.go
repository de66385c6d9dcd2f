package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// describeFilterRejection explains a query the API rejected in terms of what
// the user wrote: their `filter` quoted, the whole `$filter` sent, which part
// of it is theirs, and where the API's position falls in their text. ok is
// false when err is not a rejected filter.
func describeFilterRejection(err error) (detail string, ok bool) {
	var fe *workiva.FilterRejectedError
	if !errors.As(err, &fe) {
		return "", false
	}
	var b strings.Builder
	b.WriteString("The API rejected the query.\n")
	if fe.RawStart >= 0 {
		fmt.Fprintf(&b, "Your filter (attribute filter, %d characters): %q\n", len(fe.Raw), fe.Raw)
	}
	fmt.Fprintf(&b, "$filter sent: %q\n", fe.Filter)
	if fe.RawStart < 0 {
		b.WriteString("The provider built all of it from the other arguments.\n")
		return b.String(), true
	}
	if fe.RawStart > 1 {
		fmt.Fprintf(&b, "Your filter is the last clause, in the parentheses starting at position %d; the provider built "+
			"the rest from action_aliases, action_ids, performer_ids, target_ids, since and before.\n", fe.RawStart-1)
	} else {
		b.WriteString("Your filter is all of it, in parentheses the provider adds so that its \"or\" cannot escape.\n")
	}
	pos, atEnd, mapped := fe.RawPosition()
	switch {
	case mapped && atEnd:
		b.WriteString("The API points at the end of your filter: it ends too early (an unclosed quote or " +
			"parenthesis, or a missing operand?).\n")
		caret(&b, fe.Raw, pos)
	case mapped:
		fmt.Fprintf(&b, "The API points at position %d of your filter (0-based):\n", pos)
		caret(&b, fe.Raw, pos)
	default:
		if p, known := fe.Position(); known {
			fmt.Fprintf(&b, "The API points at position %d of the $filter sent, outside your filter.\n", p)
		}
	}
	return b.String(), true
}

// caret shows s with a ^ under byte offset pos.
func caret(b *strings.Builder, s string, pos int) {
	fmt.Fprintf(b, "  %s\n  %s^\n", s, strings.Repeat(" ", pos))
}
