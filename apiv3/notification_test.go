package apiv3

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseNotification(t *testing.T) {
	valid := `{"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"algorithm":"AEAD_AES_256_GCM","original_type":"complaint","ciphertext":"AAAA","nonce":"0123456789ab","associated_data":""}}`
	n, err := ParseNotification([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != "EV-2018022511223320873" || n.EventType != "COMPLAINT.CREATE" || n.Resource.Nonce != "0123456789ab" || n.Summary != "产生新投诉" {
		t.Errorf("%+v", n)
	}
	for _, ct := range []string{"2015-05-20T13:29:35+08:00", "2015-05-20T13:29:35.120+08:00"} {
		n.CreateTime = ct
		got, err := n.Created()
		if err != nil || got.Unix() != 1432099775 {
			t.Errorf("Created(%s) = %v, %v", ct, got, err)
		}
	}
	_ = time.UTC

	deep := strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40)
	for _, tc := range []struct{ name, body string }{
		{"empty", ``},
		{"not JSON", `<xml/>`},
		{"an array", `[1,2]`},
		{"no id", strings.Replace(valid, `"id":"EV-2018022511223320873",`, ``, 1)},
		{"no event type", strings.Replace(valid, `"event_type":"COMPLAINT.CREATE",`, ``, 1)},
		{"no ciphertext", strings.Replace(valid, `"ciphertext":"AAAA",`, ``, 1)},
		{"no resource", `{"id":"1","event_type":"COMPLAINT.CREATE"}`},
		{"id a number", strings.Replace(valid, `"id":"EV-2018022511223320873"`, `"id":7`, 1)},
		{"deep", strings.Replace(valid, `"summary":"产生新投诉"`, `"x":`+deep, 1)},
		{"too large", `{"id":"1","event_type":"E","x":"` + strings.Repeat("a", MaxNotificationSize) + `"}`},
		{"trailing garbage", valid + `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseNotification([]byte(tc.body)); !errors.Is(err, ErrMalformedNotification) {
				t.Fatalf("error %v, want ErrMalformedNotification", err)
			}
		})
	}
	// Unknown fields are ignored, nested a little.
	if _, err := ParseNotification([]byte(strings.Replace(valid, `"summary"`, `"future":{"a":[1,{"b":2}]},"summary"`, 1))); err != nil {
		t.Errorf("unknown fields: %v", err)
	}
}

// TestParseNotificationAsEncodingJSON: the envelope decodes to what
// encoding/json gives, both for the bodies internal/flatjson decodes and
// for those it leaves to encoding/json (an escape, a name in another
// case), and the body may be reused afterwards: the fields are copies.
func TestParseNotificationAsEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`{"id":"EV-1","create_time":"2026-12-07T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"original_type":"complaint","algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","associated_data":"","nonce":"0123456789ab"}}`,
		`{"id":"EV-1","event_type":"COMPLAINT.CREATE","summary":"\u4ea7\u751f","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AA\/A","nonce":"n"}}`,
		`{"ID":"EV-1","Event_Type":"COMPLAINT.CREATE","resource":{"ALGORITHM":"AEAD_AES_256_GCM","ciphertext":"A","nonce":"n"}}`,
	} {
		buf := []byte(body)
		got, err := ParseNotification(buf)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		var want Notification
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = 'x'
		}
		if *got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", body, *got, want)
		}
	}
}

// TestOpenAllocs: opening a callback (verify, decode, decrypt) allocates
// what the floor allocates (SHA-256, RSA verification and GCM decryption
// alone: crypto/rsa converts the key on every call) and one more, the
// copy of the body the envelope's fields are cut from. docs/performance.md
// keeps the figures; the target is at most 10.
func TestOpenAllocs(t *testing.T) {
	h, body := callbackFixture(t)
	v := newVerifier(t, 1800000000)
	o, err := NewOpener(OpenerOptions{Verifier: v, APIv3Key: testAPIv3Key})
	if err != nil {
		t.Fatal(err)
	}
	var cb Callback
	now := v.now()
	ours := testing.AllocsPerRun(50, func() {
		if err := o.OpenInto(&cb, h, body, now); err != nil {
			t.Fatal(err)
		}
	})
	floor := openFloor(t, h, body)
	rsaOnly := testing.AllocsPerRun(50, func() { floor(false) })
	all := testing.AllocsPerRun(50, func() { floor(true) })
	t.Logf("OpenInto %v allocations; the floor %v (crypto/rsa %v)", ours, all, rsaOnly)
	if ours > all+1 {
		t.Errorf("OpenInto makes %v allocations, the floor %v: more than the one copy of the body", ours, all)
	}
}
