package convert

// fingerprints is the set of the fingerprints of the events read (see
// reading.fingerprint), so that an event read again counts once. It is the
// only thing a read keeps for every event, so it is kept small: a table of
// the fingerprints themselves, at most three quarters full, probed
// linearly. That is 8 to 21 bytes an event where a Go map takes about 40
// (on the generated 1,000,000-event export: 16 MB against 39).
type fingerprints struct {
	slots []uint64 // 0 is an empty slot; the fingerprint 0 is kept as 1
	n     int
	sink  uint64 // see ahead
}

// ahead loads the slots where the fingerprints fps are to be added. The
// table is larger than the caches, and an add waits for its slot to be
// loaded from memory: the loads of many fingerprints at once overlap, and
// their adds then find their slots in the cache. 0s are no fingerprints.
func (s *fingerprints) ahead(fps []uint64) {
	if len(s.slots) == 0 {
		return
	}
	mask := uint64(len(s.slots) - 1)
	var sum uint64
	for _, fp := range fps {
		sum += s.slots[fp&mask]
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
	// Fingerprints are hashes: their low bits are as good a place as any.
	mask := uint64(len(s.slots) - 1)
	for i := fp & mask; ; i = (i + 1) & mask {
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
	s.slots, s.n = make([]uint64, max(2*len(old), 1024)), 0
	for _, fp := range old {
		if fp != 0 {
			s.add(fp)
		}
	}
}
