package workiva

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Page decoding is streamed: json.Decoder.Token walks the top-level object
// and Decode reads one element of "data" at a time, so memory holds one item
// (plus what the caller keeps) and the caller sees items as they arrive.

// callbackError carries an error returned by the caller's fn through the
// decoder, so that it is not mistaken for (and wrapped as) a decode error.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// pageInfo is what decodePage learnt about a page.
type pageInfo struct {
	next    string // "@nextLink", "" when absent (may be unknown when moreData)
	n       int    // items handed over
	stopped bool   // fn returned ErrStop
	// moreData: fn stopped the walk while the page still had items; the rest
	// of the page was not read.
	moreData bool
}

// decodePage reads one list page. item decodes one element of "data" and
// hands it on; it returns callbackError for the caller's errors.
func decodePage(r io.Reader, item func(dec *json.Decoder) error) (pageInfo, error) {
	var pi pageInfo
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{', "a JSON object"); err != nil {
		return pi, err
	}
	seenData, seenNext := false, false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return pi, eofIsUnexpected(err)
		}
		key, ok := t.(string)
		if !ok { // cannot happen inside an object, but be safe
			return pi, fmt.Errorf("unexpected %v in page object", t)
		}
		switch key {
		case "data":
			if seenData {
				return pi, errors.New(`duplicate "data" in page`)
			}
			seenData = true
			if err := expectDelim(dec, '[', `"data" to be an array`); err != nil {
				return pi, err
			}
			for dec.More() {
				if pi.stopped {
					pi.moreData = true
					return pi, nil
				}
				err := item(dec)
				if err != nil {
					var cbe callbackError
					if !errors.As(err, &cbe) {
						return pi, fmt.Errorf("item %d: %w", pi.n+1, eofIsUnexpected(err))
					}
					if !errors.Is(cbe.err, ErrStop) {
						pi.n++
						return pi, cbe
					}
					pi.stopped = true
				}
				pi.n++
			}
			if err := expectDelim(dec, ']', "end of data"); err != nil {
				return pi, err
			}
		case "@nextLink":
			if seenNext {
				return pi, errors.New(`duplicate "@nextLink" in page`)
			}
			seenNext = true
			t, err := dec.Token()
			if err != nil {
				return pi, eofIsUnexpected(err)
			}
			switch v := t.(type) {
			case string:
				pi.next = v
			case nil: // null: no further page
			default:
				return pi, fmt.Errorf(`"@nextLink" is %s, not a string`, tokenKind(t))
			}
		default:
			// Unknown keys (@odata.count, future additions) are skipped.
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return pi, eofIsUnexpected(err)
			}
		}
	}
	if err := expectDelim(dec, '}', "end of page object"); err != nil {
		return pi, err
	}
	if !seenData {
		// A page without "data" is not an empty page: reporting "no
		// activities" for a broken answer would be wrong.
		return pi, errors.New(`page has no "data" array`)
	}
	if _, err := dec.Token(); err != io.EOF {
		return pi, errors.New("unexpected data after the page object")
	}
	return pi, nil
}

func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	t, err := dec.Token()
	if err != nil {
		return eofIsUnexpected(err)
	}
	if got, ok := t.(json.Delim); !ok || got != d {
		return fmt.Errorf("expected %s, found %s", what, tokenKind(t))
	}
	return nil
}

func tokenKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", t)
}

// eofIsUnexpected: io.EOF inside a page means the body broke off.
func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// activityWire decodes an Activity in one pass, with the older
// `description` beside `summary`. activityPlain has no UnmarshalJSON, so the
// decoder fills the fields directly.
type activityPlain Activity

type activityWire struct {
	activityPlain
	Description string `json:"description"`
}

// activity returns the decoded Activity, pointing into w (no copy).
func (w *activityWire) activity() *Activity {
	a := (*Activity)(&w.activityPlain)
	if a.Summary == "" {
		a.Summary = w.Description
	}
	w.Description = ""
	if string(a.Attachments) == "null" {
		a.Attachments = nil
	}
	return a
}

func decodeActivity(dec *json.Decoder) (*Activity, error) {
	var w *activityWire
	if err := dec.Decode(&w); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, errors.New("activity is null")
	}
	a := w.activity()
	if a.ID == "" {
		return nil, errors.New(`activity has no "id"`)
	}
	return a, nil
}

func decodeAction(dec *json.Decoder) (*ActivityAction, error) {
	var a *ActivityAction
	if err := dec.Decode(&a); err != nil {
		return nil, err
	}
	if a == nil {
		return nil, errors.New("activity action is null")
	}
	if a.ID == "" {
		return nil, errors.New(`activity action has no "id"`)
	}
	return a, nil
}

// items adapts a decoder and a caller's fn to decodePage.
func items[T any](decode func(*json.Decoder) (*T, error), fn func(*T) error) func(*json.Decoder) error {
	return func(dec *json.Decoder) error {
		v, err := decode(dec)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return callbackError{err}
		}
		return nil
	}
}

// DecodeActivityPage decodes one activities list page from r, calling fn
// per activity as it is read. It returns the page's @nextLink ("" when
// absent) and the number of activities handed to fn. An error from fn is
// returned as is (ErrStop included: then the rest of the page is not read
// and next may be unknown); any other error means the page is malformed.
func DecodeActivityPage(r io.Reader, fn func(*Activity) error) (next string, n int, err error) {
	pi, err := decodePage(r, items(decodeActivity, fn))
	var cbe callbackError
	if errors.As(err, &cbe) {
		return pi.next, pi.n, cbe.err
	}
	if err == nil && pi.stopped {
		err = ErrStop
	}
	return pi.next, pi.n, err
}

// DecodeActionPage is DecodeActivityPage for activity action pages.
func DecodeActionPage(r io.Reader, fn func(*ActivityAction) error) (next string, n int, err error) {
	pi, err := decodePage(r, items(decodeAction, fn))
	var cbe callbackError
	if errors.As(err, &cbe) {
		return pi.next, pi.n, cbe.err
	}
	if err == nil && pi.stopped {
		err = ErrStop
	}
	return pi.next, pi.n, err
}

// CheckNextLink reports whether the client would follow next from a walk
// against base: next must parse, be absolute (or resolve against base) and
// share base's scheme, host and port (default ports made explicit), without
// user information. Anything else gets a *NextLinkError: the bearer token is
// never sent to another origin.
func CheckNextLink(base *url.URL, next string) error {
	_, err := resolveNextLink(base, next)
	return err
}

func resolveNextLink(base *url.URL, next string) (*url.URL, error) {
	if base == nil {
		return nil, &NextLinkError{Err: fmt.Errorf("%w: no base URL", ErrInvalidNextLink)}
	}
	if strings.TrimSpace(next) == "" || strings.ContainsAny(next, " \t\r\n\x00") {
		return nil, &NextLinkError{Err: ErrInvalidNextLink}
	}
	ref, err := url.Parse(next)
	if err != nil {
		return nil, &NextLinkError{Err: ErrInvalidNextLink}
	}
	u := base.ResolveReference(ref)
	if u.User != nil || u.Opaque != "" {
		return nil, &NextLinkError{Origin: originOf(u), Err: ErrForeignNextLink}
	}
	if origin(u) != origin(base) {
		return nil, &NextLinkError{Origin: originOf(u), Err: ErrForeignNextLink}
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// origin is the normalised scheme://host:port of u, default port explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	port = strings.TrimLeft(port, "0")
	return scheme + "://[" + host + "]:" + port
}

// originOf is a printable origin (no path, query or user information).
func originOf(u *url.URL) string {
	if u.Host == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// linkKey normalises a followed URL for repeat detection.
func linkKey(u *url.URL) string {
	return origin(u) + u.EscapedPath() + "?" + u.RawQuery
}
