package provider

import (
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// The activity is declared once, in the field tables below: each field
// names its attribute, gives its schema attribute (description included)
// and says how to encode it from the client's struct. From the tables come
// the schema (activitySchemaAttributes), the attribute types
// (activityAttrTypes and the object types) and the MessagePack encoder
// (activityEncoder, msgpack.go), whose map sizes are the tables' lengths.
// Adding an attribute: decode it in internal/workiva (types.go), add a
// field here, and extend the reference value in msgpack_test.go.
//
// The attr.Type maps are built once: the list data source builds hundreds
// of thousands of objects against them, and ObjectValue keeps a reference
// rather than a copy.

// field is one attribute of an object whose Go value is a T.
type field[T any] struct {
	name string
	attr schema.Attribute // Computed; its type is the attribute's type
	// enc writes the attribute's value; e carries the encoder's scratch
	// state and the configured ID of workiva_activity.
	enc func(e *activityEncoder, b *mpBuf, v *T)
	// key is name as a MessagePack string, written as is before the value.
	key []byte
}

// fields sorts fs by name (the order the encoder writes them in; readers
// look attributes up by name) and pre-encodes each name.
func fields[T any](fs ...field[T]) []field[T] {
	slices.SortFunc(fs, func(a, b field[T]) int { return strings.Compare(a.name, b.name) })
	for i := range fs {
		var k mpBuf
		k.str(fs[i].name)
		fs[i].key = k.bytes()
	}
	return fs
}

// strField is an optional string: empty (omitted by the API) is null.
func strField[T any](name, desc string, get func(*T) string) field[T] {
	return field[T]{
		name: name,
		attr: schema.StringAttribute{Computed: true, MarkdownDescription: desc},
		enc:  func(_ *activityEncoder, b *mpBuf, v *T) { b.optStr(get(v)) },
	}
}

func boolField[T any](name, desc string, get func(*T) bool) field[T] {
	return field[T]{
		name: name,
		attr: schema.BoolAttribute{Computed: true, MarkdownDescription: desc},
		enc:  func(_ *activityEncoder, b *mpBuf, v *T) { b.boolean(get(v)) },
	}
}

// strListField is a list of strings; nil is an empty list, never null.
func strListField[T any](name, desc string, get func(*T) []string) field[T] {
	return field[T]{
		name: name,
		attr: schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc},
		enc: func(_ *activityEncoder, b *mpBuf, v *T) {
			l := get(v)
			b.arrayHeader(len(l))
			for _, s := range l {
				b.str(s)
			}
		},
	}
}

// objectField is a nested object; get returning nil writes null.
func objectField[T, U any](name, desc string, sub []field[U], get func(*T) *U) field[T] {
	return field[T]{
		name: name,
		attr: schema.SingleNestedAttribute{Computed: true, MarkdownDescription: desc, Attributes: schemaAttributes(sub)},
		enc: func(e *activityEncoder, b *mpBuf, v *T) {
			if u := get(v); u != nil {
				encodeObject(e, b, sub, u)
			} else {
				b.null()
			}
		},
	}
}

// objectListField is a list of nested objects; nil is an empty list.
func objectListField[T, U any](name, desc string, sub []field[U], get func(*T) []U) field[T] {
	return field[T]{
		name: name,
		attr: schema.ListNestedAttribute{
			Computed: true, MarkdownDescription: desc,
			NestedObject: schema.NestedAttributeObject{Attributes: schemaAttributes(sub)},
		},
		enc: func(e *activityEncoder, b *mpBuf, v *T) {
			l := get(v)
			b.arrayHeader(len(l))
			for i := range l {
				encodeObject(e, b, sub, &l[i])
			}
		},
	}
}

// encodeObject writes v as a map of every field of fs.
func encodeObject[T any](e *activityEncoder, b *mpBuf, fs []field[T], v *T) {
	b.mapHeader(len(fs))
	for i := range fs {
		b.rawBytes(fs[i].key)
		fs[i].enc(e, b, v)
	}
}

func schemaAttributes[T any](fs []field[T]) map[string]schema.Attribute {
	m := make(map[string]schema.Attribute, len(fs))
	for _, f := range fs {
		m[f.name] = f.attr
	}
	return m
}

func attrTypes[T any](fs []field[T]) map[string]attr.Type {
	m := make(map[string]attr.Type, len(fs))
	for _, f := range fs {
		m[f.name] = f.attr.GetType()
	}
	return m
}

var (
	actionFields = fields(
		strField("id", "Action ID, e.g. `com.workiva.administration.workspace_membership.create`.", func(a *workiva.ActivityAction) string { return a.ID }),
		strField("alias", "Action alias, e.g. `workspace_membership_create`: the stable key to match on.", func(a *workiva.ActivityAction) string { return a.Alias }),
		strField("name", "Human-readable action name.", func(a *workiva.ActivityAction) string { return a.Name }),
		strField("category", "Action category.", func(a *workiva.ActivityAction) string { return a.Category }),
		boolField("deprecated", "Whether Workiva has deprecated the action.", func(a *workiva.ActivityAction) bool { return a.Deprecated }),
	)
	performerFields = fields(
		strField("id", "Performer ID.", func(p *workiva.Performer) string { return p.ID }),
		strField("type", "Performer type, e.g. `user`.", func(p *workiva.Performer) string { return p.Type }),
		strField("display_name", "Display name.", func(p *workiva.Performer) string { return p.DisplayName }),
		strField("unique_name", "Unique name, e.g. a user name.", func(p *workiva.Performer) string { return p.UniqueName }),
		strField("ip_address", "IP address the activity came from.", func(p *workiva.Performer) string { return p.IPAddress }),
	)
	targetFields = fields(
		strField("id", "Target ID.", func(t *workiva.Target) string { return t.ID }),
		strField("type", "Target type.", func(t *workiva.Target) string { return t.Type }),
		strField("display_name", "Display name.", func(t *workiva.Target) string { return t.DisplayName }),
		strField("unique_name", "Unique name.", func(t *workiva.Target) string { return t.UniqueName }),
	)
	// activityActionFields is an activity's action: the catalogue's fields
	// and the type some answers carry.
	activityActionFields = fields(append(slices.Clone(actionFields),
		strField("type", "Action type, when Workiva sends it (its examples give the action ID); null otherwise.", func(a *workiva.ActivityAction) string { return a.Type }),
	)...)
	userFields = fields(
		strField("id", "User ID.", func(u *workiva.User) string { return u.ID }),
	)
	stampFields = fields(
		strField("date_time", "When (RFC 3339).", func(s *workiva.Stamp) string { return s.DateTime }),
		objectField("user", "By whom; null when Workiva names no user.", userFields, func(s *workiva.Stamp) *workiva.User { return s.User }),
	)
	organizationFields = fields(
		strField("id", "Organization ID.", func(o *workiva.Organization) string { return o.ID }),
		strField("name", "Organization name.", func(o *workiva.Organization) string { return o.Name }),
		strField("status", "`active` or `inactive`, when Workiva sends it; null otherwise.", func(o *workiva.Organization) string { return o.Status }),
		objectField("created", "When and by whom the organization was created, when Workiva sends it; null otherwise.", stampFields,
			func(o *workiva.Organization) *workiva.Stamp { return o.Created }),
		objectField("modified", "When and by whom the organization was last modified, when Workiva sends it; null otherwise.", stampFields,
			func(o *workiva.Organization) *workiva.Stamp { return o.Modified }),
	)
	solutionFields = fields(
		strField("id", "Solution ID.", func(s *workiva.Solution) string { return s.ID }),
		strField("name", "Solution name; null when Workiva gives none.", func(s *workiva.Solution) string { return s.Name }),
	)
	workspaceFields = fields(
		strField("id", "Workspace ID.", func(w *workiva.Workspace) string { return w.ID }),
		strField("name", "Workspace name.", func(w *workiva.Workspace) string { return w.Name }),
		objectField("created", "When and by whom the workspace was created, when Workiva sends it; null otherwise.", stampFields,
			func(w *workiva.Workspace) *workiva.Stamp { return w.Created }),
		objectField("modified", "When and by whom the workspace was last modified, when Workiva sends it; null otherwise.", stampFields,
			func(w *workiva.Workspace) *workiva.Stamp { return w.Modified }),
		objectField("organization", "The workspace's organization, when Workiva sends it; null otherwise.", organizationFields,
			func(w *workiva.Workspace) *workiva.Organization { return w.Organization }),
		field[workiva.Workspace]{
			name: "solutions",
			attr: schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Solutions available in the workspace, when Workiva sends them; null otherwise.",
				NestedObject: schema.NestedAttributeObject{Attributes: schemaAttributes(solutionFields)},
			},
			// Absent is null, unlike the activity's lists: an empty list
			// from Workiva is kept apart from no list at all.
			enc: func(e *activityEncoder, b *mpBuf, w *workiva.Workspace) {
				if w.Solutions == nil {
					b.null()
					return
				}
				b.arrayHeader(len(w.Solutions))
				for i := range w.Solutions {
					encodeObject(e, b, solutionFields, &w.Solutions[i])
				}
			},
		},
	)

	// activityFields is the activity object: the top level of
	// workiva_activity and each element of workiva_activities.activities.
	activityFields = fields(
		field[workiva.Activity]{
			name: "id",
			attr: schema.StringAttribute{Computed: true, MarkdownDescription: "Activity ID (base64; may contain `=`, `/` and `+`)."},
			// workiva_activity keeps the ID exactly as configured.
			enc: func(e *activityEncoder, b *mpBuf, a *workiva.Activity) {
				if e.id != "" {
					b.str(e.id)
				} else {
					b.str(a.ID)
				}
			},
		},
		strField("activity_date_time", "When the activity happened (RFC 3339).", func(a *workiva.Activity) string { return a.ActivityDateTime }),
		strField("summary", "Description of the activity; null when Workiva gives none.", func(a *workiva.Activity) string { return a.Summary }),
		strField("outcome", "`success`, `failure`, `pending` or `unknown`; null when absent.", func(a *workiva.Activity) string { return a.Outcome }),
		objectField("action", "The action that produced the activity.", activityActionFields,
			func(a *workiva.Activity) *workiva.ActivityAction { return &a.Action }),
		objectField("performer", "Who or what performed the activity. Fields Workiva omits are null.", performerFields,
			func(a *workiva.Activity) *workiva.Performer { return &a.Performer }),
		objectListField("targets", "Resources the activity affected, in API order; empty when none.", targetFields,
			func(a *workiva.Activity) []workiva.Target { return a.Targets }),
		objectField("organization", "The organization the activity belongs to.", organizationFields,
			func(a *workiva.Activity) *workiva.Organization { return &a.Organization }),
		objectField("workspace", "The workspace the activity belongs to; null when it has none.", workspaceFields,
			func(a *workiva.Activity) *workiva.Workspace { return a.Workspace }),
		strListField("tags", "Tags such as `correlationId:...` or `eventId:...`; empty when none.",
			func(a *workiva.Activity) []string { return a.Tags }),
		field[workiva.Activity]{
			name: "attachments_json",
			attr: schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The attachments array as compact JSON text (`[]` when none); decode with `jsondecode()`.",
			},
			enc: func(e *activityEncoder, b *mpBuf, a *workiva.Activity) { e.attachments(b, a.Attachments) },
		},
	)

	actionAttrTypes    = attrTypes(actionFields)
	actionObjectType   = types.ObjectType{AttrTypes: actionAttrTypes}
	activityAttrTypes  = attrTypes(activityFields)
	activityObjectType = types.ObjectType{AttrTypes: activityAttrTypes}
)

func actionSchemaAttributes() map[string]schema.Attribute { return schemaAttributes(actionFields) }

// activitySchemaAttributes returns the activity attributes. At the top level
// of workiva_activity, `id` is the required lookup key; inside a list every
// attribute is computed.
func activitySchemaAttributes(topLevel bool) map[string]schema.Attribute {
	m := schemaAttributes(activityFields)
	if topLevel {
		m["id"] = schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "ID of the activity to read (base64; may contain `=`, `/` and `+`).",
			Validators:          []validator.String{notBlank()},
		}
	}
	return m
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
