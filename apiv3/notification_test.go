package apiv3

import (
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
