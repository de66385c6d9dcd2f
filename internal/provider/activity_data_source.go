package provider

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
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
	b, diags := d.readMsgPack(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if b == nil {
		return
	}
	setStateMsgPack(ctx, &resp.State, b, &resp.Diagnostics, activityDataSourceName)
}

// readMsgPack runs the read and returns the state MessagePack-encoded by the
// shared activity encoder (nil on error). See the list data source's.
func (d *activityDataSource) readMsgPack(ctx context.Context, config tfsdk.Config) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d.data == nil {
		diags.AddError(activityDataSourceName+": provider not configured", "The workiva provider was not configured before the read.")
		return nil, diags
	}
	var id types.String
	diags.Append(config.GetAttribute(ctx, path.Root("id"), &id)...)
	if diags.HasError() {
		return nil, diags
	}

	a, err := d.data.client.GetActivity(ctx, id.ValueString())
	if err != nil {
		if workiva.StatusCode(err) == http.StatusNotFound {
			diags.AddAttributeError(path.Root("id"), activityDataSourceName+": activity not found",
				fmt.Sprintf("No activity with ID %q is visible to these credentials.\n%s", id.ValueString(), describeError(err)))
			return nil, diags
		}
		addReadError(&diags, path.Empty(), activityDataSourceName, "reading activity", fmt.Sprintf("Activity ID %q.", id.ValueString()), err)
		return nil, diags
	}

	// The schema is exactly the activity object, so the encoded activity is
	// the whole state.
	var enc activityEncoder
	var b mpBuf
	enc.activity(&b, a, id.ValueString())
	return b.bytes(), diags
}
