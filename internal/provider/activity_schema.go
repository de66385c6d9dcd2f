package provider

import (
	"bytes"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

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

	nullWorkspace = types.ObjectNull(workspaceAttrTypes)
	emptyTargets  = types.ListValueMust(targetObjectType, []attr.Value{})
	emptyTags     = types.ListValueMust(types.StringType, []attr.Value{})
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

// flattener turns client activities into Terraform values. Nested objects
// that repeat across activities (the action, the organization, workspaces,
// performers, targets) are built once per distinct value and shared: values
// are immutable, and a large walk repeats a few dozen actions and users
// thousands of times, so this saves most of the allocations. Not safe for
// concurrent use; use one per walk.
type flattener struct {
	buf        bytes.Buffer
	actions    map[workiva.ActivityAction]attr.Value
	performers map[workiva.Performer]attr.Value
	targets    map[workiva.Target]attr.Value
	orgs       map[workiva.Organization]attr.Value
	workspaces map[workiva.Workspace]attr.Value
}

// maxCached bounds each cache: values with little repetition (say, one IP
// address per activity) must not make the cache grow with the walk.
const maxCached = 4096

// cached returns m[k], building and remembering it on a miss.
func cached[K comparable](m *map[K]attr.Value, k K, build func() attr.Value) attr.Value {
	if v, ok := (*m)[k]; ok {
		return v
	}
	v := build()
	if *m == nil {
		*m = make(map[K]attr.Value)
	}
	if len(*m) < maxCached {
		(*m)[k] = v
	}
	return v
}

var (
	boolTrue  attr.Value = types.BoolValue(true)
	boolFalse attr.Value = types.BoolValue(false)
)

func boolValue(b bool) attr.Value {
	if b {
		return boolTrue
	}
	return boolFalse
}

func flattenAction(a *workiva.ActivityAction) types.Object {
	return types.ObjectValueMust(actionAttrTypes, map[string]attr.Value{
		"id":         optString(a.ID),
		"alias":      optString(a.Alias),
		"name":       optString(a.Name),
		"category":   optString(a.Category),
		"deprecated": boolValue(a.Deprecated),
	})
}

// activity flattens one activity into an object of activityObjectType.
func (f *flattener) activity(a *workiva.Activity) types.Object {
	performer := cached(&f.performers, a.Performer, func() attr.Value {
		p := &a.Performer
		return types.ObjectValueMust(performerAttrTypes, map[string]attr.Value{
			"id":           optString(p.ID),
			"type":         optString(p.Type),
			"display_name": optString(p.DisplayName),
			"unique_name":  optString(p.UniqueName),
			"ip_address":   optString(p.IPAddress),
		})
	})

	targets := emptyTargets
	if len(a.Targets) > 0 {
		elems := make([]attr.Value, len(a.Targets))
		for i := range a.Targets {
			t := &a.Targets[i]
			elems[i] = cached(&f.targets, *t, func() attr.Value {
				return types.ObjectValueMust(targetAttrTypes, map[string]attr.Value{
					"id":           optString(t.ID),
					"type":         optString(t.Type),
					"display_name": optString(t.DisplayName),
					"unique_name":  optString(t.UniqueName),
				})
			})
		}
		targets = types.ListValueMust(targetObjectType, elems)
	}

	tags := emptyTags
	if len(a.Tags) > 0 {
		elems := make([]attr.Value, len(a.Tags))
		for i, t := range a.Tags {
			elems[i] = types.StringValue(t)
		}
		tags = types.ListValueMust(types.StringType, elems)
	}

	var workspace attr.Value = nullWorkspace
	if a.Workspace != nil {
		workspace = cached(&f.workspaces, *a.Workspace, func() attr.Value {
			return types.ObjectValueMust(workspaceAttrTypes, map[string]attr.Value{
				"id":   optString(a.Workspace.ID),
				"name": optString(a.Workspace.Name),
			})
		})
	}

	return types.ObjectValueMust(activityAttrTypes, map[string]attr.Value{
		"id":                 types.StringValue(a.ID),
		"activity_date_time": optString(a.ActivityDateTime),
		"summary":            optString(a.Summary),
		"outcome":            optString(a.Outcome),
		"action":             cached(&f.actions, a.Action, func() attr.Value { return flattenAction(&a.Action) }),
		"performer":          performer,
		"targets":            targets,
		"organization": cached(&f.orgs, a.Organization, func() attr.Value {
			return types.ObjectValueMust(organizationAttrTypes, map[string]attr.Value{
				"id":   optString(a.Organization.ID),
				"name": optString(a.Organization.Name),
			})
		}),
		"workspace":        workspace,
		"tags":             tags,
		"attachments_json": types.StringValue(f.attachments(a.Attachments)),
	})
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
