package workiva

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// benchPage is a list page of n activities shaped like the API's.
func benchPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"NjE0MjIxODItOTVkYi00YmFjLWI4ZjktNzRkMDg1OTdlMDgwOlFYVmthWFJNYjJj%06d+/=","action":{"id":"com.workiva.administration.workspace_membership.create","alias":"workspace_membership_create","name":"Workspace membership created","category":"Administration","deprecated":false},"activityDateTime":"2026-01-30T13:55:01Z","summary":"Adam Admin added the user 'John Public' to the workspace 'Organization Management'","outcome":"success","performer":{"id":"V0ZWc2VyHzE0NT8xNzAyMDA","type":"com.workiva.iam.principal.user","displayName":"Adam Admin","uniqueName":"admin_admin@example.com","ipAddress":"192.168.1.1"},"targets":[{"id":"V0ZVc2VyHzY0ODY4NjQ1MzE1NTQ","type":"com.workiva.administration.user","displayName":"John Public","uniqueName":"john_public"}],"organization":{"id":"a25bc16f-fb62-4aff-a87e-1cca4b2113c0","name":"Workiva"},"workspace":{"id":"QWNjb3VudB81MzIzMjkwOTM4NzAzODcy","name":"Organization Management"},"tags":["correlationId:1a2b3c4d5e6f000db88c0009f9f1","eventId:LM4s-wJyTgW4NTbNZi_86v"],"attachments":[{"entityChanges":{"propertyName":"displayName","new":"Organization Management","old":"New Workspace"}}]}`, i)
	}
	b.WriteString(`],"@nextLink":"https://api.app.wdesk.com/admin/v1/organizations/o/activities?$next=abc"}`)
	return b.Bytes()
}

// BenchmarkDecodeActivityPage streams a 1000-item page (the client's path).
func BenchmarkDecodeActivityPage(b *testing.B) {
	page := benchPage(1000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	kept := make([]*Activity, 0, 1000)
	for b.Loop() {
		kept = kept[:0]
		_, _, err := DecodeActivityPage(bytes.NewReader(page), func(a *Activity) error {
			kept = append(kept, a)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/activity")
}

// BenchmarkDecodePageBaseline decodes the same page in one json.Unmarshal
// into plain structs: the floor the streaming decoder is measured against.
func BenchmarkDecodePageBaseline(b *testing.B) {
	page := benchPage(1000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var p struct {
			Data []plainActivity `json:"data"`
			Next string          `json:"@nextLink"`
		}
		if err := json.Unmarshal(page, &p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/activity")
}

// plainActivity is the baseline's plain struct: Activity's fields and tags,
// decoded by reflection with no custom code.
type plainActivity struct {
	ID               string          `json:"id"`
	ActivityDateTime string          `json:"activityDateTime"`
	Summary          string          `json:"summary"`
	Description      string          `json:"description"`
	Outcome          string          `json:"outcome"`
	Action           ActivityAction  `json:"action"`
	Performer        Performer       `json:"performer"`
	Targets          []Target        `json:"targets"`
	Organization     Organization    `json:"organization"`
	Workspace        *Workspace      `json:"workspace"`
	Tags             []string        `json:"tags"`
	Attachments      json.RawMessage `json:"attachments"`
}
