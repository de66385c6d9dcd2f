package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

func sampleActivity(i int) *workiva.Activity {
	// Every member the schema declares, so that each level is checked.
	org := workiva.Organization{
		ID: "org-1", Name: "Acme", Status: "active",
		Created:  &workiva.Stamp{DateTime: "2019-10-30T15:03:27Z", User: &workiva.User{ID: "user-0"}},
		Modified: &workiva.Stamp{DateTime: "2026-01-05T17:02:44Z", User: &workiva.User{ID: "user-2"}},
	}
	return &workiva.Activity{
		ID:               fmt.Sprintf("YWN0aXZpdHkt%06d+/=", i),
		ActivityDateTime: "2026-05-01T10:00:00Z",
		Summary:          "Zoë added Ünïcødé 日本語 to the workspace",
		Outcome:          "success",
		Action: workiva.ActivityAction{
			ID: "com.workiva.administration.workspace_membership.create", Alias: "workspace_membership_create",
			Name: "Create workspace membership", Category: "administration",
			Type: "com.workiva.administration.workspace_membership.create",
		},
		Performer: workiva.Performer{ID: "user-1", Type: "user", DisplayName: "Zoë", UniqueName: "zoe@example.com"},
		Targets: []workiva.Target{
			{ID: "t-1", Type: "workspace", DisplayName: "Ops"},
			{ID: "t-2", Type: "user", DisplayName: "Ann", UniqueName: "ann@example.com"},
		},
		Organization: org,
		Workspace: &workiva.Workspace{
			ID: "ws-1", Name: "Ops",
			Created:      &workiva.Stamp{DateTime: "2024-07-01T00:00:00Z", User: &workiva.User{ID: "user-1"}},
			Modified:     &workiva.Stamp{DateTime: "2025-12-31T23:59:59Z", User: &workiva.User{ID: "user-1"}},
			Organization: &org,
			Solutions:    []workiva.Solution{{ID: "60", Name: "Connected Global Statutory Reporting"}},
		},
		Tags:        []string{"correlationId:abc", "eventId:def"},
		Attachments: json.RawMessage(`[ {"k": "v", "n": [1, 2]} ]`),
	}
}

// flatObject encodes a and decodes the result as a framework object, which
// also proves the encoding fits the schema's types.
func flatObject(t *testing.T, e *activityEncoder, a *workiva.Activity) types.Object {
	t.Helper()
	ctx := context.Background()
	var b mpBuf
	e.activity(&b, a, "")
	tv, err := (&tfprotov6.DynamicValue{MsgPack: b.bytes()}).Unmarshal(activityObjectType.TerraformType(ctx))
	if err != nil {
		t.Fatal(err)
	}
	v, err := activityObjectType.ValueFromTerraform(ctx, tv)
	if err != nil {
		t.Fatal(err)
	}
	return v.(types.Object)
}

func TestEncodeActivity(t *testing.T) {
	var f activityEncoder
	a := sampleActivity(1)
	at := flatObject(t, &f, a).Attributes()
	// The encoder's scratch state does not leak into the next activity.
	if again := flatObject(t, &f, a); !again.Equal(flatObject(t, &activityEncoder{}, a)) {
		t.Error("a reused encoder gives a different value")
	}

	if got := at["summary"].(types.String).ValueString(); got != a.Summary {
		t.Errorf("summary = %q, want %q", got, a.Summary)
	}
	if got := at["attachments_json"].(types.String).ValueString(); got != `[{"k":"v","n":[1,2]}]` {
		t.Errorf("attachments_json = %s", got)
	}
	perf := at["performer"].(types.Object).Attributes()
	if !perf["ip_address"].IsNull() {
		t.Errorf("absent ip_address should be null, got %v", perf["ip_address"])
	}
	if got := perf["display_name"].(types.String).ValueString(); got != "Zoë" {
		t.Errorf("display_name = %q", got)
	}
	targets := at["targets"].(types.List).Elements()
	if len(targets) != 2 || !targets[0].(types.Object).Attributes()["unique_name"].IsNull() {
		t.Errorf("targets = %v", targets)
	}
	ws := at["workspace"].(types.Object)
	if ws.IsNull() || ws.Attributes()["name"].(types.String).ValueString() != "Ops" {
		t.Errorf("workspace = %v", ws)
	}
	if n := len(at["tags"].(types.List).Elements()); n != 2 {
		t.Errorf("tags has %d elements", n)
	}
}

func TestEncodeActivityAbsentFields(t *testing.T) {
	var f activityEncoder
	a := &workiva.Activity{ID: "x", ActivityDateTime: "2026-05-01T10:00:00Z", Attachments: json.RawMessage("null")}
	at := flatObject(t, &f, a).Attributes()
	for _, k := range []string{"summary", "outcome"} {
		if !at[k].IsNull() {
			t.Errorf("%s should be null, got %v", k, at[k])
		}
	}
	if !at["workspace"].IsNull() {
		t.Errorf("workspace should be null")
	}
	for _, k := range []string{"targets", "tags"} {
		l := at[k].(types.List)
		if l.IsNull() || len(l.Elements()) != 0 {
			t.Errorf("%s should be an empty list, got %v", k, l)
		}
	}
	if got := at["attachments_json"].(types.String).ValueString(); got != "[]" {
		t.Errorf("attachments_json = %q, want []", got)
	}
	for _, raw := range []string{"", " ", "[]", "null"} {
		a.Attachments = json.RawMessage(raw)
		if got := flatObject(t, &f, a).Attributes()["attachments_json"].(types.String).ValueString(); got != "[]" {
			t.Errorf("attachments %q encoded as %q, want []", raw, got)
		}
	}
	action := at["action"].(types.Object).Attributes()
	if !action["alias"].IsNull() || action["deprecated"].(types.Bool).ValueBool() {
		t.Errorf("action = %v", action)
	}
}

// The precomputed attr.Type maps must be exactly the types the schemas
// declare, or the framework would reject the state.
func TestActivityTypesMatchSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	(&activitiesDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &resp)
	got := resp.Schema.Attributes["activities"].GetType()
	want := types.ListType{ElemType: activityObjectType}
	if !got.Equal(want) {
		t.Fatalf("schema type\n%s\nwant\n%s", got, want)
	}

	var one datasource.SchemaResponse
	(&activityDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &one)
	if tf, want := one.Schema.Type().TerraformType(ctx), activityObjectType.TerraformType(ctx); !tf.Equal(want) {
		t.Errorf("workiva_activity state type\n%s\nwant\n%s", tf, want)
	}
	for name, typ := range activityAttrTypes {
		a, ok := one.Schema.Attributes[name]
		if !ok {
			t.Errorf("workiva_activity lacks %s", name)
			continue
		}
		if !a.GetType().Equal(typ) {
			t.Errorf("workiva_activity.%s type %s, want %s", name, a.GetType(), typ)
		}
	}
	if len(one.Schema.Attributes) != len(activityAttrTypes) {
		t.Errorf("workiva_activity has %d attributes, want %d", len(one.Schema.Attributes), len(activityAttrTypes))
	}

	var actions datasource.SchemaResponse
	(&activityActionsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &actions)
	if got := actions.Schema.Attributes["actions"].GetType(); !got.Equal(types.ListType{ElemType: actionObjectType}) {
		t.Errorf("actions type %s", got)
	}
	for _, r := range []datasource.SchemaResponse{resp, one, actions} {
		if r.Diagnostics.HasError() {
			t.Errorf("schema diagnostics: %v", r.Diagnostics)
		}
	}
}

// emulatorActivities is n activities of the emulator's data set as the
// client decodes them.
func emulatorActivities(b *testing.B, n int) []*workiva.Activity {
	b.Helper()
	src := emulator.New(emulator.Options{Activities: n}).Activities()
	out := make([]*workiva.Activity, len(src))
	for i := range src {
		out[i] = toClient(b, src[i])
	}
	return out
}

// BenchmarkEncode measures encoding decoded activities (the emulator's
// realistic data set) to MessagePack, the part of a read the provider owns
// after decoding. Allocations per activity must not grow with N.
func BenchmarkEncode(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		acts := emulatorActivities(b, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				var e activityEncoder
				var buf mpBuf
				for _, a := range acts {
					e.activity(&buf, a, "")
				}
				_ = buf.bytes()
			}
			runtime.ReadMemStats(&after)
			per := float64(b.N * n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/activity")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/activity")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/activity")
		})
	}
}

// TestActivityFieldsAgree checks that the encoder writes, at every level,
// exactly the attributes the schema declares (no more, no fewer, map sizes
// included), by decoding its output with a generic MessagePack decoder.
func TestActivityFieldsAgree(t *testing.T) {
	var e activityEncoder
	var b mpBuf
	e.activity(&b, sampleActivity(1), "")
	var got map[string]any
	if err := msgpack.Unmarshal(b.bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var check func(at string, attrs map[string]schema.Attribute, v map[string]any)
	check = func(at string, attrs map[string]schema.Attribute, v map[string]any) {
		t.Helper()
		if len(v) != len(attrs) {
			t.Errorf("%s: encoded %d attributes, schema has %d", at, len(v), len(attrs))
		}
		for name, a := range attrs {
			ev, ok := v[name]
			if !ok {
				t.Errorf("%s.%s: declared but not encoded", at, name)
				continue
			}
			switch a := a.(type) {
			case schema.SingleNestedAttribute:
				m, _ := ev.(map[string]any)
				check(at+"."+name, a.Attributes, m)
			case schema.ListNestedAttribute:
				l, _ := ev.([]any)
				if len(l) == 0 {
					t.Errorf("%s.%s: the sample should have elements", at, name)
				}
				for _, el := range l {
					m, _ := el.(map[string]any)
					check(at+"."+name+"[]", a.NestedObject.Attributes, m)
				}
			}
		}
	}
	check("activity", activitySchemaAttributes(false), got)

	names := func(fs []field[workiva.Activity]) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.name)
		}
		return out
	}(activityFields)
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("activity fields not sorted or not unique: %v", names)
	}
}
