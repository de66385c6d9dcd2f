package workiva

import "bytes"

// rawActivityDecoder returns a decoder of list items that keeps each item's
// bytes: it reads the item as one JSON value (as the page holds it, unknown
// members and formatting included), then decodes the Activity from that
// copy with a decoder of its own (one per walk, so interned strings are
// shared across the walk's items).
func rawActivityDecoder() func(*objDecoder) (*Activity, error) {
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
		a, err := inner.listItemActivity()
		if err != nil {
			return nil, err
		}
		a.Raw = raw
		return a, nil
	}
}
