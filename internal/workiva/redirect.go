package workiva

import (
	"fmt"
	"net/http"
	"time"
)

// Every request this package sends carries a credential: the Basic client
// credentials to the token endpoint, or a bearer token to the API. A
// redirect could carry it to another server (Go keeps Authorization when
// only the port changes), so none is ever followed. The refusal sits in the
// transport, under every http.Client, so that no client built on it (an
// http.Client with the default redirect policy, like the one
// go-retryablehttp's StandardClient returns) ever sees a 3xx to follow.

// RedirectError is a 3xx answer, refused rather than followed.
type RedirectError struct {
	Operation  string // e.g. "token request", "get activity"
	Method     string
	Path       string // URL path only: never a query, a token or the Location
	StatusCode int
	// Setting is the provider setting that names the address which
	// redirected: "api_url" or "token_url".
	Setting string
}

func (e *RedirectError) Error() string {
	s := "workiva: "
	if e.Operation != "" {
		s += e.Operation + ": "
	}
	return s + e.Method + " " + e.Path + ": " + e.detail()
}

// detail is the message without the operation and request, for callers
// that name them already (TokenError).
func (e *RedirectError) detail() string {
	s := statusLine(e.StatusCode) + ": redirects are refused, because the request carries credentials that must not reach another address"
	if e.Setting != "" {
		s += fmt.Sprintf("; set %s to the address that answers without redirecting", e.Setting)
	}
	return s
}

// isRedirectStatus: every 3xx, not only those Go follows, so that none is
// mistaken for an answer.
func isRedirectStatus(code int) bool { return code >= 300 && code < 400 }

// refuseRedirects turns every 3xx from base into a *RedirectError.
type refuseRedirects struct{ base http.RoundTripper }

func (t refuseRedirects) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || !isRedirectStatus(resp.StatusCode) {
		return resp, err
	}
	drainClose(resp)
	return nil, &RedirectError{Method: r.Method, Path: r.URL.EscapedPath(), StatusCode: resp.StatusCode}
}

// refuseRedirect is the redirect policy of every http.Client the package
// makes. refuseRedirects already stops each 3xx below the client; this
// second guard holds should a client ever get another transport.
func refuseRedirect(req *http.Request, via []*http.Request) error {
	e := &RedirectError{}
	if req.Response != nil {
		e.StatusCode = req.Response.StatusCode
	}
	if len(via) > 0 {
		last := via[len(via)-1]
		e.Method, e.Path = last.Method, last.URL.EscapedPath()
	}
	return e
}

// newHTTPClient is the one place the package builds an http.Client over a
// base transport (TestEveryClientRefusesRedirects checks that).
func newHTTPClient(base http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{Transport: refuseRedirects{base: base}, Timeout: timeout, CheckRedirect: refuseRedirect}
}
