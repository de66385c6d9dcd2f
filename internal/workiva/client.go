// Package workiva is a small client for Workiva's Activities API. It knows
// nothing about Terraform: the provider wraps it.
package workiva

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Defaults that callers may rely on and document.
const (
	DefaultAPIVersion    = "2026-01-01"
	DefaultRegion        = "us"
	DefaultMaxRetries    = 5
	DefaultPageSize      = 1000
	MaxPageSize          = 1000
	DefaultMaxRetryAfter = 60 * time.Second
	TokenPath            = "/iam/v1/oauth2/token"
	DefaultUserAgent     = "terraform-provider-workiva"
	DefaultRetryWaitMin  = time.Second
	DefaultRetryWaitMax  = 30 * time.Second
	// DefaultRequestTimeout bounds each attempt, so that a server that
	// accepts the connection and never answers ends the call instead of
	// hanging the run: Terraform has no timeout of its own for data sources.
	DefaultRequestTimeout = 60 * time.Second
)

// RegionHosts maps a Workiva region to its API base URL.
var RegionHosts = map[string]string{
	"us":   "https://api.app.wdesk.com",
	"eu":   "https://api.eu.wdesk.com",
	"apac": "https://api.apac.wdesk.com",
}

// Config configures a Client. New validates it and makes no network call.
type Config struct {
	Region       string // us | eu | apac; ignored when APIURL is set
	APIURL       string // overrides Region
	TokenURL     string // default APIURL + TokenPath
	ClientID     string
	ClientSecret string
	AccessToken  string // pre-issued token; when set, client credentials are not used
	Scopes       []string
	APIVersion   string // sent as X-Version; default DefaultAPIVersion

	// MaxRetries is the number of retries after the first attempt.
	// Nil means DefaultMaxRetries; 0 disables retries.
	MaxRetries     *int
	RequestTimeout time.Duration // per HTTP request (each attempt); 0 = DefaultRequestTimeout
	UserAgent      string

	// Logger receives one entry per attempt, retry and token fetch, and a
	// progress line every ProgressInterval (default 5s) of a long
	// ListActivities. Nil: silent.
	Logger           Logger
	ProgressInterval time.Duration

	// Tests: the base transport, the backoff and the Retry-After cap.
	HTTPClient    *http.Client
	RetryWaitMin  time.Duration // default 1s
	RetryWaitMax  time.Duration // default 30s
	MaxRetryAfter time.Duration // default DefaultMaxRetryAfter
	// Backoff, when set, replaces exponential backoff with jitter (Retry-After
	// is still honoured first). Tests use it to avoid real sleeps.
	Backoff func(attempt int, resp *http.Response) time.Duration
}

// LogLevel is the severity of a log entry.
type LogLevel int

// Log levels, mapped by the provider onto tflog.
const (
	LevelTrace LogLevel = iota
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
)

// Logger is implemented by the provider with tflog. Fields never hold a
// secret or a token: the client masks them before calling.
type Logger interface {
	Log(ctx context.Context, level LogLevel, msg string, fields map[string]any)
}

// ErrStop, returned by an iteration callback, ends a walk early without error.
var ErrStop = errors.New("stop iteration")

// ActivityQuery selects activities of an organization or one of its
// workspaces. Zero values mean "not set".
type ActivityQuery struct {
	OrganizationID string
	WorkspaceID    string // optional: narrows to one workspace
	ActionAliases  []string
	ActionIDs      []string
	PerformerIDs   []string
	TargetIDs      []string
	Since          time.Time // inclusive (ge)
	Before         time.Time // exclusive (lt)
	Filter         string    // raw OData expression, AND-ed with the rest
	Order          string    // "asc" | "desc" | "" (API default)
	PageSize       int       // 1..1000; 0 = DefaultPageSize
	MaxResults     int       // 0 = every page
	// Parallelism: 0 or 1 walks sequentially. 2..MaxParallelism walks
	// the window with that many concurrent walkers (see ListActivities);
	// it needs an explicit Order, since the pieces are joined in it.
	Parallelism int
	// KeepRaw fills each Activity's Raw with the item's JSON exactly as the
	// page holds it (for exports that must keep fields this client does not
	// know). It costs a copy of each item. With RawOnly too, only ID,
	// ActivityDateTime and Raw are filled: cheaper when the bytes are all
	// the caller needs.
	KeepRaw bool
	RawOnly bool
	// Spool, when set, gives a parallel walk one temporary file for each
	// piece of the window whose turn in the output has not come, so that
	// memory stays bounded whatever the count and the parallelism. Nil
	// keeps those items in memory.
	Spool func() (SpoolFile, error)
}

// ListResult reports how a walk ended.
type ListResult struct {
	Count     int  // items handed to the callback
	Pages     int  // pages fetched
	Truncated bool // MaxResults stopped the walk while more items existed
}

// ActionListOptions controls ListActivityActions.
type ActionListOptions struct {
	PageSize int    // 1..1000; 0 = DefaultPageSize
	Order    string // passed as $orderBy when set
}

// Client talks to one Workiva API host. Safe for concurrent use.
type Client struct {
	cfg        Config // as given, with defaults filled in
	base       *url.URL
	baseStr    string // base URL without trailing slash
	tokenURL   string
	apiVersion string
	userAgent  string
	maxRetries int

	apiHTTP *http.Client // shared by every call; retries wrap it per call
	// oauth is nil when a pre-issued access token is used.
	oauth     *clientcredentials.Config
	tokenHTTP *http.Client
	tokens    tokenCache
	// gate paces the API requests of every walk sharing this client.
	gate *gate
	// pages holds a token per page held whole in memory (readahead.go).
	pages chan struct{}

	// waitHook maps every computed wait before it is slept; tests replace it
	// to record Retry-After waits without sleeping them.
	waitHook func(time.Duration) time.Duration
}

// New validates cfg and returns a client. It makes no network call: the
// token is fetched on the first API call.
func New(cfg Config) (*Client, error) {
	c := &Client{waitHook: func(d time.Duration) time.Duration { return d }}

	api := strings.TrimSpace(cfg.APIURL)
	if api == "" {
		region := strings.ToLower(strings.TrimSpace(cfg.Region))
		if region == "" {
			region = DefaultRegion
		}
		if err := CheckRegion(region); err != nil {
			return nil, configError("region", err)
		}
		cfg.Region = region
		api = RegionHosts[region]
	}
	base, err := parseEndpoint(api)
	if err != nil {
		return nil, configError("api_url", err)
	}
	base.Path = strings.TrimRight(base.Path, "/")
	base.RawPath = strings.TrimRight(base.RawPath, "/")
	c.base = base
	c.baseStr = base.String()
	cfg.APIURL = c.baseStr

	tok := strings.TrimSpace(cfg.TokenURL)
	if tok == "" {
		tok = c.baseStr + TokenPath
	}
	tu, err := parseEndpoint(tok)
	if err != nil {
		return nil, configError("token_url", err)
	}
	c.tokenURL = tu.String()
	cfg.TokenURL = c.tokenURL

	if cfg.AccessToken == "" {
		switch {
		case cfg.ClientID == "" && cfg.ClientSecret == "":
			return nil, &ConfigError{Setting: "client_id", Reason: "missing credentials: set client_id and client_secret, or access_token"}
		case cfg.ClientID == "":
			return nil, &ConfigError{Setting: "client_id", Reason: "client_secret is set but client_id is missing"}
		case cfg.ClientSecret == "":
			return nil, &ConfigError{Setting: "client_secret", Reason: "client_id is set but client_secret is missing"}
		}
	} else if strings.ContainsAny(cfg.AccessToken, " \t\r\n") {
		return nil, &ConfigError{Setting: "access_token", Reason: "must not contain whitespace"}
	}

	c.apiVersion = strings.TrimSpace(cfg.APIVersion)
	if c.apiVersion == "" {
		c.apiVersion = DefaultAPIVersion
	}
	if err := CheckAPIVersion(c.apiVersion); err != nil {
		return nil, configError("api_version", err)
	}
	cfg.APIVersion = c.apiVersion

	c.maxRetries = DefaultMaxRetries
	if cfg.MaxRetries != nil {
		c.maxRetries = *cfg.MaxRetries
	}
	if c.maxRetries < 0 {
		return nil, &ConfigError{Setting: "max_retries", Value: fmt.Sprint(c.maxRetries), Reason: "must not be negative"}
	}
	if cfg.RequestTimeout < 0 {
		return nil, &ConfigError{Setting: "request_timeout", Value: cfg.RequestTimeout.String(), Reason: "must not be negative"}
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	c.userAgent = strings.TrimSpace(cfg.UserAgent)
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	scopes := make([]string, 0, len(cfg.Scopes))
	for _, s := range cfg.Scopes {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	cfg.Scopes = scopes

	var transport http.RoundTripper
	if cfg.HTTPClient != nil {
		transport = cfg.HTTPClient.Transport
	}
	if transport == nil {
		t := cleanhttp.DefaultPooledTransport()
		// Keep a connection for every reader of a parallel read (and the
		// token request): with cleanhttp's default of GOMAXPROCS+1 idle
		// connections, 16 readers closed and redialled (TLS handshake
		// included, against Workiva) most of their connections on every
		// page.
		t.MaxIdleConnsPerHost = MaxParallelism + 2
		transport = t
	}
	// Both refuse every redirect (see redirect.go).
	c.apiHTTP = newHTTPClient(transport, cfg.RequestTimeout)
	c.tokenHTTP = newHTTPClient(userAgentTransport{base: transport, ua: c.userAgent}, cfg.RequestTimeout)
	c.gate = newGate()
	c.pages = make(chan struct{}, maxBufferedPages)

	if cfg.AccessToken == "" {
		c.oauth = &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     c.tokenURL,
			Scopes:       scopes,
			AuthStyle:    oauth2.AuthStyleInHeader,
		}
	}
	c.cfg = cfg
	return c, nil
}

// userAgentTransport sets the User-Agent on token requests, which the oauth2
// package builds itself.
type userAgentTransport struct {
	base http.RoundTripper
	ua   string
}

func (t userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r2)
}

// APIURL is the resolved API base URL (no trailing slash).
func (c *Client) APIURL() string { return c.baseStr }

// APIVersion is the X-Version sent on every call.
func (c *Client) APIVersion() string { return c.apiVersion }

func (c *Client) log(ctx context.Context, level LogLevel, msg string, fields map[string]any) {
	if c.cfg.Logger != nil {
		c.cfg.Logger.Log(ctx, level, msg, fields)
	}
}
