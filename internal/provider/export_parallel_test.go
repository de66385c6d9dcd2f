package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// The export's bytes do not depend on how the window was split: over bursty
// data (70% of it in 2% of the span, so most parallel pieces are empty and
// one holds nearly everything), every format, plain and gzip, both orders
// and a max_results cut, parallelism 16 writes the file parallelism 1
// writes, byte for byte; and that file holds the API's activities in its
// order (so equal digests are not two equally wrong files).
func TestAccActivitiesExport_parallelSameBytes(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{Activities: 2000, Burst: emulator.Burst{Share: 0.7, Span: 0.02}})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(srv.Close)
	all := srv.Activities()
	since, before := all[0].At, all[len(all)-1].At.Add(time.Second)

	type pair struct {
		seq, par exportCase
		limit    int
	}
	var pairs []pair
	for _, format := range exportFormats {
		for _, compression := range exportCompressions {
			for _, order := range []string{"asc", "desc"} {
				name := fmt.Sprintf("%s_%s_%s", format, compression, order)
				c := exportCase{format: format, compression: compression, order: order}
				seq, par := c, c
				seq.name, par.name = name+"_p1", name+"_p16"
				pairs = append(pairs, pair{seq: seq, par: par})
			}
		}
	}
	// A cut inside the burst: the parallel pieces after it must not leak in.
	cut := exportCase{format: formatJSONL, compression: compressionGzip, order: "desc"}
	cutSeq, cutPar := cut, cut
	cutSeq.name, cutPar.name = "cut_p1", "cut_p16"
	pairs = append(pairs, pair{seq: cutSeq, par: cutPar, limit: 777})

	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString(providerBlock(srv))
	for _, p := range pairs {
		for _, x := range []struct {
			c           exportCase
			parallelism int
		}{{p.seq, 1}, {p.par, 16}} {
			fmt.Fprintf(&cfg, "data \"workiva_activities_export\" %q {\n  path = %q\n  format = %q\n  compression = %q\n"+
				"  order = %q\n  since = %q\n  before = %q\n  page_size = 50\n  parallelism = %d\n",
				x.c.name, x.c.file(dir), x.c.format, x.c.compression, x.c.order,
				since.Format(time.RFC3339Nano), before.Format(time.RFC3339Nano), x.parallelism)
			if p.limit > 0 {
				fmt.Fprintf(&cfg, "  max_results = %d\n", p.limit)
			}
			cfg.WriteString("}\n")
		}
	}

	check := func(s *terraform.State) error {
		digest := func(c exportCase) (string, []byte) {
			file, content := readExport(t, c, dir)
			sum := sha256.Sum256(file)
			d := hex.EncodeToString(sum[:])
			rs := s.RootModule().Resources["data.workiva_activities_export."+c.name]
			if rs == nil {
				t.Fatalf("%s not in state", c.name)
			}
			if got := rs.Primary.Attributes["sha256"]; got != d {
				t.Errorf("%s: sha256 %s in state, the file's is %s", c.name, got, d)
			}
			return d, content
		}
		for _, p := range pairs {
			seqSum, seqContent := digest(p.seq)
			parSum, parContent := digest(p.par)
			if seqSum != parSum {
				t.Errorf("%s: sha256 at parallelism 16 %s, at 1 %s (content equal: %v)",
					p.par.name, parSum, seqSum, bytes.Equal(seqContent, parContent))
			}
			want := activityIDs(selectActivities(srv, p.seq.order, p.limit, nil))
			if got := parseExport(t, p.seq, srv, seqContent); !slices.Equal(got, want) {
				t.Errorf("%s: %d ids in file, want the API's %d in its order", p.seq.name, len(got), len(want))
			}
		}
		// Only the exports and their manifests remain: no temporary file
		// of the export or of its parallel pieces.
		expected := map[string]bool{}
		for _, p := range pairs {
			for _, c := range []exportCase{p.seq, p.par} {
				expected[filepath.Base(c.file(dir))] = true
				expected[filepath.Base(c.file(dir))+manifestSuffix] = true
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !expected[e.Name()] {
				t.Errorf("unexpected file left in %s: %s", dir, e.Name())
			}
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps:                    []resource.TestStep{{Config: cfg.String(), Check: check}},
	})
}
