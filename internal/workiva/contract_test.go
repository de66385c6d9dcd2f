package workiva

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/workiva/terraform-provider-workiva/internal/apicontract"
	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// TestContractClientRequests records every request the client sends while
// it runs every operation it implements (pagination, filters, ordering,
// parallel windows, token refresh and retries included) against the
// emulator, and validates each request and its answer against Workiva's
// OpenAPI document.
func TestContractClientRequests(t *testing.T) {
	s := sharedEmulator(t)
	contract, err := apicontract.New(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	rec := &apicontract.Recorder{Base: &http.Transport{}}
	newClient := func(cfg Config) *Client {
		cfg.HTTPClient = &http.Client{Transport: rec}
		c := mustNew(t, cfg)
		recordWaits(c) // Retry-After is honoured without sleeping
		return c
	}
	cfg := emuConfig(s)
	cfg.Scopes = []string{"activity:read"}
	c := newClient(cfg)
	ctx := context.Background()
	acts := s.Activities()
	org := s.OrganizationID()
	ws := s.Workspaces()[1].ID
	newest := acts[len(acts)-1].At
	none := func(*Activity) error { return nil }
	mustList := func(name string, q ActivityQuery) {
		t.Helper()
		res, err := c.ListActivities(ctx, q, none)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if q.MaxResults == 0 && res.Pages < 2 {
			t.Errorf("%s: %d page, want a walk of several pages", name, res.Pages)
		}
	}

	// Single objects, IDs that need escaping included.
	for _, a := range acts {
		if strings.ContainsAny(a.ID, "+/=") {
			if _, err := c.GetActivity(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if _, err := c.GetActivityAction(ctx, s.Actions()[0].ID); err != nil {
		t.Fatal(err)
	}
	// Lists: every query parameter the client can send, and next pages.
	if err := c.ListActivityActions(ctx, ActionListOptions{PageSize: 9, Order: "name desc"}, func(*ActivityAction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.ListActivityActions(ctx, ActionListOptions{}, func(*ActivityAction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	mustList("organization, every page", ActivityQuery{OrganizationID: org})
	mustList("organization, filtered", ActivityQuery{
		OrganizationID: org, PageSize: 20, Order: "asc",
		ActionAliases: []string{acts[0].Action.Alias, acts[1].Action.Alias, acts[2].Action.Alias},
		Since:         newest.Add(-200 * 24 * time.Hour), Before: newest,
		Filter: "performer.id eq '" + acts[0].Performer.ID + "' or performer.id eq '" + acts[1].Performer.ID + "'",
	})
	mustList("organization, IDs", ActivityQuery{
		OrganizationID: org, PageSize: 2, Order: "desc",
		ActionIDs:    []string{acts[0].Action.ID, acts[3].Action.ID},
		PerformerIDs: []string{acts[0].Performer.ID, acts[3].Performer.ID},
		TargetIDs:    []string{acts[0].Targets[0].ID, acts[3].Targets[0].ID},
	})
	mustList("organization, first results", ActivityQuery{OrganizationID: org, PageSize: 50, MaxResults: 120})
	mustList("workspace", ActivityQuery{OrganizationID: org, WorkspaceID: ws, PageSize: 100})
	mustList("parallel windows", ActivityQuery{
		OrganizationID: org, Order: "desc", Parallelism: 3, PageSize: 200,
		Since: acts[0].At, Before: newest.Add(time.Second),
	})
	mustList("parallel workspace windows", ActivityQuery{
		OrganizationID: org, WorkspaceID: ws, Order: "asc", Parallelism: 2, PageSize: 30,
		Since: acts[0].At, Before: newest.Add(time.Second),
	})

	// Error answers the client meets, and what it sends after them.
	if _, err := c.GetActivity(ctx, "no-such-activity"); StatusCode(err) != 404 {
		t.Errorf("unknown activity: %v", err)
	}
	if _, err := c.GetActivityAction(ctx, "no-such-action"); StatusCode(err) != 404 {
		t.Errorf("unknown action: %v", err)
	}
	if _, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: emulator.ForbiddenOrganizationID}, none); StatusCode(err) != 403 {
		t.Errorf("forbidden organization: %v", err)
	}
	if _, err := c.ListActivities(ctx, ActivityQuery{OrganizationID: org, Filter: "summary eq 'x'"}, none); StatusCode(err) != 400 {
		t.Errorf("rejected filter: %v", err)
	}
	faults := []struct {
		name   string
		faults emulator.Faults
	}{
		{"401, new token, retry", emulator.Faults{TokenExpiresAfter: 1}},
		{"429 with Retry-After", emulator.Faults{RateLimit: 2, RetryAfter: "1"}},
		{"503", emulator.Faults{ServerErrors: 1}},
		{"500", emulator.Faults{ServerErrors: 1, ServerErrorStatus: 500}},
	}
	for _, f := range faults {
		s.SetFaults(f.faults)
		if err := c.ListActivityActions(ctx, ActionListOptions{PageSize: 20}, func(*ActivityAction) error { return nil }); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
		s.SetFaults(emulator.Faults{})
	}
	s.SetFaults(emulator.Faults{TokenErrors: 1}) // the document's status for it: 400
	if _, err := newClient(emuConfig(s)).GetActivityAction(ctx, s.Actions()[0].ID); StatusCode(err) != 0 || err == nil {
		t.Errorf("token fault: %v", err)
	}
	s.SetFaults(emulator.Faults{})
	bad := emuConfig(s)
	bad.ClientSecret = "wrong"
	if _, err := newClient(bad).GetActivityAction(ctx, s.Actions()[0].ID); err == nil {
		t.Error("wrong secret: no error")
	}
	pre := emuConfig(s)
	pre.AccessToken = s.IssueToken()
	if _, err := newClient(pre).GetActivity(ctx, acts[0].ID); err != nil {
		t.Errorf("pre-issued token: %v", err)
	}

	seen := map[string][]int{}
	var queryParams []string
	for _, ex := range rec.Exchanges() {
		op, err := contract.Check(ex)
		if err != nil {
			t.Error(err)
		}
		// Status 0: the client cancelled the request before its answer (a
		// parallel read's read-ahead beyond a split part's new end); its
		// request is checked, there is no answer to count.
		if ex.Status != 0 && !slices.Contains(seen[op], ex.Status) {
			seen[op] = append(seen[op], ex.Status)
		}
		for name := range ex.Request.URL.Query() {
			if !slices.Contains(queryParams, name) {
				queryParams = append(queryParams, name)
			}
		}
	}
	// The walk above must have reached what it claims to cover.
	want := map[string][]int{
		apicontract.TokenOperation:           {200, 400, 401},
		"getActivityById":                    {200, 404},
		"getActivityActionById":              {200, 404},
		"getActivityActions":                 {200, 401, 429, 500, 503},
		"getOrganizationActivities":          {200, 400, 403},
		"getOrganizationWorkspaceActivities": {200},
	}
	for _, op := range contract.Operations() {
		if !sameStatuses(seen[op], want[op]) {
			t.Errorf("%s: answers %v, want %v", op, seen[op], want[op])
		}
	}
	slices.Sort(queryParams)
	if want := []string{"$filter", "$maxpagesize", "$next", "$orderBy"}; !slices.Equal(queryParams, want) {
		t.Errorf("query parameters sent %v, want %v", queryParams, want)
	}
	t.Logf("%d exchanges validated against the OpenAPI document; answers per operation: %v", len(rec.Exchanges()), seen)
}

func sameStatuses(a, b []int) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
