package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// BenchmarkActivitiesRead compares, on the same emulator pages, the client
// walk alone ("walk") with the data source's whole Read ("read": walk,
// flatten, counts and State.Set). The framework's own work after Read
// (semantic equality, msgpack) is not included.
func BenchmarkActivitiesRead(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		srv, err := emulator.Start(emulator.Options{Activities: n})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srv.Close)
		client, err := workiva.New(workiva.Config{APIURL: srv.URL(), ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret()})
		if err != nil {
			b.Fatal(err)
		}
		q := workiva.ActivityQuery{OrganizationID: srv.OrganizationID(), Order: "desc"}
		ctx := context.Background()

		b.Run(fmt.Sprintf("walk/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := client.ListActivities(ctx, q, func(*workiva.Activity) error { return nil })
				if err != nil || res.Count != n {
					b.Fatalf("%v, %d items", err, res.Count)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/activity")
		})

		ds := &activitiesDataSource{data: &providerData{client: client, organizationID: srv.OrganizationID()}}
		var sresp datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
		typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		config := tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}

		b.Run(fmt.Sprintf("read/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp := datasource.ReadResponse{State: tfsdk.State{Schema: sresp.Schema, Raw: config.Raw.Copy()}}
				ds.Read(ctx, datasource.ReadRequest{Config: config}, &resp)
				if resp.Diagnostics.HasError() {
					b.Fatal(resp.Diagnostics)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/activity")
		})
	}
}
