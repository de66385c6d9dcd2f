package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

const (
	activitiesDataSourceName = "workiva_activities"
	defaultOrder             = "desc"
)

var (
	_ datasource.DataSourceWithConfigure        = (*activitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*activitiesDataSource)(nil)
)

type activitiesDataSource struct {
	data *providerData
}

func newActivitiesDataSource() datasource.DataSource { return &activitiesDataSource{} }

// activitiesModel is the whole data source. Computed collections are
// types.List/types.Map built directly from attr values: reflection over
// hundreds of thousands of nested structs would cost more than the walk.
type activitiesModel struct {
	ID             types.String `tfsdk:"id"`
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
	SummaryOnly    types.Bool   `tfsdk:"summary_only"`
	Parallelism    types.Int64  `tfsdk:"parallelism"`
	AllowUnknown   types.Bool   `tfsdk:"allow_unknown_actions"`

	Activities          types.List  `tfsdk:"activities"`
	IDs                 types.List  `tfsdk:"ids"`
	Truncated           types.Bool  `tfsdk:"truncated"`
	ResultCount         types.Int64 `tfsdk:"result_count"`
	CountsByActionAlias types.Map   `tfsdk:"counts_by_action_alias"`
	CountsByPerformerID types.Map   `tfsdk:"counts_by_performer_id"`
}

func (d *activitiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activities"
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

func (d *activitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the activities of a Workiva organization, or of one of its workspaces, that match every " +
			"given filter. Every page is read (up to `max_results`); an error on any page fails the read, so the list is " +
			"never partial. No match gives empty lists.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of this query (a hash of its arguments)."},
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
			"summary_only": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "When true, `activities` is left empty and only `ids`, `result_count`, the count maps and " +
					"`truncated` are filled: much cheaper for Terraform on large windows. Default: `false`.",
			},
			"parallelism": schema.Int64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Number of equal parts of the `since`..`before` window read concurrently, 1 to 16. Above 1, " +
					"`since` and `before` must both be set. The result is the same as with `1`: same activities, same " +
					"order, same `truncated`. Only the wall time and the requests change: each part is read page by page " +
					"on its own, so a read may take a few more (partly filled) pages. Default: `1`.",
				Validators: []validator.Int64{int64validator.Between(1, workiva.MaxParallelism)},
			},
			attrAllowUnknownActions: schema.BoolAttribute{Optional: true, MarkdownDescription: allowUnknownActionsDescription},
			"activities": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching activities, in the requested order.",
				NestedObject:        schema.NestedAttributeObject{Attributes: activitySchemaAttributes(false)},
			},
			"ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "IDs of the matching activities, in the same order as `activities`.",
			},
			"truncated": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when `max_results` stopped the read while more activities matched.",
			},
			"result_count": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Number of activities read.",
			},
			"counts_by_action_alias": schema.MapAttribute{
				Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "Number of activities read per action alias.",
			},
			"counts_by_performer_id": schema.MapAttribute{
				Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "Number of activities read per performer ID.",
			},
		},
	}
}

func (d *activitiesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{sinceBeforeValidator{}, parallelWindowValidator{}}
}

// parallelWindowValidator requires since and before when parallelism is
// above 1: the parallel read splits that window, and without it there is
// nothing to split (silently reading sequentially would hide a mistake).
type parallelWindowValidator struct{}

var _ datasource.ConfigValidator = parallelWindowValidator{}

func (parallelWindowValidator) Description(context.Context) string {
	return "parallelism above 1 needs both since and before"
}

func (v parallelWindowValidator) MarkdownDescription(ctx context.Context) string {
	return "`parallelism` above 1 needs both `since` and `before`"
}

func (parallelWindowValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var p types.Int64
	var since, before types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("parallelism"), &p)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("since"), &since)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("before"), &before)...)
	if resp.Diagnostics.HasError() || p.IsNull() || p.IsUnknown() || p.ValueInt64() <= 1 {
		return
	}
	var missing []string
	if since.IsNull() {
		missing = append(missing, "since")
	}
	if before.IsNull() {
		missing = append(missing, "before")
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("parallelism"), "Parallel read needs a time window",
			fmt.Sprintf("Attribute parallelism = %d needs both since and before set (missing: %s): the window between "+
				"them is what gets split into parallel reads. Set them, or set parallelism = 1.",
				p.ValueInt64(), strings.Join(missing, " and ")))
	}
}

func (d *activitiesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
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
// to the model so that the state shows the values used.
func (d *activitiesDataSource) query(ctx context.Context, m *activitiesModel, diags *diag.Diagnostics) workiva.ActivityQuery {
	var q workiva.ActivityQuery
	if m.OrganizationID.IsNull() {
		if d.data.organizationID == "" {
			diags.AddAttributeError(path.Root("organization_id"), activitiesDataSourceName+": missing organization_id",
				"Set organization_id on the data source, or on the provider (attribute organization_id or environment variable "+
					EnvOrganizationID+").")
			return q
		}
		m.OrganizationID = types.StringValue(d.data.organizationID)
	}
	if m.Order.IsNull() {
		m.Order = types.StringValue(defaultOrder)
	}
	if m.PageSize.IsNull() {
		m.PageSize = types.Int64Value(workiva.DefaultPageSize)
	}
	if m.SummaryOnly.IsNull() {
		m.SummaryOnly = types.BoolValue(false)
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
func queryID(q workiva.ActivityQuery, summaryOnly bool) string {
	h := sha256.New()
	put := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(strconv.Quote(p)))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	put(q.OrganizationID, q.WorkspaceID, q.Filter, q.Order, strconv.Itoa(q.PageSize), strconv.Itoa(q.MaxResults),
		strconv.FormatBool(summaryOnly))
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

func (d *activitiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	b, diags := d.readMsgPack(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if b == nil {
		return
	}
	setStateMsgPack(ctx, &resp.State, b, &resp.Diagnostics, activitiesDataSourceName)
}

// readMsgPack runs the read and returns the whole state, MessagePack-encoded
// (nil on error, never a partial list). Both the framework's Read and the
// protocol wrapper (server.go) use it: the wrapper hands the bytes to
// Terraform as they are, so the activities never exist as values.
func (d *activitiesDataSource) readMsgPack(ctx context.Context, config tfsdk.Config) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.data == nil {
		diags.AddError(activitiesDataSourceName+": provider not configured", "The workiva provider was not configured before the read.")
		return nil, diags
	}
	var m activitiesModel
	diags.Append(config.Get(ctx, &m)...)
	if diags.HasError() {
		return nil, diags
	}
	q := d.query(ctx, &m, &diags)
	if diags.HasError() {
		return nil, diags
	}
	diags.Append(checkActions(ctx, d.data.actions, activitiesDataSourceName, q.ActionAliases, q.ActionIDs, m.AllowUnknown.ValueBool())...)
	if diags.HasError() {
		return nil, diags
	}
	summaryOnly := m.SummaryOnly.ValueBool()

	var (
		enc         activityEncoder
		activities  mpBuf // the elements of `activities`, without the array header
		ids         mpBuf // likewise for `ids`
		count       int
		byAlias     = map[string]int64{}
		byPerformer = map[string]int64{}
	)
	res, err := d.data.client.ListActivities(ctx, q, func(a *workiva.Activity) error {
		ids.str(a.ID)
		if !summaryOnly {
			enc.activity(&activities, a, "")
		}
		count++
		byAlias[a.Action.Alias]++
		byPerformer[a.Performer.ID]++
		return nil
	})
	if err != nil {
		// Nothing read so far reaches state: the read fails as a whole.
		context := "Organization " + q.OrganizationID
		if q.WorkspaceID != "" {
			context += ", workspace " + q.WorkspaceID
		}
		context += "."
		if why, ok := describeFilterRejection(err); ok {
			p := path.Empty()
			if q.Filter != "" {
				p = path.Root("filter")
			}
			addReadError(&diags, p, activitiesDataSourceName, "listing activities", context+" "+why, err)
			return nil, diags
		}
		addReadError(&diags, path.Empty(), activitiesDataSourceName, "listing activities", context, err)
		return nil, diags
	}

	tflog.Debug(ctx, "Read workiva_activities", map[string]any{
		"organization_id": q.OrganizationID, "workspace_id": q.WorkspaceID, "items": res.Count,
		"pages": res.Pages, "truncated": res.Truncated, "summary_only": summaryOnly,
		"parallelism": q.Parallelism,
	})
	if res.Truncated {
		diags.AddAttributeWarning(path.Root("max_results"), activitiesDataSourceName+": result truncated",
			fmt.Sprintf("max_results = %d stopped the read before the end: more activities match this query. "+
				"Raise max_results, narrow the filters, or unset max_results to read every page.", q.MaxResults))
	}

	m.ID = types.StringValue(queryID(q, summaryOnly))
	m.Truncated = types.BoolValue(res.Truncated)
	m.ResultCount = types.Int64Value(int64(count))
	m.CountsByActionAlias = countsMap(byAlias)
	m.CountsByPerformerID = countsMap(byPerformer)
	// The small attributes go through the framework (config echoes exactly
	// as configured); the two long lists are spliced in as bytes.
	m.Activities = types.ListNull(activityObjectType)
	m.IDs = types.ListNull(types.StringType)
	small := tfsdk.State{Schema: config.Schema, Raw: tftypes.NewValue(config.Schema.Type().TerraformType(ctx), nil)}
	diags.Append(small.Set(ctx, &m)...)
	if diags.HasError() {
		return nil, diags
	}
	activityCount := count
	if summaryOnly {
		activityCount = 0
	}
	b, err := assembleObject(small.Raw, map[string]splice{
		"activities": {count: activityCount, elems: &activities},
		"ids":        {count: count, elems: &ids},
	})
	if err != nil {
		diags.AddError(activitiesDataSourceName+": internal error", "Encoding the state: "+err.Error())
		return nil, diags
	}
	return b, diags
}

func countsMap(counts map[string]int64) types.Map {
	elems := make(map[string]attr.Value, len(counts))
	for k, n := range counts {
		elems[k] = types.Int64Value(n)
	}
	return types.MapValueMust(types.Int64Type, elems)
}
