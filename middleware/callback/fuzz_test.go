package callback

import (
	"net/http"
	"testing"

	"github.com/payfeedback/payfeedback/apiv3"
)

// FuzzMiddleware sends arbitrary bodies and signature headers: the
// middleware never panics, answers every refusal with a 4xx or 5xx, and
// runs the handler only for the one genuine callback of the corpus.
func FuzzMiddleware(f *testing.F) {
	wc := newWeChat(f)
	wc.rand = zeros{} // the same genuine callback in every fuzzing process
	genuine := wc.body(complaintCallback("EV-fuzz", "CREATE_COMPLAINT"))
	gh := wc.sign(genuine)
	f.Add(genuine, gh.Get(apiv3.HeaderTimestamp), gh.Get(apiv3.HeaderNonce), gh.Get(apiv3.HeaderSignature), gh.Get(apiv3.HeaderSerial))
	f.Add([]byte(`{"id":"x"}`), "1800000000", "n", "WECHATPAY/SIGNTEST/abc", certSerial)
	f.Add([]byte(`[[[[[[`), "", "", "", "")
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig, serial string) {
		rc := &recorder{}
		h := newMiddleware(t, rc, nil)
		hdr := http.Header{}
		hdr.Set(apiv3.HeaderTimestamp, ts)
		hdr.Set(apiv3.HeaderNonce, nonce)
		hdr.Set(apiv3.HeaderSignature, sig)
		hdr.Set(apiv3.HeaderSerial, serial)
		rec := serve(h, post(body, hdr))
		if len(rc.events) > 0 && (string(body) != string(genuine) || sig != gh.Get(apiv3.HeaderSignature)) {
			t.Fatalf("the handler ran for something never signed: %q", body)
		}
		if len(rc.events) == 0 && rec.Code < 400 {
			t.Fatalf("refused with status %d", rec.Code)
		}
	})
}
