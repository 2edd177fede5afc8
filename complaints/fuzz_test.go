package complaints

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets of the package's parsers. Their seeds are the samples
// of testdata/complaints plus the inputs the fuzzer found
// (testdata/fuzz/FuzzName/ beside this file). Run each with
//
//	go test -run XXX -fuzz FuzzComplaintJSON -fuzztime 1m -parallel=1 ./complaints
//
// and likewise FuzzListPageJSON, FuzzHistoryPageJSON, FuzzSmallAnswersJSON,
// FuzzParseEvent, FuzzParseDate, FuzzMediaIDFromURL and FuzzExtraDifferential.

// addSamples seeds f with the samples of testdata/complaints/dir whose
// name starts with prefix.
func addSamples(f *testing.F, dir, prefix string) {
	for name, path := range samples(f, dir) {
		if strings.HasPrefix(name, prefix) {
			f.Add(readFile(f, path))
		}
	}
}

// FuzzComplaintJSON: whatever a Complaint decodes survives encode → decode
// unchanged, Extra included, and encoding is stable after one round.
func FuzzComplaintJSON(f *testing.F) {
	addSamples(f, "answers", "detail_")
	f.Add([]byte(`{"complaint_id":"1","COMPLAINT_ID":"2","x":1,"X":2,"\u017fummary":3,"Kelvin\u212a":4}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[Complaint](t, data) })
}

// FuzzListPageJSON: the same for a page of the list endpoint.
func FuzzListPageJSON(f *testing.F) {
	addSamples(f, "answers", "list_")
	f.Add([]byte(`{"data":[{"complaint_id":"1","complaint_time":"2025-05-20T13:29:35.120+08:00","X":[1]}],"limit":1,"offset":0,"total_count":1}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[Page[Complaint]](t, data) })
}

// FuzzHistoryPageJSON: the same for a page of negotiation history, with its
// messages in blocks.
func FuzzHistoryPageJSON(f *testing.F) {
	addSamples(f, "answers", "history_")
	f.Add([]byte(`{"data":[{"log_id":"1","click_message":{"message_content":{}},"normal_message":{"blocks":[{"type":"TEXT","text":{"text":"a"},"x":1}]}}],"limit":1,"offset":0}`))
	f.Fuzz(func(t *testing.T, data []byte) { roundTrip[Page[NegotiationHistory]](t, data) })
}

// FuzzSmallAnswersJSON: the same for the answers of the notification URL,
// the upload and the immediate-service reply.
func FuzzSmallAnswersJSON(f *testing.F) {
	addSamples(f, "answers", "notification_url")
	addSamples(f, "answers", "upload_answer")
	addSamples(f, "answers", "immediate_service_answer")
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip[NotificationURL](t, data)
		roundTrip[UploadAnswer](t, data)
		roundTrip[ImmediateServiceAnswer](t, data)
	})
}

// FuzzParseEvent: ParseEvent never panics; what it accepts is an object
// with a valid complaint id, kept whole in Raw, and encoding the Event
// then parsing it again gives the same event; what it refuses it refuses
// with ErrInvalidEvent.
func FuzzParseEvent(f *testing.F) {
	addSamples(f, "events", "")
	f.Add([]byte(`{"complaint_id":"1","action_type":null}`))
	f.Add([]byte(` [ ] `))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEvent(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), ErrInvalidEvent.Error()) {
				t.Fatalf("refusal %v does not start with ErrInvalidEvent", err)
			}
			return
		}
		if string(e.Raw) != string(data) || checkID("complaint_id", e.ComplaintID, MaxComplaintIDLength) != nil {
			t.Fatalf("accepted %q as %+v", data, e)
		}
		// The same as encoding/json (the reference for internal/flatjson).
		var ref Event
		if err := json.Unmarshal(data, &ref); err != nil || ref.ComplaintID != e.ComplaintID || ref.ActionType != e.ActionType {
			t.Fatalf("decoded %+v, encoding/json %+v, %v", e, ref, err)
		}
		enc, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseEvent(enc)
		if err != nil || again.ComplaintID != e.ComplaintID || again.ActionType != e.ActionType {
			t.Fatalf("ParseEvent(Marshal(%+v)) = %+v, %v", e, again, err)
		}
	})
}

// FuzzParseDate: an accepted date is a calendar day written back as it was
// given.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-05-20", "2024-02-29", "2025-02-29", "0000-01-01", "9999-12-31", "2025-5-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !d.Valid() || d.String() != s {
			t.Fatalf("ParseDate(%q) = %+v (Valid %v, String %q)", s, d, d.Valid(), d.String())
		}
		if len(SplitSpan(d, d)) != 1 {
			t.Fatalf("SplitSpan(%v, %v) is not one span", d, d)
		}
	})
}

// FuzzMediaIDFromURL: an accepted id is valid UTF-8 without control
// characters, and the path PathImage builds from it decodes to it.
func FuzzMediaIDFromURL(f *testing.F) {
	for _, s := range []string{
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D",
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/YBSCd/9CgBigBMAE4AQ%3D%3D",
		"http://127.0.0.1:8080/v3/merchant-service/images/a%2Bb?x=1#f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := MediaIDFromURL(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(id) || checkID("media_id", id, MaxMediaIDLength) != nil {
			t.Fatalf("MediaIDFromURL(%q) = %q", s, id)
		}
		u, err := url.Parse("https://h" + PathImage(id))
		if err != nil || u.Path != pathImages+id {
			t.Fatalf("PathImage(%q) = %s decodes to %v, %v", id, PathImage(id), u, err)
		}
	})
}

// FuzzExtraDifferential: the members decoding keeps in Extra are exactly
// those encoding/json decodes into a map, less the ones a field takes
// (in any case), each value compacted: the key scanner reads what
// encoding/json reads.
func FuzzExtraDifferential(f *testing.F) {
	for _, s := range []string{
		`{"return_address":"a","x":1,"X":2,"x":3}`,
		`{"LONGITUDE":"1","\u006catitude":"2","\u00e9":[{"}":"]"}],"k\\"ey":null}`,
		"{\"bad\xff\":1, \"ok\" : { \"a\" : [ 1 , 2 ] } }",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil || members == nil {
			return
		}
		var r ReturnAddressInfo
		if json.Unmarshal(data, &r) != nil {
			return // a declared member of the wrong type
		}
		names := jsonNames(reflect.TypeFor[plainReturnAddressInfo]())
		want := map[string]string{}
		for k, v := range members {
			if !names.declares(k) {
				var b bytes.Buffer
				json.Compact(&b, v)
				want[k] = b.String()
			}
		}
		got := map[string]string{}
		for k, v := range r.Extra {
			got[k] = string(v)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("Extra %q, encoding/json's members less the fields %q", got, want)
		}
	})
}
