package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// describeError renders a client error for a diagnostic: the HTTP status,
// Workiva's code and message, what the operation was, and what the user can
// do about it. Client errors never carry secrets or tokens, so the text is
// safe to show.
func describeError(err error) string {
	var apiErr *workiva.APIError
	var tokErr *workiva.TokenError
	var b strings.Builder
	switch {
	case errors.As(err, &apiErr):
		fmt.Fprintf(&b, "HTTP %d %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
		if apiErr.Code != "" {
			fmt.Fprintf(&b, ", Workiva code %q", apiErr.Code)
		}
		if apiErr.Message != "" {
			fmt.Fprintf(&b, ": %s", apiErr.Message)
		}
		if apiErr.Target != "" {
			fmt.Fprintf(&b, " (target %s)", apiErr.Target)
		}
		for _, d := range apiErr.Details {
			fmt.Fprintf(&b, "\n  - %s: %s", d.Code, d.Message)
			if d.Target != "" {
				fmt.Fprintf(&b, " (target %s)", d.Target)
			}
		}
		if apiErr.Method != "" || apiErr.Path != "" {
			fmt.Fprintf(&b, "\nRequest: %s %s", apiErr.Method, apiErr.Path)
		}
		if apiErr.Attempts > 1 {
			fmt.Fprintf(&b, " (%d attempts)", apiErr.Attempts)
		}
		if apiErr.DocURL != "" {
			fmt.Fprintf(&b, "\nSee %s", apiErr.DocURL)
		}
		if apiErr.Hint != "" { // the client's advice (403: roles and scope; 401: the token)
			b.WriteString("\n" + apiErr.Hint)
		}
		if apiErr.StatusCode >= 500 { // 429: the hint says it is rate limiting
			b.WriteString("\n" + transientAdvice(apiErr.Attempts))
		}
	case errors.As(err, &tokErr):
		if tokErr.StatusCode == 0 {
			// No HTTP answer to report (timeout, refused or reset connection,
			// a 200 without a token): the client's text says what happened,
			// and the credentials are not the suspect.
			b.WriteString(strings.TrimPrefix(tokErr.Summary(), "workiva: ") + ".")
		} else {
			fmt.Fprintf(&b, "The token endpoint answered HTTP %d %s", tokErr.StatusCode, http.StatusText(tokErr.StatusCode))
			if tokErr.Code != "" {
				fmt.Fprintf(&b, ", error %q", tokErr.Code)
			}
			if tokErr.Description != "" {
				fmt.Fprintf(&b, ": %s", tokErr.Description)
			}
			if tokErr.TokenURL != "" {
				fmt.Fprintf(&b, "\nRequest: POST %s", tokErr.TokenURL)
			}
			if tokErr.Attempts > 1 {
				fmt.Fprintf(&b, " (%d attempts)", tokErr.Attempts)
			}
		}
		switch {
		case tokErr.CredentialsRejected():
			b.WriteString("\nCheck client_id and client_secret (or " + EnvClientID + " and " + EnvClientSecret + "), or access_token.")
		case tokErr.Code == "invalid_scope":
			b.WriteString("\nCheck the scopes attribute: reading activities needs activity:read.")
		case tokErr.StatusCode == http.StatusTooManyRequests:
			b.WriteString("\n" + workiva.RateLimitedHint + ".")
		case tokErr.Transient:
			b.WriteString("\n" + transientAdvice(tokErr.Attempts))
		}
	case errors.Is(err, context.Canceled):
		return "The read was interrupted: " + err.Error()
	default:
		b.WriteString(err.Error())
		var reqErr *workiva.RequestError
		if errors.As(err, &reqErr) && !errors.Is(err, context.DeadlineExceeded) {
			b.WriteString("\n" + transientAdvice(reqErr.Attempts))
		}
	}
	var to *workiva.TimeoutError
	if errors.As(err, &to) {
		fmt.Fprintf(&b, "\nEach HTTP request may take at most request_timeout (here %s; default %ds). "+
			"If Workiva is slow rather than unreachable, raise it in the provider block, e.g. request_timeout = \"5m\".",
			to.Timeout, int(workiva.DefaultRequestTimeout/time.Second))
	}
	return b.String()
}

// transientAdvice is the line for failures of Workiva or the network (429,
// 5xx, network errors), which a later run may not meet.
func transientAdvice(attempts int) string {
	s := "Workiva or the network failed"
	if attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", attempts)
	}
	return s + "; this is not a configuration or credentials problem, and the run can be retried " +
		"(max_retries, or " + EnvMaxRetries + ", sets how many retries each request gets)."
}

// addReadError records a failed read of a data source: the summary names
// the data source and the operation, the detail gives context (may be empty)
// then the error. p, when not empty, attaches it to an attribute.
func addReadError(diags *diag.Diagnostics, p path.Path, dataSource, what, context string, err error) {
	summary := dataSource + ": " + what + " failed"
	detail := describeError(err)
	if context != "" {
		detail = context + "\n\n" + detail
	}
	if p.Equal(path.Empty()) {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(p, summary, detail)
}
