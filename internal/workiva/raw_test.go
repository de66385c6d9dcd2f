package workiva

import (
	"bytes"
	"reflect"
	"testing"
)

// KeepRaw hands over each item's bytes exactly as the emulator sent them
// (members the client does not decode, such as action.type, included) and
// the same decoded activity as without it, sequentially and in parallel.
func TestEmulatorKeepRaw(t *testing.T) {
	s := sharedEmulator(t)
	c := mustNew(t, emuConfig(s))
	all := s.Activities()
	q := ActivityQuery{OrganizationID: s.OrganizationID(), Order: "asc", PageSize: 300, KeepRaw: true}
	par := q
	par.Since, par.Before, par.Parallelism = all[0].At, all[len(all)-1].At.Add(1), 4
	for name, q := range map[string]ActivityQuery{"sequential": q, "parallel": par} {
		got, res := listAll(t, c, q)
		if len(got) != len(all) || res.Count != len(all) {
			t.Fatalf("%s: %d items, want %d", name, len(got), len(all))
		}
		unknownKept := false
		for i, a := range got {
			want, _ := s.ActivityJSON(all[i].ID)
			if !bytes.Equal(a.Raw, want) {
				t.Fatalf("%s: item %d raw\n got %s\nwant %s", name, i, a.Raw, want)
			}
			unknownKept = unknownKept || all[i].Action.Type != "" // and Raw equals what was sent
			a.Raw = nil
			if !sameActivity(t, a, fromEmulator(all[i])) {
				t.Fatalf("%s: item %d decoded differently with KeepRaw", name, i)
			}
		}
		if !unknownKept {
			t.Errorf("%s: no item carried a member the client does not decode (action.type): the test proves less than it says", name)
		}
	}
	// RawOnly: the same bytes, and only the ID and time decoded besides.
	q.RawOnly = true
	got, _ := listAll(t, c, q)
	if len(got) != len(all) {
		t.Fatalf("RawOnly: %d items, want %d", len(got), len(all))
	}
	for i, a := range got {
		want, _ := s.ActivityJSON(all[i].ID)
		if !bytes.Equal(a.Raw, want) || !reflect.DeepEqual(*a, Activity{ID: all[i].ID, ActivityDateTime: all[i].ActivityDateTime, Raw: a.Raw}) {
			t.Fatalf("RawOnly: item %d is %+v, want only id, time and the bytes sent", i, a)
		}
	}
	q.RawOnly = false

	// Without KeepRaw nothing is copied.
	q.KeepRaw = false
	if got, _ := listAll(t, c, q); got[0].Raw != nil {
		t.Error("Raw set without KeepRaw")
	}
}
