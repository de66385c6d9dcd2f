package provider

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
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
		s, err := newServer(&workivaProvider{version: version})
		if err != nil {
			return nil, err
		}
		s.stop = interrupted()
		return s, nil
	}
}

var interrupt struct {
	once sync.Once
	ch   chan struct{}
}

// interrupted is closed at the process's first SIGINT. A Ctrl-C in a
// terminal reaches every process of the CLI's group, the provider
// included; the plugin library ignores it (the CLI is to decide), but the
// CLI does not stop providers while it plans an apply, so an export would
// run to its end and replace the file the user meant to keep. Reads stop on
// it instead, as they do on the CLI's own stop.
func interrupted() <-chan struct{} {
	interrupt.once.Do(func() {
		interrupt.ch = make(chan struct{})
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		go func() {
			<-sig
			close(interrupt.ch)
		}()
	})
	return interrupt.ch
}

// withStop is ctx, also cancelled when stop closes.
func withStop(ctx context.Context, stop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if stop != nil {
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

// newServer wraps the framework's server for p (tests set hooks on p).
func newServer(p *workivaProvider) (*server, error) {
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
	p    *workivaProvider
	stop <-chan struct{} // closed on SIGINT (nil in tests that serve in-process)

	once    sync.Once
	schemas map[string]datasource.SchemaResponse
}

// msgpackReader is a data source that can produce its state as MessagePack.
type msgpackReader interface {
	readMsgPack(ctx context.Context, config tfsdk.Config) ([]byte, diag.Diagnostics)
}

// ReadDataSource answers every data source read, here or through the
// framework, and adds one warning when Workiva marked an operation the read
// used as deprecated (Deprecation or Sunset headers): this is the one place
// every read passes through.
func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	ctx, cancel := withStop(ctx, s.stop)
	defer cancel()
	ctx, notices := workiva.WithNotices(ctx)
	resp, err := s.readDataSource(ctx, req)
	if resp != nil {
		if d := deprecationWarning(req.TypeName, notices.Deprecations()); d != nil {
			resp.Diagnostics = append(resp.Diagnostics, d)
		}
	}
	return resp, err
}

func (s *server) readDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
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

// deprecationWarning is the one warning of a read whose operations Workiva
// reported as deprecated; nil when none was.
func deprecationWarning(typeName string, deps []workiva.Deprecation) *tfprotov6.Diagnostic {
	if len(deps) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Workiva reports that the API %s behind %s %s deprecated:",
		plural(len(deps), "operation", "operations"), typeName, plural(len(deps), "is", "are"))
	for _, d := range deps {
		fmt.Fprintf(&b, "\n  - %s (%s %s)", d.Operation, d.Method, d.Path)
		switch {
		case !d.Since.IsZero():
			fmt.Fprintf(&b, ": deprecated since %s", d.Since.Format(time.DateOnly))
		case d.Deprecated:
			b.WriteString(": deprecated")
		}
		if !d.Sunset.IsZero() {
			fmt.Fprintf(&b, ", sunset (removal) on %s", d.Sunset.Format(time.DateOnly))
		} else if d.SunsetHeader != "" {
			fmt.Fprintf(&b, ", Sunset: %s", d.SunsetHeader)
		}
	}
	b.WriteString("\nThe read still works. After the sunset date Workiva may remove the operation and this read will fail; " +
		"the data source's documentation gives the dates, and a provider release will move to Workiva's replacement when there is one.")
	return &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: "Deprecated Workiva API operation", Detail: b.String()}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
