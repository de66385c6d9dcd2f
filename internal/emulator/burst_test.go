package emulator

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestBurstPacksShareIntoSubSpan(t *testing.T) {
	const n = 20_000
	b := Burst{Share: 0.7, Span: 0.02}
	s := New(Options{Activities: n, Burst: b})
	acts := s.Activities()
	if len(acts) != n {
		t.Fatalf("%d activities, want %d", len(acts), n)
	}
	start, end := BurstWindow(b, s.Now())
	if got, want := end.Sub(start), time.Duration(float64(Span)*0.02).Truncate(time.Second); got != want {
		t.Fatalf("burst lasts %v, want %v (2%% of the span)", got, want)
	}
	if !start.After(s.Now().Add(-Span)) || !end.Before(s.Now()) {
		t.Fatalf("burst [%v, %v) is not inside the span before %v", start, end, s.Now())
	}
	in := 0
	ids := make(map[string]bool, n)
	for i, a := range acts {
		if !a.At.Before(start) && a.At.Before(end) {
			in++
		}
		if ids[a.ID] {
			t.Fatalf("activity %d: duplicate id %s", i, a.ID)
		}
		ids[a.ID] = true
		if i > 0 {
			p := acts[i-1]
			if c := p.At.Compare(a.At); c > 0 || c == 0 && strings.Compare(p.ID, a.ID) >= 0 {
				t.Fatalf("activities %d and %d out of (time, id) order", i-1, i)
			}
		}
		if !a.At.Before(s.Now()) || a.At.Before(s.Now().Add(-Span)) {
			t.Fatalf("activity %d at %v is outside the span", i, a.At)
		}
	}
	// The quota is exact up to a group of siblings (at most 4 share a
	// timestamp) at the end.
	if want := 0.7 * n; math.Abs(float64(in)-want) > 5 {
		t.Fatalf("%d activities in the burst, want %.0f (70%%)", in, want)
	}
	// The rest is spread over the remaining 98%: none of it piles up at
	// the burst's ends.
	before, after := 0, 0
	for _, a := range acts {
		switch {
		case a.At.Before(start):
			before++
		case !a.At.Before(end):
			after++
		}
	}
	if before < n/10 || after < n/10 {
		t.Fatalf("outside the burst: %d before, %d after; want both spread", before, after)
	}
}

// TestBurstOnlyMovesTimestamps: the burst draws the same random numbers, so
// only times differ from the default data set, and no burst is exactly the
// generator's default.
func TestBurstOnlyMovesTimestamps(t *testing.T) {
	const n = 3000
	plain := generate(DefaultSeed, DefaultNow, n)
	def := New(Options{Activities: n}).data
	for i := range plain.encoded {
		if !bytes.Equal(plain.encoded[i], def.encoded[i]) {
			t.Fatalf("activity %d: the default server's data differs from the generator without a burst", i)
		}
	}
	burst := generateBurst(DefaultSeed, DefaultNow, n, Burst{Share: 0.7, Span: 0.02})
	moved := 0
	for _, a := range plain.activities {
		j, ok := burst.byID[a.ID]
		if !ok {
			t.Fatalf("activity %s of the default data set is missing with a burst", a.ID)
		}
		b := burst.activities[j]
		if !b.At.Equal(a.At) {
			moved++
		}
		b.At, b.ActivityDateTime = a.At, a.ActivityDateTime
		// A folder is named after its activity's month.
		b.Targets = append([]Target(nil), b.Targets...)
		for k := range b.Targets {
			if b.Targets[k].Type == typeFolder {
				b.Targets[k].DisplayName = a.Targets[k].DisplayName
			}
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("activity %s differs beyond its time with a burst", a.ID)
		}
	}
	if moved < n*9/10 {
		t.Fatalf("only %d of %d activities moved with a burst", moved, n)
	}
}

func TestParseBurst(t *testing.T) {
	b, err := ParseBurst("0.7:0.02")
	if err != nil || b != (Burst{Share: 0.7, Span: 0.02}) {
		t.Fatalf("ParseBurst(0.7:0.02) = %+v, %v", b, err)
	}
	if b.String() != "0.7:0.02" {
		t.Fatalf("String() = %q", b.String())
	}
	if b, err := ParseBurst(""); err != nil || b != (Burst{}) {
		t.Fatalf(`ParseBurst("") = %+v, %v`, b, err)
	}
	for in, want := range map[string]string{
		"0.7":       "SHARE:SPAN",
		"x:0.02":    "two numbers",
		"1.5:0.02":  "between 0 and 1",
		"0.7:0":     "above 0 and below 1",
		"0.7:1":     "above 0 and below 1",
		"NaN:0.1":   "between 0 and 1",
		"0:0.02":    "give both",
		"-0.1:0.02": "between 0 and 1",
	} {
		if _, err := ParseBurst(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBurst(%q) = %v, want an error saying %q", in, err, want)
		}
	}
	if _, err := Start(Options{Activities: 10, Burst: Burst{Share: 2, Span: 0.1}}); err == nil {
		t.Fatal("Start accepted an invalid burst")
	}
}
