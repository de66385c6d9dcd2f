package workiva

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Deprecation is what Workiva said about an operation through the
// Deprecation (RFC 9745) and Sunset (RFC 8594) response headers.
type Deprecation struct {
	Operation string // e.g. OpListOrganizationActivities
	Method    string
	Path      string // of the first answer that carried the headers

	Deprecated bool      // a Deprecation header was sent
	Since      time.Time // its date; zero when it gave none ("true") or did not parse
	Sunset     time.Time // zero when no Sunset header was sent or it did not parse
	// Raw header values, for what did not parse (bounded in length).
	DeprecationHeader, SunsetHeader string
}

// Notices collects the deprecations reported while a context made by
// WithNotices is in use, one per operation, in the order first seen. Safe
// for concurrent use (parallel walks report from several goroutines).
type Notices struct {
	mu   sync.Mutex
	list []Deprecation
}

type noticesKey struct{}

// WithNotices returns a context whose calls record the deprecation headers
// of their answers into the returned Notices: the provider reads them once
// per data source read and shows one warning, however many pages carried
// the headers.
func WithNotices(ctx context.Context) (context.Context, *Notices) {
	n := &Notices{}
	return context.WithValue(ctx, noticesKey{}, n), n
}

// Deprecations returns a copy of what was recorded.
func (n *Notices) Deprecations() []Deprecation {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Deprecation(nil), n.list...)
}

// add records d unless its operation is already recorded; it reports
// whether d was new.
func (n *Notices) add(d Deprecation) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, e := range n.list {
		if e.Operation == d.Operation {
			return false
		}
	}
	n.list = append(n.list, d)
	return true
}

// noteDeprecation records the Deprecation and Sunset headers of resp, when
// present, into the context's Notices, logging a warning the first time per
// operation (per Notices, else per answer).
func (c *Client) noteDeprecation(ctx context.Context, cl *call, resp *http.Response) {
	dep := strings.TrimSpace(resp.Header.Get("Deprecation"))
	sun := strings.TrimSpace(resp.Header.Get("Sunset"))
	if dep == "" && sun == "" {
		return
	}
	d := Deprecation{
		Operation: cl.op, Method: cl.method, Path: cl.path,
		Deprecated:        dep != "" && !strings.EqualFold(dep, "false"),
		DeprecationHeader: truncate(dep, 64), SunsetHeader: truncate(sun, 64),
	}
	d.Since = parseDeprecationDate(dep)
	if t, err := http.ParseTime(sun); err == nil {
		d.Sunset = t.UTC()
	}
	if n, ok := ctx.Value(noticesKey{}).(*Notices); ok && !n.add(d) {
		return
	}
	f := cl.fields()
	f["deprecation"], f["sunset"] = d.DeprecationHeader, d.SunsetHeader
	c.log(ctx, LevelWarn, "workiva: the API reports this operation as deprecated", f)
}

// parseDeprecationDate reads RFC 9745's "@<unix seconds>", or the HTTP-date
// of earlier drafts; "true" and anything else give the zero time.
func parseDeprecationDate(v string) time.Time {
	if s, ok := strings.CutPrefix(v, "@"); ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
		return time.Time{}
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
