package workiva

import (
	"errors"
	"net/http"
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

// APIVersion is the X-Version sent on every call.
func (c *Client) APIVersion() string { return c.apiVersion }

// CloseIdleConnections releases pooled connections.
func (c *Client) CloseIdleConnections() {
	c.apiHTTP.CloseIdleConnections()
	c.tokenHTTP.CloseIdleConnections()
}
