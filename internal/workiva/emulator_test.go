package workiva

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// These tests run the client against the emulator (internal/emulator): every
// operation, every filter and every fault, each ending in the right data
// (compared with the emulator's own data set, filtered here independently)
// or the right typed error.

const emuActivities = 2500

var (
	emuOnce sync.Once
	emuSrv  *emulator.Server
	emuErr  error
	emuMu   sync.Mutex // serialises tests that use (and set faults on) the shared server
)

// sharedEmulator starts one emulator for the package's tests; faults and the
// request log are reset for each test.
func sharedEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	emuOnce.Do(func() { emuSrv, emuErr = emulator.Start(emulator.Options{Activities: emuActivities}) })
	if emuErr != nil {
		t.Fatalf("starting emulator: %v", emuErr)
	}
	emuMu.Lock()
	emuSrv.SetFaults(emulator.Faults{})
	emuSrv.ResetRequests()
	t.Cleanup(func() {
		emuSrv.SetFaults(emulator.Faults{})
		emuMu.Unlock()
	})
	return emuSrv
}

func emuConfig(s *emulator.Server) Config {
	return Config{
		APIURL:       s.URL(),
		ClientID:     s.ClientID(),
		ClientSecret: s.ClientSecret(),
		MaxRetries:   intPtr(3),
		UserAgent:    "workiva-client-test",
		Backoff:      func(int, *http.Response) time.Duration { return time.Millisecond },
	}
}

// fromEmulator converts the emulator's wire type into what the client must
// produce for it.
func fromEmulator(e emulator.Activity) Activity {
	a := Activity{
		ID: e.ID, ActivityDateTime: e.ActivityDateTime, Summary: e.Summary, Outcome: e.Outcome,
		Action:       ActivityAction{ID: e.Action.ID, Type: e.Action.Type, Alias: e.Action.Alias, Name: e.Action.Name, Category: e.Action.Category, Deprecated: e.Action.Deprecated},
		Performer:    Performer(e.Performer),
		Organization: *orgFromEmulator(&e.Organization),
		Tags:         e.Tags,
	}
	for _, t := range e.Targets {
		a.Targets = append(a.Targets, Target(t))
	}
	if a.Targets == nil {
		a.Targets = []Target{}
	}
	if e.Workspace != nil {
		w := Workspace{
			ID: e.Workspace.ID, Name: e.Workspace.Name,
			Created: stampFromEmulator(e.Workspace.Created), Modified: stampFromEmulator(e.Workspace.Modified),
			Organization: orgFromEmulator(e.Workspace.Organization),
		}
		if e.Workspace.Solutions != nil {
			w.Solutions = []Solution{}
			for _, s := range e.Workspace.Solutions {
				w.Solutions = append(w.Solutions, Solution(s))
			}
		}
		a.Workspace = &w
	}
	if len(e.Attachments) > 0 {
		a.Attachments, _ = json.Marshal(e.Attachments)
	}
	return a
}

func orgFromEmulator(o *emulator.Organization) *Organization {
	if o == nil {
		return nil
	}
	return &Organization{ID: o.ID, Name: o.Name, Status: o.Status, Created: stampFromEmulator(o.Created), Modified: stampFromEmulator(o.Modified)}
}

func stampFromEmulator(s *emulator.Stamp) *Stamp {
	if s == nil {
		return nil
	}
	st := &Stamp{DateTime: s.DateTime}
	if s.User != nil {
		st.User = &User{ID: s.User.ID}
	}
	return st
}

// sameActivity compares field by field, attachments as JSON values.
func sameActivity(t *testing.T, got *Activity, want Activity) bool {
	t.Helper()
	g := *got
	if g.Targets == nil {
		g.Targets = []Target{}
	}
	var ga, wa any
	_ = json.Unmarshal(g.Attachments, &ga)
	_ = json.Unmarshal(want.Attachments, &wa)
	if (g.Attachments == nil) != (want.Attachments == nil) || !reflect.DeepEqual(ga, wa) {
		t.Errorf("%s: attachments %s, want %s", want.ID, g.Attachments, want.Attachments)
		return false
	}
	g.Attachments, want.Attachments = nil, nil
	if !reflect.DeepEqual(g, want) {
		t.Errorf("activity differs:\n got %+v\nwant %+v", g, want)
		return false
	}
	return true
}

func listAll(t *testing.T, c *Client, q ActivityQuery) ([]*Activity, ListResult) {
	t.Helper()
	var got []*Activity
	res, err := c.ListActivities(context.Background(), q, func(a *Activity) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		t.Fatalf("ListActivities(%+v): %v", q, err)
	}
	return got, res
}

func ids(as []*Activity) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestEmulatorGetActivity(t *testing.T) {
	s := sharedEmulator(t)
	tokens := s.TokensIssued() // the emulator is shared: count this test's tokens only
	c := mustNew(t, emuConfig(s))
	var special, described, wsNull, wsAbsent, withAttachments int
	checked := 0
	for i, e := range s.Activities() {
		interesting := strings.ContainsAny(e.ID, "/+=") || e.UsesDescription || e.Workspace == nil || len(e.Attachments) > 0
		if !interesting && i%97 != 0 {
			continue
		}
		if strings.ContainsAny(e.ID, "/+=") {
			special++
		}
		if e.UsesDescription {
			described++
		}
		if e.Workspace == nil && e.WorkspaceNull {
			wsNull++
		}
		if e.Workspace == nil && !e.WorkspaceNull {
			wsAbsent++
		}
		if len(e.Attachments) > 0 {
			withAttachments++
		}
		if checked > 400 && i%97 != 0 {
			continue
		}
		a, err := c.GetActivity(context.Background(), e.ID)
		if err != nil {
			t.Fatalf("GetActivity(%q): %v", e.ID, err)
		}
		checked++
		if !sameActivity(t, a, fromEmulator(e)) {
			break
		}
	}
	if special == 0 || described == 0 || wsNull == 0 || wsAbsent == 0 || withAttachments == 0 {
		t.Errorf("data set lacks a shape: special IDs %d, description %d, workspace null %d / absent %d, attachments %d",
			special, described, wsNull, wsAbsent, withAttachments)
	}
	// Escaping: the emulator saw the IDs path-escaped.
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "/activities/") && strings.Contains(strings.TrimPrefix(r.Path, "/admin/v1/activities/"), "/") &&
			!strings.Contains(r.EscapedPath, "%2F") {
			t.Errorf("path %q sent as %q", r.Path, r.EscapedPath)
		}
	}
	_, err := c.GetActivity(context.Background(), "bm8vc3VjaC9pZA==")
	if !IsNotFound(err) {
		t.Errorf("unknown ID: %v", err)
	}
	if n := s.TokensIssued() - tokens; n != 1 {
		t.Errorf("tokens issued %d, want 1", n)
	}
}

func TestEmulatorActions(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	var got []*ActivityAction
	if err := c.ListActivityActions(context.Background(), ActionListOptions{PageSize: 7}, func(a *ActivityAction) error {
		got = append(got, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := s.Actions()
	if len(got) != len(want) || len(want) < 10 {
		t.Fatalf("%d actions, want %d", len(got), len(want))
	}
	byID := map[string]emulator.Action{}
	for _, a := range want {
		byID[a.ID] = a
	}
	deprecated := 0
	for _, a := range got {
		w, ok := byID[a.ID]
		if !ok || a.Alias != w.Alias || a.Name != w.Name || a.Category != w.Category || a.Deprecated != w.Deprecated {
			t.Errorf("action %+v, want %+v", a, w)
		}
		if a.Deprecated {
			deprecated++
		}
		delete(byID, a.ID)
	}
	if len(byID) != 0 || deprecated == 0 {
		t.Errorf("missing %d actions; %d deprecated", len(byID), deprecated)
	}
	if pages := len(s.APIRequests()); pages != int(math.Ceil(float64(len(want))/7)) {
		t.Errorf("%d requests for %d actions at 7 per page", pages, len(want))
	}
	// Ordering is passed through.
	var names []string
	if err := c.ListActivityActions(context.Background(), ActionListOptions{Order: "name desc"}, func(a *ActivityAction) error {
		names = append(names, a.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("names not in descending order: %v", names[:5])
	}
	for _, w := range want[:5] {
		a, err := c.GetActivityAction(context.Background(), w.ID)
		if err != nil || a.Alias != w.Alias {
			t.Errorf("GetActivityAction(%s): %+v %v", w.ID, a, err)
		}
	}
	if _, err := c.GetActivityAction(context.Background(), "com.workiva.no/such"); !IsNotFound(err) {
		t.Errorf("unknown action: %v", err)
	}
}

// match is this test's own reading of ActivityQuery, to compare with.
func match(q ActivityQuery, e emulator.Activity) bool {
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	if q.WorkspaceID != "" && (e.Workspace == nil || e.Workspace.ID != q.WorkspaceID) {
		return false
	}
	if !in(q.ActionAliases, e.Action.Alias) || !in(q.ActionIDs, e.Action.ID) || !in(q.PerformerIDs, e.Performer.ID) {
		return false
	}
	if len(q.TargetIDs) > 0 && !slices.ContainsFunc(e.Targets, func(t emulator.Target) bool { return slices.Contains(q.TargetIDs, t.ID) }) {
		return false
	}
	if !q.Since.IsZero() && e.At.Before(q.Since) {
		return false
	}
	if !q.Before.IsZero() && !e.At.Before(q.Before) {
		return false
	}
	return true
}

func TestEmulatorListFilters(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	org := s.OrganizationID()

	// Pick values that occur in the data.
	count := func(key func(emulator.Activity) string) []string {
		m := map[string]int{}
		for _, e := range all {
			m[key(e)]++
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int { return m[b] - m[a] })
		return keys
	}
	aliases := count(func(e emulator.Activity) string { return e.Action.Alias })
	actionIDs := count(func(e emulator.Activity) string { return e.Action.ID })
	performers := count(func(e emulator.Activity) string { return e.Performer.ID })
	targets := count(func(e emulator.Activity) string {
		if len(e.Targets) == 0 {
			return ""
		}
		return e.Targets[0].ID
	})
	var ws string
	for _, e := range all {
		if e.Workspace != nil {
			ws = e.Workspace.ID
			break
		}
	}
	mid := all[len(all)/2].At
	quoted := ""
	for _, e := range all {
		for _, tg := range e.Targets {
			if strings.Contains(tg.ID, "'") {
				quoted = tg.ID
			}
		}
	}

	cases := []struct {
		name string
		q    ActivityQuery
	}{
		{"everything", ActivityQuery{}},
		{"one alias", ActivityQuery{ActionAliases: aliases[:1]}},
		{"three aliases", ActivityQuery{ActionAliases: []string{aliases[3], aliases[1], aliases[2], aliases[1]}}},
		{"unknown alias", ActivityQuery{ActionAliases: []string{"no_such_alias"}}},
		{"action ids", ActivityQuery{ActionIDs: actionIDs[2:4]}},
		{"performer", ActivityQuery{PerformerIDs: performers[:1]}},
		{"performers", ActivityQuery{PerformerIDs: performers[1:3]}},
		{"target", ActivityQuery{TargetIDs: []string{targets[0]}}},
		{"targets", ActivityQuery{TargetIDs: targets[1:4]}},
		{"since", ActivityQuery{Since: mid}},
		{"before", ActivityQuery{Before: mid}},
		{"window", ActivityQuery{Since: mid.Add(-72 * time.Hour), Before: mid.Add(24 * time.Hour)}},
		{"window exact bounds", ActivityQuery{Since: all[100].At, Before: all[200].At}},
		{"window non-UTC zone", ActivityQuery{Since: mid.In(time.FixedZone("x", -5*3600)), Before: mid.Add(48 * time.Hour).In(time.FixedZone("y", 9*3600))}},
		{"combined", ActivityQuery{ActionAliases: aliases[:4], PerformerIDs: performers[:3], Since: all[0].At.Add(24 * time.Hour)}},
		{"workspace", ActivityQuery{WorkspaceID: ws}},
		{"workspace and alias", ActivityQuery{WorkspaceID: ws, ActionAliases: aliases[:3]}},
		{"desc", ActivityQuery{ActionAliases: aliases[:2], Order: "desc"}},
		{"small pages", ActivityQuery{PerformerIDs: performers[:1], PageSize: 13}},
	}
	if quoted != "" {
		cases = append(cases, struct {
			name string
			q    ActivityQuery
		}{"quoted target", ActivityQuery{TargetIDs: []string{quoted}}})
	} else {
		t.Log("no target ID with a quote in the data set")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetRequests()
			q := tc.q
			q.OrganizationID = org
			if q.Order == "" {
				q.Order = "asc"
			}
			var want []emulator.Activity
			for _, e := range all {
				if match(q, e) {
					want = append(want, e)
				}
			}
			got, res := listAll(t, c, q)
			if q.Order == "desc" {
				slices.Reverse(want)
				// Ties on activityDateTime may come in either order: compare
				// the sequence of times and the sets of IDs.
				for i := 1; i < len(got); i++ {
					if got[i].ActivityDateTime > got[i-1].ActivityDateTime {
						t.Fatalf("not descending at %d", i)
					}
				}
				g, w := ids(got), make([]string, len(want))
				for i, e := range want {
					w[i] = e.ID
				}
				slices.Sort(g)
				slices.Sort(w)
				if !slices.Equal(g, w) {
					t.Fatalf("%d items, want %d", len(g), len(w))
				}
			} else {
				if len(got) != len(want) {
					t.Fatalf("%d items, want %d (filter %s)", len(got), len(want), BuildFilter(q))
				}
				for i := range want {
					if !sameActivity(t, got[i], fromEmulator(want[i])) {
						t.Fatalf("item %d differs", i)
					}
				}
			}
			size := q.PageSize
			if size == 0 {
				size = DefaultPageSize
			}
			wantPages := max(1, int(math.Ceil(float64(len(want))/float64(size))))
			if res.Count != len(want) || res.Truncated || res.Pages != wantPages {
				t.Errorf("result %+v, want %d items over %d pages", res, len(want), wantPages)
			}
			if n := len(s.APIRequests()); n != wantPages {
				t.Errorf("%d requests, want %d", n, wantPages)
			}
		})
	}
}

func TestEmulatorRawFilter(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	a1, a2 := all[10].Action.Alias, all[11].Performer.ID
	since := all[len(all)/3].At
	q := ActivityQuery{
		OrganizationID: s.OrganizationID(),
		Since:          since,
		Filter:         fmt.Sprintf("action.alias eq %s or performer.id eq %s", QuoteString(a1), QuoteString(a2)),
		Order:          "asc",
	}
	var want []string
	for _, e := range all {
		if !e.At.Before(since) && (e.Action.Alias == a1 || e.Performer.ID == a2) {
			want = append(want, e.ID)
		}
	}
	got, _ := listAll(t, c, q)
	if !slices.Equal(ids(got), want) {
		t.Errorf("%d items, want %d", len(got), len(want))
	}
	// A filter the API rejects: a 400 naming Workiva's code and message.
	q.Filter = "summary eq 'x'"
	_, err := c.ListActivities(context.Background(), q, func(*Activity) error { return nil })
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code == "" || ae.Message == "" || !strings.Contains(err.Error(), ae.Message) {
		t.Errorf("bad filter: %v", err)
	}
}

func TestEmulatorMaxResults(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	org := s.OrganizationID()
	all := s.Activities()
	for _, tc := range []struct {
		pageSize, max, wantPages int
		truncated                bool
	}{
		{0, 10, 1, true},
		{100, 250, 3, true},
		{100, 200, 2, true},
		{0, len(all), 3, false},
		{1000, len(all) + 1, 3, false},
	} {
		s.ResetRequests()
		got, res := listAll(t, c, ActivityQuery{OrganizationID: org, PageSize: tc.pageSize, MaxResults: tc.max, Order: "asc"})
		n := min(tc.max, len(all))
		if len(got) != n || res.Count != n || res.Truncated != tc.truncated || res.Pages != tc.wantPages {
			t.Errorf("%+v: %d items, %+v", tc, len(got), res)
		}
		for i, a := range got {
			if a.ID != all[i].ID {
				t.Fatalf("%+v: item %d is %s, want %s", tc, i, a.ID, all[i].ID)
			}
		}
		// Never more requested per page than will be used.
		size := tc.pageSize
		if size == 0 {
			size = DefaultPageSize
		}
		want := fmt.Sprint(min(size, tc.max))
		for _, r := range s.APIRequests() {
			if got := r.Query.Get("$maxpagesize"); got != want {
				t.Errorf("%+v: $maxpagesize %s, want %s", tc, got, want)
			}
		}
	}
}

func TestEmulatorRateLimit(t *testing.T) {
	s := sharedEmulator(t)
	for _, ra := range []string{"2", "date"} {
		c := mustNew(t, emuConfig(s))
		waits := recordWaits(c)
		f := emulator.Faults{RateLimit: 3, RetryAfter: ra}
		if ra == "date" {
			f.RetryAfter = time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat)
		}
		s.SetFaults(f)
		s.ResetRequests()
		got, _ := listAll(t, c, ActivityQuery{OrganizationID: s.OrganizationID(), Order: "asc"})
		if len(got) != len(s.Activities()) {
			t.Errorf("%s: %d items", ra, len(got))
		}
		if len(*waits) != 3 {
			t.Fatalf("%s: waits %v", ra, *waits)
		}
		for _, w := range *waits {
			if ra == "2" && w != 2*time.Second || ra == "date" && (w < 17*time.Second || w > 20*time.Second) {
				t.Errorf("%s: wait %v", ra, w)
			}
		}
		var status []int
		for _, r := range s.APIRequests() {
			status = append(status, r.Status)
		}
		if fmt.Sprint(status[:4]) != "[429 429 429 200]" {
			t.Errorf("statuses %v", status)
		}
	}
}

func TestEmulatorRetryAfterTooLong(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	waits := recordWaits(c)
	// Over the cap, in seconds or as a date: fail at once, naming the wait.
	for _, ra := range []string{"3600", time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)} {
		s.SetFaults(emulator.Faults{RateLimit: 5, RetryAfter: ra})
		s.ResetRequests()
		start := time.Now()
		_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID()}, func(*Activity) error { return nil })
		var rae *RetryAfterError
		if !errors.As(err, &rae) || rae.Wait < 59*time.Minute || rae.Limit != DefaultMaxRetryAfter || rae.StatusCode != 429 ||
			!strings.Contains(err.Error(), "retry after "+rae.Wait.String()) || !strings.Contains(err.Error(), "maximum wait") ||
			time.Since(start) > time.Second {
			t.Errorf("over the cap (%s): %v", ra, err)
		}
		if len(*waits) != 0 || len(s.APIRequests()) != 1 {
			t.Errorf("over the cap (%s): waited %v over %d requests", ra, *waits, len(s.APIRequests()))
		}
	}
	// Beyond the caller's deadline: fail at once too.
	s.SetFaults(emulator.Faults{RateLimit: 5, RetryAfter: "20"})
	s.ResetRequests()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: s.OrganizationID()}, func(*Activity) error { return nil })
	var rae *RetryAfterError
	if !errors.As(err, &rae) || rae.Wait != 20*time.Second || rae.Limit > 3*time.Second || !strings.Contains(rae.Reason, "deadline") ||
		!strings.Contains(err.Error(), "20s") || time.Since(start) > 2*time.Second {
		t.Errorf("over the deadline: %v", err)
	}
	if len(*waits) != 0 || len(s.APIRequests()) != 1 {
		t.Errorf("over the deadline: waited %v over %d requests", *waits, len(s.APIRequests()))
	}
}

func TestEmulatorServerErrors(t *testing.T) {
	s := sharedEmulator(t)
	for _, status := range []int{500, 502, 503, 504} {
		cfg := emuConfig(s)
		var attempts []int
		cfg.Backoff = func(attempt int, _ *http.Response) time.Duration {
			attempts = append(attempts, attempt)
			return time.Millisecond
		}
		c := mustNew(t, cfg)
		s.SetFaults(emulator.Faults{ServerErrors: 3, ServerErrorStatus: status})
		got, _ := listAll(t, c, ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 500})
		if len(got) != len(s.Activities()) || fmt.Sprint(attempts) != "[1 2 3]" {
			t.Errorf("%d: %d items, backoff attempts %v", status, len(got), attempts)
		}
		// Beyond max retries (3): 4 attempts, then an error naming both.
		s.SetFaults(emulator.Faults{ServerErrors: 10, ServerErrorStatus: status})
		s.ResetRequests()
		_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID()}, func(*Activity) error { return nil })
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != status || ae.Attempts != 4 ||
			!strings.Contains(err.Error(), "giving up after 4 attempts") || !strings.Contains(err.Error(), fmt.Sprint(status)) {
			t.Errorf("%d beyond retries: %v", status, err)
		}
		if n := len(s.APIRequests()); n != 4 {
			t.Errorf("%d: %d requests", status, n)
		}
	}
}

func TestEmulatorTokenExpiryMidWalk(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	before := s.TokensIssued()
	s.SetFaults(emulator.Faults{TokenExpiresAfter: 2})
	got, res := listAll(t, c, ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 500, Order: "asc"})
	if len(got) != len(s.Activities()) || res.Pages != 5 {
		t.Errorf("%d items, %+v", len(got), res)
	}
	if !slices.Equal(ids(got), func() []string {
		var w []string
		for _, e := range s.Activities() {
			w = append(w, e.ID)
		}
		return w
	}()) {
		t.Error("items differ")
	}
	// Pages 1-2 on the first token, 3-4 on the second, 5 on the third;
	// each rejected call is made once more.
	if n := s.TokensIssued() - before; n != 3 {
		t.Errorf("%d tokens, want 3", n)
	}
	if n := len(s.APIRequests()); n != 7 {
		t.Errorf("%d API requests, want 7 (5 pages, 2 rejected)", n)
	}
}

func TestEmulatorPreIssuedToken(t *testing.T) {
	s := sharedEmulator(t)
	tok := s.IssueToken()
	cfg := emuConfig(s)
	cfg.ClientID, cfg.ClientSecret, cfg.AccessToken = "", "", tok
	log := &recLogger{}
	cfg.Logger = log
	c := mustNew(t, cfg)
	before := s.TokensIssued()
	if _, err := c.GetActivity(context.Background(), s.Activities()[0].ID); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(emulator.Faults{TokenExpiresAfter: 1})
	if _, err := c.GetActivity(context.Background(), s.Activities()[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetActivity(context.Background(), s.Activities()[0].ID)
	if StatusCode(err) != 401 || !strings.Contains(err.Error(), "access token was rejected") || strings.Contains(err.Error(), tok) {
		t.Errorf("got %v", err)
	}
	if s.TokensIssued() != before {
		t.Error("a token was fetched despite the pre-issued one")
	}
	if n := len(s.APIRequests()); n != 3 || strings.Contains(log.text(), tok) {
		t.Errorf("%d API requests (want 3: a rejected pre-issued token is not retried), or the log holds the token", n)
	}
}

func TestEmulatorWrongCredentials(t *testing.T) {
	s := sharedEmulator(t)
	cfg := emuConfig(s)
	cfg.ClientSecret = "not-" + s.ClientSecret()
	log := &recLogger{}
	cfg.Logger = log
	c := mustNew(t, cfg)
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID()}, func(*Activity) error { return nil })
	var te *TokenError
	if !errors.As(err, &te) || te.StatusCode != 401 || te.Code != "invalid_client" ||
		!strings.Contains(err.Error(), "401 Unauthorized: invalid_client: client authentication failed: unknown client or wrong secret") {
		t.Fatalf("got %v", err)
	}
	for _, secret := range []string{cfg.ClientSecret, s.ClientSecret()} {
		if strings.Contains(err.Error(), secret) || strings.Contains(log.text(), secret) {
			t.Errorf("secret in error or log: %v", err)
		}
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want the token request only", n)
	}
	// Unknown scope: the token endpoint's invalid_scope.
	cfg = emuConfig(s)
	cfg.Scopes = []string{"activity:write-everything"}
	_, err = mustNew(t, cfg).GetActivity(context.Background(), "x")
	if !errors.As(err, &te) || te.Code != "invalid_scope" {
		t.Errorf("bad scope: %v", err)
	}
}

func TestEmulatorForbidden(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: emulator.ForbiddenOrganizationID}, func(*Activity) error { return nil })
	if !IsForbidden(err) || !strings.Contains(err.Error(), "Org Security Admin") {
		t.Errorf("got %v", err)
	}
}

func TestEmulatorBadPages(t *testing.T) {
	s := sharedEmulator(t)
	for _, f := range []emulator.Faults{{MalformedPage: 2}, {TruncatedPage: 2}} {
		c := mustNew(t, emuConfig(s))
		s.SetFaults(f)
		n := 0
		_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 500}, func(*Activity) error { n++; return nil })
		var pe *PageError
		if !errors.As(err, &pe) || pe.Page != 2 || !strings.HasPrefix(err.Error(), "workiva: decoding page 2 of list organization activities: ") {
			t.Errorf("%+v: got %v", f, err)
		}
		if f.TruncatedPage != 0 && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("truncation is not io.ErrUnexpectedEOF: %v", err)
		}
		if n < 500 || n >= 1000 {
			t.Errorf("%+v: %d items before the error", f, n)
		}
	}
}

func TestEmulatorForeignAndRepeatedNextLink(t *testing.T) {
	s := sharedEmulator(t)
	var hits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer foreign.Close()
	c := mustNew(t, emuConfig(s))
	s.SetFaults(emulator.Faults{ForeignNextLinkPage: 2, ForeignHost: strings.TrimPrefix(foreign.URL, "http://")})
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 500}, func(*Activity) error { return nil })
	if !errors.Is(err, ErrForeignNextLink) || hits.Load() != 0 {
		t.Errorf("foreign: %v (foreign host hit %d times)", err, hits.Load())
	}
	s.SetFaults(emulator.Faults{RepeatNextLinkPage: 3})
	s.ResetRequests()
	_, err = c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID(), PageSize: 500}, func(*Activity) error { return nil })
	var nle *NextLinkError
	if !errors.As(err, &nle) || !errors.Is(err, ErrRepeatedNextLink) || nle.Page != 3 || len(s.APIRequests()) != 3 {
		t.Errorf("repeat: %v after %d requests", err, len(s.APIRequests()))
	}
}

func TestEmulatorSlowServer(t *testing.T) {
	s := sharedEmulator(t)
	cfg := emuConfig(s)
	cfg.RequestTimeout = 100 * time.Millisecond
	cfg.MaxRetries = intPtr(1)
	c := mustNew(t, cfg)
	// Fetch the token first, so that the latency hits an API call.
	if _, err := c.GetActivity(context.Background(), s.Activities()[0].ID); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(emulator.Faults{Latency: 2 * time.Second})
	start := time.Now()
	_, err := c.ListActivities(context.Background(), ActivityQuery{OrganizationID: s.OrganizationID()}, func(*Activity) error { return nil })
	var te *TimeoutError
	if !errors.As(err, &te) || te.Attempts != 2 || !strings.Contains(err.Error(), "request timed out after 100ms") || time.Since(start) > 1500*time.Millisecond {
		t.Errorf("got %v after %v", err, time.Since(start))
	}
}

func TestEmulatorConcurrentReads(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	before := s.TokensIssued()
	all := s.Activities()
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := range 200 {
		wg.Go(func() {
			e := all[(i*37)%len(all)]
			a, err := c.GetActivity(context.Background(), e.ID)
			if err != nil || a.ID != e.ID || a.Summary != e.Summary {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Errorf("%d reads failed", failures.Load())
	}
	if n := s.TokensIssued() - before; n != 1 {
		t.Errorf("%d tokens for 200 concurrent reads, want 1", n)
	}
}

func TestEmulatorHeaders(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	if _, err := c.GetActivity(context.Background(), s.Activities()[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/admin/") && (!r.HasAuth || r.Version != DefaultAPIVersion) {
			t.Errorf("request %+v", r)
		}
	}
}

// FuzzBuildFilterParses builds a filter, parses it with the emulator's
// independent parser and compares the predicates with the query.
func FuzzBuildFilterParses(f *testing.F) {
	f.Add("user_login", "a/b+c==", "O'Brien,x", int64(1767225600), int64(1769904000))
	f.Add("a,b,a", "", "''", int64(0), int64(0))
	f.Add("", "é", "", int64(-62135596800), int64(253402300799))
	f.Fuzz(func(t *testing.T, alias, performer, target string, since, before int64) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		q := ActivityQuery{OrganizationID: "o", ActionAliases: split(alias), PerformerIDs: split(performer), TargetIDs: split(target)}
		if since != 0 {
			q.Since = time.Unix(since, 0)
		}
		if before != 0 {
			q.Before = time.Unix(before, 0)
		}
		if validateQuery(q) != nil {
			return // the client refuses it before any request
		}
		built := BuildFilter(q)
		if built == "" {
			return
		}
		expr, err := emulator.ParseFilter(built)
		if err != nil {
			t.Fatalf("emulator cannot parse %q: %v", built, err)
		}
		var leaves []*emulator.Compare
		var walk func(e emulator.Expr)
		walk = func(e emulator.Expr) {
			switch v := e.(type) {
			case *emulator.And:
				walk(v.Left)
				walk(v.Right)
			case *emulator.Compare:
				leaves = append(leaves, v)
			default:
				t.Fatalf("%q parsed to %T", built, e)
			}
		}
		walk(expr)
		type pred struct {
			field, op string
			values    []string
			at        time.Time
		}
		var want []pred
		for _, l := range []struct {
			field string
			vals  []string
		}{{"action.alias", q.ActionAliases}, {"performer.id", q.PerformerIDs}, {"target.id", q.TargetIDs}} {
			vals := sortedUnique(l.vals)
			switch len(vals) {
			case 0:
			case 1:
				want = append(want, pred{l.field, "eq", vals, time.Time{}})
			default:
				want = append(want, pred{l.field, "in", vals, time.Time{}})
			}
		}
		if !q.Since.IsZero() {
			want = append(want, pred{"activityDateTime", "ge", nil, q.Since})
		}
		if !q.Before.IsZero() {
			want = append(want, pred{"activityDateTime", "lt", nil, q.Before})
		}
		if len(leaves) != len(want) {
			t.Fatalf("%q: %d predicates, want %d", built, len(leaves), len(want))
		}
		for i, l := range leaves {
			w := want[i]
			if l.Field != w.field || l.Op != w.op {
				t.Fatalf("%q: predicate %d is %s %s, want %s %s", built, i, l.Field, l.Op, w.field, w.op)
			}
			if w.at.IsZero() && !slices.Equal(l.Values, w.values) {
				t.Fatalf("%q: values %q, want %q", built, l.Values, w.values)
			}
			if !w.at.IsZero() && !l.Time.Equal(w.at) {
				t.Fatalf("%q: time %v, want %v", built, l.Time, w.at)
			}
		}
	})
}
