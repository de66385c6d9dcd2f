package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// The activity query is shared by every data source that lists activities
// (workiva_activities, workiva_activities_export): the same arguments, with
// the same names, validation and defaults, built into the same
// workiva.ActivityQuery. A data source embeds activityQueryModel in its
// model, adds activityQueryAttributes to its schema and
// activityQueryConfigValidators to its config validators.

const defaultOrder = "desc"

// activityQueryModel is the query part of a data source's model. It is
// embedded by value: the framework promotes its fields.
type activityQueryModel struct {
	OrganizationID types.String `tfsdk:"organization_id"`
	WorkspaceID    types.String `tfsdk:"workspace_id"`
	ActionAliases  types.Set    `tfsdk:"action_aliases"`
	ActionIDs      types.Set    `tfsdk:"action_ids"`
	PerformerIDs   types.Set    `tfsdk:"performer_ids"`
	TargetIDs      types.Set    `tfsdk:"target_ids"`
	Since          types.String `tfsdk:"since"`
	Before         types.String `tfsdk:"before"`
	Filter         types.String `tfsdk:"filter"`
	Order          types.String `tfsdk:"order"`
	MaxResults     types.Int64  `tfsdk:"max_results"`
	PageSize       types.Int64  `tfsdk:"page_size"`
	Parallelism    types.Int64  `tfsdk:"parallelism"`
	AllowUnknown   types.Bool   `tfsdk:"allow_unknown_actions"`
}

func idSetAttribute(desc string) schema.SetAttribute {
	return schema.SetAttribute{
		Optional:            true,
		ElementType:         types.StringType,
		MarkdownDescription: desc,
		Validators: []validator.Set{
			setvalidator.SizeAtLeast(1),
			setvalidator.ValueStringsAre(notBlank()),
		},
	}
}

// activityQueryAttributes returns the query arguments, merged with the data
// source's own attributes.
func activityQueryAttributes(own map[string]schema.Attribute) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"organization_id": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "UUID of the organization. Default: the provider's `organization_id`.",
			Validators:          []validator.String{validUUID()},
		},
		"workspace_id": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only activities of this workspace (reading them needs the Workspace Owner role).",
			Validators:          []validator.String{notBlank()},
		},
		"action_aliases": idSetAttribute("Only activities whose action has one of these aliases, e.g. `user_login`."),
		"action_ids":     idSetAttribute("Only activities whose action has one of these IDs."),
		"performer_ids":  idSetAttribute("Only activities performed by one of these performer IDs."),
		"target_ids":     idSetAttribute("Only activities that affected one of these target IDs."),
		"since": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only activities at or after this time (inclusive), RFC 3339 with a zone, e.g. `2026-01-01T00:00:00Z`.",
			Validators:          []validator.String{validRFC3339()},
		},
		"before": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only activities before this time (exclusive), RFC 3339 with a zone; must be later than `since`.",
			Validators:          []validator.String{validRFC3339()},
		},
		"filter": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "A raw OData `$filter` expression, passed to the API as written and AND-ed with the other " +
				"filters, e.g. `action.alias eq 'user_login' or action.alias eq 'user_logout'`.",
			Validators: []validator.String{notBlank()},
		},
		"order": schema.StringAttribute{
			Optional: true, Computed: true,
			MarkdownDescription: "Order by activity time: `desc` (newest first) or `asc`. Default: `desc`.",
			Validators:          []validator.String{stringvalidator.OneOf("asc", "desc")},
		},
		"max_results": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "Stop after this many activities (at least 1). Unset: read every page.",
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
		},
		"page_size": schema.Int64Attribute{
			Optional: true, Computed: true,
			MarkdownDescription: "Activities per API page, 1 to 1000. Default: `1000`.",
			Validators:          []validator.Int64{int64validator.Between(1, workiva.MaxPageSize)},
		},
		"parallelism": schema.Int64Attribute{
			Optional: true, Computed: true,
			MarkdownDescription: "Number of concurrent readers of the time window, 1 to 16. The window is cut into " +
				"that many parts, and whenever a reader is done, the part with the most activities left is split again " +
				"and shared, so bursts of activity keep every reader busy. Without `since` or `before`, the missing end " +
				"is found first with one small request (the window then closes at the newest activity found at the " +
				"start). The result is the same as with `1`: same activities, same order, same `truncated`. Only the " +
				"wall time and the requests change: each part is read page by page on its own, so a read takes a few " +
				"more (partly filled) pages. A server that allows fewer concurrent requests is met at its own pace (see " +
				"the performance guide). Default: `1`.",
			Validators: []validator.Int64{int64validator.Between(1, workiva.MaxParallelism)},
		},
		attrAllowUnknownActions: schema.BoolAttribute{Optional: true, MarkdownDescription: allowUnknownActionsDescription},
	}
	maps.Copy(attrs, own)
	return attrs
}

// activityQueryConfigValidators are the rules across query arguments.
func activityQueryConfigValidators() []datasource.ConfigValidator {
	return []datasource.ConfigValidator{sinceBeforeValidator{}}
}

func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	slices.Sort(out) // deterministic filter text and query hash
	return out
}

// query turns the configuration into a client query, with defaults applied
// to the model so that the state shows the values used. dataSource names the
// data source in diagnostics.
func (m *activityQueryModel) query(ctx context.Context, data *providerData, dataSource string, diags *diag.Diagnostics) workiva.ActivityQuery {
	var q workiva.ActivityQuery
	if m.OrganizationID.IsNull() {
		if data.organizationID == "" {
			diags.AddAttributeError(path.Root("organization_id"), dataSource+": missing organization_id",
				"Set organization_id on the data source, or on the provider (attribute organization_id or environment variable "+
					EnvOrganizationID+").")
			return q
		}
		m.OrganizationID = types.StringValue(data.organizationID)
	}
	if m.Order.IsNull() {
		m.Order = types.StringValue(defaultOrder)
	}
	if m.PageSize.IsNull() {
		m.PageSize = types.Int64Value(workiva.DefaultPageSize)
	}
	if m.Parallelism.IsNull() {
		m.Parallelism = types.Int64Value(1)
	}

	q.OrganizationID = m.OrganizationID.ValueString()
	q.WorkspaceID = m.WorkspaceID.ValueString()
	q.ActionAliases = setStrings(ctx, m.ActionAliases, diags)
	q.ActionIDs = setStrings(ctx, m.ActionIDs, diags)
	q.PerformerIDs = setStrings(ctx, m.PerformerIDs, diags)
	q.TargetIDs = setStrings(ctx, m.TargetIDs, diags)
	q.Filter = m.Filter.ValueString()
	q.Order = m.Order.ValueString()
	q.PageSize = int(m.PageSize.ValueInt64())
	q.MaxResults = int(m.MaxResults.ValueInt64())
	q.Parallelism = int(m.Parallelism.ValueInt64())
	for _, t := range []struct {
		v    types.String
		name string
		dst  *time.Time
	}{{m.Since, "since", &q.Since}, {m.Before, "before", &q.Before}} {
		if t.v.IsNull() {
			continue
		}
		tm, err := checkRFC3339(t.v.ValueString())
		if err != nil { // validated at plan time; kept for safety
			diags.AddAttributeError(path.Root(t.name), "Invalid RFC 3339 date-time", "Attribute "+t.name+" "+err.Error())
			continue
		}
		*t.dst = tm
	}
	return q
}

// queryID is a stable identifier of a query: the same arguments give the
// same ID in every run. Parallelism is left out: it never changes the result.
// extra are the data source's own arguments that shape its result.
func queryID(q workiva.ActivityQuery, extra ...string) string {
	h := sha256.New()
	put := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(strconv.Quote(p)))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	put(append([]string{q.OrganizationID, q.WorkspaceID, q.Filter, q.Order, strconv.Itoa(q.PageSize),
		strconv.Itoa(q.MaxResults)}, extra...)...)
	put(q.ActionAliases...)
	put(q.ActionIDs...)
	put(q.PerformerIDs...)
	put(q.TargetIDs...)
	for _, t := range []time.Time{q.Since, q.Before} {
		if t.IsZero() {
			put("")
		} else {
			put(t.UTC().Format(time.RFC3339Nano))
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// addListError records a failed walk of an activity query: the organization
// (and workspace) read, then why. A filter the API rejected is explained in
// terms of the user's filter and reported at that attribute. after is the
// data source's own sentence on what the failure left behind.
func addListError(diags *diag.Diagnostics, dataSource string, q workiva.ActivityQuery, after string, err error) {
	context := "Organization " + q.OrganizationID
	if q.WorkspaceID != "" {
		context += ", workspace " + q.WorkspaceID
	}
	context += "."
	if after != "" {
		context += " " + after
	}
	at := path.Empty()
	if why, ok := describeFilterRejection(err); ok {
		if q.Filter != "" {
			at = path.Root("filter")
		}
		context += " " + why
	}
	addReadError(diags, at, dataSource, "listing activities", context, err)
}
