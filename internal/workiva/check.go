package workiva

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The checks below are the one home of the setting rules: New applies them
// to Config, and the provider to configuration and environment values (at
// plan time where it can), so the two layers cannot disagree.

// Regions lists the Workiva regions, in the order documentation names them.
var Regions = []string{"us", "eu", "apac"}

// Rules, worded to follow the name of the setting ("api_url must be ...").
const (
	URLRule        = "must be an absolute https:// URL (http:// is allowed only for loopback hosts such as 127.0.0.1 or localhost)"
	APIVersionRule = "must be a Workiva API version date such as " + DefaultAPIVersion
)

// ValueError is a value that breaks a rule. Value is safe to print: a URL's
// user information is masked (see RedactURL).
type ValueError struct {
	Value string
	Rule  string
}

func (e *ValueError) Error() string { return fmt.Sprintf("%s, got %q", e.Rule, e.Value) }

// CheckRegion accepts exactly one of Regions.
func CheckRegion(s string) error {
	if _, ok := RegionHosts[s]; ok {
		return nil
	}
	return &ValueError{Value: s, Rule: "must be one of " + strings.Join(Regions, ", ")}
}

// CheckAPIVersion accepts a date in the form YYYY-MM-DD.
func CheckAPIVersion(s string) error {
	if len(s) != len(time.DateOnly) {
		return &ValueError{Value: s, Rule: APIVersionRule}
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return &ValueError{Value: s, Rule: APIVersionRule}
	}
	return nil
}

// CheckURL validates an API or token URL: absolute, https (http only for
// loopback hosts, so that local emulators work but credentials never cross
// a network in clear), no user information, query or fragment, a valid port.
func CheckURL(raw string) error {
	_, err := parseEndpoint(raw)
	return err
}

func parseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &ValueError{Value: RedactURL(raw), Rule: "not a valid URL; " + URLRule}
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return nil, &ValueError{Value: RedactURL(raw), Rule: URLRule}
	}
	shown := RedactURL(raw)
	if u.User != nil {
		return nil, &ValueError{Value: shown, Rule: "must not contain user information (user:password@); " + URLRule}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, &ValueError{Value: shown, Rule: "must not contain a query or fragment; " + URLRule}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, &ValueError{Value: shown, Rule: URLRule}
		}
	default:
		return nil, &ValueError{Value: shown, Rule: URLRule}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return nil, &ValueError{Value: shown, Rule: "must have a port between 1 and 65535; " + URLRule}
		}
	}
	return u, nil
}

// IsLoopbackHost reports whether host (no port) is a loopback address or
// localhost (with or without the trailing dot of a fully qualified name).
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL returns raw with the password of its user information masked,
// as url.URL.Redacted does; when raw does not parse, everything between
// "//" and the last "@" of the authority is masked instead, so that a
// password never reaches a diagnostic or a log.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return raw // as typed, not re-encoded
		}
		return u.Redacted()
	}
	i := strings.Index(raw, "//")
	if i < 0 {
		return raw
	}
	rest := raw[i+2:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:i+2] + "xxxxx" + rest[at:]
}

// configError words a failed check as a ConfigError of setting.
func configError(setting string, err error) error {
	var ve *ValueError
	if errors.As(err, &ve) {
		return &ConfigError{Setting: setting, Value: ve.Value, Reason: ve.Rule}
	}
	return &ConfigError{Setting: setting, Reason: err.Error()}
}
