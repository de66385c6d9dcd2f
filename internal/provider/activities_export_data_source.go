package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

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
	Manifest    types.Bool   `tfsdk:"manifest"`

	ResultCount           types.Int64  `tfsdk:"result_count"`
	Bytes                 types.Int64  `tfsdk:"bytes"`
	SHA256                types.String `tfsdk:"sha256"`
	FirstActivityDateTime types.String `tfsdk:"first_activity_date_time"`
	LastActivityDateTime  types.String `tfsdk:"last_activity_date_time"`
	Truncated             types.Bool   `tfsdk:"truncated"`
	ManifestPath          types.String `tfsdk:"manifest_path"`
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

func exactColumnsMarkdown() string {
	var names []string
	for _, c := range csvColumns {
		if c.exact {
			names = append(names, "`"+c.name+"`")
		}
	}
	return strings.Join(names, ", ")
}

func (d *activitiesExportDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Writes the activities of a Workiva organization, or of one of its workspaces, that match every " +
			"given filter to a file, as they stream in, with an evidence manifest beside it, and keeps only metadata in " +
			"state (count, size, `sha256`, first and last activity time). Memory stays that of a page or two whatever the " +
			"count. The file is written when the data source is read (at plan time when its arguments are known, as " +
			"`archive_file` does) and is complete or absent: it is written to an unnamed temporary file in the directory of " +
			"`path` (a hidden `.workiva-*.tmp` file where the system has no unnamed files) and put at `path` only after the " +
			"last page; on any error or interruption (Ctrl-C, during `plan` or `apply`) the temporary file is dropped and a " +
			"file already at `path` is left as it was. Crashes, links, special files, shared paths and the manifest are described below.",
		Attributes: activityQueryAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Identifier of this export (a hash of its arguments)."},
			"path": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "File to write, e.g. `\"${path.module}/activities.jsonl\"`. A relative path is relative to the " +
					"directory Terraform runs in. The directory must exist. The file is replaced as a whole, with mode `0600`. " +
					"An existing `path` must be a regular file: a symbolic link, a directory, a device (such as `/dev/null`), " +
					"a FIFO or a socket is refused before anything is read, as is a file a sticky directory (such as `/tmp`) " +
					"would not let you replace. Two exports of one configuration cannot share a `path` (both fail, and " +
					"neither file is replaced).",
				Validators: []validator.String{notBlank()},
			},
			"format": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`jsonl` (JSON Lines: one activity per line), `json` (one array, one activity per line) or " +
					"`csv`. In `jsonl` and `json` each activity is exactly the JSON object Workiva sent, fields this provider " +
					"does not know included. `csv` follows RFC 4180 (CRLF line ends, quoted when needed) with a header row and " +
					"these columns:" + csvColumnsMarkdown() + "\n\n  Every character Workiva sent is kept (a carriage return inside " +
					"a cell included). So that a spreadsheet shows a cell instead of running it as a formula (OWASP's rule " +
					"for CSV injection), a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, or with one " +
					"of `=` `+` `-` `@` (or their fullwidth forms) after leading blanks or control characters, gets a " +
					"leading `'`; so does a cell that starts with `'`. To recover any value, drop one leading `'` from a " +
					"cell that has one, except in the ID and time columns (" + exactColumnsMarkdown() + "), which are " +
					"always exactly as Workiva sent them. Default: `jsonl`.",
				Validators: []validator.String{stringvalidator.OneOf(exportFormats...)},
			},
			"compression": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "`none` or `gzip` (no name or time in the gzip header, so the same activities give the same " +
					"bytes). Default: `none`.",
				Validators: []validator.String{stringvalidator.OneOf(exportCompressions...)},
			},
			"manifest": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Write the evidence manifest beside the file (at `manifest_path`): a small JSON file with " +
					"the query as configured and as sent (organization, workspace, filters, order, window, the `$filter`), " +
					"when it was read, the provider and API versions, the count, size, first and last activity time and the " +
					"file's `sha256`, and a `sha256sum` line an auditor checks the file with (`sha256sum -c`). No activity, " +
					"name, e-mail or IP address is in it. It is put in place with the file: both or neither. Default: `true`.",
			},
			"manifest_path": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Where the manifest was written: `path` with `.manifest.json` added (a shortened name " +
					"with a hash when that would be too long for the file system); null when `manifest = false`.",
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

	if m.Manifest.IsNull() {
		m.Manifest = types.BoolValue(true)
	}
	side := ""
	if m.Manifest.ValueBool() {
		side = manifestPath(target)
	}

	// Every check that can fail is made before the first request: a bad
	// path, or a path another export of this configuration writes, fails at
	// once, without reading anything.
	pathError := func(err error) {
		diags.AddAttributeError(path.Root("path"), activitiesExportDataSourceName+": cannot write the export",
			fmt.Sprintf("Attribute path = %q: %s.", target, err))
	}
	if side != "" {
		if err := checkExportPath(side); err != nil {
			pathError(fmt.Errorf("its manifest: %w (or set manifest = false)", err))
			return
		}
	}
	claimPaths := []string{target}
	if side != "" {
		claimPaths = append(claimPaths, side)
	}
	claims, err := d.data.exports.claim(describeExport(q, format, target), claimPaths...)
	if err != nil {
		pathError(err)
		return
	}
	f, err := createExportFile(target, format, compression)
	if err != nil {
		pathError(err)
		return
	}
	committed := false
	defer func() {
		if !committed {
			f.abort()
		}
	}()
	// Parts of a parallel read whose turn has not come wait in temporary
	// files beside path (same rules as the export's own), not in memory.
	q.Spool = func() (workiva.SpoolFile, error) { return openSpool(filepath.Dir(target)) }
	started := time.Now()
	manifest := newManifest(q, d.data.client, d.data.version, format, compression, started)

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
	if err := d.data.exports.conflicted(claims); err != nil {
		pathError(err)
		return
	}
	// An interrupt that came as the last page arrived still wins: the
	// user asked for the run to stop, so the old file stays.
	if err := ctx.Err(); err != nil {
		addListError(diags, activitiesExportDataSourceName, q, "No file was written; a file already at path is unchanged.", err)
		return
	}
	var sc *sidecar
	if side != "" {
		sc = &sidecar{path: side, content: manifest.content(target, res.Truncated, first, last)}
	}
	committed = true // commit cleans up after itself
	if err := f.commit(sc); err != nil {
		diags.AddAttributeError(path.Root("path"), activitiesExportDataSourceName+": writing the export failed",
			fmt.Sprintf("Attribute path = %q: %s. A file already at path is unchanged.", target, err))
		return
	}

	tflog.Debug(ctx, "Read workiva_activities_export", map[string]any{
		"organization_id": q.OrganizationID, "workspace_id": q.WorkspaceID, "items": res.Count,
		"pages": res.Pages, "truncated": res.Truncated, "bytes": f.size, "format": format,
		"compression": compression, "parallelism": q.Parallelism,
	})
	if !settled(q.Before, started) {
		diags.AddAttributeWarning(path.Root("before"), activitiesExportDataSourceName+": recent activities may still be arriving",
			unsettledDetail(q.Before, started))
	}
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
	m.ManifestPath = types.StringNull()
	if side != "" {
		m.ManifestPath = types.StringValue(side)
	}
	diags.Append(resp.State.Set(ctx, &m)...)
}

// describeExport names an export by what it asks for, for the error of
// another export of the same path (the CLI names the failing one itself).
func describeExport(q workiva.ActivityQuery, format, target string) string {
	parts := []string{fmt.Sprintf("path = %q", target), fmt.Sprintf("format = %q", format)}
	if q.WorkspaceID != "" {
		parts = append(parts, fmt.Sprintf("workspace_id = %q", q.WorkspaceID))
	}
	// The window is in the $filter.
	if f := workiva.BuildFilter(q); f != "" {
		parts = append(parts, fmt.Sprintf("$filter %q", f))
	}
	return strings.Join(parts, ", ")
}
