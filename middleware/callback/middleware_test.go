package callback

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

func newMiddleware(t testing.TB, next http.Handler, mod func(*Config)) http.Handler {
	t.Helper()
	cfg := Config{Opener: newOpener(t, at(testNow)), Now: at(testNow), Logger: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg)(next)
}

func TestAccepted(t *testing.T) {
	wc := newWeChat(t)
	type variant struct {
		name   string
		cb     callback
		serial string
	}
	var variants []variant
	for i, a := range append(complaints.ActionTypes(), "SOME_FUTURE_ACTION") {
		variants = append(variants, variant{"action " + string(a), complaintCallback("EV-"+itoa(int64(i)), string(a)), ""})
	}
	base := complaintCallback("EV-base", "USER_RESPONSE")
	noSummary := base
	noSummary.id, noSummary.summary = "EV-nosummary", ""
	millis := base
	millis.id, millis.createTime = "EV-millis", "2027-01-15T16:00:00.120+08:00"
	extra := base
	extra.id, extra.extraEnvelope = "EV-extra", `"future_field":{"a":[1,2]}`
	extra.plaintext = `{"complaint_id":"200201820200101080076610000","action_type":"USER_RESPONSE","new_member":"x"}`
	variants = append(variants,
		variant{"without summary", noSummary, ""},
		variant{"create_time with milliseconds", millis, ""},
		variant{"unknown fields", extra, ""},
		variant{"signed with the platform certificate", complaintCallback("EV-cert", "USER_RESPONSE"), certSerial},
	)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			rc := &recorder{}
			h := newMiddleware(t, rc, nil)
			w := *wc
			if v.serial != "" {
				w.serial = v.serial
			}
			rec := serve(h, w.request(v.cb))
			if rec.Code != http.StatusNoContent || len(rc.events) != 1 {
				t.Fatalf("status %d, %d events; body %s", rec.Code, len(rc.events), rec.Body)
			}
			e := rc.events[0]
			var want struct {
				ComplaintID string `json:"complaint_id"`
				ActionType  string `json:"action_type"`
			}
			json.Unmarshal([]byte(v.cb.plaintext), &want)
			if e.ID != v.cb.id || string(e.Type()) != v.cb.eventType || e.ComplaintID != want.ComplaintID || string(e.ActionType) != want.ActionType || e.Serial != w.serial {
				t.Errorf("event %+v", e)
			}
			if string(e.Raw) != v.cb.plaintext {
				t.Errorf("Raw %s, want %s", e.Raw, v.cb.plaintext)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	wc := newWeChat(t)
	good := complaintCallback("EV-1", "CREATE_COMPLAINT")
	goodBody := wc.body(good)
	goodHeader := wc.sign(goodBody)
	with := func(f func(h http.Header)) http.Header {
		h := http.Header{}
		for k, v := range goodHeader {
			h[k] = append([]string(nil), v...)
		}
		f(h)
		return h
	}
	other := *wc
	other.key = key(t, "other-private-key.pem")
	stale, ahead := *wc, *wc
	stale.now, ahead.now = testNow-360, testNow+360
	otherAPIv3 := *wc
	otherAPIv3.apiv3 = strings.Repeat("z", 32)
	deep := good
	deep.extraEnvelope = `"x":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40)
	notComplaint := good
	notComplaint.eventType = "TRANSACTION.SUCCESS"
	noID := good
	noID.plaintext = `{"action_type":"CREATE_COMPLAINT"}`

	brokenTag := func() (string, http.Header) {
		var env map[string]any
		json.Unmarshal(goodBody, &env)
		res := env["resource"].(map[string]any)
		ct := res["ciphertext"].(string)
		res["ciphertext"] = ct[:len(ct)-4] + "AAA="
		b, _ := json.Marshal(env)
		return string(b), wc.sign(b)
	}
	btBody, btHeader := brokenTag()
	huge := make([]byte, 1<<20)
	for i := range huge {
		huge[i] = ' '
	}
	copy(huge, goodBody)

	pair := func(w *wechat, cb callback) ([]byte, http.Header) {
		b := w.body(cb)
		return b, w.sign(b)
	}
	oaBody, oaHeader := pair(&otherAPIv3, good)
	deepBody, deepHeader := pair(wc, deep)
	ncBody, ncHeader := pair(wc, notComplaint)
	noIDBody, noIDHeader := pair(wc, noID)
	for _, tc := range []struct {
		name   string
		method string
		body   []byte
		header http.Header
		status int
		err    error
	}{
		{"SIGNTEST probe", "", goodBody, with(func(h http.Header) { h.Set(apiv3.HeaderSignature, "WECHATPAY/SIGNTEST/"+h.Get(apiv3.HeaderSignature)) }), 401, apiv3.ErrSignatureProbe},
		{"probe with an unfamiliar serial", "", goodBody, with(func(h http.Header) {
			h.Set(apiv3.HeaderSignature, "WECHATPAY/SIGNTEST/abc")
			h.Set(apiv3.HeaderSerial, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
		}), 401, apiv3.ErrSignatureProbe},
		{"tampered body", "", []byte(strings.Replace(string(goodBody), "EV-1", "EV-2", 1)), goodHeader, 401, apiv3.ErrBadSignature},
		{"signed by another key", "", goodBody, other.sign(goodBody), 401, apiv3.ErrBadSignature},
		{"unknown serial", "", goodBody, with(func(h http.Header) { h.Set(apiv3.HeaderSerial, "PUB_KEY_ID_0000000000000024101100397200000099") }), 401, apiv3.ErrUnknownSerial},
		{"6 minutes old", "", goodBody, stale.sign(goodBody), 401, apiv3.ErrTooOld},
		{"6 minutes ahead", "", goodBody, ahead.sign(goodBody), 401, apiv3.ErrTooNew},
		{"no signature", "", goodBody, with(func(h http.Header) { h.Del(apiv3.HeaderSignature) }), 401, apiv3.ErrMissingHeader},
		{"no serial", "", goodBody, with(func(h http.Header) { h.Del(apiv3.HeaderSerial) }), 401, apiv3.ErrMissingHeader},
		{"no timestamp", "", goodBody, with(func(h http.Header) { h.Del(apiv3.HeaderTimestamp) }), 401, apiv3.ErrMissingHeader},
		{"no nonce", "", goodBody, with(func(h http.Header) { h.Del(apiv3.HeaderNonce) }), 401, apiv3.ErrMissingHeader},
		{"no headers at all", "", goodBody, http.Header{}, 401, apiv3.ErrMissingHeader},
		{"ciphertext under another APIv3 key", "", oaBody, oaHeader, 500, apiv3.ErrDecrypt},
		{"broken GCM tag", "", []byte(btBody), btHeader, 500, apiv3.ErrDecrypt},
		{"1 MiB body", "", huge, wc.sign(huge), 413, ErrTooLarge},
		{"deep JSON, signed", "", deepBody, deepHeader, 400, apiv3.ErrMalformedNotification},
		{"not a complaint event", "", ncBody, ncHeader, 400, ErrNotComplaint},
		{"plaintext without complaint_id", "", noIDBody, noIDHeader, 400, complaints.ErrInvalidEvent},
		{"GET", http.MethodGet, nil, goodHeader, 405, ErrMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &recorder{}
			var seen []Observation
			h := newMiddleware(t, rc, func(c *Config) { c.Metrics = MetricsFunc(func(o Observation) { seen = append(seen, o) }) })
			r := post(tc.body, tc.header)
			if tc.method != "" {
				r.Method = tc.method
			}
			rec := serve(h, r)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if len(rc.events) != 0 {
				t.Errorf("the handler ran")
			}
			var f failure
			if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil || f.Code != "FAIL" || f.Message == "" {
				t.Errorf("body %q is not WeChat's failure answer", rec.Body)
			}
			if strings.Contains(rec.Body.String(), apiv3Key) {
				t.Error("the answer holds the APIv3 key")
			}
			if len(seen) != 1 || seen[0].Outcome != OutcomeRefused || !errors.Is(seen[0].Err, tc.err) || seen[0].Reason() == "other" {
				t.Errorf("observations %+v, want one refusal for %v", seen, tc.err)
			}
		})
	}
}

func TestNewPanicsOnBadConfig(t *testing.T) {
	for _, c := range []Config{{}, {Opener: newOpener(t, nil), MaxBodySize: 1 << 30}, {Opener: newOpener(t, nil), Keep: -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", c)
				}
			}()
			New(c)
		}()
	}
}
