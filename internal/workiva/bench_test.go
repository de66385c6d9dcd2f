package workiva

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
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

// BenchmarkNextLinkHint finds a 1000-item page's next link for the
// read-ahead: read from the page's end (where the API puts it), and by the
// scan of the whole page when another member follows it.
func BenchmarkNextLinkHint(b *testing.B) {
	page := benchPage(1000)
	later := append(bytes.TrimSuffix(bytes.Clone(page), []byte("}")), `,"x":1}`...)
	for name, p := range map[string][]byte{"last-member": page, "scan": later} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if nextLinkHint(p) == "" {
					b.Fatal("no link found")
				}
			}
		})
	}
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

// latencyN, latencyPageSize and latencyDelay shape BenchmarkLatencyWalk: a
// read whose time is set by the API's page latency, as against Workiva.
const (
	latencyN        = 100_000
	latencyPageSize = 1000
	latencyDelay    = 100 * time.Millisecond
	// latencyLimit bounds one walk: a walker that cannot get past a rate
	// limit fails the figure instead of stalling the benchmark run.
	latencyLimit = 90 * time.Second
)

// plainLoop is the sequential loop a user script writes: fetch a page with
// net/http, decode it, follow @nextLink until there is none. It returns the
// number of items read.
func plainLoop(ctx context.Context, s *emulator.Server, token string) (int, error) {
	next := s.URL() + "/admin/v1/organizations/" + url.PathEscape(s.OrganizationID()) +
		"/activities?$maxpagesize=" + strconv.Itoa(latencyPageSize) + "&$orderBy=activityDateTime%20asc"
	n := 0
	for next != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return n, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Version", DefaultAPIVersion)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return n, err
		}
		var page struct {
			Data []json.RawMessage `json:"data"`
			Next string            `json:"@nextLink"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if err != nil {
			return n, fmt.Errorf("page %s: status %d: %w", next, resp.StatusCode, err)
		}
		if resp.StatusCode != http.StatusOK {
			return n, fmt.Errorf("page %s: status %d", next, resp.StatusCode)
		}
		n += len(page.Data)
		next = page.Next
	}
	return n, nil
}

// BenchmarkLatencyWalk reads 100,000 activities, 70% of them in a burst
// covering 2% of the span, from the emulator answering each request after
// 100 ms, in pages of 1000, oldest first, over a window covering the data:
// first with the plain sequential loop (plainLoop: net/http, following
// @nextLink), then with ListActivities at parallelism 8 and 16, then at 8
// against an emulator that answers 429 (Retry-After: 1) beyond 4 requests in
// flight. Each walk has a client of its own, with its default retries and
// backoff, as a run of the provider does. Metrics: speedup (the loop's time over the walk's), ok (1
// when the walk read every activity, 0 when it failed: the error is logged
// and the figure reported, so bench-report.sh can say FAIL), loop-s.
func BenchmarkLatencyWalk(b *testing.B) {
	s, err := emulator.Start(emulator.Options{Activities: latencyN, Burst: emulator.Burst{Share: 0.7, Span: 0.02}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	all := s.Activities()
	q := ActivityQuery{
		OrganizationID: s.OrganizationID(),
		Since:          all[0].At,
		Before:         all[len(all)-1].At.Add(time.Second),
		Order:          "asc",
		PageSize:       latencyPageSize,
	}
	// Tokens are fetched outside the timings.
	token := s.IssueToken()
	s.SetFaults(emulator.Faults{Latency: latencyDelay})

	var loop time.Duration // one plain loop over the data
	b.Run("data=bursty/loop", func(b *testing.B) {
		for range b.N {
			start := time.Now()
			n, err := plainLoop(context.Background(), s, token)
			if err != nil || n != latencyN {
				b.Fatalf("plain loop: %v, %d items", err, n)
			}
			loop = time.Since(start)
		}
		b.ReportMetric(float64(loop.Nanoseconds())/latencyN, "ns/activity")
		b.ReportMetric(loop.Seconds(), "loop-s")
	})
	walk := func(name string, faults emulator.Faults, p int) {
		b.Run(fmt.Sprintf("data=%s/parallelism=%d", name, p), func(b *testing.B) {
			if loop == 0 {
				b.Skip("needs the loop sub-benchmark (run the whole BenchmarkLatencyWalk)")
			}
			defer s.SetFaults(emulator.Faults{Latency: latencyDelay})
			qp := q
			qp.Parallelism = p
			var took time.Duration
			ok := 1.0
			for range b.N {
				// A client of its own, as a new run of the provider has:
				// what an earlier walk's gate learnt of the rate limit
				// does not carry over. Its token is fetched first, outside
				// the timing.
				s.SetFaults(emulator.Faults{})
				c, err := New(Config{APIURL: s.URL(), ClientID: s.ClientID(), ClientSecret: s.ClientSecret(), UserAgent: "workiva-bench"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.GetActivity(context.Background(), all[0].ID); err != nil {
					b.Fatal(err)
				}
				s.SetFaults(faults)
				ctx, cancel := context.WithTimeout(context.Background(), latencyLimit)
				start := time.Now()
				res, err := c.ListActivities(ctx, qp, func(*Activity) error { return nil })
				took = time.Since(start)
				cancel()
				if err != nil || res.Count != latencyN {
					b.Logf("parallelism %d (%s) failed after %v: %v, %d items", p, name, took.Round(time.Millisecond), err, res.Count)
					ok = 0
					break
				}
			}
			speedup := 0.0
			if ok == 1 {
				speedup = float64(loop) / float64(took)
			}
			b.ReportMetric(float64(took.Nanoseconds())/latencyN, "ns/activity")
			b.ReportMetric(loop.Seconds(), "loop-s")
			b.ReportMetric(speedup, "speedup")
			b.ReportMetric(ok, "ok")
		})
	}
	walk("bursty", emulator.Faults{Latency: latencyDelay}, 8)
	walk("bursty", emulator.Faults{Latency: latencyDelay}, 16)
	walk("bursty-max-in-flight-4", emulator.Faults{Latency: latencyDelay, MaxInFlight: 4}, 8)
}
