package workiva

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Page decoding is streamed: a jsontext.Decoder walks the top-level object
// and each element of "data" is decoded as it is reached, so memory holds one
// item (plus what the caller keeps) and the caller sees items as they arrive.

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

// decodePage reads one list page from r with d. item decodes one element of
// "data" and hands it on; it returns callbackError for the caller's errors.
func decodePage(d *objDecoder, r io.Reader, item func(d *objDecoder) error) (pageInfo, error) {
	var pi pageInfo
	d.reset(r)
	dec := d.dec
	if k := dec.PeekKind(); k != '{' {
		if k == 0 {
			return pi, d.readErr()
		}
		return pi, fmt.Errorf("expected a JSON object, found %s", kindName(k))
	}
	if _, err := dec.ReadToken(); err != nil {
		return pi, eofIsUnexpected(err)
	}
	seenData := false
	for {
		more, err := d.more()
		if err != nil {
			return pi, pageErr(err)
		}
		if !more {
			break
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return pi, pageErr(eofIsUnexpected(err))
		}
		switch tok.String() {
		case "data":
			seenData = true
			if k := dec.PeekKind(); k != '[' {
				if k == 0 {
					return pi, d.readErr()
				}
				return pi, fmt.Errorf(`expected "data" to be an array, found %s`, kindName(k))
			}
			if _, err := dec.ReadToken(); err != nil {
				return pi, eofIsUnexpected(err)
			}
			for {
				more, err := d.more()
				if err != nil {
					return pi, fmt.Errorf("item %d: %w", pi.n+1, eofIsUnexpected(err))
				}
				if !more {
					break
				}
				if pi.stopped {
					pi.moreData = true
					return pi, nil
				}
				if pi.n%yieldEvery == yieldEvery-1 {
					// Let the readers' goroutines in: a page read
					// waits behind decoders otherwise, its next
					// request with it (readahead.go).
					runtime.Gosched()
				}
				err = item(d)
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
		case "@nextLink":
			switch k := dec.PeekKind(); k {
			case '"', 'n':
				if pi.next, err = d.str(); err != nil {
					return pi, err
				}
			case 0:
				return pi, d.readErr()
			default:
				return pi, fmt.Errorf(`"@nextLink" is %s, not a string`, kindName(k))
			}
		default:
			// Unknown keys (@odata.count, future additions) are skipped.
			if err := d.skip(); err != nil {
				return pi, err
			}
		}
	}
	if !seenData {
		// A page without "data" is not an empty page: reporting "no
		// activities" for a broken answer would be wrong.
		return pi, errors.New(`page has no "data" array`)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err != nil && !isSyntax(err) {
			return pi, err // a read error after the page
		}
		return pi, errors.New("unexpected data after the page object")
	}
	return pi, nil
}

// pageErr names a repeated member of the page object in words of the page.
func pageErr(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && errors.Is(err, jsontext.ErrDuplicateName) {
		switch se.JSONPointer {
		case "/data":
			return errors.New(`duplicate "data" in page`)
		case "/@nextLink":
			return errors.New(`duplicate "@nextLink" in page`)
		}
	}
	return eofIsUnexpected(err)
}

func isSyntax(err error) bool {
	var se *jsontext.SyntacticError
	return errors.As(err, &se)
}

// eofIsUnexpected: io.EOF inside a page means the body broke off.
func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// items adapts a decoder and a caller's fn to decodePage.
func items[T any](decode func(*objDecoder) (*T, error), fn func(*T) error) func(*objDecoder) error {
	return func(d *objDecoder) error {
		v, err := decode(d)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return callbackError{err}
		}
		return nil
	}
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

// yieldEvery is how many items a page decoder decodes between yields to
// the scheduler. With 16 readers on 2 cores, a reader whose answer had come
// waited up to 40 ms behind the decoders' 10 ms time slices before it read
// the page and sent its next request; yielding every 16 items (about 80
// µs) made BenchmarkLatencyWalk's 16-reader walk 1.15 s -> 1.0 s.
const yieldEvery = 16
