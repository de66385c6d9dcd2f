package workiva

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

func decodeAll(t *testing.T, body string) ([]*Activity, string, error) {
	t.Helper()
	var got []*Activity
	next, n, err := DecodeActivityPage(strings.NewReader(body), func(a *Activity) error {
		got = append(got, a)
		return nil
	})
	if n != len(got) {
		t.Errorf("n = %d, callbacks = %d", n, len(got))
	}
	return got, next, err
}

func TestDecodeActivityPage(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantIDs  string
		wantNext string
	}{
		{"empty", `{"data":[]}`, "", ""},
		{"next after data", `{"data":[{"id":"a"},{"id":"b"}],"@nextLink":"https://h/x?$next=2"}`, "a,b", "https://h/x?$next=2"},
		{"next before data", `{"@nextLink":"https://h/y","data":[{"id":"a"}]}`, "a", "https://h/y"},
		{"null next", `{"data":[{"id":"a"}],"@nextLink":null}`, "a", ""},
		{"unknown keys skipped", `{"@odata.context":"x","count":2,"nested":{"data":[{"id":"no"}]},"data":[{"id":"a"}],"tail":[1,{"a":[]}]}`, "a", ""},
		{"whitespace", " \n{ \"data\" : [ { \"id\" : \"a\" } ] }\n ", "a", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, next, err := decodeAll(t, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if strings.Join(ids, ",") != tc.wantIDs || next != tc.wantNext {
				t.Errorf("got %v %q", ids, next)
			}
		})
	}
}

func TestDecodeActivityPageShapes(t *testing.T) {
	body := `{"data":[
	 {"id":"1","summary":"S","description":"D","workspace":{"id":"w","name":"W"},"attachments":[{"entityChanges":{"new":"a","old":"b"}}],
	  "action":{"id":"com.x","alias":"x","name":"X","category":"C","deprecated":true,"type":"com.x"},
	  "performer":{"id":"p","type":"user","displayName":"P","uniqueName":"p@x","ipAddress":"192.0.2.1"},
	  "targets":[{"id":"t","type":"tt","displayName":"T","uniqueName":"tu"}],"organization":{"id":"o","name":"O"},
	  "outcome":"success","tags":["correlationId:1","eventId:2"],"activityDateTime":"2021-01-30T13:55:01Z"},
	 {"id":"2","description":"only D","workspace":null,"attachments":null},
	 {"id":"3"}
	]}`
	got, _, err := decodeAll(t, body)
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %d", err, len(got))
	}
	a := got[0]
	if a.Summary != "S" || a.Workspace.Name != "W" || !a.Action.Deprecated || a.Performer.IPAddress != "192.0.2.1" ||
		len(a.Targets) != 1 || a.Targets[0].UniqueName != "tu" || len(a.Tags) != 2 || a.Outcome != "success" ||
		a.ActivityDateTime != "2021-01-30T13:55:01Z" || a.Organization.Name != "O" {
		t.Errorf("first: %+v", a)
	}
	var att []map[string]any
	if err := json.Unmarshal(a.Attachments, &att); err != nil || len(att) != 1 {
		t.Errorf("attachments %s", a.Attachments)
	}
	if got[1].Summary != "only D" || got[1].Workspace != nil || got[1].Attachments != nil {
		t.Errorf("second: %+v", got[1])
	}
	if got[2].Summary != "" || got[2].Workspace != nil || got[2].Attachments != nil || got[2].Targets != nil {
		t.Errorf("third: %+v", got[2])
	}
	// Items handed over are independent (the caller keeps them).
	if got[0] == got[1] || &got[0].Targets == &got[1].Targets {
		t.Error("items share memory")
	}
}

func TestDecodeActivityPageErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
		wantN            int
	}{
		{"empty body", ``, "unexpected EOF", 0},
		{"truncated in item", `{"data":[{"id":"a"},{"id":"b`, "unexpected EOF", 1},
		{"truncated after item", `{"data":[{"id":"a"}`, "unexpected EOF", 1},
		{"truncated before close", `{"data":[{"id":"a"}]`, "unexpected EOF", 1},
		{"malformed", `{"data":[{"id":"a"},]}`, "invalid character", 1},
		{"array", `[{"id":"a"}]`, "expected a JSON object", 0},
		{"null", `null`, "expected a JSON object", 0},
		{"data not array", `{"data":{"id":"a"}}`, `"data" to be an array`, 0},
		{"data null", `{"data":null}`, `"data" to be an array`, 0},
		{"no data", `{"@nextLink":"https://h/x"}`, `no "data"`, 0},
		{"duplicate data", `{"data":[{"id":"a"}],"data":[{"id":"a"}]}`, `duplicate "data"`, 1},
		{"duplicate next", `{"data":[],"@nextLink":"a","@nextLink":"b"}`, `duplicate "@nextLink"`, 0},
		{"next not string", `{"data":[],"@nextLink":5}`, "not a string", 0},
		{"item null", `{"data":[null]}`, "null", 0},
		{"item string", `{"data":["x"]}`, "cannot unmarshal a string into /data/0 (want an activity object)", 0},
		{"item without id", `{"data":[{"summary":"x"}]}`, `no "id"`, 0},
		{"wrong field type", `{"data":[{"id":"a","tags":"x"}]}`, "cannot unmarshal a string into /data/0/tags (want an array of strings)", 0},
		{"wrong nested type", `{"data":[{"id":"a","action":{"deprecated":"x"}}]}`, "cannot unmarshal a string into /data/0/action/deprecated (want a boolean)", 0},
		{"trailing data", `{"data":[]} {"data":[]}`, "after the page", 0},
		{"trailing garbage", `{"data":[]}x`, "after the page", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeAll(t, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			var n int
			_, n, _ = DecodeActivityPage(strings.NewReader(tc.body), func(*Activity) error { return nil })
			if n != tc.wantN {
				t.Errorf("n = %d, want %d", n, tc.wantN)
			}
		})
	}
}

func TestDecodeActivityPageReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader(`{"data":[{"id":"a"},`), iotest.ErrReader(errors.New("connection reset")))
	_, n, err := DecodeActivityPage(r, func(*Activity) error { return nil })
	if n != 1 || err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("n %d err %v", n, err)
	}
}

func TestDecodeActivityPageStop(t *testing.T) {
	body := `{"data":[{"id":"a"},{"id":"b"},{"id":"c"}],"@nextLink":"https://h/n"}`
	next, n, err := DecodeActivityPage(strings.NewReader(body), func(a *Activity) error {
		if a.ID == "b" {
			return ErrStop
		}
		return nil
	})
	if err != ErrStop || n != 2 || next != "" { //nolint:errorlint // returned unchanged, not wrapped
		t.Errorf("stop mid-page: %q %d %v", next, n, err)
	}
	// Stopping on the last item still reads the trailing @nextLink.
	next, n, err = DecodeActivityPage(strings.NewReader(body), func(a *Activity) error {
		if a.ID == "c" {
			return ErrStop
		}
		return nil
	})
	if err != ErrStop || n != 3 || next != "https://h/n" { //nolint:errorlint // returned unchanged, not wrapped
		t.Errorf("stop at end: %q %d %v", next, n, err)
	}
	boom := errors.New("boom")
	_, n, err = DecodeActivityPage(strings.NewReader(body), func(a *Activity) error { return boom })
	if err != boom || n != 1 { //nolint:errorlint // returned unchanged, not wrapped
		t.Errorf("callback error: %d %v", n, err)
	}
}

func TestDecodeActionPage(t *testing.T) {
	var got []*ActivityAction
	next, n, err := DecodeActionPage(strings.NewReader(`{"data":[{"id":"com.a","alias":"a","deprecated":true,"type":"t"}],"@nextLink":"https://h/2"}`), func(a *ActivityAction) error {
		got = append(got, a)
		return nil
	})
	if err != nil || n != 1 || next != "https://h/2" || got[0].Alias != "a" || !got[0].Deprecated {
		t.Errorf("%v %d %q %+v", err, n, next, got)
	}
}

func TestCheckNextLink(t *testing.T) {
	base, _ := url.Parse("https://api.app.wdesk.com")
	local, _ := url.Parse("http://127.0.0.1:8080/prefix")
	cases := []struct {
		base *url.URL
		next string
		want error
	}{
		{base, "https://api.app.wdesk.com/admin/v1/organizations/o/activities?$next=abc", nil},
		{base, "https://API.APP.WDESK.COM:443/x", nil},
		{base, "HTTPS://api.app.wdesk.com/x", nil},
		{base, "/admin/v1/x?$next=1", nil}, // relative: resolves to the same origin
		{base, "https://api.app.wdesk.com:0443/x", nil},
		{local, "http://127.0.0.1:8080/x", nil},
		{local, "http://127.0.0.1:08080/x", nil},
		{base, "http://api.app.wdesk.com/x", ErrForeignNextLink},
		{base, "https://api.app.wdesk.com:8443/x", ErrForeignNextLink},
		{base, "https://api.eu.wdesk.com/x", ErrForeignNextLink},
		{base, "https://api.app.wdesk.com.evil.com/x", ErrForeignNextLink},
		{base, "https://api.app.wdesk.com@evil.com/x", ErrForeignNextLink},
		{base, "https://user:pw@api.app.wdesk.com/x", ErrForeignNextLink},
		{base, "//evil.com/x", ErrForeignNextLink},
		{base, "ftp://api.app.wdesk.com/x", ErrForeignNextLink},
		{base, "javascript:alert(1)", ErrForeignNextLink},
		{local, "http://127.0.0.1/x", ErrForeignNextLink},
		{local, "http://localhost:8080/x", ErrForeignNextLink},
		{local, "http://127.0.0.2:8080/x", ErrForeignNextLink},
		{local, "http://[::1]:8080/x", ErrForeignNextLink},
		{base, "", ErrInvalidNextLink},
		{base, "https://api.app.wdesk.com/x y", ErrInvalidNextLink},
		{base, "https://api.app.wdesk.com/%zz", ErrInvalidNextLink},
		{base, "https://[::1", ErrInvalidNextLink},
		{nil, "https://api.app.wdesk.com/x", ErrInvalidNextLink},
	}
	for _, tc := range cases {
		err := CheckNextLink(tc.base, tc.next)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%v + %q: got %v, want %v", tc.base, tc.next, err, tc.want)
		}
		var nle *NextLinkError
		if err != nil && !errors.As(err, &nle) {
			t.Errorf("%q: error is %T", tc.next, err)
		}
	}
}

func FuzzDecodeActivityPage(f *testing.F) {
	for _, s := range []string{
		`{"data":[]}`,
		`{"data":[{"id":"a","summary":"s","workspace":null,"attachments":[{"x":1}]}],"@nextLink":"https://h/x"}`,
		`{"@nextLink":null,"data":[{"id":"a","description":"d","targets":[{"id":"t"}],"tags":["x"]}],"k":{"a":[1,2,{}]}}`,
		`{"data":[{"id":"a"},`,
		`{"data":[null]}`,
		`{"DATA":[{"ID":"a"}]}`,
		`{"data":[{"id":"\u00e9\ud800"}]}`,
		`{"data":[{"id":"a","id":"b"}]}`,
		`{"data":[{"id":"a","action":{"id":"x","ID":"y","deprecated":null},"targets":[null,{"id":"t"}],"tags":[null,"\u0041"]}]}`,
		`{"data":[{"id":"a","workspace":{"id":"w"},"attachments":null,"summary":"","description":"d"}]} `,
		`{"data":[{"id":"a","outcome":1}]}`,
		"{\"data\":[{\"id\":\"\xff\"}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []*Activity
		next, n, err := DecodeActivityPage(bytes.NewReader(body), func(a *Activity) error {
			if a == nil || a.ID == "" {
				t.Fatalf("callback got an activity without ID: %+v", a)
			}
			got = append(got, a)
			return nil
		})
		if n != len(got) {
			t.Fatalf("n = %d, callbacks = %d", n, len(got))
		}
		want, wantNext, refErr := referencePage(body)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("stream decoder: %v; reference: %v", err, refErr)
		}
		if err != nil {
			// The items handed over before the error are the reference's
			// first ones (the reference may stop earlier, at a structural
			// error it finds first: compare what both have).
			return
		}
		if len(want) != len(got) {
			t.Fatalf("%d items, reference %d", len(got), len(want))
		}
		for i := range want {
			ga, _ := json.Marshal(got[i])
			ra, _ := json.Marshal(&want[i])
			if !bytes.Equal(ga, ra) {
				t.Fatalf("item %d differs:\n%s\n%s", i, ga, ra)
			}
		}
		if next != wantNext {
			t.Fatalf("next %q, reference %q", next, wantNext)
		}
		// The read-ahead's scan never names another link than the page's
		// (it may find none, e.g. for an escaped member name).
		if hint := nextLinkHint(body); hint != "" && hint != next {
			t.Fatalf("read-ahead hint %q, page's next link %q", hint, next)
		}
	})
}

// wireActivity is an activity as the API sends it, in plain structs that
// any JSON library decodes by reflection: the fuzz test's reference and the
// decoding benchmark's baseline. Attachments is nil when absent or null.
type wireActivity struct {
	activityFields                  // Activity's fields, without its UnmarshalJSON
	Description    string           `json:"description"`
	Attachments    *json.RawMessage `json:"attachments"` // shadows Activity's
}

// referencePage decodes a page with go-json-experiment/json's reflection
// (its defaults: exact names, duplicate names rejected; invalid UTF-8
// replaced as the stream decoder does) and applies the API's shape rules.
// It decodes the whole page in one call, so it checks the streamed page
// walk and the shape rules; the items go through the same library.
func referencePage(body []byte) ([]Activity, string, error) {
	var page struct {
		Data *[]*wireActivity `json:"data"`
		Next *string          `json:"@nextLink"`
	}
	if err := jsonv2.Unmarshal(body, &page, jsontext.AllowInvalidUTF8(true)); err != nil {
		return nil, "", err
	}
	if page.Data == nil {
		return nil, "", errors.New("no data array")
	}
	out := make([]Activity, len(*page.Data))
	for i, r := range *page.Data {
		if r == nil || r.ID == "" {
			return nil, "", errors.New("null item or item without id")
		}
		a := Activity(r.activityFields)
		a.Attachments = nil
		if a.Summary == "" {
			a.Summary = r.Description
		}
		if r.Attachments != nil {
			a.Attachments = *r.Attachments
		}
		out[i] = a
	}
	next := ""
	if page.Next != nil {
		next = *page.Next
	}
	return out, next, nil
}

func FuzzCheckNextLink(f *testing.F) {
	bases := []string{"https://api.app.wdesk.com", "http://127.0.0.1:8080", "https://[::1]:9/prefix"}
	for _, s := range []string{
		"https://api.app.wdesk.com/x?$next=1", "/rel", "//evil.com/", "https://api.app.wdesk.com@evil.com/",
		"http://127.0.0.1:8080/a", "https://[::1]:9/a", "https://API.app.wdesk.com:443/", "\\\\evil.com",
	} {
		for i := range bases {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, bi uint8, next string) {
		base, err := url.Parse(bases[int(bi)%len(bases)])
		if err != nil {
			t.Fatal(err)
		}
		u, err := resolveNextLink(base, next)
		if (err == nil) != (CheckNextLink(base, next) == nil) {
			t.Fatal("CheckNextLink and resolveNextLink disagree")
		}
		if err != nil {
			var nle *NextLinkError
			if !errors.As(err, &nle) {
				t.Fatalf("error %T", err)
			}
			return
		}
		// Accepted: the URL that would be requested goes to base's origin,
		// as Go's HTTP client would read it again from its string form.
		again, err := url.Parse(u.String())
		if err != nil {
			t.Fatalf("accepted %q but its form %q does not parse: %v", next, u, err)
		}
		if origin(again) != origin(base) || again.User != nil {
			t.Fatalf("accepted %q: requests go to %s, not %s", next, origin(again), origin(base))
		}
		if !strings.EqualFold(again.Scheme, base.Scheme) || !strings.EqualFold(again.Hostname(), base.Hostname()) {
			t.Fatalf("accepted %q: %s vs %s", next, again, base)
		}
	})
}
