package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Diagnostics keep severity, texts and attribute paths through the wrapper.
func TestToProtoDiags(t *testing.T) {
	var d diag.Diagnostics
	d.AddAttributeError(path.Root("filter"), "bad", "detail")
	d.AddAttributeWarning(path.Root("a").AtListIndex(2).AtMapKey("k"), "warn", "w")
	d.AddError("whole", "no path")
	got := toProtoDiags(context.Background(), d)
	if len(got) != 3 {
		t.Fatalf("%d diagnostics", len(got))
	}
	if got[0].Severity != tfprotov6.DiagnosticSeverityError || got[0].Summary != "bad" || got[0].Detail != "detail" ||
		!got[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("filter")) {
		t.Errorf("first: %+v", got[0])
	}
	want := tftypes.NewAttributePath().WithAttributeName("a").WithElementKeyInt(2).WithElementKeyString("k")
	if got[1].Severity != tfprotov6.DiagnosticSeverityWarning || !got[1].Attribute.Equal(want) {
		t.Errorf("second: %+v (path %v)", got[1], got[1].Attribute)
	}
	if got[2].Attribute != nil {
		t.Errorf("path-less diagnostic got path %v", got[2].Attribute)
	}
}

// Before Configure, the wrapper's read fails with a diagnostic and no state.
func TestServerReadUnconfigured(t *testing.T) {
	s, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	typ := tftypes.Object{AttributeTypes: activityObjectType.TerraformType(context.Background()).(tftypes.Object).AttributeTypes}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["id"] = tftypes.NewValue(tftypes.String, "x")
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: activityDataSourceName, Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	if resp.State != nil || len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Errorf("state %v, diagnostics %+v", resp.State, resp.Diagnostics)
	}
}
