package workiva

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// The activity decoder is written by hand over jsontext tokens: it reads each
// known field straight into its Go field, with no reflection and no second
// scan of the item (encoding/json's Decoder re-scans every element it
// returns, then reflects over it).
//
// Semantics (the fuzz test checks them against a reflection-based decode
// with go-json-experiment/json defaults):
//   - member names match exactly (case-sensitive), unknown members are skipped;
//   - a member name repeated within one object is an error (jsontext's
//     default), at every level: a page that says two things is not guessed at;
//   - null for a string, bool, object or array field leaves it empty;
//   - invalid UTF-8 and lone surrogates in strings become U+FFFD, as
//     encoding/json did: one mangled name must not fail an audit read.

// decodeOptions are the jsontext options of every page and object decoder.
var decodeOptions = jsontext.AllowInvalidUTF8(true)

// Interning bounds: short strings that repeat across items (action, performer,
// organization, workspace, target fields) are shared within one walk; the
// table stops growing at maxInterned entries so that a walk over unique values
// costs no more than plain allocation.
const (
	maxInterned     = 1 << 14
	maxInternLength = 256
)

// objDecoder decodes the API's objects from one jsontext stream. One serves a
// whole walk, so that interned strings are shared across its pages. Not safe
// for concurrent use.
type objDecoder struct {
	dec    *jsontext.Decoder
	intern map[string]string
	// scratch holds an unescaped string; arena collects an activity's own
	// strings (id, date-time, summary, tags) so that they cost one allocation.
	scratch []byte
	arena   []byte
	tags    []span
}

// span is a string's place in the arena.
type span struct{ start, end int }

func newObjDecoder() *objDecoder {
	return &objDecoder{intern: make(map[string]string, 256)}
}

// reset points the decoder at the next body (a page or a single object).
func (d *objDecoder) reset(r io.Reader) {
	if d.dec == nil {
		d.dec = jsontext.NewDecoder(r, decodeOptions)
		return
	}
	d.dec.Reset(r, decodeOptions)
}

// kindName names a JSON kind for messages.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '}', ']':
		return fmt.Sprintf("%q", string(k))
	}
	return "nothing"
}

// readErr returns the error of the failed read that PeekKind announced.
func (d *objDecoder) readErr() error {
	_, err := d.dec.ReadToken()
	if err == nil {
		err = errors.New("unexpected token")
	}
	return eofIsUnexpected(err)
}

// typeErr skips a value of the wrong kind and reports it.
func (d *objDecoder) typeErr(k jsontext.Kind, want string) error {
	if err := d.dec.SkipValue(); err != nil {
		return eofIsUnexpected(err)
	}
	return fmt.Errorf("cannot unmarshal %s into %s (want %s)", kindName(k), d.dec.StackPointer(), want)
}

// beginObject reads '{' and reports true, or reads null and reports false.
func (d *objDecoder) beginObject(what string) (bool, error) {
	switch k := d.dec.PeekKind(); k {
	case '{':
		_, err := d.dec.ReadToken()
		return true, err
	case 'n':
		_, err := d.dec.ReadToken()
		return false, err
	case 0:
		return false, d.readErr()
	default:
		return false, d.typeErr(k, what)
	}
}

// beginArray is beginObject for arrays.
func (d *objDecoder) beginArray(what string) (bool, error) {
	switch k := d.dec.PeekKind(); k {
	case '[':
		_, err := d.dec.ReadToken()
		return true, err
	case 'n':
		_, err := d.dec.ReadToken()
		return false, err
	case 0:
		return false, d.readErr()
	default:
		return false, d.typeErr(k, what)
	}
}

// more reports whether the current object or array has another member,
// consuming its end token when it has not.
func (d *objDecoder) more() (bool, error) {
	switch d.dec.PeekKind() {
	case '}', ']':
		_, err := d.dec.ReadToken()
		return false, err
	case 0:
		return false, d.readErr()
	}
	return true, nil
}

// name reads an object member name. The bytes are valid until the next read.
func (d *objDecoder) name() ([]byte, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, eofIsUnexpected(err)
	}
	return d.unquote(v), nil
}

// unquote returns the content of the string literal v, unescaped into
// scratch when needed (escapes, invalid UTF-8).
func (d *objDecoder) unquote(v jsontext.Value) []byte {
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return raw
	}
	// The decoder has already checked the literal: the only error left is
	// invalid UTF-8, which AppendUnquote has replaced with U+FFFD.
	d.scratch, _ = jsontext.AppendUnquote(d.scratch[:0], v)
	return d.scratch
}

// strBytes reads a string (or null, as empty) and returns its content, valid
// until the next read.
func (d *objDecoder) strBytes() ([]byte, error) {
	switch k := d.dec.PeekKind(); k {
	case '"':
		v, err := d.dec.ReadValue()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		return d.unquote(v), nil
	case 'n':
		_, err := d.dec.ReadToken()
		return nil, err
	case 0:
		return nil, d.readErr()
	default:
		return nil, d.typeErr(k, "a string")
	}
}

// str reads a string through the intern table.
func (d *objDecoder) str() (string, error) {
	b, err := d.strBytes()
	if err != nil || len(b) == 0 {
		return "", err
	}
	if s, ok := d.intern[string(b)]; ok { // no allocation for the lookup
		return s, nil
	}
	s := string(b)
	if len(b) <= maxInternLength && len(d.intern) < maxInterned {
		d.intern[s] = s
	}
	return s, nil
}

// arenaStr reads a string into the arena and returns its span.
func (d *objDecoder) arenaStr() (span, error) {
	b, err := d.strBytes()
	if err != nil {
		return span{}, err
	}
	start := len(d.arena)
	d.arena = append(d.arena, b...)
	return span{start, len(d.arena)}, nil
}

func (d *objDecoder) boolean() (bool, error) {
	switch k := d.dec.PeekKind(); k {
	case 't', 'f', 'n':
		t, err := d.dec.ReadToken()
		if err != nil {
			return false, err
		}
		return k == 't' && t.Bool(), nil
	case 0:
		return false, d.readErr()
	default:
		return false, d.typeErr(k, "a boolean")
	}
}

// fields reads the members of an object (after its '{'), calling field per
// member; field must read the value (skip it if unknown).
func (d *objDecoder) fields(field func(name []byte) error) error {
	for {
		ok, err := d.more()
		if err != nil || !ok {
			return eofIsUnexpected(err)
		}
		n, err := d.name()
		if err != nil {
			return err
		}
		if err := field(n); err != nil {
			return err
		}
	}
}

func (d *objDecoder) skip() error { return eofIsUnexpected(d.dec.SkipValue()) }

// activityBlock allocates an activity with room for its workspace and one
// target in the same object: most activities have one target.
type activityBlock struct {
	a      Activity
	ws     Workspace
	target [1]Target
}

// activity decodes one activity; nil for a JSON null. It does not require an
// ID (callers that do check it).
func (d *objDecoder) activity() (*Activity, error) {
	ok, err := d.beginObject("an activity object")
	if err != nil || !ok {
		return nil, err
	}
	blk := new(activityBlock)
	a := &blk.a
	d.arena = d.arena[:0]
	d.tags = d.tags[:0]
	var id, at, summary, description span
	hasTags := false
	err = d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			id, err = d.arenaStr()
		case "activityDateTime":
			at, err = d.arenaStr()
		case "summary":
			summary, err = d.arenaStr()
		case "description":
			description, err = d.arenaStr()
		case "outcome":
			a.Outcome, err = d.str()
		case "action":
			_, err = d.action(&a.Action)
		case "performer":
			err = d.performer(&a.Performer)
		case "targets":
			a.Targets, err = d.targets(blk.target[:0:1])
		case "organization":
			err = d.organization(&a.Organization)
		case "workspace":
			var ok bool
			ok, err = d.workspace(&blk.ws)
			if ok {
				a.Workspace = &blk.ws
			}
		case "tags":
			hasTags, err = d.tagList()
		case "attachments":
			a.Attachments, err = d.raw()
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// One string holds the activity's own strings; the fields share it.
	s := string(d.arena)
	a.ID = s[id.start:id.end]
	a.ActivityDateTime = s[at.start:at.end]
	if summary.end > summary.start {
		a.Summary = s[summary.start:summary.end]
	} else {
		a.Summary = s[description.start:description.end]
	}
	if hasTags {
		a.Tags = make([]string, len(d.tags))
		for i, t := range d.tags {
			a.Tags[i] = s[t.start:t.end]
		}
	}
	return a, nil
}

// tagList reads "tags" into the arena; false for null.
func (d *objDecoder) tagList() (bool, error) {
	ok, err := d.beginArray("an array of strings")
	if err != nil || !ok {
		return false, err
	}
	for {
		more, err := d.more()
		if err != nil {
			return false, eofIsUnexpected(err)
		}
		if !more {
			return true, nil
		}
		sp, err := d.arenaStr()
		if err != nil {
			return false, err
		}
		d.tags = append(d.tags, sp)
	}
}

// raw copies the next value as is; nil for null.
func (d *objDecoder) raw() ([]byte, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, eofIsUnexpected(err)
	}
	if v.Kind() == 'n' {
		return nil, nil
	}
	return bytes.Clone(v), nil
}

// action decodes an ActivityAction into a; false for null.
func (d *objDecoder) action(a *ActivityAction) (bool, error) {
	ok, err := d.beginObject("an action object")
	if err != nil || !ok {
		return false, err
	}
	return true, d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			a.ID, err = d.str()
		case "alias":
			a.Alias, err = d.str()
		case "name":
			a.Name, err = d.str()
		case "category":
			a.Category, err = d.str()
		case "deprecated":
			a.Deprecated, err = d.boolean()
		default:
			err = d.skip()
		}
		return err
	})
}

func (d *objDecoder) performer(p *Performer) error {
	ok, err := d.beginObject("a performer object")
	if err != nil || !ok {
		return err
	}
	return d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			p.ID, err = d.str()
		case "type":
			p.Type, err = d.str()
		case "displayName":
			p.DisplayName, err = d.str()
		case "uniqueName":
			p.UniqueName, err = d.str()
		case "ipAddress":
			p.IPAddress, err = d.str()
		default:
			err = d.skip()
		}
		return err
	})
}

// targets decodes "targets" appending to into (nil for null).
func (d *objDecoder) targets(into []Target) ([]Target, error) {
	ok, err := d.beginArray("an array of target objects")
	if err != nil || !ok {
		return nil, err
	}
	out := into
	for {
		more, err := d.more()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		if !more {
			return out, nil
		}
		out = append(out, Target{})
		if err := d.target(&out[len(out)-1]); err != nil {
			return nil, err
		}
	}
}

func (d *objDecoder) target(t *Target) error {
	ok, err := d.beginObject("a target object")
	if err != nil || !ok {
		return err
	}
	return d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			t.ID, err = d.str()
		case "type":
			t.Type, err = d.str()
		case "displayName":
			t.DisplayName, err = d.str()
		case "uniqueName":
			t.UniqueName, err = d.str()
		default:
			err = d.skip()
		}
		return err
	})
}

func (d *objDecoder) organization(o *Organization) error {
	ok, err := d.beginObject("an organization object")
	if err != nil || !ok {
		return err
	}
	return d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			o.ID, err = d.str()
		case "name":
			o.Name, err = d.str()
		default:
			err = d.skip()
		}
		return err
	})
}

// workspace decodes into w; false for null.
func (d *objDecoder) workspace(w *Workspace) (bool, error) {
	ok, err := d.beginObject("a workspace object")
	if err != nil || !ok {
		return false, err
	}
	return true, d.fields(func(name []byte) error {
		var err error
		switch string(name) {
		case "id":
			w.ID, err = d.str()
		case "name":
			w.Name, err = d.str()
		default:
			err = d.skip()
		}
		return err
	})
}

// listItemActivity decodes one element of an activities page.
func (d *objDecoder) listItemActivity() (*Activity, error) {
	a, err := d.activity()
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errors.New("activity is null")
	}
	if a.ID == "" {
		return nil, errors.New(`activity has no "id"`)
	}
	return a, nil
}

// listItemAction decodes one element of an actions page.
func (d *objDecoder) listItemAction() (*ActivityAction, error) {
	a := new(ActivityAction)
	ok, err := d.action(a)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("activity action is null")
	}
	if a.ID == "" {
		return nil, errors.New(`activity action has no "id"`)
	}
	return a, nil
}
