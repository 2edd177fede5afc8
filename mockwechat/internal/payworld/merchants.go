package payworld

import (
	"cmp"
	"crypto/rsa"
	"fmt"
	"net/http"
	"slices"

	"github.com/payfeedback/payfeedback/apiv3"
)

// AddMerchant adds a merchant, or replaces its keys (its complaints and
// callback URL stay; a new public key encrypts their payer_phone anew).
func (w *World) AddMerchant(m Merchant) (Effects, error) {
	if err := m.validate(); err != nil {
		return Effects{}, err
	}
	if err := w.lock(); err != nil {
		return Effects{}, err
	}
	defer w.mu.Unlock()
	old, ok := w.merchants[m.MchID]
	if !ok {
		w.merchants[m.MchID] = &merchantEntry{Merchant: m}
		return Effects{Changes: []Change{{What: MerchantAdded, MchID: m.MchID}}}, nil
	}
	rekey := !old.PublicKey.Equal(m.PublicKey)
	url := old.NotifyURL
	if m.NotifyURL != "" {
		url = m.NotifyURL
	}
	old.Merchant = m
	old.NotifyURL = url
	if rekey {
		for _, r := range old.index.items {
			if err := encryptPhone(r, m.PublicKey); err != nil {
				return Effects{}, err
			}
		}
	}
	return Effects{Changes: []Change{{What: MerchantChanged, MchID: m.MchID}}}, nil
}

// Merchant returns a merchant.
func (w *World) Merchant(mchid string) (Merchant, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.merchants[mchid]
	if !ok {
		return Merchant{}, false
	}
	return m.Merchant, true
}

// Merchants returns every merchant, by id.
func (w *World) Merchants() []Merchant {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sortedMerchants()
}

// MerchantKey returns what verifies a merchant's requests: its API
// certificate's serial and public key (never modified). ok is false for an
// unknown merchant.
func (w *World) MerchantKey(mchid string) (serial string, key *rsa.PublicKey, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m, ok := w.merchants[mchid]
	if !ok {
		return "", nil, false
	}
	return m.SerialNo, m.PublicKey, true
}

// merchantOf finds a merchant (w.mu held).
func (w *World) merchantOf(mchid string) (*merchantEntry, error) {
	m, ok := w.merchants[mchid]
	if !ok {
		return nil, &Refusal{Err: ErrNotFound, Status: http.StatusNotFound, Code: apiv3.CodeOrderNotExist, Message: "商户号不存在",
			Reason: "no merchant " + clip(mchid, 64) + ": add it first"}
	}
	return m, nil
}

// onlyMerchant returns the merchant of id "" when there is exactly one, or
// the one named (w.mu held).
func (w *World) onlyMerchant(mchid string) (*merchantEntry, error) {
	if mchid != "" {
		return w.merchantOf(mchid)
	}
	if len(w.merchants) != 1 {
		return nil, fmt.Errorf("payworld: %d merchants: say which one (mchid): %w", len(w.merchants), ErrNotFound)
	}
	for _, m := range w.merchants {
		return m, nil
	}
	panic("unreachable")
}

// sortedMerchants returns the merchants by id (w.mu held).
func (w *World) sortedMerchants() []Merchant {
	out := make([]Merchant, 0, len(w.merchants))
	for _, m := range w.merchants {
		out = append(out, m.Merchant)
	}
	slices.SortFunc(out, func(a, b Merchant) int { return cmp.Compare(a.MchID, b.MchID) })
	return out
}
