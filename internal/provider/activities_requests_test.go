package provider

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// directRead runs the data source's Read with the given configuration
// attributes (the rest null) and returns the state's attributes.
func directRead(t *testing.T, ds *activitiesDataSource, attrs map[string]tftypes.Value) map[string]tftypes.Value {
	t.Helper()
	ctx := context.Background()
	var sresp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := tfsdk.Config{Schema: sresp.Schema, Raw: objectOf(typ, attrs)}
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: sresp.Schema, Raw: config.Raw.Copy()}}
	ds.Read(ctx, datasource.ReadRequest{Config: config}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("read: %v", resp.Diagnostics)
	}
	var state map[string]tftypes.Value
	if err := resp.State.Raw.As(&state); err != nil {
		t.Fatal(err)
	}
	return state
}

func tfNum(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }

func directInt(t *testing.T, v tftypes.Value) int {
	t.Helper()
	var f big.Float
	if err := v.As(&f); err != nil {
		t.Fatal(err)
	}
	n, _ := f.Int64()
	return int(n)
}

func directIDs(t *testing.T, v tftypes.Value) []string {
	t.Helper()
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if err := e.As(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// directListCalls returns the emulator's activity list requests once the
// log has settled. The emulator logs a request when its handler returns,
// which can be just after the client has what it needs (a walk stopped by
// max_results closes the body early), so wait until at least atLeast are
// logged (at most 5s), then a few milliseconds more for any extra one.
func directListCalls(t *testing.T, srv *emulator.Server, atLeast int) []emulator.Request {
	t.Helper()
	list := func() []emulator.Request {
		var out []emulator.Request
		for _, r := range srv.Requests() {
			if strings.HasSuffix(r.Path, "/activities") {
				out = append(out, r)
			}
		}
		return out
	}
	for deadline := time.Now().Add(5 * time.Second); len(list()) < atLeast && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	return list()
}

// The request counts of a read, exactly, on the emulator's log: one token
// per provider instance whatever the number of reads, ceil(N / page_size)
// list calls for N items, and with max_results = k no request asks for more
// than k items (the first page asks for min(page_size, k); next links are
// followed as the API wrote them, so they keep that size).
func TestActivitiesRequestCounts(t *testing.T) {
	const n = 1000
	srv := startEmulator(t, n)
	ds := &activitiesDataSource{data: benchConfigure(t, srv)}
	tokens0 := srv.TokensIssued()

	cases := []struct {
		name                  string
		pageSize, limit       int
		wantCalls, wantItems  int
		wantTruncated         bool
		wantPageSizeParameter int
	}{
		{"default page size", 0, 0, 1, n, false, 1000},
		{"page size 37", 37, 0, (n + 36) / 37, n, false, 37},
		{"page size 1", 1, 0, n, n, false, 1},
		{"page size divides N", 250, 0, 4, n, false, 250},
		{"limit below page size", 1000, 5, 1, 5, true, 5},
		{"limit over pages", 10, 25, 3, 25, true, 10},
		{"limit equals N", 100, n, 10, n, false, 100},
		{"limit over N", 300, n + 1, 4, n, false, 300},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv.ResetRequests()
			attrs := map[string]tftypes.Value{}
			if c.pageSize > 0 {
				attrs["page_size"] = tfNum(c.pageSize)
			}
			if c.limit > 0 {
				attrs["max_results"] = tfNum(c.limit)
			}
			st := directRead(t, ds, attrs)
			if got := directInt(t, st["result_count"]); got != c.wantItems {
				t.Errorf("result_count %d, want %d", got, c.wantItems)
			}
			var truncated bool
			if err := st["truncated"].As(&truncated); err != nil || truncated != c.wantTruncated {
				t.Errorf("truncated %v (%v), want %v", truncated, err, c.wantTruncated)
			}
			reqs := directListCalls(t, srv, c.wantCalls)
			if len(reqs) != c.wantCalls {
				t.Errorf("%d list calls, want %d", len(reqs), c.wantCalls)
			}
			for i, r := range reqs {
				size, err := strconv.Atoi(r.Query.Get("$maxpagesize"))
				if err != nil || size != c.wantPageSizeParameter {
					t.Errorf("request %d: $maxpagesize %q, want %d", i+1, r.Query.Get("$maxpagesize"), c.wantPageSizeParameter)
				}
				if c.limit > 0 && size > c.limit {
					t.Errorf("request %d asks for %d items, more than max_results = %d", i+1, size, c.limit)
				}
			}
		})
	}
	if got := srv.TokensIssued() - tokens0; got != 1 {
		t.Errorf("%d tokens for %d reads by one provider instance, want 1", got, len(cases))
	}

	// A second provider instance fetches its own token, once.
	ds2 := &activitiesDataSource{data: benchConfigure(t, srv)}
	directRead(t, ds2, map[string]tftypes.Value{"max_results": tfNum(1)})
	directRead(t, ds2, map[string]tftypes.Value{"max_results": tfNum(2)})
	if got := srv.TokensIssued() - tokens0; got != 2 {
		t.Errorf("%d tokens for two provider instances, want 2", got)
	}
}

// A parallel read gives exactly the sequential read's ids, count and
// truncated flag, over many windows, both orders, page sizes and limits;
// its list calls stay within one partly filled page per part of the
// sequential count (without max_results), with the same single token.
func TestActivitiesParallelMatchesSequential(t *testing.T) {
	srv := startEmulator(t, 1200)
	ds := &activitiesDataSource{data: benchConfigure(t, srv)}
	all := srv.Activities()
	tokens0 := srv.TokensIssued()
	rfc := func(tm time.Time) tftypes.Value { return tftypes.NewValue(tftypes.String, tm.Format(time.RFC3339Nano)) }

	type window struct{ since, before time.Time }
	windows := []window{
		{all[0].At, all[len(all)-1].At.Add(time.Nanosecond)}, // everything
		{all[100].At, all[1100].At},
		{all[600].At, all[601].At},                                               // a single activity
		{all[10].At, all[10].At.Add(3 * time.Nanosecond)},                        // fewer nanoseconds than parts
		{all[300].At.Add(-time.Hour), all[900].At.Add(time.Hour)},                // seams at whole seconds
		{all[len(all)-1].At.Add(time.Second), all[len(all)-1].At.Add(time.Hour)}, // empty
	}
	for wi, w := range windows {
		for _, order := range []string{"desc", "asc"} {
			for _, pageSize := range []int{1000, 40} {
				for _, limit := range []int{0, 1, 77} {
					base := map[string]tftypes.Value{
						"since": rfc(w.since), "before": rfc(w.before),
						"order": tftypes.NewValue(tftypes.String, order), "page_size": tfNum(pageSize),
					}
					if limit > 0 {
						base["max_results"] = tfNum(limit)
					}
					seq := directRead(t, ds, base)
					for _, p := range []int{2, 4, 16} {
						name := fmt.Sprintf("window %d %s page %d limit %d parallelism %d", wi, order, pageSize, limit, p)
						attrs := map[string]tftypes.Value{"parallelism": tfNum(p)}
						for k, v := range base {
							attrs[k] = v
						}
						if limit == 0 {
							// Let requests of earlier reads cut by max_results finish
							// logging, so that only this read's are counted.
							directListCalls(t, srv, 0)
						}
						srv.ResetRequests()
						par := directRead(t, ds, attrs)
						for _, k := range []string{"ids", "result_count", "truncated", "counts_by_action_alias", "counts_by_performer_id", "activities", "id"} {
							if !par[k].Equal(seq[k]) {
								t.Errorf("%s: %s differs from the sequential read", name, k)
							}
						}
						if got := directInt(t, par["parallelism"]); got != p {
							t.Errorf("%s: parallelism in state %d", name, got)
						}
						if limit == 0 {
							n := len(directIDs(t, seq["ids"]))
							seqCalls := max((n+pageSize-1)/pageSize, 1)
							calls := len(directListCalls(t, srv, seqCalls))
							// Each part ends on a partly filled page, and a part
							// split while a reader was idle may have asked for one
							// page beyond its new end: a few per reader.
							if calls < seqCalls || calls > seqCalls+3*p {
								t.Errorf("%s: %d list calls for %d items, want %d..%d", name, calls, n, seqCalls, seqCalls+3*p)
							}
						}
					}
				}
			}
		}
	}
	if got := srv.TokensIssued() - tokens0; got != 1 {
		t.Errorf("%d tokens for one provider instance, want 1", got)
	}
}

// Through the CLI: parallelism 1 and 4 give the same state over a window,
// both orders, with and without max_results, and match the emulator's data.
func TestAccActivities_parallelism(t *testing.T) {
	srv := startEmulator(t, 600)
	all := srv.Activities()
	since, before := all[50].At, all[550].At
	inWindow := func(a *emulator.Activity) bool { return !a.At.Before(since) && a.At.Before(before) }
	nWindow := len(selectActivities(srv, "asc", 0, inWindow))

	var cfg strings.Builder
	cfg.WriteString(providerBlock(srv))
	var checks []statecheck.StateCheck
	for _, order := range []string{"desc", "asc"} {
		for _, limit := range []int{0, 120, nWindow} {
			for _, p := range []int{1, 4} {
				name := fmt.Sprintf("%s_%d_p%d", order, limit, p)
				fmt.Fprintf(&cfg, "data \"workiva_activities\" %q {\n  since = %q\n  before = %q\n  order = %q\n  page_size = 25\n",
					name, since.Format(time.RFC3339Nano), before.Format(time.RFC3339Nano), order)
				if p != 1 { // parallelism 1 is the default, shown in state
					fmt.Fprintf(&cfg, "  parallelism = %d\n", p)
				}
				if limit > 0 {
					fmt.Fprintf(&cfg, "  max_results = %d\n", limit)
				}
				cfg.WriteString("}\n")
				addr := "data.workiva_activities." + name
				checks = append(checks, listChecks(t, addr, selectActivities(srv, order, limit, inWindow), limit > 0 && limit < nWindow)...)
				checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("parallelism"), knownvalue.Int64Exact(int64(p))))
				if p != 1 {
					seq := fmt.Sprintf("data.workiva_activities.%s_%d_p1", order, limit)
					for _, k := range []string{"ids", "result_count", "truncated", "id"} {
						checks = append(checks, statecheck.CompareValuePairs(seq, tfjsonpath.New(k), addr, tfjsonpath.New(k), compare.ValuesSame()))
					}
				}
			}
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps:                    []resource.TestStep{{Config: cfg.String(), ConfigStateChecks: checks}},
	})
}

// parallelism is validated at plan time, naming the attribute; no request
// reaches the API.
func TestAccActivities_parallelismValidation(t *testing.T) {
	srv := startEmulator(t, 10)
	window := "since = \"2026-01-01T00:00:00Z\"\n before = \"2026-02-01T00:00:00Z\"\n "
	cases := []planErrorCase{
		{window + `parallelism = 0`, `Attribute parallelism value must be between 1 and 16, got: 0`},
		{window + `parallelism = 17`, `Attribute parallelism value must be between 1 and 16, got: 17`},
	}
	steps := planErrorSteps(t, srv, cases, resource.TestStep{
		// No window is needed: its ends are found first.
		Config: providerBlock(srv) + `data "workiva_activities" "ok" {
  parallelism = 4
}`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.workiva_activities.ok", tfjsonpath.New("parallelism"), knownvalue.Int64Exact(4)),
			statecheck.ExpectKnownValue("data.workiva_activities.ok", tfjsonpath.New("result_count"), knownvalue.Int64Exact(10)),
		},
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}
