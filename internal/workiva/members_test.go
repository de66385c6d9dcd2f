package workiva

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The example answers of Workiva's OpenAPI document and of its reference
// pages (testdata/) are decoded with the client's own decoders and encoded
// back from the client's types; every member the document declares must come
// back with the value it had. Members are read out of the files here, not
// copied into the test, so a refreshed document is checked as it is.

const openAPIFile = "../apicontract/testdata/activities-openapi.yaml" // the one copy of the document

// memberExample is one example answer and the schema it is an instance of.
type memberExample struct {
	where  string // file and position, for messages
	schema string // component name: Activity, ActivitiesListResult, ...
	body   []byte
}

// memberAliases: members the client keeps under another name. The single
// activity's example calls the summary "description" (decode.go).
var memberAliases = map[string]string{"Activity.description": "summary"}

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// refName is the component a schema reference names, through a one-element
// allOf (how the document attaches a description to a reference).
func refName(s *openapi3.SchemaRef) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	if s.Value != nil && len(s.Value.AllOf) == 1 {
		return refName(s.Value.AllOf[0])
	}
	return ""
}

// properties are a schema's declared members, allOf parts included.
func properties(s *openapi3.Schema) map[string]*openapi3.SchemaRef {
	m := map[string]*openapi3.SchemaRef{}
	for _, p := range s.AllOf {
		if p.Value != nil {
			for k, v := range properties(p.Value) {
				m[k] = v
			}
		}
	}
	for k, v := range s.Properties {
		m[k] = v
	}
	return m
}

// documentExamples are the JSON examples of every success answer of the
// document, with the component their schema names.
func documentExamples(t *testing.T, doc *openapi3.T) []memberExample {
	t.Helper()
	var out []memberExample
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, resp := range op.Responses.Map() {
				if !strings.HasPrefix(code, "2") || resp.Value == nil {
					continue
				}
				mt := resp.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					continue
				}
				values := []any{}
				if mt.Example != nil {
					values = append(values, mt.Example)
				}
				for _, ex := range mt.Examples {
					if ex.Value != nil {
						values = append(values, ex.Value.Value)
					}
				}
				for i, v := range values {
					b, err := json.Marshal(v)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, memberExample{
						where:  fmt.Sprintf("%s: %s %s %s example %d", openAPIFile, method, path, code, i),
						schema: refName(mt.Schema),
						body:   b,
					})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].where < out[j].where })
	return out
}

// seedExamples are the JSON answers printed on the reference pages: every
// JSON object starting a line, classified by its shape. Schema examples of
// nested objects (a lone Organization, Performer, ...) and error bodies
// are not answers of the operations the client decodes, and are skipped.
func seedExamples(t *testing.T) []memberExample {
	t.Helper()
	files, err := filepath.Glob("testdata/seeds/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed pages: %v", err)
	}
	var out []memberExample
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(text); {
			i := bytes.Index(text[off:], []byte("\n{"))
			if i < 0 {
				break
			}
			start := off + i + 1
			dec := json.NewDecoder(bytes.NewReader(text[start:]))
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				off = start + 1 // not JSON (or broken off): look further
				continue
			}
			off = start + int(dec.InputOffset())
			if schema := seedSchema(raw); schema != "" {
				line := bytes.Count(text[:start], []byte("\n")) + 1
				out = append(out, memberExample{where: fmt.Sprintf("%s:%d", f, line), schema: schema, body: raw})
			}
		}
	}
	return out
}

// seedSchema names the answer schema of a JSON value by its shape, or "".
func seedSchema(raw []byte) string {
	var v map[string]any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	isActivity := func(m map[string]any) bool { return m["activityDateTime"] != nil }
	isAction := func(m map[string]any) bool { return m["alias"] != nil && m["category"] != nil }
	if data, ok := v["data"].([]any); ok && len(data) > 0 {
		first, _ := data[0].(map[string]any)
		switch {
		case isActivity(first):
			return "ActivitiesListResult"
		case isAction(first):
			return "ActivityActionsListResult"
		}
		return ""
	}
	switch {
	case isActivity(v):
		return "Activity"
	case isAction(v):
		return "ActivityAction"
	}
	return ""
}

// decodeWithClient decodes body as the client decodes an answer of that
// schema and encodes the result back to JSON from the client's types.
func decodeWithClient(t *testing.T, schema string, body []byte) []byte {
	t.Helper()
	d := newObjDecoder()
	d.reset(bytes.NewReader(body))
	var v any
	var err error
	switch schema {
	case "Activity":
		v, err = d.listItemActivity()
	case "ActivityAction":
		v, err = d.listItemAction()
	case "ActivitiesListResult", "ActivityActionsListResult":
		var page struct {
			Data []any `json:"data"`
		}
		page.Data = []any{}
		decode := func(d *objDecoder) error {
			if schema == "ActivitiesListResult" {
				return items((*objDecoder).listItemActivity, func(a *Activity) error { page.Data = append(page.Data, a); return nil })(d)
			}
			return items((*objDecoder).listItemAction, func(a *ActivityAction) error { page.Data = append(page.Data, a); return nil })(d)
		}
		// The page decoder hands @nextLink to the walk, which follows it.
		var info pageInfo
		info, err = decodePage(d, bytes.NewReader(body), decode)
		v = map[string]any{"data": page.Data, "@nextLink": info.next}
	default:
		t.Fatalf("no client decoder for %s", schema)
	}
	if err != nil {
		t.Fatalf("the client cannot decode it: %v", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lostMembers walks in (an instance of schema s, component name) beside
// out (the client's re-encoding) and lists each member in declares that
// out lacks or holds with another value. declared reports whether a member
// of a component is declared by the document.
func lostMembers(path, comp string, s *openapi3.Schema, in, out any, declared func(comp, member string) bool, lost *[]string) {
	switch iv := in.(type) {
	case map[string]any:
		ov, _ := out.(map[string]any)
		props := properties(s)
		if len(props) == 0 { // a generic object (attachments): kept whole
			if !reflect.DeepEqual(in, out) {
				*lost = append(*lost, fmt.Sprintf("%s: sent %v, kept %v", path, in, out))
			}
			return
		}
		names := make([]string, 0, len(iv))
		for k := range iv {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			if !declared(comp, k) {
				continue
			}
			outName := k
			if a, ok := memberAliases[comp+"."+k]; ok {
				outName = a
			}
			sub, subComp := (*openapi3.Schema)(nil), ""
			if p := props[k]; p != nil {
				sub, subComp = p.Value, refName(p)
			}
			if sub == nil {
				sub = &openapi3.Schema{} // declared only by an example: compared whole
			}
			ovk, ok := ov[outName]
			if !ok && iv[k] != nil {
				*lost = append(*lost, fmt.Sprintf("%s/%s: not kept", path, k))
				continue
			}
			lostMembers(path+"/"+k, subComp, sub, iv[k], ovk, declared, lost)
		}
	case []any:
		ov, _ := out.([]any)
		if len(ov) != len(iv) {
			*lost = append(*lost, fmt.Sprintf("%s: %d elements sent, %d kept", path, len(iv), len(ov)))
			return
		}
		var item *openapi3.Schema
		itemComp := ""
		if s.Items != nil {
			item, itemComp = s.Items.Value, refName(s.Items)
		}
		if item == nil {
			item = &openapi3.Schema{}
		}
		for i := range iv {
			lostMembers(fmt.Sprintf("%s/%d", path, i), itemComp, item, iv[i], ov[i], declared, lost)
		}
	case nil:
		// null: nothing to keep (the client keeps it as empty or null)
	default:
		if !reflect.DeepEqual(in, out) {
			*lost = append(*lost, fmt.Sprintf("%s: sent %v, kept %v", path, in, out))
		}
	}
}

// exampleMembers records, per component, the members the document's own
// examples show: a member an example of the document carries is declared
// by it even where the schema omits it (the single activity's action.type,
// the older "description").
func exampleMembers(path, comp string, s *openapi3.Schema, in any, seen map[string]bool) {
	switch iv := in.(type) {
	case map[string]any:
		props := properties(s)
		if len(props) == 0 {
			return
		}
		for k, v := range iv {
			seen[comp+"."+k] = true
			if p := props[k]; p != nil && p.Value != nil {
				exampleMembers(path+"/"+k, refName(p), p.Value, v, seen)
			}
		}
	case []any:
		if s.Items != nil && s.Items.Value != nil {
			for _, v := range iv {
				exampleMembers(path, refName(s.Items), s.Items.Value, v, seen)
			}
		}
	}
}

func TestExamplesKeepDeclaredMembers(t *testing.T) {
	doc := loadOpenAPI(t)
	docExamples := documentExamples(t, doc)
	seeds := seedExamples(t)
	seen := map[string]bool{}
	for _, ex := range docExamples {
		var in any
		if err := json.Unmarshal(ex.body, &in); err != nil {
			t.Fatal(err)
		}
		if s := doc.Components.Schemas[ex.schema]; s != nil {
			exampleMembers("", ex.schema, s.Value, in, seen)
		}
	}
	declared := func(comp, member string) bool {
		if seen[comp+"."+member] {
			return true
		}
		s := doc.Components.Schemas[comp]
		return s != nil && s.Value != nil && properties(s.Value)[member] != nil
	}

	checked := map[string]int{}
	for _, ex := range append(docExamples, seeds...) {
		s := doc.Components.Schemas[ex.schema]
		if s == nil {
			continue // the token answer: auth.go's, not a member of an activity
		}
		t.Run(ex.where, func(t *testing.T) {
			out := decodeWithClient(t, ex.schema, ex.body)
			var in, o any
			if err := json.Unmarshal(ex.body, &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &o); err != nil {
				t.Fatal(err)
			}
			var lost []string
			lostMembers("", ex.schema, s.Value, in, o, declared, &lost)
			for _, l := range lost {
				t.Errorf("%s (%s): %s", ex.where, ex.schema, l)
			}
		})
		checked[ex.schema]++
	}
	// The files hold these answers (the document one per operation, the
	// pages the rest); finding fewer means the extraction broke, not that
	// there is less to check.
	for schema, atLeast := range map[string]int{"Activity": 3, "ActivitiesListResult": 5, "ActivityAction": 2, "ActivityActionsListResult": 2} {
		if checked[schema] < atLeast {
			t.Errorf("%d examples of %s checked, want at least %d", checked[schema], schema, atLeast)
		}
	}
}
