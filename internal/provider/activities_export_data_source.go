package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

const activitiesExportDataSourceName = "workiva_activities_export"

var (
	_ datasource.DataSourceWithConfigure        = (*activitiesExportDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*activitiesExportDataSource)(nil)
)

// activitiesExportDataSource streams the activities of a query to a file.
// Its state is metadata only: Terraform never holds an activity, and the
// provider holds about a page of them, whatever the count.
type activitiesExportDataSource struct {
	data *providerData
}

func newActivitiesExportDataSource() datasource.DataSource { return &activitiesExportDataSource{} }

type activitiesExportModel struct {
	ID types.String `tfsdk:"id"`
	activityQueryModel
	Path        types.String `tfsdk:"path"`
	Format      types.String `tfsdk:"format"`
	Compression types.String `tfsdk:"compression"`

	ResultCount           types.Int64  `tfsdk:"result_count"`
	Bytes                 types.Int64  `tfsdk:"bytes"`
	SHA256                types.String `tfsdk:"sha256"`
	FirstActivityDateTime types.String `tfsdk:"first_activity_date_time"`
	LastActivityDateTime  types.String `tfsdk:"last_activity_date_time"`
	Truncated             types.Bool   `tfsdk:"truncated"`
}

func (d *activitiesExportDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activities_export"
}

func csvColumnsMarkdown() string {
	var b strings.Builder
	for _, c := range csvColumns {
		fmt.Fprintf(&b, "\n  - `%s`: %s", c.name, c.desc)
	}
	return b.String()
}

func (d *activitiesExportDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Writes the activities of a Workiva organization, or of one of its workspaces, that match every " +
			"given filter to a file, as they stream in, and keeps only metadata in state (count, size, `sha256`, first " +
			"and last activity time). Memory stays that of a page or two whatever the count. The file is written when " +
			"the data source is read (at plan time when its arguments are known, as `archive_file` does) and is complete " +
			"or absent: it is written beside `path` under a temporary name and renamed over `path` only after the last " +
			"page; on any error or interruption the temporary file is removed and a file already at `path` is left as it was.",
		Attributes: activityQueryAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of this export (a hash of its arguments)."},
			"path": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "File to write, e.g. `\"${path.module}/activities.jsonl\"`. A relative path is relative to the " +
					"directory Terraform runs in. The directory must exist. The file is replaced as a whole, with mode `0600`.",
				Validators: []validator.String{notBlank()},
			},
			"format": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`jsonl` (JSON Lines: one activity per line), `json` (one array, one activity per line) or " +
					"`csv`. In `jsonl` and `json` each activity is exactly the JSON object Workiva sent, fields this provider " +
					"does not know included. `csv` follows RFC 4180 (CRLF line ends, quoted when needed) with a header row and " +
					"these columns:" + csvColumnsMarkdown() + "\n\n  A cell that starts with `=`, `+`, `-`, `@`, a tab or a " +
					"carriage return gets a leading `'` so that a spreadsheet shows it instead of running it as a formula; " +
					"drop that one character to recover the value. Default: `jsonl`.",
				Validators: []validator.String{stringvalidator.OneOf(exportFormats...)},
			},
			"compression": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`none` or `gzip` (no name or time in the gzip header, so the same activities give the same " +
					"bytes). Default: `none`.",
				Validators: []validator.String{stringvalidator.OneOf(exportCompressions...)},
			},
			"result_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of activities written."},
			"bytes":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the file as written, in bytes (compressed when `compression = \"gzip\"`)."},
			"sha256": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "SHA-256 of the file as written (hex). The same activities, format and compression give the " +
					"same bytes, so the same digest: evidence that the file handed over is the file read.",
			},
			"first_activity_date_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`activity_date_time` of the first activity in the file (the newest with `order = \"desc\"`); null when none.",
			},
			"last_activity_date_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`activity_date_time` of the last activity in the file; null when none.",
			},
			"truncated": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when `max_results` stopped the read while more activities matched.",
			},
		}),
	}
}

func (d *activitiesExportDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return activityQueryConfigValidators()
}

func (d *activitiesExportDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

func (d *activitiesExportDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	diags := &resp.Diagnostics
	if d.data == nil {
		diags.AddError(activitiesExportDataSourceName+": provider not configured", "The workiva provider was not configured before the read.")
		return
	}
	var m activitiesExportModel
	diags.Append(req.Config.Get(ctx, &m)...)
	if diags.HasError() {
		return
	}
	q := m.query(ctx, d.data, activitiesExportDataSourceName, diags)
	if diags.HasError() {
		return
	}
	// Before the file is opened: a typo in an action fails the export with
	// no request for activities and nothing written.
	diags.Append(checkActions(ctx, d.data.actions, activitiesExportDataSourceName, q.ActionAliases, q.ActionIDs, m.AllowUnknown.ValueBool())...)
	if diags.HasError() {
		return
	}
	if m.Format.IsNull() {
		m.Format = types.StringValue(formatJSONL)
	}
	if m.Compression.IsNull() {
		m.Compression = types.StringValue(compressionNone)
	}
	format, compression, target := m.Format.ValueString(), m.Compression.ValueString(), m.Path.ValueString()
	// JSON keeps each item's own bytes (and needs nothing else decoded);
	// CSV only needs the decoded fields.
	q.KeepRaw = format != formatCSV
	q.RawOnly = q.KeepRaw

	// The file is opened before the first request: a bad path fails at
	// once, without reading anything.
	f, err := createExportFile(target, format, compression)
	if err != nil {
		diags.AddAttributeError(path.Root("path"), activitiesExportDataSourceName+": cannot write the export",
			fmt.Sprintf("Attribute path = %q: %s.", target, err))
		return
	}
	committed := false
	defer func() {
		if !committed {
			f.abort()
		}
	}()

	var first, last string
	var writeErr error
	res, err := d.data.client.ListActivities(ctx, q, func(a *workiva.Activity) error {
		if f.n == 0 {
			first = a.ActivityDateTime
		}
		last = a.ActivityDateTime
		if err := f.write(a); err != nil {
			writeErr = err
			return err
		}
		return nil
	})
	if writeErr != nil {
		diags.AddAttributeError(path.Root("path"), activitiesExportDataSourceName+": writing the export failed",
			fmt.Sprintf("Attribute path = %q: %s. No file was written; a file already at path is unchanged.", target, unwrapPathError(writeErr)))
		return
	}
	if err != nil {
		addListError(diags, activitiesExportDataSourceName, q, "No file was written; a file already at path is unchanged.", err)
		return
	}
	if err := f.commit(); err != nil {
		committed = true // commit cleans up after itself
		diags.AddAttributeError(path.Root("path"), activitiesExportDataSourceName+": writing the export failed",
			fmt.Sprintf("Attribute path = %q: %s. A file already at path is unchanged.", target, err))
		return
	}
	committed = true

	tflog.Debug(ctx, "Read workiva_activities_export", map[string]any{
		"organization_id": q.OrganizationID, "workspace_id": q.WorkspaceID, "items": res.Count,
		"pages": res.Pages, "truncated": res.Truncated, "bytes": f.size, "format": format,
		"compression": compression, "parallelism": q.Parallelism,
	})
	if res.Truncated {
		diags.AddAttributeWarning(path.Root("max_results"), activitiesExportDataSourceName+": export truncated",
			fmt.Sprintf("max_results = %d stopped the read before the end: more activities match this query, and the "+
				"file holds only the first %d. Raise max_results, narrow the filters, or unset max_results to read every page.",
				q.MaxResults, q.MaxResults))
	}

	abs, err := filepath.Abs(target)
	if err != nil {
		abs = target
	}
	m.ID = types.StringValue(queryID(q, "export", format, compression, abs))
	m.ResultCount = types.Int64Value(int64(f.n))
	m.Bytes = types.Int64Value(f.size)
	m.SHA256 = types.StringValue(f.digest())
	m.FirstActivityDateTime = types.StringNull()
	m.LastActivityDateTime = types.StringNull()
	if f.n > 0 {
		m.FirstActivityDateTime = types.StringValue(first)
		m.LastActivityDateTime = types.StringValue(last)
	}
	m.Truncated = types.BoolValue(res.Truncated)
	diags.Append(resp.State.Set(ctx, &m)...)
}
