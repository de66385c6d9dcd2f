package workiva

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	good := []string{
		"https://api.app.wdesk.com", "http://127.0.0.1:8080", "http://localhost", "http://localhost.:9",
		"http://LOCALHOST", "http://[::1]:9/x", "http://127.9.9.9",
	}
	for _, s := range good {
		if err := CheckURL(s); err != nil {
			t.Errorf("CheckURL(%q) = %v", s, err)
		}
		if _, err := New(Config{APIURL: s, AccessToken: "t"}); err != nil {
			t.Errorf("New with api_url %q: %v (the client and CheckURL disagree)", s, err)
		}
	}
	bad := map[string]string{
		"http://example.com":            URLRule,
		"http://localhost.example.com":  URLRule,
		"ftp://127.0.0.1":               URLRule,
		"https://":                      URLRule,
		"":                              URLRule,
		"/iam/v1/oauth2/token":          URLRule,
		"https://h/?q=1":                "query or fragment",
		"https://h:0":                   "port",
		"https://h:70000":               "port",
		"https://user:PASSWORD@h":       "user information",
		"http://user:PASSWORD@h%zz":     "not a valid URL",
		"http://user:PASS WORD@h/x":     "not a valid URL",
		"https://user:PASSWORD@h/?q=1#": "user information",
	}
	for s, want := range bad {
		err := CheckURL(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%q) = %v, want %q", s, err, want)
			continue
		}
		_, nerr := New(Config{APIURL: s, AccessToken: "t"})
		if s == "" { // empty means "from region" to the client
			continue
		}
		if nerr == nil || !strings.Contains(nerr.Error(), want) {
			t.Errorf("New with api_url %q = %v, want %q", s, nerr, want)
		}
		for _, e := range []error{err, nerr} {
			if strings.Contains(e.Error(), "PASSWORD") || strings.Contains(e.Error(), "PASS WORD") {
				t.Errorf("%q: the password is printed: %v", s, e)
			}
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://user:PASSWORD@127.0.0.1:1/x": "http://user:xxxxx@127.0.0.1:1/x",
		"http://user:PASSWORD@h%zz/x":        "http://xxxxx@h%zz/x",
		"http://a@b:c@h%zz":                  "http://xxxxx@h%zz",
		"https://h/x@y":                      "https://h/x@y",
		"no url at all":                      "no url at all",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckRegionAndAPIVersion(t *testing.T) {
	for _, r := range Regions {
		if CheckRegion(r) != nil {
			t.Errorf("region %q rejected", r)
		}
		if RegionHosts[r] == "" {
			t.Errorf("region %q has no host", r)
		}
	}
	if len(RegionHosts) != len(Regions) {
		t.Errorf("Regions and RegionHosts disagree")
	}
	for _, r := range []string{"", "US", " us", "ap"} {
		if CheckRegion(r) == nil {
			t.Errorf("region %q accepted", r)
		}
	}
	if CheckAPIVersion(DefaultAPIVersion) != nil {
		t.Error("the default API version is rejected")
	}
	for _, v := range []string{"", "v1", "2026-1-1", "2026-13-01", "2026-01-01T00:00:00Z"} {
		if CheckAPIVersion(v) == nil {
			t.Errorf("api version %q accepted", v)
		}
	}
}
