package console

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
)

// maxProbes is how many SIGNTEST probes the keys page lists (the newest).
const maxProbes = 10

// keysData is what the keys page shows: ids, serials, the mode, where the
// files are. Built field by field from the identity, so that no key
// reaches a template.
type keysData struct {
	Tab            payTab
	MchID          string
	SerialNo       string
	APIv3Key       string
	APIv3Masked    string
	PublicKeyID    string
	PlatformSerial string
	// HasPrivateKey: the fake made the merchant's API key (the demo
	// merchant), so a keys directory holds apiclient_key.pem.
	HasPrivateKey bool
	Mode          paykeys.Mode
	Modes         []paykeys.Mode
	// In the switch: when it began, its day (1 to 7, then 7+) and the
	// share of callbacks the public key signs now.
	SwitchBegan time.Time
	SwitchDay   int
	SwitchShare string
	KeysDir     string
	Files       []keyFile
	Merchants   []merchantView
	Probes      []payDelivery
	// Certificates are the platform certificates GET /v3/certificates
	// lists now, the one that signs first.
	Certificates []certificateView
	// ProbeEvery is the interval of scheduled SIGNTEST probes ("": none).
	ProbeEvery string
}

// certificateView is a platform certificate: its serial and validity.
type certificateView struct {
	Serial              string
	NotBefore, NotAfter time.Time
	Signing             bool
}

// keyFile is a file of the keys directory and who it is for.
type keyFile struct {
	Name, Path, What string
	// Fake: the fake's own secret, never the merchant's to configure.
	Fake bool
}

// merchantView is a merchant of the world: its ids and callback URL.
type merchantView struct {
	MchID, SerialNo, NotifyURL string
	// Identity: the merchant the fake's keys serve (the demo one).
	Identity bool
}

// mask shows the start and end of a secret: "abcd…wxyz".
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 8 {
		return "…"
	}
	return string(r[:4]) + "…" + string(r[len(r)-4:])
}

func (h *Handler) payKeys(w http.ResponseWriter, r *http.Request) {
	if h.payOff(w, r) {
		return
	}
	sg := h.pay.PaySigning()
	id := sg.Identity()
	m := id.Merchant()
	d := keysData{Tab: h.payTab("keys"), MchID: m.MchID, SerialNo: m.SerialNo, APIv3Key: m.APIv3Key, APIv3Masked: mask(m.APIv3Key),
		PublicKeyID: id.PublicKeyID(), PlatformSerial: id.PlatformSerial(), HasPrivateKey: m.PrivateKey != nil,
		Modes: paykeys.Modes(), KeysDir: h.pay.PayKeysDir()}
	now := h.b.Now()
	for _, c := range id.PlatformCertificates(now) {
		serial := apiv3.SerialOf(c.Cert)
		d.Certificates = append(d.Certificates, certificateView{Serial: serial, NotBefore: c.Cert.NotBefore, NotAfter: c.Cert.NotAfter, Signing: serial == d.PlatformSerial})
	}
	if every := h.pay.PayProbeEvery(); every > 0 {
		d.ProbeEvery = every.String()
	}
	var began time.Time
	d.Mode, began = sg.Mode()
	if d.Mode == paykeys.ModeSwitch {
		d.SwitchBegan = began
		d.SwitchDay = int(now.Sub(began)/(24*time.Hour)) + 1
		d.SwitchShare = fmt.Sprintf("%g %%", paykeys.PublicKeyShare(began, now)*100)
	}
	if d.KeysDir != "" {
		file := func(name, what string, fake bool) {
			d.Files = append(d.Files, keyFile{Name: name, Path: filepath.Join(d.KeysDir, name), What: what, Fake: fake})
		}
		if d.HasPrivateKey {
			file(apiv3.FilePrivateKey, "the merchant's API private key (PKCS#8): your client signs its requests with it", false)
		}
		file(apiv3.FilePublicKey, "the fake's WeChat Pay public key: your client verifies answers and callbacks with it", false)
		file(apiv3.FileMerchant, "mchid, serial_no, apiv3_key, public_key_id, as apiv3.LoadMerchantKeys reads them", false)
		file(paykeys.FileMerchantCertificate, "the merchant's API certificate (its serial is serial_no)", false)
		file(paykeys.FileWeChatPayPrivateKey, "the fake's own: the private half of pub_key.pem", true)
		file(paykeys.FilePlatformKey, "the fake's own: the platform certificate's private key", true)
		file(paykeys.FilePlatformCertificate, "the platform certificate (GET /v3/certificates serves it, encrypted)", false)
	}
	for _, pm := range h.pay.PayMerchants() {
		d.Merchants = append(d.Merchants, merchantView{MchID: pm.MchID, SerialNo: pm.SerialNo, NotifyURL: pm.NotifyURL, Identity: pm.MchID == m.MchID})
	}
	probes := h.pay.PayDeliveriesOf(func(x *paypush.Delivery) bool { return x.Probe })
	slices.Reverse(probes)
	if len(probes) > maxProbes {
		probes = probes[:maxProbes]
	}
	for _, p := range probes {
		d.Probes = append(d.Probes, payDelivery{Delivery: p, Views: viewAttempts(p)})
	}
	h.render(w, r, http.StatusOK, "pay_keys", &page{Title: "Complaints 2.0 keys", Nav: "pay", Events: payEvents, Data: d})
}
