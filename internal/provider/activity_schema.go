package provider

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// One schema, one set of attribute types and one flatten function serve both
// the top level of workiva_activity and each element of
// workiva_activities.activities. The attr.Type maps are built once: the list
// data source builds hundreds of thousands of objects against them, and
// ObjectValue keeps a reference rather than a copy.

var (
	actionAttrTypes = map[string]attr.Type{
		"id":         types.StringType,
		"alias":      types.StringType,
		"name":       types.StringType,
		"category":   types.StringType,
		"deprecated": types.BoolType,
	}
	performerAttrTypes = map[string]attr.Type{
		"id":           types.StringType,
		"type":         types.StringType,
		"display_name": types.StringType,
		"unique_name":  types.StringType,
		"ip_address":   types.StringType,
	}
	targetAttrTypes = map[string]attr.Type{
		"id":           types.StringType,
		"type":         types.StringType,
		"display_name": types.StringType,
		"unique_name":  types.StringType,
	}
	organizationAttrTypes = map[string]attr.Type{
		"id":   types.StringType,
		"name": types.StringType,
	}
	workspaceAttrTypes = map[string]attr.Type{
		"id":   types.StringType,
		"name": types.StringType,
	}

	actionObjectType       = types.ObjectType{AttrTypes: actionAttrTypes}
	performerObjectType    = types.ObjectType{AttrTypes: performerAttrTypes}
	targetObjectType       = types.ObjectType{AttrTypes: targetAttrTypes}
	organizationObjectType = types.ObjectType{AttrTypes: organizationAttrTypes}
	workspaceObjectType    = types.ObjectType{AttrTypes: workspaceAttrTypes}

	activityAttrTypes = map[string]attr.Type{
		"id":                 types.StringType,
		"activity_date_time": types.StringType,
		"summary":            types.StringType,
		"outcome":            types.StringType,
		"action":             actionObjectType,
		"performer":          performerObjectType,
		"targets":            types.ListType{ElemType: targetObjectType},
		"organization":       organizationObjectType,
		"workspace":          workspaceObjectType,
		"tags":               types.ListType{ElemType: types.StringType},
		"attachments_json":   types.StringType,
	}
	activityObjectType = types.ObjectType{AttrTypes: activityAttrTypes}
)

func actionSchemaAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "Action ID, e.g. `com.workiva.administration.workspace_membership.create`."},
		"alias":      schema.StringAttribute{Computed: true, MarkdownDescription: "Action alias, e.g. `workspace_membership_create`: the stable key to match on."},
		"name":       schema.StringAttribute{Computed: true, MarkdownDescription: "Human-readable action name."},
		"category":   schema.StringAttribute{Computed: true, MarkdownDescription: "Action category."},
		"deprecated": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Workiva has deprecated the action."},
	}
}

// activitySchemaAttributes returns the activity attributes. At the top level
// of workiva_activity, `id` is the required lookup key; inside a list every
// attribute is computed.
func activitySchemaAttributes(topLevel bool) map[string]schema.Attribute {
	id := schema.StringAttribute{Computed: true, MarkdownDescription: "Activity ID (base64; may contain `=`, `/` and `+`)."}
	if topLevel {
		id = schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "ID of the activity to read (base64; may contain `=`, `/` and `+`).",
			Validators:          []validator.String{notBlank()},
		}
	}
	return map[string]schema.Attribute{
		"id":                 id,
		"activity_date_time": schema.StringAttribute{Computed: true, MarkdownDescription: "When the activity happened (RFC 3339)."},
		"summary":            schema.StringAttribute{Computed: true, MarkdownDescription: "Description of the activity; null when Workiva gives none."},
		"outcome":            schema.StringAttribute{Computed: true, MarkdownDescription: "`success`, `failure`, `pending` or `unknown`; null when absent."},
		"action": schema.SingleNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The action that produced the activity.",
			Attributes:          actionSchemaAttributes(),
		},
		"performer": schema.SingleNestedAttribute{
			Computed:            true,
			MarkdownDescription: "Who or what performed the activity. Fields Workiva omits are null.",
			Attributes: map[string]schema.Attribute{
				"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "Performer ID."},
				"type":         schema.StringAttribute{Computed: true, MarkdownDescription: "Performer type, e.g. `user`."},
				"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Display name."},
				"unique_name":  schema.StringAttribute{Computed: true, MarkdownDescription: "Unique name, e.g. a user name."},
				"ip_address":   schema.StringAttribute{Computed: true, MarkdownDescription: "IP address the activity came from."},
			},
		},
		"targets": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "Resources the activity affected, in API order; empty when none.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "Target ID."},
				"type":         schema.StringAttribute{Computed: true, MarkdownDescription: "Target type."},
				"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Display name."},
				"unique_name":  schema.StringAttribute{Computed: true, MarkdownDescription: "Unique name."},
			}},
		},
		"organization": schema.SingleNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The organization the activity belongs to.",
			Attributes: map[string]schema.Attribute{
				"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "Organization ID."},
				"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Organization name."},
			},
		},
		"workspace": schema.SingleNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The workspace the activity belongs to; null when it has none.",
			Attributes: map[string]schema.Attribute{
				"id":   schema.StringAttribute{Computed: true, MarkdownDescription: "Workspace ID."},
				"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Workspace name."},
			},
		},
		"tags": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Tags such as `correlationId:...` or `eventId:...`; empty when none.",
		},
		"attachments_json": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The attachments array as compact JSON text (`[]` when none); decode with `jsondecode()`.",
		},
	}
}

// optString maps an omitted (empty) optional string to null.
func optString(s string) basetypes.StringValue {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// The flatten builds tftypes values directly, with types derived once from
// the attr types above: converting framework values into tftypes (what
// State.Set does, twice, through reflection) costs far more than the walk
// itself on large lists. The framework checks the result against the schema
// when the provider sets state; TestActivityTypesMatchSchema checks it too.
var (
	tfString       = tftypes.String
	tfStringList   = tftypes.List{ElementType: tftypes.String}
	tfNullString   = tftypes.NewValue(tftypes.String, nil)
	tfTrue         = tftypes.NewValue(tftypes.Bool, true)
	tfFalse        = tftypes.NewValue(tftypes.Bool, false)
	tfAction       = tfObject(actionObjectType)
	tfPerformer    = tfObject(performerObjectType)
	tfTarget       = tfObject(targetObjectType)
	tfTargetList   = tftypes.List{ElementType: tfTarget}
	tfOrganization = tfObject(organizationObjectType)
	tfWorkspace    = tfObject(workspaceObjectType)
	tfActivity     = tfObject(activityObjectType)
	tfActivityList = tftypes.List{ElementType: tfActivity}

	tfNullWorkspace = tftypes.NewValue(tfWorkspace, nil)
	tfEmptyTargets  = tftypes.NewValue(tfTargetList, []tftypes.Value{})
	tfEmptyTags     = tftypes.NewValue(tfStringList, []tftypes.Value{})

	tfEmptyAttachments = tftypes.NewValue(tfString, "[]")
)

// tfObject is the tftypes form of an object type. The assertion cannot fail
// for an ObjectType; TestActivityTypesMatchSchema checks the results.
func tfObject(t types.ObjectType) tftypes.Object {
	o, _ := t.TerraformType(context.Background()).(tftypes.Object)
	return o
}

// tfOptString maps an omitted (empty) optional string to null.
func tfOptString(s string) tftypes.Value {
	if s == "" {
		return tfNullString
	}
	return tftypes.NewValue(tfString, s)
}

// tfOptStringAt is tfOptString for a string the caller keeps alive (a field
// of a decoded activity): tftypes takes a *string without boxing the string
// header first, which saves one allocation per value on large lists.
func tfOptStringAt(p *string) tftypes.Value {
	if *p == "" {
		return tfNullString
	}
	return tftypes.NewValue(tfString, p)
}

func tfBool(b bool) tftypes.Value {
	if b {
		return tfTrue
	}
	return tfFalse
}

// flattener turns client activities into Terraform values. Nested objects
// that repeat across activities (the action, the organization, workspaces,
// performers, targets, one-target lists, outcomes) are built once per
// distinct value and shared: values are immutable, and a large walk repeats
// a few dozen actions and users thousands of times, so this saves most of
// the allocations. Not safe for concurrent use; use one per walk.
type flattener struct {
	buf         bytes.Buffer
	actions     map[workiva.ActivityAction]tftypes.Value
	performers  map[workiva.Performer]tftypes.Value
	targets     map[workiva.Target]tftypes.Value
	targetLists map[workiva.Target]tftypes.Value // lists of exactly that one target
	orgs        map[workiva.Organization]tftypes.Value
	workspaces  map[workiva.Workspace]tftypes.Value
	outcomes    map[string]tftypes.Value
}

// maxCached bounds each cache: values with little repetition (say, one IP
// address per activity) must not make the cache grow with the walk.
const maxCached = 4096

// remember stores v under k unless the cache is full. Lookups are written
// out at each call site rather than through a closure: a closure passed to
// a helper escapes and would cost an allocation even on a hit.
func remember[K comparable](m *map[K]tftypes.Value, k K, v tftypes.Value) tftypes.Value {
	if *m == nil {
		*m = make(map[K]tftypes.Value)
	}
	if len(*m) < maxCached {
		(*m)[k] = v
	}
	return v
}

// flattenAction builds the framework value of an action (small lists).
func flattenAction(a *workiva.ActivityAction) types.Object {
	return types.ObjectValueMust(actionAttrTypes, map[string]attr.Value{
		"id":         optString(a.ID),
		"alias":      optString(a.Alias),
		"name":       optString(a.Name),
		"category":   optString(a.Category),
		"deprecated": types.BoolValue(a.Deprecated),
	})
}

func tfActionValue(a *workiva.ActivityAction) tftypes.Value {
	return tftypes.NewValue(tfAction, map[string]tftypes.Value{
		"id":         tfOptString(a.ID),
		"alias":      tfOptString(a.Alias),
		"name":       tfOptString(a.Name),
		"category":   tfOptString(a.Category),
		"deprecated": tfBool(a.Deprecated),
	})
}

func tfTargetValue(t *workiva.Target) tftypes.Value {
	return tftypes.NewValue(tfTarget, map[string]tftypes.Value{
		"id":           tfOptString(t.ID),
		"type":         tfOptString(t.Type),
		"display_name": tfOptString(t.DisplayName),
		"unique_name":  tfOptString(t.UniqueName),
	})
}

// activity flattens one activity into a value of the activity object type.
// id, when not empty, replaces the activity's ID (workiva_activity keeps the
// ID exactly as configured).
func (f *flattener) activity(a *workiva.Activity, id string) tftypes.Value {
	if id == "" {
		return f.activityWithID(a, tftypes.NewValue(tfString, &a.ID))
	}
	return f.activityWithID(a, tftypes.NewValue(tfString, id))
}

// activityWithID is activity with the id value already built: the list data
// source puts the same value in `ids`, saving its allocations.
func (f *flattener) activityWithID(a *workiva.Activity, id tftypes.Value) tftypes.Value {
	performer, ok := f.performers[a.Performer]
	if !ok {
		p := &a.Performer
		performer = remember(&f.performers, *p, tftypes.NewValue(tfPerformer, map[string]tftypes.Value{
			"id":           tfOptString(p.ID),
			"type":         tfOptString(p.Type),
			"display_name": tfOptString(p.DisplayName),
			"unique_name":  tfOptString(p.UniqueName),
			"ip_address":   tfOptString(p.IPAddress),
		}))
	}

	targets := tfEmptyTargets
	switch len(a.Targets) {
	case 0:
	case 1: // the usual case: share the whole list
		t := &a.Targets[0]
		if targets, ok = f.targetLists[*t]; !ok {
			targets = remember(&f.targetLists, *t, tftypes.NewValue(tfTargetList, []tftypes.Value{f.target(t)}))
		}
	default:
		elems := make([]tftypes.Value, len(a.Targets))
		for i := range a.Targets {
			elems[i] = f.target(&a.Targets[i])
		}
		targets = tftypes.NewValue(tfTargetList, elems)
	}

	tags := tfEmptyTags
	if len(a.Tags) > 0 {
		elems := make([]tftypes.Value, len(a.Tags))
		for i := range a.Tags {
			elems[i] = tftypes.NewValue(tfString, &a.Tags[i])
		}
		tags = tftypes.NewValue(tfStringList, elems)
	}

	workspace := tfNullWorkspace
	if w := a.Workspace; w != nil {
		if workspace, ok = f.workspaces[*w]; !ok {
			workspace = remember(&f.workspaces, *w, tftypes.NewValue(tfWorkspace, map[string]tftypes.Value{
				"id":   tfOptString(w.ID),
				"name": tfOptString(w.Name),
			}))
		}
	}

	action, ok := f.actions[a.Action]
	if !ok {
		action = remember(&f.actions, a.Action, tfActionValue(&a.Action))
	}
	org, ok := f.orgs[a.Organization]
	if !ok {
		org = remember(&f.orgs, a.Organization, tftypes.NewValue(tfOrganization, map[string]tftypes.Value{
			"id":   tfOptString(a.Organization.ID),
			"name": tfOptString(a.Organization.Name),
		}))
	}
	outcome, ok := f.outcomes[a.Outcome]
	if !ok {
		outcome = remember(&f.outcomes, a.Outcome, tfOptString(a.Outcome))
	}

	return tftypes.NewValue(tfActivity, map[string]tftypes.Value{
		"id":                 id,
		"activity_date_time": tfOptStringAt(&a.ActivityDateTime),
		"summary":            tfOptStringAt(&a.Summary),
		"outcome":            outcome,
		"action":             action,
		"performer":          performer,
		"targets":            targets,
		"organization":       org,
		"workspace":          workspace,
		"tags":               tags,
		"attachments_json":   f.attachmentsValue(a.Attachments),
	})
}

func (f *flattener) target(t *workiva.Target) tftypes.Value {
	if v, ok := f.targets[*t]; ok {
		return v
	}
	return remember(&f.targets, *t, tfTargetValue(t))
}

// attachments renders the attachments array as compact JSON, "[]" when the
// API sent none (absent or null).
func (f *flattener) attachments(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "[]" {
		return "[]"
	}
	f.buf.Reset()
	if err := json.Compact(&f.buf, raw); err != nil {
		// The client decoded it as JSON, so this cannot happen; keep the
		// text as received rather than lose it.
		return string(raw)
	}
	return f.buf.String()
}

// attachmentsValue is attachments as a value; the common "[]" is shared.
func (f *flattener) attachmentsValue(raw json.RawMessage) tftypes.Value {
	if s := f.attachments(raw); s != "[]" {
		return tftypes.NewValue(tfString, s)
	}
	return tfEmptyAttachments
}
