package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// The check functions below hold the rules once: the schema validators use
// them at plan time, and Configure uses them for environment variables, which
// the framework never sees.

// The rules of the client's own settings (URLs, region, API version) are
// the client's: workiva.CheckURL and friends.

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

const (
	uuidRule     = "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"
	rfc3339Rule  = "must be an RFC 3339 date-time with a time zone, such as 2026-01-01T00:00:00Z or 2026-01-01T09:00:00+02:00"
	durationRule = "must be a positive Go duration such as 30s, 2m or 1m30s"
	notBlankRule = "must not be empty or only whitespace"
)

func checkUUID(s string) error {
	if !uuidRE.MatchString(s) {
		return fmt.Errorf("%s, got %q", uuidRule, s)
	}
	return nil
}

func checkRFC3339(s string) (time.Time, error) {
	// time.RFC3339 demands a zone (Z or ±hh:mm), which is what we want: a
	// zoneless time would be read in an arbitrary zone.
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s, got %q", rfc3339Rule, s)
	}
	return t, nil
}

func checkDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s, got %q", durationRule, s)
	}
	return d, nil
}

func checkNotBlank(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%s, got %q", notBlankRule, s)
	}
	return nil
}

// stringCheck adapts a check function into a schema string validator whose
// diagnostic names the attribute.
type stringCheck struct {
	summary string
	rule    string
	check   func(string) error
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.rule }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.rule }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary,
			fmt.Sprintf("Attribute %s %s", req.Path, err))
	}
}

func validUUID() validator.String {
	return stringCheck{summary: "Invalid UUID", rule: uuidRule, check: checkUUID}
}

func validRFC3339() validator.String {
	return stringCheck{summary: "Invalid RFC 3339 date-time", rule: rfc3339Rule, check: func(s string) error {
		_, err := checkRFC3339(s)
		return err
	}}
}

func validURL() validator.String {
	return stringCheck{summary: "Invalid URL", rule: workiva.URLRule, check: workiva.CheckURL}
}

func validDuration() validator.String {
	return stringCheck{summary: "Invalid duration", rule: durationRule, check: func(s string) error {
		_, err := checkDuration(s)
		return err
	}}
}

func validAPIVersion() validator.String {
	return stringCheck{summary: "Invalid API version", rule: workiva.APIVersionRule, check: workiva.CheckAPIVersion}
}

func notBlank() validator.String {
	return stringCheck{summary: "Invalid empty value", rule: notBlankRule, check: checkNotBlank}
}

// sinceBeforeValidator requires `before` to be later than `since` when both
// are known; a malformed value is left to the attribute's own validator.
type sinceBeforeValidator struct{}

var _ datasource.ConfigValidator = sinceBeforeValidator{}

func (sinceBeforeValidator) Description(context.Context) string {
	return "before must be later than since"
}

func (v sinceBeforeValidator) MarkdownDescription(ctx context.Context) string {
	return "`before` must be later than `since`"
}

func (sinceBeforeValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var since, before types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("since"), &since)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("before"), &before)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if since.IsNull() || since.IsUnknown() || before.IsNull() || before.IsUnknown() {
		return
	}
	s, err1 := checkRFC3339(since.ValueString())
	b, err2 := checkRFC3339(before.ValueString())
	if err1 != nil || err2 != nil {
		return
	}
	if !b.After(s) {
		resp.Diagnostics.AddAttributeError(path.Root("before"), "Invalid time window",
			fmt.Sprintf("Attribute before (%s) must be later than attribute since (%s): before is exclusive, since inclusive.",
				before.ValueString(), since.ValueString()))
	}
}
