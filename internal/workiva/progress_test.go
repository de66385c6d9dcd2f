package workiva

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// A long read logs its progress at INFO while it runs, sequential or
// parallel, with counts that grow, and a closing line with the totals.
// The lines hold counts only: nothing of the query or the activities. The
// message states the counts as integers (Terraform prints the fields, read
// back as JSON numbers, as 1e+06 from a million on).
func TestProgressLog(t *testing.T) {
	s, err := emulator.Start(emulator.Options{Activities: emuActivities})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	all := s.Activities()
	for _, p := range []int{1, 4} {
		log := &recLogger{}
		cfg := emuConfig(s)
		cfg.Logger = log
		cfg.ProgressInterval = 40 * time.Millisecond
		c := mustNew(t, cfg)
		s.SetFaults(emulator.Faults{Latency: 15 * time.Millisecond})
		q := ActivityQuery{OrganizationID: s.OrganizationID(), Since: all[0].At, Before: all[len(all)-1].At.Add(time.Second), Order: "asc", PageSize: 50, Parallelism: p}
		res, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
		s.SetFaults(emulator.Faults{})
		if err != nil || res.Count != len(all) {
			t.Fatalf("parallelism %d: %v, %d items", p, err, res.Count)
		}
		var running []logEntry
		var closing *logEntry
		for _, e := range log.all() {
			switch {
			case strings.HasPrefix(e.Msg, "workiva: reading activities: "):
				running = append(running, e)
			case strings.HasPrefix(e.Msg, "workiva: read activities: "):
				closing = &e
			default:
				continue
			}
			want := fmt.Sprintf(": %d read in %d pages, %d delivered, %.0f per second (readers: %d, requests in flight: %d",
				e.Fields["activities"], e.Fields["pages"], e.Fields["activities_delivered"], e.Fields["activities_per_s"], e.Fields["walkers"], e.Fields["requests_inflight"])
			if !strings.Contains(e.Msg, want) {
				t.Errorf("message %q does not state its fields (%q)", e.Msg, want)
			}
			if d, n := e.Fields["activities_delivered"].(int64), e.Fields["activities"].(int64); d < 0 || d > n {
				t.Errorf("parallelism %d: %d delivered of %d read", p, d, n)
			}
			if e.Level != LevelInfo {
				t.Errorf("%q at level %v, want INFO", e.Msg, e.Level)
			}
			keys := make([]string, 0, len(e.Fields))
			for k := range e.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			allowed := []string{"activities", "activities_delivered", "activities_per_s", "elapsed", "operation", "pages", "requests_inflight", "requests_inflight_limit", "walkers"}
			for _, k := range keys {
				if !slices.Contains(allowed, k) {
					t.Errorf("progress field %q (allowed %v)", k, allowed)
				}
			}
		}
		if len(running) < 2 {
			t.Fatalf("parallelism %d: %d progress lines in a read of %d pages", p, len(running), res.Pages)
		}
		first, last := running[0].Fields["activities"].(int64), running[len(running)-1].Fields["activities"].(int64)
		if first <= 0 || last <= first || last > int64(len(all)) {
			t.Errorf("parallelism %d: activities %d then %d", p, first, last)
		}
		if w := running[0].Fields["walkers"].(int32); w < 1 || w > int32(p) {
			t.Errorf("parallelism %d: %d walkers", p, w)
		}
		if closing == nil || closing.Fields["activities"].(int64) != int64(len(all)) || closing.Fields["activities_delivered"].(int64) != int64(len(all)) || closing.Fields["pages"].(int64) < int64(len(all)/50) {
			t.Errorf("parallelism %d: closing line %+v", p, closing)
		} else if w := closing.Fields["walkers"].(int32); w != 0 {
			t.Errorf("parallelism %d: closing line with %d readers, want none left", p, w)
		}
	}
}
