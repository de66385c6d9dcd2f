package provider

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const activityDataSourceName = "workiva_activity"

var _ datasource.DataSourceWithConfigure = (*activityDataSource)(nil)

type activityDataSource struct {
	data *providerData
}

func newActivityDataSource() datasource.DataSource { return &activityDataSource{} }

func (d *activityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activity"
}

func (d *activityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one Workiva activity by its ID. Workiva does not promise stable activity IDs for the " +
			"same platform action: to find activities, prefer `workiva_activities` filtered by action alias.",
		Attributes: activitySchemaAttributes(true),
	}
}

func (d *activityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *activityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.AddError(activityDataSourceName+": provider not configured", "The workiva provider was not configured before the read.")
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}

	a, err := d.data.client.GetActivity(ctx, id.ValueString())
	if err != nil {
		if statusOf(err) == http.StatusNotFound {
			resp.Diagnostics.AddAttributeError(path.Root("id"), activityDataSourceName+": activity not found",
				fmt.Sprintf("No activity with ID %q is visible to these credentials.\n%s", id.ValueString(), describeError(err)))
			return
		}
		addReadError(&resp.Diagnostics, path.Empty(), activityDataSourceName, "reading activity", fmt.Sprintf("Activity ID %q.", id.ValueString()), err)
		return
	}

	// The schema is exactly the activity object, so the flattened value is
	// the whole state.
	var f flattener
	resp.State.Raw = f.activity(a, id.ValueString())
}
