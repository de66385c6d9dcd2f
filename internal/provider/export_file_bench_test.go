package provider

import (
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// BenchmarkExportGzip writes 20,000 activities as JSON Lines through the
// export's file (temporary file, SHA-256, gzip) and, in the same run, the
// same bytes through compress/gzip at its default level: the writing that
// the end of a parallel export waits for, once the reading is over. Metrics:
// MB/s of JSON Lines for each, and x-stdlib, the export's time over the
// standard library's compression alone.
func BenchmarkExportGzip(b *testing.B) {
	const n = 20_000
	items := make([]*workiva.Activity, n)
	var plain int64
	for i := range items {
		raw := fmt.Appendf(nil, `{"id":"act-%08d","activityDateTime":"2026-03-01T10:%02d:%02d.%03dZ","summary":"Member %d added user %d to workspace %d","outcome":"success","action":{"id":"com.workiva.administration.workspace_membership.create","alias":"workspace_membership_create","name":"Workspace membership created","category":"Administration","deprecated":false},"performer":{"id":"user-%d","type":"com.workiva.iam.principal.user","displayName":"User %d","uniqueName":"user%d@example.com","ipAddress":"10.0.%d.%d"},"targets":[{"id":"user-%d","type":"com.workiva.administration.user","displayName":"User %d","uniqueName":"user%d"}],"organization":{"id":"org-1","name":"Example"},"workspace":{"id":"ws-%d","name":"Workspace %d"},"tags":["correlationId:%016x"],"attachments":[]}`,
			i, i/60%60, i%60, i%1000, i%97, i%89, i%13, i%97, i%97, i%97, i%250, i%199, i%89, i%89, i%89, i%13, i%13, i*2654435761)
		items[i] = &workiva.Activity{ID: fmt.Sprintf("act-%08d", i), Raw: raw}
		plain += int64(len(raw) + 1)
	}
	var export, std float64 // seconds per run
	b.Run("export", func(b *testing.B) {
		b.SetBytes(plain)
		for b.Loop() {
			f, err := createExportFile(filepath.Join(b.TempDir(), "a.jsonl.gz"), formatJSONL, compressionGzip)
			if err != nil {
				b.Fatal(err)
			}
			for _, a := range items {
				if err := f.write(a); err != nil {
					b.Fatal(err)
				}
			}
			if err := f.finish(); err != nil {
				b.Fatal(err)
			}
			f.abort()
		}
		export = b.Elapsed().Seconds() / float64(b.N)
	})
	b.Run("stdlib-gzip", func(b *testing.B) {
		b.SetBytes(plain)
		for b.Loop() {
			z := stdgzip.NewWriter(io.Discard)
			for _, a := range items {
				_, _ = z.Write(a.Raw)
				_, _ = z.Write([]byte{'\n'})
			}
			if err := z.Close(); err != nil {
				b.Fatal(err)
			}
		}
		std = b.Elapsed().Seconds() / float64(b.N)
		if export > 0 {
			b.ReportMetric(export/std, "x-stdlib")
		}
	})
}
