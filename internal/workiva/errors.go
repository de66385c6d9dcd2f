package workiva

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrorDetail is one entry of ErrorResponse.details.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target"`
}

// APIError is a non-2xx answer of the API, decoded from Workiva's ErrorResponse.
type APIError struct {
	Operation  string // e.g. "list organization activities"
	StatusCode int
	Method     string
	Path       string // URL path only: never a query or a token
	Code       string
	Message    string
	Target     string
	Details    []ErrorDetail
	DocURL     string
	Attempts   int // attempts made, when retries were exhausted

	// Hint is advice added by the client (403: roles and scope; 401: token
	// rejected). Empty when there is nothing useful to add.
	Hint string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("workiva: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	if e.Method != "" || e.Path != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Attempts > 0 {
		fmt.Fprintf(&b, "giving up after %d %s: ", e.Attempts, plural(e.Attempts, "attempt", "attempts"))
	}
	b.WriteString(statusLine(e.StatusCode))
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Target != "" {
		fmt.Fprintf(&b, " (target %s)", e.Target)
	}
	for _, d := range e.Details {
		b.WriteString("; ")
		parts := make([]string, 0, 3)
		for _, s := range []string{d.Code, d.Message} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		b.WriteString(strings.Join(parts, ": "))
		if d.Target != "" {
			fmt.Fprintf(&b, " (target %s)", d.Target)
		}
	}
	if e.Hint != "" {
		b.WriteString(". ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// RateLimitedHint is the advice for a 429 that outlasted the retries. The
// client lowers its requests in flight on its own when the API refuses
// some of them, so a request is only refused that often when it was the
// only one in flight: the API is limiting the rate, not failing, and
// running again at once meets the same limit.
const RateLimitedHint = "The API is rate-limiting this client (429 Too Many Requests), not failing: " +
	"it kept refusing even a single request at a time. Lower parallelism (and how many reads run at once, " +
	"e.g. terraform apply -parallelism=1), raise max_retries so that each request waits longer, " +
	"or run later when other clients of the API are idle"

// TokenError is a failed token request, decoded from Workiva's IamError.
type TokenError struct {
	StatusCode  int
	Code        string // IamError.error
	Description string // IamError.error_description
	URI         string

	// TokenURL is the token endpoint (scheme, host and path only).
	TokenURL string
	// Attempts is how many requests were sent (1 + the retries made).
	Attempts int
	// Transient: Workiva or the network failed (429, 5xx, a network error,
	// a timeout, a Retry-After too long to wait), not the credentials; a
	// later run may succeed.
	Transient bool
	// Err is the underlying failure when the endpoint gave no IamError
	// (connection refused, timeout, a 200 without access_token...). It never
	// holds the client secret: the client redacts it.
	Err error
}

// CredentialsRejected reports whether the token endpoint refused the client
// credentials themselves (401, invalid_client, unauthorized_client): the
// only failures where checking the client ID and secret is the advice.
func (e *TokenError) CredentialsRejected() bool {
	return e.StatusCode == http.StatusUnauthorized || e.Code == "invalid_client" || e.Code == "unauthorized_client"
}

func (e *TokenError) Error() string {
	s := e.Summary()
	switch {
	case e.CredentialsRejected():
		s += ". Check the client ID and client secret"
	case e.Code == "invalid_scope":
		s += ". Check the requested scopes"
	case e.StatusCode == http.StatusTooManyRequests:
		s += ". " + RateLimitedHint
	case e.Transient:
		s += ". Workiva or the network failed, not the credentials; the run can be retried"
	}
	return s
}

// Summary is what happened, without Error's advice (callers that word
// their own advice, like the provider, use it).
func (e *TokenError) Summary() string {
	var b strings.Builder
	b.WriteString("workiva: token request")
	if e.TokenURL != "" {
		b.WriteString(" to ")
		b.WriteString(e.TokenURL)
	}
	b.WriteString(" failed")
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.StatusCode != 0 {
		b.WriteString(": ")
		b.WriteString(statusLine(e.StatusCode))
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if e.Err != nil && e.Code == "" {
		b.WriteString(": ")
		var to *TimeoutError
		var rae *RetryAfterError
		var re *RedirectError
		switch {
		case errors.As(e.Err, &re):
			b.WriteString(re.detail())
		case errors.As(e.Err, &to):
			fmt.Fprintf(&b, "request timed out after %s", to.Timeout)
		case errors.As(e.Err, &rae):
			b.WriteString(strings.TrimPrefix(rae.Error(), "workiva: "+rae.Operation+": "))
		default:
			b.WriteString(e.Err.Error())
		}
	}
	return b.String()
}

func (e *TokenError) Unwrap() error { return e.Err }

// ConfigError is an invalid Config value. Setting is the provider-level
// name of the setting (region, api_url, token_url, client_id, client_secret,
// access_token, api_version, max_retries, request_timeout, ...).
type ConfigError struct {
	Setting string
	Value   string // empty for secrets
	Reason  string
}

func (e *ConfigError) Error() string { return invalidMessage(e.Setting, e.Value, e.Reason) }

// QueryError is an invalid argument to an operation (ActivityQuery,
// ActionListOptions or an ID), found before any request is sent. Field is the
// Go field name (OrganizationID, PageSize, ...).
type QueryError struct {
	Field  string
	Value  string
	Reason string
}

func (e *QueryError) Error() string { return invalidMessage(e.Field, e.Value, e.Reason) }

// invalidMessage words ConfigError and QueryError alike; the value is left
// out when empty (secrets are never put in Value).
func invalidMessage(name, value, reason string) string {
	if value != "" {
		return fmt.Sprintf("workiva: invalid %s %q: %s", name, value, reason)
	}
	return fmt.Sprintf("workiva: invalid %s: %s", name, reason)
}

// RetryAfterError ends a call at once when the server asks for a wait
// (Retry-After) longer than the client's cap or than the time left before
// the context's deadline: sleeping into a certain failure helps nobody.
type RetryAfterError struct {
	Operation  string
	Method     string
	Path       string
	StatusCode int
	Wait       time.Duration // what the server asked for (at most a year)
	Header     string        // the Retry-After value as sent
	Limit      time.Duration // the cap or the time left
	Reason     string        // "exceeds the maximum wait" | "exceeds the time left before the deadline"
	Attempts   int
}

func (e *RetryAfterError) Error() string {
	wait := e.Wait.String()
	if e.Wait >= retryAfterCeiling {
		wait = "more than a year"
	}
	// The header as sent, unless it is the number of seconds just printed.
	if e.Header != "" && (e.Wait >= retryAfterCeiling || strings.Trim(e.Header, "0123456789") != "") {
		wait += fmt.Sprintf(" (Retry-After: %.40s)", e.Header)
	}
	return fmt.Sprintf("workiva: %s: %s %s: %s: server asked to retry after %s, which %s (%s); not waiting",
		e.Operation, e.Method, e.Path, statusLine(e.StatusCode), wait, e.Reason, e.Limit.Round(time.Millisecond))
}

// TimeoutError is an attempt that took longer than Config.RequestTimeout
// (the last one, when retries were exhausted).
type TimeoutError struct {
	Operation string
	Method    string
	Path      string
	Timeout   time.Duration
	Attempts  int
	Err       error
}

func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("workiva: %s: %s %s: request timed out after %s", e.Operation, e.Method, e.Path, e.Timeout)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (giving up after %d attempts)", e.Attempts)
	}
	return s
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// RequestError is a transport failure (connection refused, reset, DNS...)
// that persisted through every retry.
type RequestError struct {
	Operation string
	Method    string
	Path      string
	Attempts  int
	Err       error
}

func (e *RequestError) Error() string {
	s := fmt.Sprintf("workiva: %s: %s %s: ", e.Operation, e.Method, e.Path)
	if e.Attempts > 1 {
		s += fmt.Sprintf("giving up after %d attempts: ", e.Attempts)
	}
	return s + e.Err.Error()
}

func (e *RequestError) Unwrap() error { return e.Err }

// PageError is a list page that could not be decoded (malformed or truncated
// JSON, a body that broke off). Items of earlier pages (and of this page
// before the fault) have already been handed to the callback: callers must
// discard the partial result.
type PageError struct {
	Operation string
	Page      int // 1-based
	Err       error
}

func (e *PageError) Error() string {
	return fmt.Sprintf("workiva: decoding page %d of %s: %v", e.Page, e.Operation, e.Err)
}

func (e *PageError) Unwrap() error { return e.Err }

// Sentinels wrapped by NextLinkError.
var (
	ErrForeignNextLink  = errors.New("next link points at a different scheme, host or port than the API URL")
	ErrRepeatedNextLink = errors.New("next link repeats a page already read in this walk")
	ErrInvalidNextLink  = errors.New("next link is not a valid URL")
)

// NextLinkError is an @nextLink the client refuses to follow. The bearer
// token is only ever sent to the API URL's origin.
type NextLinkError struct {
	Operation string
	Page      int    // the page that carried the link (0 when unknown)
	Origin    string // scheme://host[:port] of the link, when it parsed
	Err       error  // one of ErrForeignNextLink, ErrRepeatedNextLink, ErrInvalidNextLink
}

func (e *NextLinkError) Error() string {
	var b strings.Builder
	b.WriteString("workiva: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	if e.Page > 0 {
		fmt.Fprintf(&b, "page %d: ", e.Page)
	}
	b.WriteString(e.Err.Error())
	if e.Origin != "" && errors.Is(e.Err, ErrForeignNextLink) {
		fmt.Fprintf(&b, " (%s); refusing to send the token there", e.Origin)
	}
	return b.String()
}

func (e *NextLinkError) Unwrap() error { return e.Err }

// StatusCode returns the HTTP status of an *APIError or a *RedirectError in
// err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	var re *RedirectError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

func statusLine(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
