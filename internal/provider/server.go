package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewServer returns the protocol v6 server factory that main serves: the
// framework's server for a fresh provider instance, except that reads of
// workiva_activities and workiva_activity are answered here.
//
// Why: after a data source's Read, the framework deep-copies the state,
// converts every nested value into framework values (for semantic equality)
// and then encodes the tree. For 100,000 activities that takes about 30
// times the raw JSON in memory and most of the provider's CPU. Here the
// state is written as MessagePack while pages arrive (msgpack.go) and
// returned as it is. Everything else (schemas, validation, configuration,
// the other data sources) is the framework's.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		return newServer(&workivaProvider{version: version})
	}
}

// newServer wraps the framework's server for p (tests set hooks on p).
func newServer(p *workivaProvider) (tfprotov6.ProviderServer, error) {
	fw, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		return nil, err
	}
	return &server{ProviderServer: fw, p: p}, nil
}

// server delegates every RPC to the framework but ReadDataSource of the
// activity data sources. The provider has no resources, list resources,
// actions or state stores, so the optional server interfaces the embedded
// interface hides are not needed.
type server struct {
	tfprotov6.ProviderServer
	p *workivaProvider

	once    sync.Once
	schemas map[string]datasource.SchemaResponse
}

// msgpackReader is a data source that can produce its state as MessagePack.
type msgpackReader interface {
	readMsgPack(ctx context.Context, config tfsdk.Config) ([]byte, diag.Diagnostics)
}

func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	var ds interface {
		datasource.DataSource
		msgpackReader
	}
	switch req.TypeName {
	case activitiesDataSourceName:
		ds = &activitiesDataSource{data: s.p.configured()}
	case activityDataSourceName:
		ds = &activityDataSource{data: s.p.configured()}
	default:
		return s.ProviderServer.ReadDataSource(ctx, req)
	}

	s.once.Do(func() {
		s.schemas = map[string]datasource.SchemaResponse{}
		for name, d := range map[string]datasource.DataSource{
			activitiesDataSourceName: &activitiesDataSource{},
			activityDataSourceName:   &activityDataSource{},
		} {
			var r datasource.SchemaResponse
			d.Schema(ctx, datasource.SchemaRequest{}, &r)
			s.schemas[name] = r
		}
	})
	sr := s.schemas[req.TypeName]
	resp := &tfprotov6.ReadDataSourceResponse{Diagnostics: toProtoDiags(ctx, sr.Diagnostics)}
	if sr.Diagnostics.HasError() {
		return resp, nil
	}
	if req.Config == nil {
		resp.Diagnostics = append(resp.Diagnostics, errorDiag(req.TypeName+": missing configuration",
			"Terraform sent no configuration for the read. This is a bug in Terraform or the provider; please report it."))
		return resp, nil
	}
	raw, err := req.Config.Unmarshal(sr.Schema.Type().TerraformType(ctx))
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, errorDiag(req.TypeName+": invalid configuration",
			"Decoding the configuration Terraform sent: "+err.Error()))
		return resp, nil //nolint:nilerr // the protocol carries the failure as an error diagnostic
	}

	b, diags := ds.readMsgPack(ctx, tfsdk.Config{Raw: raw, Schema: sr.Schema})
	resp.Diagnostics = append(resp.Diagnostics, toProtoDiags(ctx, diags)...)
	if b != nil && !diags.HasError() {
		resp.State = &tfprotov6.DynamicValue{MsgPack: b}
	}
	return resp, nil
}

func errorDiag(summary, detail string) *tfprotov6.Diagnostic {
	return &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: detail}
}

// toProtoDiags converts framework diagnostics to the protocol's, as the
// framework's server does.
func toProtoDiags(ctx context.Context, diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Summary: d.Summary(), Detail: d.Detail(), Severity: tfprotov6.DiagnosticSeverityInvalid}
		switch d.Severity() {
		case diag.SeverityError:
			pd.Severity = tfprotov6.DiagnosticSeverityError
		case diag.SeverityWarning:
			pd.Severity = tfprotov6.DiagnosticSeverityWarning
		}
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = toAttributePath(ctx, dp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// toAttributePath converts a framework path; nil for the empty path (a
// diagnostic about the whole data source).
func toAttributePath(ctx context.Context, p path.Path) *tftypes.AttributePath {
	steps := p.Steps()
	if len(steps) == 0 {
		return nil
	}
	ap := tftypes.NewAttributePath()
	for _, st := range steps {
		switch st := st.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(st))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(st))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(st))
		case path.PathStepElementKeyValue:
			v, err := st.ToTerraformValue(ctx)
			if err != nil {
				return ap // stop at the deepest step that converts
			}
			ap = ap.WithElementKeyValue(v)
		}
	}
	return ap
}
