package conformance

import (
	"reflect"
	"testing"
)

// TestChaosPlanIsTheSeeds: one seed draws one plan, whatever else
// happens; another seed another; and a plan of 1,000 complaints holds
// every kind of mischief many times.
func TestChaosPlanIsTheSeeds(t *testing.T) {
	if a, b := chaosPlan(1, 200), chaosPlan(1, 200); !reflect.DeepEqual(a, b) {
		t.Error("seed 1 drew two plans")
	}
	if a, b := chaosPlan(1, 200), chaosPlan(2, 200); reflect.DeepEqual(a, b) {
		t.Error("seeds 1 and 2 drew the same plan")
	}
	if a, b := chaosPlan(1, 100), chaosPlan(1, 200); !reflect.DeepEqual(a, b[:100]) {
		t.Error("the plan of the first 100 complaints depends on how many follow")
	}
	var late, forms, big, cut, dupFirst, dupAlong, dupAfter, forged, stale, followFirst, followAfter int
	alterations := map[int]bool{}
	for _, c := range chaosPlan(7, 1000) {
		for _, n := range []struct {
			on bool
			k  *int
		}{{c.late > 0, &late}, {c.form > 0, &forms}, {c.big, &big}, {c.cut, &cut}, {c.dupFirst, &dupFirst},
			{c.dupAlong, &dupAlong}, {c.dupAfter, &dupAfter}, {len(c.forged) > 0, &forged}, {c.stale, &stale},
			{c.followUp != "" && c.followFirst, &followFirst}, {c.followUp != "" && !c.followFirst, &followAfter}} {
			if n.on {
				*n.k++
			}
		}
		for _, a := range c.forged {
			alterations[a] = true
		}
	}
	for name, n := range map[string]int{"late": late, "other forms": forms, "big ids": big, "cut": cut, "duplicate first": dupFirst,
		"duplicate along": dupAlong, "duplicate after": dupAfter, "forged": forged, "stale": stale,
		"follow-up first": followFirst, "follow-up after": followAfter} {
		if n < 30 {
			t.Errorf("%s: %d of 1,000 complaints, want many", name, n)
		}
	}
	if len(alterations) != len(chaosAlterations) {
		t.Errorf("%d of the %d alterations used", len(alterations), len(chaosAlterations))
	}
}
