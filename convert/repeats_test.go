package convert

import (
	"math/rand/v2"
	"testing"
)

// TestFingerprints: the table answers as a set does, through its growth,
// for the fingerprints 0 and 1 (kept as one) and for neighbours that
// probe into each other's slots.
func TestFingerprints(t *testing.T) {
	var s fingerprints
	want := map[uint64]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100_000 {
		fp := rng.Uint64()
		switch i % 4 {
		case 0:
			fp = uint64(i) << 46 // neighbours: high bits one after another
		case 1:
			fp = uint64(i / 64) // only low bits: they collide in every table
		}
		if fp == 0 {
			fp = 1
		}
		if got := s.add(fp); got != !want[fp] {
			t.Fatalf("add(%#x) = %v after %d adds, want %v", fp, got, i, !want[fp])
		}
		want[fp] = true
	}
	if s.n != len(want) || 4*s.n > 3*len(s.slots) {
		t.Errorf("%d fingerprints in %d slots, want %d at most three quarters full", s.n, len(s.slots), len(want))
	}
	if s.add(0) {
		t.Error("0 is new though 1 is there")
	}
}
