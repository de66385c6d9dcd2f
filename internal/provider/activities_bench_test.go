package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// benchActivitiesPerOp is how many activities one benchmark iteration reads
// (N activities, 100000/N times): at -benchtime=1x (what `make bench` uses)
// the small cases still time enough work to be stable.
const benchActivitiesPerOp = 100_000

// BenchmarkActivitiesRead reads N activities from the in-process emulator
// (no added latency) through the real path: the protocol server main serves
// (server.go), its ReadDataSource end to end, from the configuration
// Terraform sends to the MessagePack state it gets back, with the client as
// the provider's own Configure sets it up. In the same iteration, with the
// benchmark timer stopped, a baseline GETs the same pages (same page size,
// same pooled transport, with a token) and decodes them with encoding/json
// into plain structs. Metrics, per activity: ns, B and allocs of the read,
// the same for the baseline (base-*), and x-baseline, the read's time over
// the baseline's. scripts/bench-report.sh checks them against the targets.
func BenchmarkActivitiesRead(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchRead(b, n) })
	}
}

func benchRead(b *testing.B, n int) {
	b.Helper()
	srv, err := emulator.Start(emulator.Options{Activities: n})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	read := benchReader(b, benchProvider(b, srv))
	base := newBaseline(b, srv)
	reps := max(1, benchActivitiesPerOp/n)

	// Warm up both (connections, token, the emulator's index cache).
	if got := base.walk(b); got != n {
		b.Fatalf("baseline read %d activities, want %d", got, n)
	}
	read(b, n)

	// Each repetition runs the baseline (timer stopped), then the read, so
	// that both see the same machine load; CPU time is measured beside wall
	// time because this machine may be shared.
	var baseWall, baseCPU, readCPU time.Duration
	var baseStats, readStats memDelta
	for b.Loop() {
		for range reps {
			b.StopTimer()
			runtime.GC() // neither side pays for the other's garbage
			m, c, t0 := startMem(), processCPU(), time.Now()
			base.walk(b)
			baseWall += time.Since(t0)
			baseCPU += processCPU() - c
			baseStats.add(m.stop())
			runtime.GC()
			b.StartTimer()

			m, c = startMem(), processCPU()
			read(b, n)
			readCPU += processCPU() - c
			readStats.add(m.stop())
		}
	}
	per := float64(b.N * reps * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/activity")
	b.ReportMetric(float64(readCPU.Nanoseconds())/per, "cpu-ns/activity")
	b.ReportMetric(float64(readStats.bytes)/per, "B/activity")
	b.ReportMetric(float64(readStats.mallocs)/per, "allocs/activity")
	b.ReportMetric(float64(baseWall.Nanoseconds())/per, "base-ns/activity")
	b.ReportMetric(float64(baseCPU.Nanoseconds())/per, "base-cpu-ns/activity")
	b.ReportMetric(float64(baseStats.bytes)/per, "base-B/activity")
	b.ReportMetric(float64(baseStats.mallocs)/per, "base-allocs/activity")
	b.ReportMetric(float64(b.Elapsed())/float64(baseWall), "x-baseline")
	if baseCPU > 0 {
		b.ReportMetric(float64(readCPU)/float64(baseCPU), "x-baseline-cpu")
	}
}

// benchReader returns a function running the protocol server's
// ReadDataSource of workiva_activities with an all-default configuration
// and checking it answered a state of n activities (fully decoded and
// counted on the first call only: decoding is Terraform's cost, not the
// provider's).
func benchReader(b *testing.B, p *workivaProvider) func(*testing.B, int) {
	b.Helper()
	ctx := context.Background()
	s, err := newServer(p)
	if err != nil {
		b.Fatal(err)
	}
	var sresp datasource.SchemaResponse
	(&activitiesDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config, err := tfprotov6.NewDynamicValue(typ, objectOf(typ, nil))
	if err != nil {
		b.Fatal(err)
	}
	checked := false
	return func(b *testing.B, n int) {
		b.Helper()
		resp, err := s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: activitiesDataSourceName, Config: &config})
		if err != nil || resp.State == nil || len(resp.Diagnostics) > 0 {
			b.Fatalf("read: %v, %v", err, toDiagText(resp))
		}
		if checked {
			return
		}
		checked = true
		state, err := resp.State.Unmarshal(typ)
		if err != nil {
			b.Fatal(err)
		}
		var m map[string]tftypes.Value
		var ids []tftypes.Value
		if err := state.As(&m); err != nil {
			b.Fatal(err)
		}
		if err := m["ids"].As(&ids); err != nil || len(ids) != n {
			b.Fatalf("read %d activities, want %d (%v)", len(ids), n, err)
		}
	}
}

func toDiagText(resp *tfprotov6.ReadDataSourceResponse) string {
	if resp == nil {
		return ""
	}
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Summary+": "+d.Detail)
	}
	return strings.Join(out, "; ")
}

// benchConfigure runs the provider's Configure against srv, so the client
// is set up exactly as in a real run (transport, retries, logger).
func benchConfigure(tb testing.TB, srv *emulator.Server) *providerData {
	tb.Helper()
	return benchProvider(tb, srv).configured()
}

// benchProvider is benchConfigure returning the configured provider.
func benchProvider(tb testing.TB, srv *emulator.Server) *workivaProvider {
	tb.Helper()
	ctx := context.Background()
	p := &workivaProvider{version: "bench"}
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	set := map[string]tftypes.Value{
		"api_url": str(srv.URL()), "client_id": str(srv.ClientID()), "client_secret": str(srv.ClientSecret()),
		"organization_id": str(srv.OrganizationID()),
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{
		TerraformVersion: "1.11.0",
		Config:           tfsdk.Config{Schema: sresp.Schema, Raw: objectOf(typ, set)},
	}, &resp)
	if resp.Diagnostics.HasError() || p.configured() == nil {
		tb.Fatalf("configure: %v", resp.Diagnostics)
	}
	return p
}

// baselineActivity is the activity as plain structs (the client's nested
// types have no methods): what encoding/json decodes by reflection with no
// custom code.
type baselineActivity struct {
	ID               string                 `json:"id"`
	ActivityDateTime string                 `json:"activityDateTime"`
	Summary          string                 `json:"summary"`
	Description      string                 `json:"description"`
	Outcome          string                 `json:"outcome"`
	Action           workiva.ActivityAction `json:"action"`
	Performer        workiva.Performer      `json:"performer"`
	Targets          []workiva.Target       `json:"targets"`
	Organization     workiva.Organization   `json:"organization"`
	Workspace        *workiva.Workspace     `json:"workspace"`
	Tags             []string               `json:"tags"`
	Attachments      []json.RawMessage      `json:"attachments"`
}

// baseline GETs the activity pages and decodes each with encoding/json,
// keeping every item (as the read keeps every value).
type baseline struct {
	http    *http.Client
	first   string
	token   string
	version string
}

func newBaseline(b *testing.B, srv *emulator.Server) *baseline {
	b.Helper()
	hc := &http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	resp, err := hc.PostForm(srv.URL()+workiva.TokenPath, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {srv.ClientID()}, "client_secret": {srv.ClientSecret()},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("token: %v", err)
	}
	// The same first request as the data source's default read.
	q := workiva.ActivityQuery{OrganizationID: srv.OrganizationID(), Order: defaultOrder, PageSize: workiva.DefaultPageSize}
	return &baseline{
		http:    hc,
		first:   srv.URL() + "/admin/v1/organizations/" + srv.OrganizationID() + "/activities?" + workiva.ActivityQueryString(q),
		token:   tok.AccessToken,
		version: workiva.DefaultAPIVersion,
	}
}

func (bl *baseline) walk(b *testing.B) int {
	b.Helper()
	var all []baselineActivity
	for next := bl.first; next != ""; {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+bl.token)
		req.Header.Set("X-Version", bl.version)
		resp, err := bl.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page struct {
			Data []baselineActivity `json:"data"`
			Next string             `json:"@nextLink"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("page: HTTP %d, %v", resp.StatusCode, err)
		}
		all = append(all, page.Data...)
		next = page.Next
	}
	return len(all)
}

// memDelta is what a stretch of code allocated.
type memDelta struct{ bytes, mallocs uint64 }

func (d *memDelta) add(o memDelta) { d.bytes += o.bytes; d.mallocs += o.mallocs }

type memMark runtime.MemStats

func startMem() *memMark {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return (*memMark)(&m)
}

func (m *memMark) stop() memDelta {
	var now runtime.MemStats
	runtime.ReadMemStats(&now)
	return memDelta{bytes: now.TotalAlloc - m.TotalAlloc, mallocs: now.Mallocs - m.Mallocs}
}
