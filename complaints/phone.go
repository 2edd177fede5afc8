package complaints

import (
	"crypto/rsa"
	"fmt"

	"github.com/payfeedback/payfeedback/apiv3"
)

// DecryptPayerPhone returns the user's phone number: c.PayerPhone decrypted
// with merchantKey, the merchant's API private key (apiclient_key.pem;
// RSA-OAEP, see docs/apiv3.md). It returns "" when the complaint carries no
// phone. The error never shows the ciphertext or the number.
func (c Complaint) DecryptPayerPhone(merchantKey *rsa.PrivateKey) (string, error) {
	if c.PayerPhone == "" {
		return "", nil
	}
	if merchantKey == nil {
		return "", fmt.Errorf("complaints: complaint %s: no key to decrypt payer_phone: give the merchant's API private key (apiclient_key.pem)", c.ComplaintID)
	}
	phone, err := apiv3.DecryptOAEP(merchantKey, c.PayerPhone)
	if err != nil {
		return "", fmt.Errorf("complaints: complaint %s: payer_phone: %w (was it encrypted for another merchant certificate?)", c.ComplaintID, err)
	}
	return phone, nil
}
