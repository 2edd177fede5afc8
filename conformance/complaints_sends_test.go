package conformance_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/conformance"
)

// The test of this file proves that each Complaints 2.0 case sends what
// its id says, as sends_test.go does for the V1.5 plan: a recorder in
// front of the reference merchant keeps every callback by the case that
// was running, and a table holds, for every case, the property its id
// names. A refusal case whose callback stopped being hostile (a probe
// without its prefix, a stale copy stamped now) would pass against a
// sound merchant, and go blind with nothing failing.

// callbackSent is one callback the merchant got, read back.
type callbackSent struct {
	header http.Header
	length int64 // -1: chunked
	body   []byte
	env    map[string]json.RawMessage
	res    apiv3.Resource
	id     string
	// event is the decrypted event (nil when it does not decrypt with the
	// merchant's APIv3 key).
	event map[string]any
}

func readCallback(r *http.Request, body []byte) callbackSent {
	c := callbackSent{header: r.Header.Clone(), length: r.ContentLength, body: body}
	_ = json.Unmarshal(body, &c.env)
	_ = json.Unmarshal(c.env["resource"], &c.res)
	_ = json.Unmarshal(c.env["id"], &c.id)
	aead, _ := apiv3.NewAEAD(payAPIv3Key)
	if plain, err := aead.Open(c.res.Nonce, c.res.AssociatedData, c.res.Ciphertext); err == nil {
		_ = json.Unmarshal(plain, &c.event)
	}
	return c
}

func (c callbackSent) str(name string) string {
	var s string
	_ = json.Unmarshal(c.env[name], &s)
	return s
}

func (c callbackSent) serial() string { return c.header.Get(apiv3.HeaderSerial) }

// keyOf is the WeChat key a serial names (nil: none).
func keyOf(serial string) *rsa.PublicKey {
	k := payKeys()
	switch serial {
	case k.Merchant.PublicKeyID:
		return &k.PublicKey.PublicKey
	case apiv3.SerialOf(k.Platform):
		return &k.PlatformKey.PublicKey
	}
	return nil
}

// signedBy reports whether the signature verifies over body with pub.
func (c callbackSent) signedBy(pub *rsa.PublicKey, body []byte) bool {
	if pub == nil {
		return false
	}
	sig := strings.TrimPrefix(c.header.Get(apiv3.HeaderSignature), apiv3.ProbeSignaturePrefix)
	v, err := apiv3.NewVerifier(apiv3.VerifierOptions{PublicKeyID: "PUB_KEY_ID_1", PublicKey: pub, Window: 100 * time.Hour})
	if err != nil {
		return false
	}
	h := apiv3.SignatureHeadersOf(c.header)
	h.Signature, h.Serial = sig, "PUB_KEY_ID_1"
	return v.Verify(h, body) == nil
}

// genuine reports whether c is as WeChat sends it: every header, signed
// by the key its serial names over its body, within the window, and its
// event decrypts.
func (c callbackSent) genuine() bool {
	for _, h := range []string{apiv3.HeaderTimestamp, apiv3.HeaderNonce, apiv3.HeaderSignature, apiv3.HeaderSerial} {
		if c.header.Get(h) == "" {
			return false
		}
	}
	return !strings.HasPrefix(c.header.Get(apiv3.HeaderSignature), apiv3.ProbeSignaturePrefix) &&
		c.signedBy(keyOf(c.serial()), c.body) && c.age().Abs() < time.Minute && c.event != nil
}

func (c callbackSent) age() time.Duration {
	ts, _ := strconv.ParseInt(c.header.Get(apiv3.HeaderTimestamp), 10, 64)
	return time.Since(time.Unix(ts, 0))
}

func (c callbackSent) action() string      { s, _ := c.event["action_type"].(string); return s }
func (c callbackSent) complaintID() string { s, _ := c.event["complaint_id"].(string); return s }

// callbackRecorder keeps the callbacks the merchant behind it gets.
type callbackRecorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []callbackSent
}

func (rc *callbackRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, readCallback(r, body))
	rc.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rc.next.ServeHTTP(w, r)
}

func (rc *callbackRecorder) take() []callbackSent {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.reqs
	rc.reqs = nil
	return out
}

// refusal checks a refusal case's two callbacks: the hostile one has
// prop, the second is the genuine callback under the same id, about
// another complaint.
func refusal(prop func(c callbackSent) string) func([]callbackSent) string {
	return func(cs []callbackSent) string {
		if len(cs) != 2 {
			return fmt.Sprintf("%d callbacks, want the hostile one and the genuine one after it", len(cs))
		}
		if !cs[1].genuine() || cs[1].id != cs[0].id || cs[1].id == "" {
			return "the second callback is not the genuine one under the first's id"
		}
		return prop(cs[0])
	}
}

// oneGenuine checks a case of one genuine callback with prop.
func oneGenuine(prop func(c callbackSent) string) func([]callbackSent) string {
	return func(cs []callbackSent) string {
		if len(cs) != 1 || !cs[0].genuine() {
			return fmt.Sprintf("%d callbacks, want one genuine", len(cs))
		}
		return prop(cs[0])
	}
}

func copiesOf(cs []callbackSent) string {
	seen := map[string]bool{}
	for _, c := range cs {
		if !c.genuine() || c.id != cs[0].id || c.complaintID() != cs[0].complaintID() || c.str("create_time") != cs[0].str("create_time") {
			return "the copies are not one genuine callback"
		}
		sig := c.header.Get(apiv3.HeaderSignature) + c.res.Ciphertext
		if seen[sig] {
			return "two copies have one signature or ciphertext: a retry is signed and encrypted anew"
		}
		seen[sig] = true
	}
	return ""
}

func outOfOrder(cs []callbackSent) string {
	if len(cs) != 3 {
		return fmt.Sprintf("%d callbacks, want 3", len(cs))
	}
	got := []string{cs[0].action(), cs[1].action(), cs[2].action()}
	if !slices.Equal(got, []string{"CREATE_COMPLAINT", "REFUND_SUCCESS", "USER_RESPONSE"}) || cs[1].complaintID() != cs[0].complaintID() || cs[2].complaintID() != cs[0].complaintID() {
		return fmt.Sprintf("actions %v, want CREATE_COMPLAINT, REFUND_SUCCESS, USER_RESPONSE of one complaint", got)
	}
	t1, _ := time.Parse(time.RFC3339, cs[1].str("create_time"))
	t2, _ := time.Parse(time.RFC3339, cs[2].str("create_time"))
	if !t2.Before(t1) {
		return "the USER_RESPONSE was not created before the REFUND_SUCCESS"
	}
	return ""
}

var millis = regexp.MustCompile(`T\d\d:\d\d:\d\d\.\d{3}\+08:00$`)

func payProperties() map[string]func([]callbackSent) string {
	k := payKeys()
	cert := apiv3.SerialOf(k.Platform)
	props := map[string]func([]callbackSent) string{
		conformance.ControlID: oneGenuine(func(c callbackSent) string {
			if c.action() != "CREATE_COMPLAINT" || c.str("event_type") != "COMPLAINT.CREATE" || c.serial() != cert {
				return "not a CREATE_COMPLAINT signed with the certificate (the switch's default)"
			}
			return ""
		}),
		"accept/envelope/no-summary": oneGenuine(func(c callbackSent) string {
			if _, ok := c.env["summary"]; ok {
				return "has a summary"
			}
			return ""
		}),
		"accept/envelope/create-time-millis": oneGenuine(func(c callbackSent) string {
			if !millis.MatchString(c.str("create_time")) {
				return "create_time " + c.str("create_time") + " has no milliseconds"
			}
			return ""
		}),
		"accept/envelope/unknown-fields": oneGenuine(func(c callbackSent) string {
			var res map[string]any
			_ = json.Unmarshal(c.env["resource"], &res)
			_, extra := c.env["notify_info"]
			if !extra || res["key_version"] == nil {
				return "no unknown member in the envelope and its resource"
			}
			return ""
		}),
		"accept/event/unknown-fields": oneGenuine(func(c callbackSent) string {
			if len(c.event) <= 2 {
				return "the event has no member beside complaint_id and action_type"
			}
			return ""
		}),
		"accept/resource/associated-data": oneGenuine(func(c callbackSent) string {
			if c.res.AssociatedData == "" {
				return "empty associated_data"
			}
			return ""
		}),
		"accept/key/public-key": oneGenuine(func(c callbackSent) string {
			if c.serial() != k.Merchant.PublicKeyID {
				return "not signed with the public key"
			}
			return ""
		}),
		"accept/key/platform-certificate": oneGenuine(func(c callbackSent) string {
			if c.serial() != cert {
				return "not signed with the platform certificate"
			}
			return ""
		}),
		"accept/time-limit": oneGenuine(func(callbackSent) string { return "" }),
		"refuse/probe": refusal(func(c callbackSent) string {
			if !strings.HasPrefix(c.header.Get(apiv3.HeaderSignature), apiv3.ProbeSignaturePrefix) || !c.signedBy(keyOf(c.serial()), c.body) {
				return "not WECHATPAY/SIGNTEST/ and the genuine signature"
			}
			return ""
		}),
		"refuse/signature/tampered-body": refusal(func(c callbackSent) string {
			orig := bytes.Replace(c.body, []byte(`"COMPLAINT.STATE_CHANGE"`), []byte(`"COMPLAINT.CREATE"`), 1)
			if c.signedBy(keyOf(c.serial()), c.body) || !c.signedBy(keyOf(c.serial()), orig) {
				return "not a signed body altered after"
			}
			return ""
		}),
		"refuse/signature/other-key": refusal(func(c callbackSent) string {
			if c.serial() != cert || c.signedBy(&k.PublicKey.PublicKey, c.body) || c.signedBy(&k.PlatformKey.PublicKey, c.body) || c.event == nil {
				return "not signed by another key under the certificate's serial"
			}
			return ""
		}),
		"refuse/serial/unknown": refusal(func(c callbackSent) string {
			if keyOf(c.serial()) != nil || !c.signedBy(&k.PlatformKey.PublicKey, c.body) {
				return "not WeChat's signature under an unknown serial"
			}
			return ""
		}),
		"refuse/timestamp/stale": refusal(func(c callbackSent) string {
			if a := c.age(); a < 6*time.Minute-2*time.Second || a > 6*time.Minute+30*time.Second || !c.signedBy(keyOf(c.serial()), c.body) {
				return fmt.Sprintf("signed %s ago, want 6m0s", a)
			}
			return ""
		}),
		"refuse/timestamp/future": refusal(func(c callbackSent) string {
			if a := -c.age(); a < 6*time.Minute-30*time.Second || a > 6*time.Minute+2*time.Second || !c.signedBy(keyOf(c.serial()), c.body) {
				return fmt.Sprintf("signed %s ahead, want 6m0s", a)
			}
			return ""
		}),
		"refuse/resource/other-apiv3-key": refusal(func(c callbackSent) string {
			if c.event != nil || !c.signedBy(keyOf(c.serial()), c.body) {
				return "a signed resource that decrypts"
			}
			return ""
		}),
		"refuse/resource/broken-tag": refusal(func(c callbackSent) string {
			ct, _ := base64.StdEncoding.DecodeString(c.res.Ciphertext)
			if len(ct) == 0 {
				return "no ciphertext"
			}
			ct[len(ct)-1] ^= 1
			aead, _ := apiv3.NewAEAD(payAPIv3Key)
			if _, err := aead.Open(c.res.Nonce, c.res.AssociatedData, base64.StdEncoding.EncodeToString(ct)); c.event != nil || err != nil {
				return "not a genuine resource with its tag's last byte altered"
			}
			return ""
		}),
	}
	for _, a := range []string{"CREATE_COMPLAINT", "CONTINUE_COMPLAINT", "USER_RESPONSE", "RESPONSE_BY_PLATFORM", "SELLER_REFUND",
		"MERCHANT_RESPONSE", "MERCHANT_CONFIRM_COMPLETE", "USER_APPLY_PLATFORM_SERVICE", "USER_APPLY_PLATFORM_SERIVCE",
		"USER_CANCEL_PLATFORM_SERVICE", "PLATFORM_SERVICE_FINISHED", "MERCHANT_APPROVE_REFUND", "MERCHANT_REJECT_REFUND", "REFUND_SUCCESS", ""} {
		id := "accept/action/" + strings.ReplaceAll(strings.ToLower(a), "_", "-")
		if a == "" {
			id = "accept/action/unknown"
		}
		props[id] = oneGenuine(func(c callbackSent) string {
			want := "COMPLAINT.STATE_CHANGE"
			if a == "CREATE_COMPLAINT" {
				want = "COMPLAINT.CREATE"
			}
			switch {
			case a == "" && complaints.ActionType(c.action()).Known(), a != "" && c.action() != a, c.str("event_type") != want:
				return fmt.Sprintf("action_type %q in %s", c.action(), c.str("event_type"))
			}
			return ""
		})
	}
	for day, pub := range []int{1, 1, 1, 1, 1, 2, 4} {
		props[fmt.Sprintf("accept/switch/day-%d", day+1)] = func(cs []callbackSent) string {
			n := 0
			for _, c := range cs {
				if !c.genuine() {
					return "a callback is not genuine"
				}
				if c.serial() == k.Merchant.PublicKeyID {
					n++
				}
			}
			if len(cs) != 4 || n != pub {
				return fmt.Sprintf("%d callbacks, %d with the public key; want 4, %d with it", len(cs), n, pub)
			}
			return ""
		}
	}
	for _, h := range []string{apiv3.HeaderTimestamp, apiv3.HeaderNonce, apiv3.HeaderSignature, apiv3.HeaderSerial} {
		props["refuse/missing/"+strings.ToLower(h)] = refusal(func(c callbackSent) string {
			for _, o := range []string{apiv3.HeaderTimestamp, apiv3.HeaderNonce, apiv3.HeaderSignature, apiv3.HeaderSerial} {
				if (c.header.Get(o) == "") != (o == h) {
					return "not exactly " + h + " missing"
				}
			}
			return ""
		})
	}
	for _, chunked := range []bool{false, true} {
		id := "refuse/size/oversized"
		if chunked {
			id += "-chunked"
		}
		props[id] = refusal(func(c callbackSent) string {
			if len(c.body) != conformance.DefaultCallbackOversize || (c.length == -1) != chunked || !c.signedBy(keyOf(c.serial()), c.body) {
				return fmt.Sprintf("%d bytes (Content-Length %d), want a signed body of %d", len(c.body), c.length, conformance.DefaultCallbackOversize)
			}
			return ""
		})
	}
	props["once/retry/acknowledged"] = func(cs []callbackSent) string {
		if len(cs) != 2 {
			return "want 2 callbacks"
		}
		return copiesOf(cs)
	}
	props["once/retry/processed-once"] = props["once/retry/acknowledged"]
	props["once/concurrent/acknowledged"] = func(cs []callbackSent) string {
		if len(cs) != 4 {
			return "want 3 copies and a retry"
		}
		return copiesOf(cs)
	}
	props["once/concurrent/processed-once"] = func(cs []callbackSent) string {
		if len(cs) != 4 || !cs[0].genuine() || cs[0].id == cs[1].id || cs[0].complaintID() == cs[1].complaintID() {
			return "want a twin and 3 copies"
		}
		return copiesOf(cs[1:])
	}
	props["once/out-of-order/acknowledged"] = outOfOrder
	props["once/out-of-order/view"] = outOfOrder
	// The campaign: each hostile copy is what the campaign says (a probe,
	// an altered body, another key, an unknown serial, a stale
	// timestamp) under the notification id of a genuine callback.
	// The api cases send nothing themselves: the fake announces the
	// scenario's complaints (and without Options.API they are skipped).
	for _, id := range payIDs("api/") {
		props[id] = func(cs []callbackSent) string {
			if len(cs) > 0 {
				return fmt.Sprintf("%d callbacks sent by the suite, want none", len(cs))
			}
			return ""
		}
	}
	props["chaos/callbacks"] = func(cs []callbackSent) string {
		genuine := map[string]bool{}
		for _, c := range cs {
			if c.genuine() {
				genuine[c.id] = true
			}
		}
		kinds := map[string]int{}
		for _, c := range cs {
			sig := c.header.Get(apiv3.HeaderSignature)
			switch {
			case c.genuine():
				continue
			case !genuine[c.id]:
				return "a hostile copy under the notification id " + c.id + ", which no genuine callback has"
			case strings.HasPrefix(sig, apiv3.ProbeSignaturePrefix):
				kinds["probe"]++
			case c.age() > 5*time.Minute:
				kinds["stale"]++
			case keyOf(c.serial()) == nil:
				kinds["unknown serial"]++
			case c.event == nil || c.str("event_type") != "COMPLAINT.CREATE":
				kinds["altered"]++
			case !c.signedBy(keyOf(c.serial()), c.body):
				kinds["another key"]++
			default:
				return "a copy that is neither genuine nor hostile"
			}
		}
		for _, k := range []string{"probe", "stale", "unknown serial", "altered", "another key"} {
			if kinds[k] == 0 {
				return "no " + k + " copy among " + fmt.Sprint(len(cs)) + " callbacks"
			}
		}
		if len(genuine) < 40 {
			return fmt.Sprintf("%d genuine notification ids, want one per complaint at least", len(genuine))
		}
		return ""
	}
	return props
}

func TestPayCasesSendWhatTheirIDsSay(t *testing.T) {
	rec := &callbackRecorder{}
	api := newPayAPI()
	rec.next = payReference(api, time.Now)
	byCase := map[string][]callbackSent{}
	rep, err := conformance.Run(t.Context(), conformance.Options{
		Plan: conformance.PlanComplaints, Handler: rec, PayKeys: payKeys(), Observer: api, Chaos: 40, Seed: 3,
		Progress: func(r conformance.Result) { byCase[r.ID] = rec.take() },
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Fatalf("the reference merchant failed:\n%s", report(rep))
	}
	props := payProperties()
	for _, id := range append([]string{conformance.ControlID}, payIDs("")...) {
		prop, ok := props[id]
		if !ok {
			t.Errorf("%s: no property in the table: say what the case must send", id)
			continue
		}
		if what := prop(byCase[id]); what != "" {
			t.Errorf("%s: %s", id, what)
		}
	}
}
