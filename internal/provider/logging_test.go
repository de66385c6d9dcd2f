package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// The tflog logger masks the configured secret and token wherever they
// appear, and fields that by name hold secrets, at every level.
func TestTflogLoggerMasksSecrets(t *testing.T) {
	const secret, token = "s3cr3t-value-123", "tok-abcdef-987"
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	l := tflogLogger{secrets: []string{secret, token}}
	for _, lvl := range []workiva.LogLevel{workiva.LevelTrace, workiva.LevelDebug, workiva.LevelInfo, workiva.LevelWarn, workiva.LevelError} {
		l.Log(ctx, lvl, "sending "+token, map[string]any{
			"url":           "https://x/?secret=" + secret,
			"authorization": "Basic whatever",
			"client_secret": "another",
			"attempt":       1,
		})
	}
	out := buf.String()
	for _, leak := range []string{secret, token, "Basic whatever", "another"} {
		if strings.Contains(out, leak) {
			t.Errorf("log output contains %q:\n%s", leak, out)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Fatalf("%d entries, want 5", len(entries))
	}
	for _, e := range entries {
		if e["attempt"] != float64(1) {
			t.Errorf("non-secret field lost: %v", e)
		}
	}
}

func TestMaskText(t *testing.T) {
	if got := maskText("bad secret xyz and xyz", []string{"xyz"}); got != "bad secret *** and ***" {
		t.Errorf("maskText = %q", got)
	}
}
