package workiva

import (
	"bytes"
	"errors"
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
	ok, err := d.beginObject("an activity object")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("activity is null")
	}
	a := new(Activity)
	err = d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			a.ID, err = d.plainStr()
		case "activityDateTime":
			a.ActivityDateTime, err = d.plainStr()
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if a.ID == "" {
		return nil, errors.New(`activity has no "id"`)
	}
	return a, nil
}

// plainStr reads a string (null as empty) without interning: these values
// are unique per item.
func (d *objDecoder) plainStr() (string, error) {
	b, err := d.strBytes()
	return string(b), err
}
