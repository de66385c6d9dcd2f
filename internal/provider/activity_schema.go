package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// One schema, one set of attribute types and one encoder (msgpack.go) serve
// both the top level of workiva_activity and each element of
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
