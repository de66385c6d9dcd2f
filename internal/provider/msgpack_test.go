package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// The hand-written encoder is checked against values built independently:
// a straightforward conversion of the emulator's own activities into
// tftypes values, compared after decoding the bytes with tftypes (the
// decoder Terraform's own mirrors).

// The expected types come from the field table (activity_schema.go), the
// expected values from the emulator's data by hand: a field added to the
// table without its value here fails tftypes.NewValue in refValue.
var (
	refString       = tftypes.String
	refActivity     = activityObjectType.TerraformType(context.Background()).(tftypes.Object)
	refAction       = refActivity.AttributeTypes["action"]
	refPerformer    = refActivity.AttributeTypes["performer"]
	refTarget       = refActivity.AttributeTypes["targets"].(tftypes.List).ElementType
	refOrganization = refActivity.AttributeTypes["organization"]
	refWorkspace    = refActivity.AttributeTypes["workspace"]
	refStamp        = refOrganization.(tftypes.Object).AttributeTypes["created"]
	refUser         = refStamp.(tftypes.Object).AttributeTypes["user"]
	refSolutions    = refWorkspace.(tftypes.Object).AttributeTypes["solutions"]
)

func refStampValue(s *emulator.Stamp) tftypes.Value {
	if s == nil {
		return tftypes.NewValue(refStamp, nil)
	}
	user := tftypes.NewValue(refUser, nil)
	if s.User != nil {
		user = tftypes.NewValue(refUser, map[string]tftypes.Value{"id": refStr(s.User.ID)})
	}
	return tftypes.NewValue(refStamp, map[string]tftypes.Value{"date_time": refStr(s.DateTime), "user": user})
}

func refOrgValue(o *emulator.Organization) tftypes.Value {
	if o == nil {
		return tftypes.NewValue(refOrganization, nil)
	}
	return tftypes.NewValue(refOrganization, map[string]tftypes.Value{
		"id": refStr(o.ID), "name": refStr(o.Name), "status": refStr(o.Status),
		"created": refStampValue(o.Created), "modified": refStampValue(o.Modified),
	})
}

func refStr(s string) tftypes.Value {
	if s == "" {
		return tftypes.NewValue(refString, nil)
	}
	return tftypes.NewValue(refString, s)
}

// refValue is the expected state value of an emulator activity.
func refValue(t *testing.T, a emulator.Activity) tftypes.Value {
	t.Helper()
	targets := []tftypes.Value{}
	for _, tg := range a.Targets {
		targets = append(targets, tftypes.NewValue(refTarget, map[string]tftypes.Value{
			"id": refStr(tg.ID), "type": refStr(tg.Type), "display_name": refStr(tg.DisplayName), "unique_name": refStr(tg.UniqueName),
		}))
	}
	tags := []tftypes.Value{}
	for _, tg := range a.Tags {
		tags = append(tags, tftypes.NewValue(refString, tg))
	}
	workspace := tftypes.NewValue(refWorkspace, nil)
	if a.Workspace != nil {
		w := a.Workspace
		solutions := tftypes.NewValue(refSolutions, nil)
		if w.Solutions != nil {
			el := refSolutions.(tftypes.List).ElementType
			l := []tftypes.Value{}
			for _, s := range w.Solutions {
				l = append(l, tftypes.NewValue(el, map[string]tftypes.Value{"id": refStr(s.ID), "name": refStr(s.Name)}))
			}
			solutions = tftypes.NewValue(refSolutions, l)
		}
		workspace = tftypes.NewValue(refWorkspace, map[string]tftypes.Value{
			"id": refStr(w.ID), "name": refStr(w.Name), "created": refStampValue(w.Created), "modified": refStampValue(w.Modified),
			"organization": refOrgValue(w.Organization), "solutions": solutions,
		})
	}
	return tftypes.NewValue(refActivity, map[string]tftypes.Value{
		"id":                 tftypes.NewValue(refString, a.ID),
		"activity_date_time": refStr(a.ActivityDateTime),
		"summary":            refStr(a.Summary),
		"outcome":            refStr(a.Outcome),
		"action": tftypes.NewValue(refAction, map[string]tftypes.Value{
			"id": refStr(a.Action.ID), "type": refStr(a.Action.Type), "alias": refStr(a.Action.Alias), "name": refStr(a.Action.Name),
			"category": refStr(a.Action.Category), "deprecated": tftypes.NewValue(tftypes.Bool, a.Action.Deprecated),
		}),
		"performer": tftypes.NewValue(refPerformer, map[string]tftypes.Value{
			"id": refStr(a.Performer.ID), "type": refStr(a.Performer.Type), "display_name": refStr(a.Performer.DisplayName),
			"unique_name": refStr(a.Performer.UniqueName), "ip_address": refStr(a.Performer.IPAddress),
		}),
		"targets":          tftypes.NewValue(tftypes.List{ElementType: refTarget}, targets),
		"organization":     refOrgValue(&a.Organization),
		"workspace":        workspace,
		"tags":             tftypes.NewValue(tftypes.List{ElementType: refString}, tags),
		"attachments_json": tftypes.NewValue(refString, attachmentsJSON(t, a)),
	})
}

func decodeAs(t *testing.T, b []byte, typ tftypes.Type) tftypes.Value {
	t.Helper()
	v, err := (&tfprotov6.DynamicValue{MsgPack: b}).Unmarshal(typ)
	if err != nil {
		t.Fatalf("decoding %d bytes: %v", len(b), err)
	}
	return v
}

func assertEqual(t *testing.T, what string, got, want tftypes.Value) {
	t.Helper()
	if got.Equal(want) {
		return
	}
	diffs, err := got.Diff(want)
	if err != nil {
		t.Fatalf("%s differs; diff failed: %v", what, err)
	}
	for i, d := range diffs {
		if i == 5 {
			t.Errorf("... %d differences in all", len(diffs))
			break
		}
		t.Errorf("%s at %s: got %v, want %v", what, d.Path, d.Value1, d.Value2)
	}
}

// edgeActivities are hand-made activities for what the generated data set
// may not contain.
func edgeActivities() []emulator.Activity {
	long300 := strings.Repeat("é", 150)       // 300 bytes: str8
	long70k := strings.Repeat("x", 70_000)    // str32
	long40k := strings.Repeat("日本", 40_000/6) // str16
	many := make([]emulator.Target, 20)       // array16
	for i := range many {
		many[i] = emulator.Target{ID: "t" + strings.Repeat("z", i), Type: "user"}
	}
	hugeTags := make([]string, 70_000) // array32
	for i := range hugeTags {
		hugeTags[i] = "tag:" + strings.Repeat("q", i%40)
	}
	return []emulator.Activity{
		{ID: "bare", ActivityDateTime: "2026-05-01T10:00:00Z"}, // absent strings, no workspace, no tags/targets/attachments
		{ID: "null-ws", WorkspaceNull: true, Tags: []string{}, Targets: []emulator.Target{}, Attachments: []json.RawMessage{}},
		{
			ID: "YWJj+/==", ActivityDateTime: "2026-05-01T10:00:00Z", Summary: "Zoë — 日本語 ✓ \"quoted\" \\ \n",
			Outcome: "failure", Action: emulator.Action{ID: "a", Alias: "b", Name: "c", Category: "d", Deprecated: true},
			Performer:    emulator.Performer{ID: "p", Type: "user", DisplayName: "Zoë", IPAddress: "10.0.0.1"},
			Organization: emulator.Organization{ID: "o"}, Workspace: &emulator.Workspace{ID: "w"},
			Tags: []string{"", "x"}, Targets: []emulator.Target{{ID: "t"}},
			Attachments: []json.RawMessage{json.RawMessage(`{"a": [1, 2, {"b": null}], "s": "é"}`), json.RawMessage(`"x"`)},
		},
		{ID: "long", Summary: long70k, Outcome: long300, Performer: emulator.Performer{DisplayName: long40k}, Targets: many, Tags: hugeTags},
	}
}

// TestEncodeMatchesReference encodes the emulator's whole default data set
// and the edge cases as the `activities` and `ids` of a real
// workiva_activities state, with every small attribute set, and compares
// the decoded state with the reference values.
func TestEncodeMatchesReference(t *testing.T) {
	ctx := context.Background()
	acts := append(emulator.New(emulator.Options{}).Activities(), edgeActivities()...)
	if len(acts) < 5000 {
		t.Fatalf("data set has %d activities", len(acts))
	}

	var enc activityEncoder
	var elems, ids mpBuf
	want := make([]tftypes.Value, len(acts))
	wantIDs := make([]tftypes.Value, len(acts))
	for i, a := range acts {
		enc.activity(&elems, toClient(t, a), "")
		ids.str(a.ID)
		want[i] = refValue(t, a)
		wantIDs[i] = tftypes.NewValue(refString, a.ID)

		// Each activity alone, as workiva_activity's whole state, with
		// the configured ID kept.
		var one mpBuf
		enc.activity(&one, toClient(t, a), a.ID+"-cfg")
		var m map[string]tftypes.Value
		if err := want[i].As(&m); err != nil {
			t.Fatal(err)
		}
		m = maps.Clone(m) // As may share the value's own map
		m["id"] = tftypes.NewValue(refString, a.ID+"-cfg")
		if !t.Failed() {
			assertEqual(t, "workiva_activity "+a.ID[:min(len(a.ID), 20)], decodeAs(t, one.bytes(), refActivity), tftypes.NewValue(refActivity, m))
		}
	}

	var sr datasource.SchemaResponse
	(&activitiesDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if len(typ.AttributeTypes) <= 15 {
		t.Fatalf("want more than 15 attributes to exercise map16, got %d", len(typ.AttributeTypes))
	}
	small := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		small[name] = tftypes.NewValue(at, nil)
	}
	small["organization_id"] = tftypes.NewValue(tftypes.String, "org")
	small["action_aliases"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String},
		[]tftypes.Value{tftypes.NewValue(tftypes.String, "x"), tftypes.NewValue(tftypes.String, "y")})
	small["max_results"] = tftypes.NewValue(tftypes.Number, big.NewFloat(123456))
	small["summary_only"] = tftypes.NewValue(tftypes.Bool, false)
	small["result_count"] = tftypes.NewValue(tftypes.Number, big.NewFloat(float64(len(acts))))
	small["counts_by_action_alias"] = tftypes.NewValue(tftypes.Map{ElementType: tftypes.Number},
		map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.Number, big.NewFloat(3))})

	b, err := assembleObject(tftypes.NewValue(typ, small), map[string]splice{
		"activities": {count: len(acts), elems: &elems},
		"ids":        {count: len(acts), elems: &ids},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != cap(b) {
		t.Errorf("state slice has len %d, cap %d: not exactly sized", len(b), cap(b))
	}
	if elems.Len() != 0 || ids.Len() != 0 {
		t.Error("assembleObject left the spliced buffers full")
	}
	full := small
	full["activities"] = tftypes.NewValue(typ.AttributeTypes["activities"], want)
	full["ids"] = tftypes.NewValue(typ.AttributeTypes["ids"], wantIDs)
	got := decodeAs(t, b, typ)
	assertEqual(t, "workiva_activities state", got, tftypes.NewValue(typ, full))

	// Empty lists (summary_only, no match) are empty, not null.
	var none1, none2 mpBuf
	b, err = assembleObject(tftypes.NewValue(typ, small), map[string]splice{
		"activities": {elems: &none1}, "ids": {elems: &none2},
	})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]tftypes.Value
	if err := decodeAs(t, b, typ).As(&m); err != nil {
		t.Fatal(err)
	}
	var l []tftypes.Value
	if err := m["activities"].As(&l); err != nil || m["activities"].IsNull() || len(l) != 0 {
		t.Errorf("empty activities decoded as %v (%v)", m["activities"], err)
	}
}

// Writes that straddle chunk boundaries (one-byte forms, headers and
// strings of every length class) keep every byte in order: the chunks hold
// exactly what vmihailenco/msgpack writes into one plain buffer.
func TestMsgPackChunks(t *testing.T) {
	var b mpBuf
	var want bytes.Buffer
	ref := msgpack.NewEncoder(&want)
	for i := 0; want.Len() < 3*mpChunkSize; i++ {
		s := strings.Repeat(string(rune('a'+i%26)), (i*37)%70_000)
		b.str(s)
		b.arrayHeader(i)
		b.boolean(i%2 == 0)
		b.null()
		if err := errors.Join(ref.EncodeString(s), ref.EncodeArrayLen(i), ref.EncodeBool(i%2 == 0), ref.EncodeNil()); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Write([]byte("xyz")); n != 3 || err != nil {
		t.Errorf("Write of 3 bytes: %d, %v", n, err)
	}
	want.WriteString("xyz")
	if b.Len() != want.Len() {
		t.Fatalf("Len %d, want %d", b.Len(), want.Len())
	}
	if got := b.bytes(); !bytes.Equal(got, want.Bytes()) || len(got) != cap(got) {
		t.Error("chunked bytes differ from what was written, or are not exactly sized")
	}
}
