package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

const activitiesDataSourceName = "workiva_activities"

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
	ID types.String `tfsdk:"id"`
	activityQueryModel
	SummaryOnly types.Bool `tfsdk:"summary_only"`

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

func (d *activitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the activities of a Workiva organization, or of one of its workspaces, that match every " +
			"given filter. Every page is read (up to `max_results`); an error on any page fails the read, so the list is " +
			"never partial. No match gives empty lists.",
		Attributes: activityQueryAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of this query (a hash of its arguments)."},
			"summary_only": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "When true, `activities` is left empty and only `ids`, `result_count`, the count maps and " +
					"`truncated` are filled: much cheaper for Terraform on large windows. Default: `false`.",
			},
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
		}),
	}
}

func (d *activitiesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return activityQueryConfigValidators()
}

func (d *activitiesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
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
	q := m.query(ctx, d.data, activitiesDataSourceName, &diags)
	if diags.HasError() {
		return nil, diags
	}
	diags.Append(checkActions(ctx, d.data.actions, activitiesDataSourceName, q.ActionAliases, q.ActionIDs, m.AllowUnknown.ValueBool())...)
	if diags.HasError() {
		return nil, diags
	}
	if m.SummaryOnly.IsNull() {
		m.SummaryOnly = types.BoolValue(false)
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
		addListError(&diags, activitiesDataSourceName, q, "", err)
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

	m.ID = types.StringValue(queryID(q, strconv.FormatBool(summaryOnly)))
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
