package workiva

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// rawActivityDecoder returns a decoder of list items that keeps each item's
// bytes: it reads the item as one JSON value (as the page holds it, unknown
// members and formatting included), then decodes the Activity from that
// copy with a decoder of its own (one per walk, so interned strings are
// shared across the walk's items). With idOnly, only ID and
// ActivityDateTime are decoded from the copy: an export of the raw bytes
// needs no more, and skipping the rest halves the second pass.
func rawActivityDecoder(idOnly bool) func(*objDecoder) (*Activity, error) {
	rd := newRawDecoder(idOnly)
	return func(d *objDecoder) (*Activity, error) {
		v, err := d.dec.ReadValue()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		return rd.decode(bytes.Clone(v))
	}
}

// activityKey decodes only the id and activityDateTime of an activity,
// with listItemActivity's checks. It walks the object's tokens instead of
// decoding it by reflection: on the export's path (every item is read twice,
// once as raw bytes) reflection cost 1.28x the plain loop's CPU at 100,000
// activities against a target of 1.25x (make bench, export section).
func (d *objDecoder) activityKey() (*Activity, error) {
	switch k := d.dec.PeekKind(); k {
	case '{':
	case 'n':
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, eofIsUnexpected(err)
		}
		return nil, errors.New("activity is null")
	case 0: // a read error: ReadToken reports it
		_, err := d.dec.ReadToken()
		return nil, eofIsUnexpected(err)
	default:
		return nil, fmt.Errorf("cannot unmarshal %s into an activity (want an object)", kindName(k))
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, eofIsUnexpected(err)
	}
	a := new(Activity)
	for d.dec.PeekKind() != '}' {
		name, err := d.dec.ReadValue() // the member name, quoted
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		var dst *string
		switch {
		case bytes.Equal(name, []byte(`"id"`)):
			dst = &a.ID
		case bytes.Equal(name, []byte(`"activityDateTime"`)):
			dst = &a.ActivityDateTime
		case bytes.IndexByte(name, '\\') >= 0: // an escaped name: compare it unescaped
			switch u, _ := jsontext.AppendUnquote(nil, name); string(u) {
			case "id":
				dst = &a.ID
			case "activityDateTime":
				dst = &a.ActivityDateTime
			}
		}
		if dst == nil {
			if err := d.dec.SkipValue(); err != nil {
				return nil, eofIsUnexpected(err)
			}
			continue
		}
		v, err := d.dec.ReadValue()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		switch v.Kind() {
		case '"':
			// The decoder has checked the literal; the only error left is
			// invalid UTF-8, already replaced by U+FFFD as everywhere else.
			u, _ := jsontext.AppendUnquote(nil, v)
			*dst = string(u)
		case 'n': // null leaves it empty, as for every string field
		default:
			return nil, fmt.Errorf("cannot unmarshal %s into %s (want a string)", kindName(v.Kind()), d.dec.StackPointer())
		}
	}
	if _, err := d.dec.ReadToken(); err != nil { // '}'
		return nil, eofIsUnexpected(err)
	}
	if a.ID == "" {
		return nil, errors.New(`activity has no "id"`)
	}
	return a, nil
}
