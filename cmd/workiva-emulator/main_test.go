package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	bad := [][]string{
		{"-addr", "0.0.0.0:8080"},
		{"-addr", ":0"},
		{"-activities", "0"},
		{"-latency", "-1s"},
		{"-now", "yesterday"},
		{"extra"},
	}
	for _, args := range bad {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	c, err := parseFlags([]string{"-now", "2026-03-01T00:00:00Z", "-activities", "10", "-latency", "5ms", "-seed", "7", "-deprecation-headers"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.opts.Now.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || c.opts.Activities != 10 || c.latency != 5*time.Millisecond || c.opts.Seed != 7 || !c.deprec {
		t.Fatalf("%+v", c)
	}
	c, err = parseFlags(nil, io.Discard)
	if err != nil || time.Since(c.opts.Now) > time.Minute || c.addr != "127.0.0.1:0" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
}

func TestServeWritesEnvFileAndStops(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, "emu.env")
	c, err := parseFlags([]string{"-activities", "20", "-env-file", env}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, &out) }()

	var body []byte
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if body, err = os.ReadFile(env); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("env file not written")
		}
	}
	vars := map[string]string{}
	for line := range strings.Lines(string(body)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		vars[k] = v
	}
	for _, k := range []string{"WORKIVA_API_URL", "WORKIVA_CLIENT_ID", "WORKIVA_CLIENT_SECRET", "WORKIVA_ORGANIZATION_ID"} {
		if vars[k] == "" {
			t.Fatalf("%s missing from %q", k, body)
		}
	}
	resp, err := http.Get(vars["WORKIVA_API_URL"] + "/admin/v1/activityActions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(out.String(), vars["WORKIVA_CLIENT_SECRET"]) || !strings.Contains(out.String(), vars["WORKIVA_API_URL"]) {
		t.Errorf("output %q", out.String())
	}
}
