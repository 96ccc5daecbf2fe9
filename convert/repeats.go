package convert

import "math/bits"

// fingerprints is the set of the fingerprints of the events read (see
// reading.fingerprint), so that an event read again counts once. It is the
// only thing a read keeps for every event, so it is kept small: a table of
// the fingerprints themselves, at most three quarters full, probed
// linearly. That is 8 to 21 bytes an event where a Go map takes about 40
// (on the generated 1,000,000-event export: 16 MB against 39).
//
// A fingerprint's slot is given by its high bits, so that the table keeps
// them about in order: growing it reads the old table and writes the new
// one front to back, where the cache and the prefetcher help, instead of
// writing every fingerprint to a random place once more.
type fingerprints struct {
	slots []uint64 // 0 is an empty slot; the fingerprint 0 is kept as 1
	shift uint     // 64 - log2(len(slots))
	n     int
	sink  uint64 // see ahead
}

// slot is where fp goes, or its probe starts.
func (s *fingerprints) slot(fp uint64) uint64 { return fp >> s.shift }

// ahead loads the slots where the fingerprints fps are to be added. The
// table is larger than the caches, and an add waits for its slot to be
// loaded from memory: the loads of many fingerprints at once overlap, and
// their adds then find their slots in the cache. 0s are no fingerprints.
func (s *fingerprints) ahead(fps []uint64) {
	if len(s.slots) == 0 {
		return
	}
	var sum uint64
	for _, fp := range fps {
		sum += s.slots[s.slot(fp)]
	}
	s.sink = sum // used, so that the loads are made
}

// add adds fp to the set and reports whether it is new there.
func (s *fingerprints) add(fp uint64) bool {
	if fp == 0 {
		fp = 1
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := s.slot(fp); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case fp:
			return false
		case 0:
			s.slots[i] = fp
			s.n++
			return true
		}
	}
}

// grow doubles the table (its size stays a power of two).
func (s *fingerprints) grow() {
	old := s.slots
	size := max(2*len(old), 1024)
	s.slots, s.shift, s.n = make([]uint64, size), uint(64-bits.TrailingZeros(uint(size))), 0
	for _, fp := range old {
		if fp != 0 {
			s.add(fp)
		}
	}
}
