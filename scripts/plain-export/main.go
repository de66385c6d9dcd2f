// Command plain-export is the baseline of the export benchmark
// (scripts/bench-memory.sh): the plainest Go loop that fetches every page of
// an organization's activities, newest first, 1000 per page, and writes
// each activity as one JSON line to a file (temporary name, renamed at the
// end), with nothing but the standard library. The provider's export is
// measured against its wall time.
//
//	plain-export -out FILE   (WORKIVA_API_URL, WORKIVA_CLIENT_ID,
//	                          WORKIVA_CLIENT_SECRET, WORKIVA_ORGANIZATION_ID)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

func main() {
	out := flag.String("out", "", "file to write")
	flag.Parse()
	n, err := run(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plain-export:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

func run(out string) (int, error) {
	api := os.Getenv("WORKIVA_API_URL")
	if out == "" || api == "" {
		return 0, errors.New("need -out and WORKIVA_API_URL")
	}
	// A benchmark tool: it talks to the local emulator only.
	if !strings.HasPrefix(api, "http://127.0.0.1:") {
		return 0, fmt.Errorf("WORKIVA_API_URL %q is not the loopback emulator", api)
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {os.Getenv("WORKIVA_CLIENT_ID")},
		"client_secret": {os.Getenv("WORKIVA_CLIENT_SECRET")},
	}
	ctx := context.Background()
	treq, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/iam/v1/oauth2/token", strings.NewReader(form.Encode())) //nolint:gosec // loopback only, checked above
	if err != nil {
		return 0, err
	}
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(treq) //nolint:gosec // loopback only, checked above
	if err != nil {
		return 0, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	_ = resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return 0, fmt.Errorf("token: %w", err)
	}

	f, err := os.CreateTemp(dirOf(out), ".plain-export.*.tmp")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	w := bufio.NewWriterSize(f, 256<<10)
	n := 0
	next := api + "/admin/v1/organizations/" + url.PathEscape(os.Getenv("WORKIVA_ORGANIZATION_ID")) +
		"/activities?$maxpagesize=1000&$orderBy=activityDateTime%20desc"
	for next != "" {
		if !strings.HasPrefix(next, api+"/") {
			return n, fmt.Errorf("next link leaves the emulator: %q", next)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil) //nolint:gosec // loopback only, checked above
		if err != nil {
			return n, err
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("X-Version", "2026-01-01")
		resp, err := http.DefaultClient.Do(req) //nolint:gosec // loopback only, checked above
		if err != nil {
			return n, err
		}
		var page struct {
			Data []json.RawMessage `json:"data"`
			Next string            `json:"@nextLink"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return n, fmt.Errorf("page: status %d: %w", resp.StatusCode, err)
		}
		for _, a := range page.Data {
			_, _ = w.Write(a)
			_ = w.WriteByte('\n')
			n++
		}
		next = page.Next
	}
	if err := w.Flush(); err != nil {
		return n, err
	}
	if err := f.Sync(); err != nil {
		return n, err
	}
	if err := f.Close(); err != nil {
		return n, err
	}
	return n, os.Rename(f.Name(), out)
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i+1]
	}
	return "."
}
