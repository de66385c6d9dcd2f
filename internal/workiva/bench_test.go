package workiva

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
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
			Data []wireActivity `json:"data"`
			Next string         `json:"@nextLink"`
		}
		if err := json.Unmarshal(page, &p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/activity")
}

// BenchmarkParallelWalk reads a 10,000-activity window from the emulator with
// 50 ms of latency per request, page size 200 (so that each sub-walk still
// has several pages), at parallelism 1, 4 and 8. The speedup metric is the
// sequential walk's time over this one's.
func BenchmarkParallelWalk(b *testing.B) {
	const n = 10_000
	s, err := emulator.Start(emulator.Options{Activities: n})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, err := New(emuConfig(s))
	if err != nil {
		b.Fatal(err)
	}
	all := s.Activities()
	q := ActivityQuery{
		OrganizationID: s.OrganizationID(),
		Since:          all[0].At,
		Before:         all[len(all)-1].At.Add(time.Second),
		Order:          "desc",
		PageSize:       200,
	}
	// The token is fetched once, outside the timings.
	if _, err := c.GetActivity(context.Background(), all[0].ID); err != nil {
		b.Fatal(err)
	}
	s.SetFaults(emulator.Faults{Latency: 50 * time.Millisecond})
	read := func(b *testing.B, p int) {
		b.Helper()
		q := q
		q.Parallelism = p
		res, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
		if err != nil || res.Count != n {
			b.Fatalf("parallelism %d: %v, %d items", p, err, res.Count)
		}
	}
	var sequential time.Duration // per walk at parallelism 1
	for _, p := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("parallelism=%d", p), func(b *testing.B) {
			if sequential == 0 && p != 1 {
				start := time.Now()
				read(b, 1)
				sequential = time.Since(start)
			}
			b.ReportAllocs()
			for b.Loop() {
				read(b, p)
			}
			per := b.Elapsed() / time.Duration(b.N)
			if p == 1 {
				sequential = per
			}
			b.ReportMetric(float64(per.Nanoseconds())/n, "ns/activity")
			b.ReportMetric(float64(sequential)/float64(per), "speedup")
		})
	}
}
