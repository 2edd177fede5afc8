package payworld

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// Merchant is a merchant of the world, as plain data.
type Merchant struct {
	// MchID is its id (商户号).
	MchID string
	// SerialNo is its API certificate's serial: its requests' Authorization
	// must name it.
	SerialNo string
	// PublicKey is its API public key: it verifies its requests and
	// encrypts payer_phone. It is never modified.
	PublicKey *rsa.PublicKey
	// APIv3Key encrypts its callbacks and the platform certificates (32
	// characters). A secret: the console never shows it.
	APIv3Key string
	// NotifyURL is its callback URL, "" before it creates one.
	NotifyURL string
}

// merchantJSON is a Merchant's JSON form: its public key in PEM.
type merchantJSON struct {
	MchID     string `json:"mchid"`
	SerialNo  string `json:"serial_no"`
	PublicKey string `json:"public_key"`
	APIv3Key  string `json:"apiv3_key"`
	NotifyURL string `json:"notify_url,omitempty"`
}

// MarshalJSON writes m with its public key in PEM.
func (m Merchant) MarshalJSON() ([]byte, error) {
	j := merchantJSON{MchID: m.MchID, SerialNo: m.SerialNo, APIv3Key: m.APIv3Key, NotifyURL: m.NotifyURL}
	if m.PublicKey != nil {
		pem, err := apiv3.EncodePublicKey(m.PublicKey)
		if err != nil {
			return nil, err
		}
		j.PublicKey = string(pem)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Merchant) UnmarshalJSON(b []byte) error {
	var j merchantJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Merchant{MchID: j.MchID, SerialNo: j.SerialNo, APIv3Key: j.APIv3Key, NotifyURL: j.NotifyURL}
	if j.PublicKey != "" {
		k, err := apiv3.ParsePublicKey([]byte(j.PublicKey))
		if err != nil {
			return fmt.Errorf("merchant %s: public_key: %w", clip(j.MchID, 64), err)
		}
		m.PublicKey = k
	}
	return nil
}

// validate checks a merchant before the world takes it.
func (m Merchant) validate() error {
	switch {
	case m.MchID == "" || len(m.MchID) > complaints.MaxMchIDLength:
		return fmt.Errorf("payworld: merchant id %q: want 1 to %d characters", clip(m.MchID, 80), complaints.MaxMchIDLength)
	case m.SerialNo == "":
		return fmt.Errorf("payworld: merchant %s: SerialNo is empty: give its API certificate's serial", m.MchID)
	case m.PublicKey == nil:
		return fmt.Errorf("payworld: merchant %s: PublicKey is nil: give its API public key (it verifies its requests and encrypts payer_phone)", m.MchID)
	case m.PublicKey.N.BitLen() < apiv3.MinKeyBits:
		return fmt.Errorf("payworld: merchant %s: its public key has %d bits, want at least %d", m.MchID, m.PublicKey.N.BitLen(), apiv3.MinKeyBits)
	case len(m.APIv3Key) != apiv3.APIv3KeyLength:
		return fmt.Errorf("payworld: merchant %s: APIv3Key has %d characters, want %d", m.MchID, len(m.APIv3Key), apiv3.APIv3KeyLength)
	}
	return nil
}

// merchant is a Merchant and its complaints, sorted by filing time (w.mu).
type merchant struct {
	Merchant
	index timeIndex
}

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
		w.merchants[m.MchID] = &merchant{Merchant: m}
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
			if err := w.encryptPhone(r, m.PublicKey); err != nil {
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
func (w *World) merchantOf(mchid string) (*merchant, error) {
	m, ok := w.merchants[mchid]
	if !ok {
		return nil, &Refusal{Err: ErrNotFound, Status: http.StatusNotFound, Code: apiv3.CodeOrderNotExist, Message: "商户号不存在",
			Reason: "no merchant " + clip(mchid, 64) + ": add it first"}
	}
	return m, nil
}

// onlyMerchant returns the merchant of id "" when there is exactly one, or
// the one named (w.mu held).
func (w *World) onlyMerchant(mchid string) (*merchant, error) {
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

// NotifyURL returns a merchant's callback URL (GET
// complaint-notifications); none yet is refused as WeChat does: 400
// RESOURCE_NOT_EXISTS "查询的通知回调不存在".
func (w *World) NotifyURL(mchid string) (complaints.NotificationURL, error) {
	if err := w.lock(); err != nil {
		return complaints.NotificationURL{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return complaints.NotificationURL{}, err
	}
	if m.NotifyURL == "" {
		return complaints.NotificationURL{}, noNotifyURL(mchid)
	}
	return complaints.NotificationURL{MchID: m.MchID, URL: m.NotifyURL}, nil
}

func noNotifyURL(mchid string) *Refusal {
	return &Refusal{Err: ErrNotFound, Status: http.StatusBadRequest, Code: apiv3.CodeResourceNotExists, Message: MsgNoNotifyURL,
		Reason: "merchant " + clip(mchid, 64) + " has no callback URL: create it first (POST complaint-notifications)"}
}

// CreateNotifyURL sets a merchant's callback URL (POST
// complaint-notifications); when it has one, the Rules say whether the new
// one replaces it. The URL must pass complaints.NotificationURLRequest's
// Validate (the caller checked it and answered its own error).
func (w *World) CreateNotifyURL(mchid, url string) (complaints.NotificationURL, Effects, error) {
	return w.setNotifyURL(mchid, url, true)
}

// UpdateNotifyURL changes a merchant's callback URL (PUT); none yet is
// refused as GET is.
func (w *World) UpdateNotifyURL(mchid, url string) (complaints.NotificationURL, Effects, error) {
	return w.setNotifyURL(mchid, url, false)
}

func (w *World) setNotifyURL(mchid, url string, create bool) (complaints.NotificationURL, Effects, error) {
	if err := (complaints.NotificationURLRequest{URL: url}).Validate(); err != nil {
		return complaints.NotificationURL{}, Effects{}, err
	}
	if err := w.lock(); err != nil {
		return complaints.NotificationURL{}, Effects{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return complaints.NotificationURL{}, Effects{}, err
	}
	switch {
	case create && m.NotifyURL != "" && w.rules.RefuseCreateWhenURLExists:
		return complaints.NotificationURL{}, Effects{}, &Refusal{Err: ErrState, Status: http.StatusBadRequest, Code: apiv3.CodeInvalidRequest,
			Message: MsgWrongState, Reason: "merchant " + m.MchID + " has a callback URL already: change it with PUT (Rules.RefuseCreateWhenURLExists)"}
	case !create && m.NotifyURL == "":
		return complaints.NotificationURL{}, Effects{}, noNotifyURL(mchid)
	}
	m.NotifyURL = url
	return complaints.NotificationURL{MchID: m.MchID, URL: url}, Effects{Changes: []Change{{What: NotifyURLChanged, MchID: m.MchID}}}, nil
}

// DeleteNotifyURL removes a merchant's callback URL (DELETE); none yet is
// refused as GET is. Callbacks then have nowhere to go.
func (w *World) DeleteNotifyURL(mchid string) (Effects, error) {
	if err := w.lock(); err != nil {
		return Effects{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return Effects{}, err
	}
	if m.NotifyURL == "" {
		return Effects{}, noNotifyURL(mchid)
	}
	m.NotifyURL = ""
	return Effects{Changes: []Change{{What: NotifyURLChanged, MchID: m.MchID}}}, nil
}
