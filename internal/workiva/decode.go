package workiva

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A page is walked with a jsontext.Decoder (page.go) so that its items are
// handed over as they are read; each item is decoded with
// go-json-experiment/json's reflection. Its defaults are the semantics the
// client wants:
//   - member names match exactly (case-sensitive), unknown members are skipped;
//   - a member name repeated within one object is an error, at every level:
//     a page that says two things is not guessed at;
//   - null for a string, bool, object or array field leaves it empty;
//   - with AllowInvalidUTF8, invalid UTF-8 and lone surrogates in strings
//     become U+FFFD, as encoding/json did: one mangled name must not fail an
//     audit read.
//
// A hand-written token decoder with string interning was here before. The
// targets of `make bench` do not need it: BenchmarkActivitiesRead, same
// loaded 2-core machine, interleaved runs, CPU time over the encoding/json
// baseline at N = 1,000 / 10,000 / 100,000 was 0.83-0.87 / 0.61-0.64 /
// 0.43-0.56 with it and 0.84 / 0.67 / 0.50 with the library (and the
// provider's MessagePack through vmihailenco/msgpack; target: at most 1.25); allocations per activity rose from 5.1 to 17.8 at N = 100,000
// and stay constant in N (24.4 at 1,000, 18.5 at 10,000).

// decodeOptions are the jsontext options of every page and object decoder.
var decodeOptions = jsontext.AllowInvalidUTF8(true)

// objDecoder decodes the API's objects from one jsontext stream; one serves
// a whole walk. Not safe for concurrent use.
type objDecoder struct {
	dec *jsontext.Decoder
}

func newObjDecoder() *objDecoder { return &objDecoder{} }

// reset points the decoder at the next body (a page or a single object).
func (d *objDecoder) reset(r io.Reader) {
	if d.dec == nil {
		d.dec = jsontext.NewDecoder(r, decodeOptions)
		return
	}
	d.dec.Reset(r, decodeOptions)
}

// drop lets go of the last body. A page held whole is decoded in place
// (jsontext reads a *bytes.Buffer without copying it), so the decoder kept
// each reader's last page alive until its next one: with 16 readers, 16
// pages of the export's peak.
func (d *objDecoder) drop() {
	if d.dec != nil {
		d.dec.Reset(bytes.NewReader(nil), decodeOptions)
	}
}

// activityJSON is an activity as the API sends it: Activity's fields (as a
// type without Activity's UnmarshalJSON) plus `description`, the name older
// examples of the API use for the summary.
type activityJSON struct {
	*activityFields `json:",inline"`
	Description     string `json:"description"`
}

type activityFields Activity

// UnmarshalJSON decodes one activity the way list pages are decoded: Summary
// from `description` when only that is present, Workspace nil when null or
// absent, Attachments nil when absent or null. A JSON null leaves a
// unchanged, as encoding/json does.
func (a *Activity) UnmarshalJSON(b []byte) error {
	d := newObjDecoder()
	d.reset(bytes.NewReader(b))
	v, err := d.activity()
	if err != nil {
		return err
	}
	if _, err := d.dec.ReadToken(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the activity")
	}
	if v != nil {
		*a = *v
	}
	return nil
}

// activity decodes one activity; nil for a JSON null. It does not require an
// ID (callers that do check it).
func (d *objDecoder) activity() (*Activity, error) {
	if d.dec.PeekKind() == 'n' {
		_, err := d.dec.ReadToken()
		return nil, err
	}
	a := new(Activity)
	w := activityJSON{activityFields: (*activityFields)(a)}
	if err := json.UnmarshalDecode(d.dec, &w); err != nil {
		return nil, itemErr(err)
	}
	if a.Summary == "" {
		a.Summary = w.Description
	}
	if len(a.Attachments) == 0 || string(a.Attachments) == "null" {
		a.Attachments = nil
	}
	return a, nil
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
	if d.dec.PeekKind() == 'n' {
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, err
		}
		return nil, errors.New("activity action is null")
	}
	a := new(ActivityAction)
	if err := json.UnmarshalDecode(d.dec, a); err != nil {
		return nil, itemErr(err)
	}
	if a.ID == "" {
		return nil, errors.New(`activity action has no "id"`)
	}
	return a, nil
}

// wantNames say in words of the API what a Go type of the decoded shape
// expects, for type errors.
var wantNames = map[reflect.Type]string{
	reflect.TypeFor[string]():         "a string",
	reflect.TypeFor[bool]():           "a boolean",
	reflect.TypeFor[[]string]():       "an array of strings",
	reflect.TypeFor[[]Target]():       "an array of target objects",
	reflect.TypeFor[activityJSON]():   "an activity object",
	reflect.TypeFor[ActivityAction](): "an action object",
	reflect.TypeFor[Performer]():      "a performer object",
	reflect.TypeFor[Target]():         "a target object",
	reflect.TypeFor[Organization]():   "an organization object",
	reflect.TypeFor[Workspace]():      "a workspace object",
	reflect.TypeFor[*Workspace]():     "a workspace object",
	reflect.TypeFor[*Organization]():  "an organization object",
	reflect.TypeFor[*Stamp]():         "an object with dateTime and user",
	reflect.TypeFor[Stamp]():          "an object with dateTime and user",
	reflect.TypeFor[*User]():          "a user object",
	reflect.TypeFor[User]():           "a user object",
	reflect.TypeFor[[]Solution]():     "an array of solution objects",
	reflect.TypeFor[Solution]():       "a solution object",
}

// itemErr words a type mismatch the way the client's other messages are
// worded and with a stable text (the library deliberately varies its own
// wording and names Go types): "cannot unmarshal a string into
// /data/0/tags (want an array of strings)". Other errors pass as they are.
func itemErr(err error) error {
	var se *json.SemanticError
	if errors.As(err, &se) && se.Err == nil && se.JSONKind != 0 && se.GoType != nil {
		want, ok := wantNames[se.GoType]
		if !ok {
			want = "a value of another kind"
		}
		return fmt.Errorf("cannot unmarshal %s into %s (want %s)", kindName(se.JSONKind), se.JSONPointer, want)
	}
	return eofIsUnexpected(err)
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

// str reads a string, or null as "".
func (d *objDecoder) str() (string, error) {
	var s string
	err := json.UnmarshalDecode(d.dec, &s)
	return s, eofIsUnexpected(err)
}

func (d *objDecoder) skip() error { return eofIsUnexpected(d.dec.SkipValue()) }
