package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// describeError renders a client error for a diagnostic: the HTTP status,
// Workiva's code and message, and what the operation was. Client errors never
// carry secrets or tokens, so the text is safe to show.
func describeError(err error) string {
	var apiErr *workiva.APIError
	var tokErr *workiva.TokenError
	switch {
	case errors.As(err, &apiErr):
		var b strings.Builder
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
		if apiErr.Hint != "" {
			b.WriteString("\n" + apiErr.Hint)
		} else if apiErr.StatusCode == http.StatusForbidden {
			b.WriteString("\nReading activities needs an admin role in Workiva: Org User Admin, Org Workspace Admin or " +
				"Org Security Admin for organization activities, Workspace Owner for workspace activities.")
		}
		return b.String()
	case errors.As(err, &tokErr):
		if tokErr.StatusCode == 0 {
			// No HTTP answer to report (timeout, refused connection, a 200
			// without a token): the client's text says what happened, and
			// the credentials are not the suspect.
			return strings.TrimPrefix(tokErr.Error(), "workiva: ")
		}
		var b strings.Builder
		fmt.Fprintf(&b, "The token endpoint answered HTTP %d %s", tokErr.StatusCode, http.StatusText(tokErr.StatusCode))
		if tokErr.Code != "" {
			fmt.Fprintf(&b, ", error %q", tokErr.Code)
		}
		if tokErr.Description != "" {
			fmt.Fprintf(&b, ": %s", tokErr.Description)
		}
		b.WriteString("\nCheck client_id and client_secret (or " + EnvClientID + " and " + EnvClientSecret + "), or access_token.")
		return b.String()
	case errors.Is(err, context.Canceled):
		return "The read was interrupted: " + err.Error()
	default:
		return err.Error()
	}
}

// statusOf returns the HTTP status of an API error, 0 otherwise.
func statusOf(err error) int {
	var apiErr *workiva.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
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
