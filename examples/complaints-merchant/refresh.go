package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// RefreshEvery is the least time between two downloads of the platform
// certificates prompted by callbacks of an unknown serial: a flood of
// forged callbacks must not become a flood of calls to WeChat.
const RefreshEvery = time.Minute

// certRefresher downloads the platform certificates again when a callback
// comes signed with a certificate serial the verifier does not know:
// WeChat replaced its platform certificate (they expire), and a merchant
// that downloaded them once at start holds only the old one. The callback
// itself is refused (401, as any that does not verify): WeChat retries
// it, and the retry verifies with the certificates downloaded meanwhile.
type certRefresher struct {
	api  string
	keys *apiv3.MerchantKeys
	v    *apiv3.Verifier
	log  *slog.Logger
	now  func() time.Time

	mu   sync.Mutex // held during a download: one at a time
	last time.Time  // the last download it made (zero: none yet)
}

// refuse is the callback middleware's ErrorHandler: it answers as
// callback.DefaultErrorHandler does, after downloading the certificates
// again when the refusal was an unknown certificate serial (not a public
// key id: the WeChat Pay public key is configured, never downloaded).
func (c *certRefresher) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var ve *apiv3.VerifyError
	if errors.Is(err, apiv3.ErrUnknownSerial) && errors.As(err, &ve) && !apiv3.IsPublicKeyID(ve.Serial) {
		c.refresh(r.Context(), ve.Serial)
	}
	callback.DefaultErrorHandler(w, r, err)
}

// refresh downloads the certificates and trusts them, unless it did less
// than RefreshEvery ago.
func (c *certRefresher) refresh(ctx context.Context, serial string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !c.last.IsZero() && now.Sub(c.last) < RefreshEvery {
		c.log.Warn("a callback of an unknown platform certificate: certificates downloaded less than a minute ago, not again", "serial", serial)
		return
	}
	c.last = now
	signer, err := c.keys.Signer(nil)
	if err != nil {
		c.log.Error("platform certificates not downloaded again", "error", err)
		return
	}
	aead, err := apiv3.NewAEAD(c.keys.APIv3Key)
	if err != nil {
		c.log.Error("platform certificates not downloaded again", "error", err)
		return
	}
	client, err := apiv3.NewClient(apiv3.ClientOptions{BaseURL: c.api, MchID: c.keys.MchID, Signer: signer, Verifier: c.v, UserAgent: "payfeedback-complaints-merchant"})
	if err != nil {
		c.log.Error("platform certificates not downloaded again", "error", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second) // within WeChat's 5 s for the callback
	defer cancel()
	certs, err := client.DownloadCertificates(ctx, aead)
	if err != nil {
		c.log.Warn("a callback of an unknown platform certificate: downloading the certificates again failed", "serial", serial, "error", err)
		return
	}
	if err := c.v.SetCertificates(certs); err != nil {
		c.log.Error("platform certificates not trusted", "error", err)
		return
	}
	c.log.Info("a callback of an unknown platform certificate: certificates downloaded again (WeChat replaced its certificate)", "serial", serial, "serials", c.v.Serials())
}
