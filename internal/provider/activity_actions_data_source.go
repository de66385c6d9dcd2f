package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const activityActionsDataSourceName = "workiva_activity_actions"

var _ datasource.DataSourceWithConfigure = (*activityActionsDataSource)(nil)

type activityActionsDataSource struct {
	data *providerData
}

func newActivityActionsDataSource() datasource.DataSource { return &activityActionsDataSource{} }

type activityActionsModel struct {
	ID                types.String `tfsdk:"id"`
	Category          types.String `tfsdk:"category"`
	IncludeDeprecated types.Bool   `tfsdk:"include_deprecated"`
	Actions           types.List   `tfsdk:"actions"`
	IDs               types.List   `tfsdk:"ids"`
	Aliases           types.List   `tfsdk:"aliases"`
}

func (d *activityActionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activity_actions"
}

func (d *activityActionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Workiva's activity actions (the catalog of things that produce activities), in API order. " +
			"The catalog is read once per provider instance and shared with `workiva_activity_action`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of this query (a hash of its arguments)."},
			"category": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only actions of this category (exact, case-sensitive match).",
				Validators:          []validator.String{notBlank()},
			},
			"include_deprecated": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Whether deprecated actions are listed. Default: `true`.",
			},
			"actions": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching actions, in API order.",
				NestedObject:        schema.NestedAttributeObject{Attributes: actionSchemaAttributes()},
			},
			"ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "IDs of `actions`, in the same order.",
			},
			"aliases": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Aliases of `actions`, in the same order.",
			},
		},
	}
}

func (d *activityActionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *activityActionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.AddError(activityActionsDataSourceName+": provider not configured", "The workiva provider was not configured before the read.")
		return
	}
	var m activityActionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	includeDeprecated := m.IncludeDeprecated.IsNull() || m.IncludeDeprecated.ValueBool()
	category, filterCategory := m.Category.ValueString(), !m.Category.IsNull()

	all, err := d.data.actions.all(ctx)
	if err != nil {
		addReadError(&resp.Diagnostics, path.Empty(), activityActionsDataSourceName, "listing activity actions", "", err)
		return
	}

	actions := []attr.Value{}
	ids := []attr.Value{}
	aliases := []attr.Value{}
	for i := range all {
		a := &all[i]
		if (filterCategory && a.Category != category) || (!includeDeprecated && a.Deprecated) {
			continue
		}
		actions = append(actions, flattenAction(a))
		ids = append(ids, types.StringValue(a.ID))
		// An action without alias still needs a slot so the lists line up.
		aliases = append(aliases, optString(a.Alias))
	}

	h := sha256.New()
	for _, part := range []string{"category", m.Category.String(), "include_deprecated", types.BoolValue(includeDeprecated).String()} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	m.ID = types.StringValue(hex.EncodeToString(h.Sum(nil))[:32])
	m.IncludeDeprecated = types.BoolValue(includeDeprecated)
	m.Actions = types.ListValueMust(actionObjectType, actions)
	m.IDs = types.ListValueMust(types.StringType, ids)
	m.Aliases = types.ListValueMust(types.StringType, aliases)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
