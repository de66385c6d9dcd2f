package provider

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

const activityActionDataSourceName = "workiva_activity_action"

var (
	_ datasource.DataSourceWithConfigure        = (*activityActionDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*activityActionDataSource)(nil)
)

type activityActionDataSource struct {
	data *providerData
}

func newActivityActionDataSource() datasource.DataSource { return &activityActionDataSource{} }

type activityActionModel struct {
	ID         types.String `tfsdk:"id"`
	Alias      types.String `tfsdk:"alias"`
	Name       types.String `tfsdk:"name"`
	Category   types.String `tfsdk:"category"`
	Deprecated types.Bool   `tfsdk:"deprecated"`
}

func (d *activityActionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activity_action"
}

func (d *activityActionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one activity action, by `alias` (the stable key Workiva tells users to rely on) or by `id`. " +
			"An alias is resolved by walking the action catalog once per provider instance; further lookups in the " +
			"same run are served from memory.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Action ID, e.g. `com.workiva.administration.workspace_membership.create`. Exactly one of `id` and `alias` must be set.",
				Validators:          []validator.String{notBlank()},
			},
			"alias": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Action alias, e.g. `workspace_membership_create`. Exactly one of `id` and `alias` must be set.",
				Validators:          []validator.String{notBlank()},
			},
			"name":       schema.StringAttribute{Computed: true, MarkdownDescription: "Human-readable action name."},
			"category":   schema.StringAttribute{Computed: true, MarkdownDescription: "Action category."},
			"deprecated": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Workiva has deprecated the action."},
		},
	}
}

func (d *activityActionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("alias")),
	}
}

func (d *activityActionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *activityActionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.AddError(activityActionDataSourceName+": provider not configured", "The workiva provider was not configured before the read.")
		return
	}
	var m activityActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var action workiva.ActivityAction
	if !m.ID.IsNull() {
		id := m.ID.ValueString()
		a, err := d.data.client.GetActivityAction(ctx, id)
		if err != nil {
			if workiva.StatusCode(err) == http.StatusNotFound {
				resp.Diagnostics.AddAttributeError(path.Root("id"), activityActionDataSourceName+": activity action not found",
					fmt.Sprintf("No activity action with ID %q.\n%s", id, describeError(err)))
				return
			}
			addReadError(&resp.Diagnostics, path.Empty(), activityActionDataSourceName, "reading activity action", fmt.Sprintf("Action ID %q.", id), err)
			return
		}
		action = *a
		action.ID = id // keep the configured value exactly as written
	} else {
		alias := m.Alias.ValueString()
		a, found, err := d.data.actions.lookupAlias(ctx, alias)
		if err != nil {
			addReadError(&resp.Diagnostics, path.Empty(), activityActionDataSourceName, "listing activity actions",
				fmt.Sprintf("Looking up alias %q.", alias), err)
			return
		}
		if !found {
			resp.Diagnostics.AddAttributeError(path.Root("alias"), activityActionDataSourceName+": activity action not found",
				fmt.Sprintf("No activity action with alias %q among the %d actions Workiva lists.%s Aliases are case-sensitive; "+
					"the workiva_activity_actions data source lists them all.", alias, d.data.actions.count(), d.data.actions.didYouMean(alias)))
			return
		}
		action = a
	}

	m.ID = types.StringValue(action.ID)
	m.Alias = optString(action.Alias)
	m.Name = optString(action.Name)
	m.Category = optString(action.Category)
	m.Deprecated = types.BoolValue(action.Deprecated)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
