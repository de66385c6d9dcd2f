package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDataSetDeterministic(t *testing.T) {
	a := generate(DefaultSeed, DefaultNow, 500)
	b := generate(DefaultSeed, DefaultNow, 500)
	c := generate(DefaultSeed+1, DefaultNow, 500)
	same := func(x, y *dataset) bool {
		for i := range x.encoded {
			if !bytes.Equal(x.encoded[i], y.encoded[i]) {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Fatal("same seed, different data")
	}
	if same(a, c) {
		t.Fatal("different seeds, same data")
	}
}

func TestDataSetShape(t *testing.T) {
	s := New(Options{})
	acts := s.Activities()
	if len(acts) != DefaultActivities {
		t.Fatalf("%d activities", len(acts))
	}
	now := s.Now()
	actions := map[string]Action{}
	for _, a := range s.Actions() {
		actions[a.ID] = a
	}
	ids := map[string]bool{}
	count := map[string]int{}
	var prev *Activity
	for i := range acts {
		a := &acts[i]
		if ids[a.ID] {
			t.Fatalf("duplicate id %s", a.ID)
		}
		ids[a.ID] = true
		if prev != nil {
			if c := prev.At.Compare(a.At); c > 0 || c == 0 && prev.ID >= a.ID {
				t.Fatalf("not ascending at %d", i)
			}
			if prev.At.Equal(a.At) {
				count["tie"]++
			}
		}
		prev = a
		if a.At.After(now) || a.At.Before(now.Add(-Span)) {
			t.Fatalf("%s outside the span", a.ActivityDateTime)
		}
		if p, err := time.Parse(time.RFC3339Nano, a.ActivityDateTime); err != nil || !p.Equal(a.At) {
			t.Fatalf("activityDateTime %q vs %v", a.ActivityDateTime, a.At)
		}
		if act, ok := actions[a.Action.ID]; !ok || act != a.Action {
			t.Fatalf("action %+v not in the catalogue", a.Action)
		}
		if n := len(a.Targets); n < 1 || n > 3 {
			t.Fatalf("%d targets", n)
		}
		if !strings.HasPrefix(a.Tags[0], "correlationId:") || !strings.HasPrefix(a.Tags[1], "eventId:") {
			t.Fatalf("tags %q", a.Tags)
		}
		for _, c := range "/+=" {
			if strings.ContainsRune(a.ID, c) {
				count["id"+string(c)]++
			}
		}
		if a.Organization.Status != "" && a.Organization.Created != nil {
			count["organization details"]++
		}
		if w := a.Workspace; w != nil {
			switch {
			case w.Solutions != nil && len(w.Solutions) == 0:
				count["workspace solutions []"]++
			case len(w.Solutions) > 0 && w.Solutions[0].Name == "":
				count["workspace solution without name"]++
			}
			if w.Modified != nil && w.Modified.User == nil {
				count["workspace modified by nobody"]++
			}
			if w.Organization != nil && w.Organization.Created != nil {
				count["workspace organization details"]++
			}
			if w.Created == nil && w.Solutions == nil {
				count["workspace id and name only"]++
			}
		}
		switch {
		case a.Workspace != nil:
			count["workspace"]++
		case a.WorkspaceNull:
			count["workspace null"]++
		default:
			count["workspace absent"]++
		}
		if a.UsesDescription {
			count["description"]++
		}
		if a.Attachments != nil {
			count["attachments"]++
		}
		count["outcome "+a.Outcome]++
		count["performer "+a.Performer.Type]++
		if a.Action.Deprecated {
			count["deprecated"]++
		}
		if strings.ContainsAny(a.Summary, "'") {
			count["quote"]++
		}
		for _, r := range a.Summary {
			if r > 127 {
				count["non-ascii"]++
				break
			}
		}
		if now.Sub(a.At) < 24*time.Hour {
			count["24h "+a.Action.Alias]++
		}
		// The pre-encoded JSON decodes to the same activity.
		var w struct {
			ID          string            `json:"id"`
			Summary     *string           `json:"summary"`
			Description *string           `json:"description"`
			Workspace   json.RawMessage   `json:"workspace"`
			Attachments []json.RawMessage `json:"attachments"`
			Targets     []Target          `json:"targets"`
			Performer   Performer         `json:"performer"`
		}
		enc, _ := s.ActivityJSON(a.ID)
		if err := json.Unmarshal(enc, &w); err != nil {
			t.Fatalf("activity %d: %v", i, err)
		}
		if w.ID != a.ID || w.Performer != a.Performer || len(w.Targets) != len(a.Targets) || len(w.Attachments) != len(a.Attachments) {
			t.Fatalf("round trip of %s differs", a.ID)
		}
		if (w.Description != nil) != a.UsesDescription || (w.Summary != nil) == a.UsesDescription {
			t.Fatalf("summary/description of %s", a.ID)
		}
	}
	for _, k := range []string{
		"id/", "id+", "id=", "tie", "workspace", "workspace null", "workspace absent", "description", "attachments",
		"outcome success", "outcome failure", "outcome pending", "performer " + typeUser, "performer " + typeIntegration,
		"deprecated", "quote", "non-ascii", "organization details", "workspace solutions []",
		"workspace solution without name", "workspace modified by nobody", "workspace organization details",
		"workspace id and name only", "24h user_login", "24h org_user_role_create", "24h org_user_role_delete",
	} {
		if count[k] < 2 {
			t.Errorf("%q occurs %d times", k, count[k])
		}
	}
	if count["attachments"] > len(acts)*3/4 || count["description"] > len(acts)/10 {
		t.Errorf("shares off: %v", count)
	}
	t.Logf("%v", count)
}

func TestSmallDataSetKeepsRecentActivity(t *testing.T) {
	s := New(Options{Activities: 8, Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	got := map[string]int{}
	for _, a := range s.Activities() {
		if s.Now().Sub(a.At) < 24*time.Hour {
			got[a.Action.Alias]++
		}
	}
	if got["user_login"] < 3 || got["org_user_role_create"] < 1 || got["org_user_role_delete"] < 1 {
		t.Fatalf("last 24h: %v", got)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "Zoë 李小龍 🎉",
		"<tag> & amp", "\u2028\u2029", "bad \xff utf8 \xc3", "O'Brien",
	} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q: decodes to %q, encoding/json gives %q", s, back, wantBack)
		}
	}
}

func TestIndexIsCached(t *testing.T) {
	s := start(t, Options{Activities: 300})
	tok := getToken(t, s)
	f := "action.alias eq 'user_login'"
	walk(t, s, tok, withQuery(orgPath(s), "$filter", f, "$maxpagesize", "5"))
	// Spacing and case of keywords do not matter: same canonical key.
	walk(t, s, tok, withQuery(orgPath(s), "$filter", "  action.alias  EQ 'user_login' ", "$maxpagesize", "7"))
	s.mu.Lock()
	n := len(s.idxCache)
	s.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d cached indexes, want 1", n)
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		generate(DefaultSeed, DefaultNow, 100_000)
	}
}

// BenchmarkListAll100k reads 100,000 activities in pages of 1000 over HTTP.
func BenchmarkListAll100k(b *testing.B) {
	s, err := Start(Options{Activities: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tok := s.IssueToken()
	var total int64
	for b.Loop() {
		next := s.URL() + orgPath(s)
		total = 0
		for next != "" {
			req, _ := http.NewRequest(http.MethodGet, next, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("X-Version", "2026-01-01")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			total += int64(len(body))
			next = ""
			// The link is at the end of the page: avoid a full decode.
			if i := bytes.LastIndex(body, []byte(`"@nextLink":"`)); i >= 0 {
				rest := body[i+len(`"@nextLink":"`):]
				next = string(rest[:bytes.IndexByte(rest, '"')])
			}
		}
	}
	b.SetBytes(total)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/activity")
}
