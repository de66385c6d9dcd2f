package workiva

import (
	"bytes"
	"errors"

	"github.com/go-json-experiment/json"
)

// rawActivityDecoder returns a decoder of list items that keeps each item's
// bytes: it reads the item as one JSON value (as the page holds it, unknown
// members and formatting included), then decodes the Activity from that
// copy with a decoder of its own (one per walk, so interned strings are
// shared across the walk's items). With idOnly, only ID and
// ActivityDateTime are decoded from the copy: an export of the raw bytes
// needs no more, and skipping the rest halves the second pass.
func rawActivityDecoder(idOnly bool) func(*objDecoder) (*Activity, error) {
	inner := newObjDecoder()
	var r bytes.Reader
	return func(d *objDecoder) (*Activity, error) {
		v, err := d.dec.ReadValue()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		raw := bytes.Clone(v)
		r.Reset(raw)
		inner.reset(&r)
		var a *Activity
		if idOnly {
			a, err = inner.activityKey()
		} else {
			a, err = inner.listItemActivity()
		}
		if err != nil {
			return nil, err
		}
		a.Raw = raw
		return a, nil
	}
}

// activityKey decodes only the id and activityDateTime of an activity,
// with listItemActivity's checks.
func (d *objDecoder) activityKey() (*Activity, error) {
	if d.dec.PeekKind() == 'n' {
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, err
		}
		return nil, errors.New("activity is null")
	}
	var k struct {
		ID               string `json:"id"`
		ActivityDateTime string `json:"activityDateTime"`
	}
	if err := json.UnmarshalDecode(d.dec, &k); err != nil {
		return nil, itemErr(err)
	}
	if k.ID == "" {
		return nil, errors.New(`activity has no "id"`)
	}
	return &Activity{ID: k.ID, ActivityDateTime: k.ActivityDateTime}, nil
}
