package payworld

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/payfeedback/payfeedback/complaints"
)

// State is the whole world as plain data: what Snapshot returns and
// Restore takes, ready to serialise to JSON. Nothing in it is shared with
// the world. It holds secrets (the merchants' APIv3 keys): whoever shows
// it masks them.
type State struct {
	Merchants []Merchant `json:"merchants"`
	// Complaints are in filing order, each with its history.
	Complaints []Complaint `json:"complaints"`
	// Images are oldest first.
	Images []Image `json:"images"`
	// Counters and IDs (the generator's state) let a restored world make
	// the ids the saved one would have.
	Counters Counters `json:"counters"`
	IDs      []byte   `json:"ids"`
}

// Snapshot returns a deep copy of the whole world.
func (w *World) Snapshot() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := State{Merchants: w.sortedMerchants(), Complaints: make([]Complaint, 0, len(w.filed)), Images: w.images.list(), Counters: w.counters}
	for _, r := range w.filed {
		s.Complaints = append(s.Complaints, r.Complaint.Clone())
	}
	s.IDs, _ = w.pcg.MarshalBinary()
	return s
}

// Restore replaces the whole world by s, after checking it holds together
// (every complaint's merchant exists, ids are unique, states are known);
// on error the world is unchanged. The world keeps copies: s may be
// reused.
func (w *World) Restore(s State) (Effects, error) {
	pcg := &rand.PCG{}
	if len(s.IDs) > 0 {
		if err := pcg.UnmarshalBinary(s.IDs); err != nil {
			return Effects{}, fmt.Errorf("payworld: state: ids: %v", err)
		}
	} else {
		seed := rand.Uint64()
		pcg = rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	}
	if err := w.lock(); err != nil {
		return Effects{}, err
	}
	defer w.mu.Unlock()
	ms, cs, filed, images, counters, oldPCG, rng := w.merchants, w.complaints, w.filed, w.images, w.counters, w.pcg, w.rng
	w.reset(pcg)
	if err := w.load(s); err != nil {
		w.merchants, w.complaints, w.filed, w.images, w.counters, w.pcg, w.rng = ms, cs, filed, images, counters, oldPCG, rng
		return Effects{}, err
	}
	return Effects{Changes: []Change{{What: WorldRestored}}}, nil
}

// load fills the empty world from s (w.mu held).
func (w *World) load(s State) error {
	for _, m := range s.Merchants {
		if err := m.validate(); err != nil {
			return fmt.Errorf("payworld: state: %w", err)
		}
		if _, ok := w.merchants[m.MchID]; ok {
			return fmt.Errorf("payworld: state: merchant %s twice", m.MchID)
		}
		w.merchants[m.MchID] = &merchantEntry{Merchant: m}
	}
	for i, c := range s.Complaints {
		id := c.Wire.ComplaintID
		m, ok := w.merchants[c.Wire.ComplaintedMchID]
		switch {
		case complaints.ValidateComplaintID(id) != nil:
			return fmt.Errorf("payworld: state: complaint %d: %w", i, complaints.ValidateComplaintID(id))
		case !ok:
			return fmt.Errorf("payworld: state: complaint %s of unknown merchant %s", clip(id, 64), clip(c.Wire.ComplaintedMchID, 64))
		case !c.Wire.ComplaintState.Known():
			return fmt.Errorf("payworld: state: complaint %s in state %q: want PENDING, PROCESSING or PROCESSED", clip(id, 64), clip(string(c.Wire.ComplaintState), 32))
		}
		if _, dup := w.complaints[id]; dup {
			return fmt.Errorf("payworld: state: complaint %s twice", clip(id, 64))
		}
		r := &record{Complaint: c.Clone(), seq: uint64(len(w.filed) + 1)}
		w.complaints[id] = r
		w.filed = append(w.filed, r)
		m.index.add(r)
	}
	for _, img := range s.Images {
		if img.MediaID == "" || w.images.has(img.MediaID) {
			return fmt.Errorf("payworld: state: image %q: empty or twice", clip(img.MediaID, 80))
		}
		c := img
		c.Data = slices.Clone(img.Data)
		w.images.add(&c)
	}
	w.counters = s.Counters
	return nil
}
