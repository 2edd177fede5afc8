package payworld

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"

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
	// characters). A secret the merchant must configure: the banner prints
	// the demo merchant's, and the console's keys page shows it masked until
	// asked, as it shows the other values to configure; snapshots with
	// secrets omitted leave it out.
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

// merchantEntry is a Merchant and its complaints, sorted by filing time (w.mu).
type merchantEntry struct {
	Merchant
	index timeIndex
}
