// Package workiva is a small client for Workiva's Activities API. It knows
// nothing about Terraform: the provider wraps it.
package workiva

import (
	"context"
	"errors"
	"net/http"
	"time"
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
	RequestTimeout time.Duration // per HTTP request (each attempt); 0 = none
	UserAgent      string

	// Logger receives one entry per attempt, retry and token fetch. Nil: silent.
	Logger Logger

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
