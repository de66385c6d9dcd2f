// Package emulator is a local stand-in for Workiva's Activities API: the
// token endpoint and the five /admin/v1 GET operations, over a deterministic
// data set, with fault injection for tests. It is a test double and must
// never be imported by the provider itself.
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server. Zero values pick the defaults.
type Options struct {
	Seed         int64         // data set seed; 0 = DefaultSeed
	Now          time.Time     // anchor; activities lie in the Span before it; zero = DefaultNow
	Activities   int           // number of activities; 0 = DefaultActivities
	ClientID     string        // default DefaultClientID
	ClientSecret string        // default DefaultClientSecret
	TokenTTL     time.Duration // default 1h
	// Burst packs a share of the activities into a short sub-span
	// (BurstWindow); the zero value spreads them evenly. Start refuses
	// an invalid one (Burst.Validate); New ignores it.
	Burst Burst
}

// Faults are injected answers. The zero value injects nothing. RateLimit and
// ServerErrors count API calls (under /admin); the Token* faults count
// requests to the token endpoint.
type Faults struct {
	// RateLimit: the next RateLimit API calls answer 429, with a
	// Retry-After header of RetryAfter unless it is "".
	RateLimit  int
	RetryAfter string
	// ServerErrors: the next ServerErrors API calls answer
	// ServerErrorStatus (default 503). The document lists 500 and 503;
	// others (502, 504) test the client beyond it.
	ServerErrors      int
	ServerErrorStatus int
	// Latency is added to every request (token included); it ends early
	// when the client gives up.
	Latency time.Duration
	// MaxInFlight limits concurrent API calls (under /admin, counted
	// with their Latency, as a shared API counts a client's open
	// requests): a call beyond it answers 429 at once, with a
	// Retry-After of InFlightRetryAfter (default "1"). 0 = no limit.
	MaxInFlight        int
	InFlightRetryAfter string
	// TokenExpiresAfter: a token is rejected with 401 once it has been used
	// for this many API calls (counted from SetFaults).
	TokenExpiresAfter int
	// MalformedPage and TruncatedPage are 1-based page numbers within one
	// walk of a list; that page's body is invalid JSON (malformed) or cut
	// in half (truncated, with a matching Content-Length).
	MalformedPage int
	TruncatedPage int
	// ForeignNextLinkPage: that page's @nextLink points at ForeignHost
	// (host[:port], or a full base URL; default "foreign.invalid").
	ForeignNextLinkPage int
	ForeignHost         string
	// RepeatNextLinkPage: that page's @nextLink repeats the previous
	// page's link (the URL that fetched it).
	RepeatNextLinkPage int

	// TokenErrors: the next TokenErrors token requests answer
	// TokenErrorStatus (default DefaultTokenErrorStatus) with an IamError
	// "server_error", and a Retry-After header of TokenRetryAfter unless it
	// is "". Workiva's document lists only 400 and 401 for the token
	// endpoint; other statuses (429, 5xx, as a gateway in front of it may
	// send) test the client's retries beyond the document.
	TokenErrors      int
	TokenErrorStatus int
	TokenRetryAfter  string
	// TokenResets: the next TokenResets token requests get no answer: the
	// connection is reset (TCP RST) once the request has been read.
	TokenResets int

	// DeprecationHeaders: the endpoints Workiva documents as deprecated
	// (the organization activities list and the single activity) answer
	// with Deprecation and Sunset headers carrying the documented dates.
	DeprecationHeaders bool
}

// DefaultTokenErrorStatus is the TokenErrors fault's status when
// TokenErrorStatus is 0: one the document lists for the token endpoint.
const DefaultTokenErrorStatus = http.StatusBadRequest

// The deprecation Workiva documents for the organization activities list and
// the single-activity endpoint, as DeprecationHeaders sends it: Deprecation
// as an RFC 9745 structured date, Sunset as an RFC 8594 HTTP-date.
var (
	DeprecatedSince = time.Date(2026, 2, 12, 0, 0, 0, 0, time.UTC)
	SunsetAt        = time.Date(2029, 1, 31, 0, 0, 0, 0, time.UTC)
)

// Request is one entry of the request log. It never holds credentials.
type Request struct {
	Time        time.Time // when the request arrived
	Method      string
	Path        string // unescaped
	EscapedPath string // as sent
	Query       url.Values
	Status      int // 0 when the client went away before an answer
	HasAuth     bool
	Version     string // X-Version header
}

// maxLog bounds the request log of a long-running standalone emulator.
const maxLog = 200_000

type token struct {
	expires time.Time
	scopes  string
	calls   int
}

// Server is a running emulator. Safe for concurrent use.
type Server struct {
	opts     Options
	data     *dataset
	url      string
	listener net.Listener
	http     *http.Server

	mu       sync.Mutex
	faults   Faults
	tokens   map[string]*token
	issued   int
	log      []Request
	idxCache map[string][]int32

	// inFlight counts handlers that have not logged yet: a client can have
	// its whole answer before the handler returns and records it.
	inFlight atomic.Int64
	// apiInFlight counts API calls being answered, for MaxInFlight.
	apiInFlight atomic.Int64
}

// New builds a server without listening; use it as an http.Handler (next
// links are then built from the request's Host).
func New(opts Options) *Server {
	if opts.Seed == 0 {
		opts.Seed = DefaultSeed
	}
	if opts.Now.IsZero() {
		opts.Now = DefaultNow
	}
	if opts.Activities <= 0 {
		opts.Activities = DefaultActivities
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	return &Server{
		opts:     opts,
		data:     generateBurst(opts.Seed, opts.Now, opts.Activities, validBurst(opts.Burst)),
		tokens:   map[string]*token{},
		idxCache: map[string][]int32{},
	}
}

// Start serves on a free port of 127.0.0.1.
func Start(opts Options) (*Server, error) { return StartOn("127.0.0.1:0", opts) }

// StartOn serves on addr, which must be a loopback address: the emulator
// hands out credentials that are printed and written to files.
func StartOn(addr string, opts Options) (*Server, error) {
	if err := CheckLoopback(addr); err != nil {
		return nil, err
	}
	if err := opts.Burst.Validate(); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s := New(opts)
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	s.listener = ln
	s.url = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// CheckLoopback refuses a listen address whose host is not loopback.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator: bad address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("emulator: refusing to listen on %q: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed", addr)
}

// URL is the base URL, e.g. http://127.0.0.1:PORT (no trailing slash).
func (s *Server) URL() string { return s.url }

// Close stops the server and its open connections.
func (s *Server) Close() {
	if s.http != nil {
		_ = s.http.Close()
	}
}

// Shutdown stops accepting requests, waiting for those in flight until
// timeout.
func (s *Server) Shutdown(timeout time.Duration) error {
	if s.http == nil {
		return nil
	}
	ctx, cancel := contextWithTimeout(timeout)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Server) ClientID() string       { return s.opts.ClientID }
func (s *Server) ClientSecret() string   { return s.opts.ClientSecret }
func (s *Server) OrganizationID() string { return s.data.org.ID }

// OrganizationName is the readable organization's name.
func (s *Server) OrganizationName() string { return s.data.org.Name }

// Now is the anchor of the data set.
func (s *Server) Now() time.Time { return s.opts.Now }

// Workspaces lists the organization's workspaces.
func (s *Server) Workspaces() []Workspace { return append([]Workspace(nil), workspaces...) }

// Activities is the data set in ascending (activityDateTime, id) order. The
// slice is shared: do not modify it.
func (s *Server) Activities() []Activity { return s.data.activities }

// Actions is the action catalogue, by id.
func (s *Server) Actions() []Action { return append([]Action(nil), s.data.actions...) }

// ActivityJSON is the exact JSON the emulator sends for activity id.
func (s *Server) ActivityJSON(id string) ([]byte, bool) {
	i, ok := s.data.byID[id]
	if !ok {
		return nil, false
	}
	return s.data.encoded[i], true
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// TokenPath is where the emulator issues tokens, as Workiva does.
const TokenPath = "/iam/v1/oauth2/token"

// TokenRequests is the request log's token requests, in arrival order.
func (s *Server) TokenRequests() []Request {
	return s.requestsWhere(func(r Request) bool { return r.Path == TokenPath })
}

// APIRequests is the request log without the token requests.
func (s *Server) APIRequests() []Request {
	return s.requestsWhere(func(r Request) bool { return strings.HasPrefix(r.Path, "/admin/") })
}

// ListRequests is the request log's activity list calls (organization and
// workspace), in arrival order.
func (s *Server) ListRequests() []Request {
	return s.requestsWhere(func(r Request) bool { return strings.HasSuffix(r.Path, "/activities") })
}

func (s *Server) requestsWhere(keep func(Request) bool) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.log {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests empties the request log. It first lets requests already being
// answered finish (for up to 5 s), so that a request of an earlier step is
// never logged after the reset.
func (s *Server) ResetRequests() {
	for deadline := time.Now().Add(5 * time.Second); s.inFlight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// TokensIssued counts tokens handed out since start.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// IssuedTokens lists every access token handed out since start (token
// endpoint and IssueToken), sorted, so that tests can prove that none of
// them leaks into logs, state or errors.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for tok := range s.tokens {
		out = append(out, tok)
	}
	slices.Sort(out)
	return out
}

// SetFaults replaces the fault configuration; counters restart, including
// each token's call count for TokenExpiresAfter.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	for _, t := range s.tokens {
		t.calls = 0
	}
}

// Faults returns the current fault configuration with the counts left.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= maxLog {
		s.log = append(s.log[:0:0], s.log[len(s.log)/2:]...)
	}
	s.log = append(s.log, r)
}

// marshalNoEscape encodes v without HTML escaping (so '&', '<' stay as
// they are, like most APIs) and without the trailing newline.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
