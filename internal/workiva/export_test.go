package workiva

import (
	"errors"
	"io"
	"net/http"
	"net/url"
)

// Accessors the tests use and the provider does not: kept out of the
// package's API.

// IsNotFound reports whether err is an API 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsForbidden reports whether err is an API 403.
func IsForbidden(err error) bool { return StatusCode(err) == http.StatusForbidden }

// IsUnauthorized reports whether err is an API 401 or a token failure.
func IsUnauthorized(err error) bool {
	var te *TokenError
	return StatusCode(err) == http.StatusUnauthorized || errors.As(err, &te)
}

// IsBadRequest reports whether err is an API 400 (e.g. a filter the API rejects).
func IsBadRequest(err error) bool { return StatusCode(err) == http.StatusBadRequest }

// TokenURL is the resolved token endpoint.
func (c *Client) TokenURL() string { return c.tokenURL }

// CloseIdleConnections releases pooled connections.
func (c *Client) CloseIdleConnections() {
	c.apiHTTP.CloseIdleConnections()
	c.tokenHTTP.CloseIdleConnections()
}

// Page decoding and the next-link rule, as the page tests and fuzz
// targets call them (the client itself walks pages through walk).

// DecodeActivityPage decodes one activities list page from r, calling fn
// per activity as it is read. It returns the page's @nextLink ("" when
// absent) and the number of activities handed to fn. An error from fn is
// returned as is (ErrStop included: then the rest of the page is not read
// and next may be unknown); any other error means the page is malformed.
func DecodeActivityPage(r io.Reader, fn func(*Activity) error) (next string, n int, err error) {
	return decodePublic(r, (*objDecoder).listItemActivity, fn)
}

// DecodeActionPage is DecodeActivityPage for activity action pages.
func DecodeActionPage(r io.Reader, fn func(*ActivityAction) error) (next string, n int, err error) {
	return decodePublic(r, (*objDecoder).listItemAction, fn)
}

func decodePublic[T any](r io.Reader, decode func(*objDecoder) (*T, error), fn func(*T) error) (string, int, error) {
	pi, err := decodePage(newObjDecoder(), r, items(decode, fn))
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
