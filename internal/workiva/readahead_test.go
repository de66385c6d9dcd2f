package workiva

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// nextLinkHint finds the page's own top-level link, and nothing else: not
// a member of that name inside an item, not one inside a string, not a
// repeated or non-string one.
func TestNextLinkHint(t *testing.T) {
	for _, tc := range []struct{ page, want string }{
		{`{"data":[],"@nextLink":"https://h/p?c=2"}`, "https://h/p?c=2"},
		{`{"@nextLink":"https://h/first","data":[{"id":"a"}]}`, "https://h/first"},
		{` { "data" : [ ] , "@nextLink" : "https://h/sp" } `, "https://h/sp"},
		{`{"data":[],"@nextLink":"https:\/\/h\/esc\u0041"}`, "https://h/escA"},
		{`{"data":[{"id":"a","@nextLink":"https://evil/x"}]}`, ""},
		{`{"data":[{"id":"a","s":"\\",\\"@nextLink\\":\\"https://evil/x"}]}`, ""},
		{`{"data":[{"id":"a","s":"x\\\\"}],"@nextLink":"https://h/after-escapes"}`, "https://h/after-escapes"},
		{`{"data":[],"k":{"@nextLink":"https://evil/nested"}}`, ""},
		{`{"data":[],"@nextLink":null}`, ""},
		{`{"data":[],"@nextLink":1}`, ""},
		// Read from the end, the last of two: decodePage refuses the
		// page (TestDuplicateNextLinkDropsReadAhead).
		{`{"data":[],"@nextLink":"https://h/a","@nextLink":"https://h/b"}`, "https://h/b"},
		{`{"data":[],"@nextLink":"https://h/a","x":1,"@nextLink":"https://h/b"}`, "https://h/b"},
		{`{"data":[],"@nextLink":"https://h/a","@nextLink":1}`, ""},
		{`{"@nextLink":"https://h/only"}`, "https://h/only"},
		{`{"data":[],"@nextLink":"https://h/q\"uote\\"}`, "https://h/q\"uote\\"},
		{`{"data":[],"@nextLink":"https://h/x\"}`, ""}, // the closing quote is escaped
		{`{"data":[],"s":"a","@nextLink" : "https://h/s"` + " \n}\n", "https://h/s"},
		{`{"data":[],"s":"a\",\"@nextLink\":\"https://evil/x"}`, ""},
		{`{"data":[],"@nextLink":"https://h/a"`, ""}, // unfinished
		{`{"data":[{"id":"a"}`, ""},
		{`["@nextLink","https://h/a"]`, ""},
		{`{"data":[],"x":"@nextLink","@nextLink":"https://h/v"}`, "https://h/v"},
		{``, ""},
	} {
		if got := nextLinkHint([]byte(tc.page)); got != tc.want {
			t.Errorf("%s: hint %q, want %q", tc.page, got, tc.want)
		}
	}
}

// The next page is requested while the page before it is still being
// handed over: the callback holds the first item of page 1 until the
// emulator has received the request for page 2. Without the read-ahead that
// request is only sent after page 1 is done, and the wait times out.
func TestReadAheadOverlapsDecoding(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	s.SetFaults(emulator.Faults{Latency: 20 * time.Millisecond})
	lists := func() int {
		n := 0
		for _, r := range s.APIRequests() {
			if strings.HasSuffix(r.Path, "/activities") {
				n++
			}
		}
		return n
	}
	first, seen := true, 0
	res, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 1000}, func(*Activity) error {
		seen++
		if first {
			first = false
			deadline := time.Now().Add(10 * time.Second)
			for lists() < 2 {
				if time.Now().After(deadline) {
					return errors.New("page 2 was not requested while page 1 was handed over")
				}
				time.Sleep(time.Millisecond)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := len(s.Activities())
	pages := (n + 999) / 1000
	if res.Count != n || seen != n || res.Pages != pages || lists() != pages {
		t.Errorf("count %d, seen %d, pages %d, list requests %d; want %d, %d, %d, %d", res.Count, seen, res.Pages, lists(), n, n, pages, pages)
	}
}

// A read-ahead the walk does not use ends with it: fn stopping the walk
// mid-page leaves no request running, and a limit the current page can
// reach sends none at all.
func TestReadAheadEndsWithTheWalk(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	if _, err := c.GetActivity(context.Background(), s.Activities()[0].ID); err != nil {
		t.Fatal(err) // the token, outside the counts below
	}
	s.SetFaults(emulator.Faults{Latency: 200 * time.Millisecond})
	q := ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 10}

	n := 0
	s.ResetRequests()
	_, err := c.ListActivities(context.Background(), q, func(*Activity) error {
		if n++; n == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The read-ahead of page 2 was cancelled (before or after it reached
	// the emulator): given time to be answered, it is not.
	time.Sleep(500 * time.Millisecond)
	r := s.APIRequests()
	if len(r) == 0 || len(r) > 2 || r[0].Status != 200 || (len(r) == 2 && r[1].Status != 0) {
		t.Errorf("requests %+v: want page 1 answered, and page 2's read-ahead, if it arrived, cancelled (status 0)", r)
	}
	if g := walkGoroutines(); len(g) > 0 {
		t.Errorf("still running after the walk:\n%s", strings.Join(g, "\n\n"))
	}

	s.ResetRequests()
	q.MaxResults = 10
	res, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
	if err != nil || res.Count != 10 || !res.Truncated {
		t.Fatalf("max 10: %+v, %v", res, err)
	}
	if got := len(s.APIRequests()); got != 1 {
		t.Errorf("max_results within the first page sent %d requests, want 1", got)
	}
}

// A page naming two next links is refused even though the read-ahead,
// which reads the link from the page's end, followed the second: the walk
// fails on the page and the read-ahead ends with it.
func TestDuplicateNextLinkDropsReadAhead(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		if r.URL.Query().Get("c") == "b" {
			<-r.Context().Done() // held until the walk lets go of it
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[{"id":"a","activityDateTime":"2026-01-01T00:00:00Z"}],"@nextLink":"`+r.URL.Path+`?c=a","@nextLink":"`+r.URL.Path+`?c=b"}`)
	})
	c := mustNew(t, testConfig(f))
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: "org"}, func(*Activity) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `duplicate "@nextLink"`) {
		t.Fatalf("err %v, want the page refused for its duplicate \"@nextLink\"", err)
	}
	mu.Lock()
	got := slices.Clone(queries)
	mu.Unlock()
	if len(got) > 2 || (len(got) == 2 && got[1] != "c=b") {
		t.Errorf("requests %q: want page 1 and at most the read-ahead of the last link", got)
	}
	if g := walkGoroutines(); len(g) > 0 {
		t.Errorf("still running after the walk:\n%s", strings.Join(g, "\n\n"))
	}
}
