package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/payfeedback/payfeedback/complaints"
)

// plainValue reads JSON as read does: numbers as json.Number.
func plainValue(t testing.TB, doc string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return x
}

// roundTrip is how decode filled a complaints type before plainDecode:
// the plain value's JSON, read back by the type's UnmarshalJSON.
func roundTrip[T any](x any) (T, error) {
	var out T
	b, err := json.Marshal(x)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}

const savedComplaint = `{"complaint_id":"200064220250301000000000001","complaint_time":"2025-03-01T18:00:00+08:00",
	"complaint_detail":"第0次投诉：会员自动续费未经同意，要求退款","complainted_mchid":"1900000109","complaint_state":"PENDING",
	"payer_phone":"Nc/JTBkxPRUxd5dWcQ==","payer_openid":"ogCYFpm67JzXkgMSxCXxUWJzBMj9",
	"complaint_order_info":[{"transaction_id":"4200008250671385794988440013","out_trade_no":"MOCK9902070350549689","amount":42660}],
	"service_order_info":[],"complaint_media_list":[{"media_type":"USER_COMPLAINT_IMAGE","media_url":["https://a/1"]}],
	"complaint_full_refunded":false,"incoming_user_response":true,"problem_description":"商品质量问题","user_complaint_times":1,
	"problem_type":"REFUND","apply_refund_amount":42660,"user_tag_list":["TRUSTED"],
	"additional_info":{"type":"SHARE_POWER_TYPE","share_power_info":{"return_time":"2025-03-01T18:00:00.123+08:00",
	"return_address_info":{"return_address":"上海","longitude":"121.5","latitude":"31.2"},"is_returned_to_same_machine":true}},
	"in_platform_service":true,"need_immediate_service":true,"is_agent_mode":false}`

const savedHistory = `{"log_id":"300667720250301000000000001","operator":"投诉人","operate_time":"2025-03-01T18:00:00+08:00",
	"operate_type":"USER_CREATE_COMPLAINT","operate_details":"第0次投诉","image_list":[],
	"complaint_media_list":{"media_type":"OPERATION_IMAGE","media_url":["https://a/2"]}}`

// TestPlainDecode: a complaint and a history entry as a snapshot writes
// them are filled straight from the plain values (no JSON round trip),
// and decode fills them, whichever way it takes, exactly as the round
// trip does: the same fields, the same Extra (members kept), the same
// refusals.
func TestPlainDecode(t *testing.T) {
	tests := []struct {
		name, doc string
		history   bool
		plain     bool // filled straight from the plain values
		wantErr   bool
	}{
		{name: "saved complaint", doc: savedComplaint, plain: true},
		{name: "saved history", doc: savedHistory, history: true, plain: true},
		{name: "nulls", doc: `{"complaint_id":"1","complaint_time":null,"complaint_order_info":null,"additional_info":null,"user_complaint_times":null}`, plain: true},
		{name: "unknown member kept", doc: `{"complaint_id":"1","new_member":{"b":[1,2.5,"x"],"a":null}}`},
		{name: "unknown member in an order", doc: `{"complaint_order_info":[{"amount":1,"coupon":7}]}`},
		{name: "key in another case", doc: `{"Complaint_ID":"1"}`},
		{name: "click message (raw JSON)", doc: `{"log_id":"1","click_message":{"message_content":{"z":1,"a":[true]},"action_id":"x"}}`, history: true},
		{name: "negative amount", doc: `{"apply_refund_amount":-5}`, plain: true},
		{name: "number with a fraction", doc: `{"apply_refund_amount":1.5}`, wantErr: true},
		{name: "number with an exponent", doc: `{"user_complaint_times":1e2}`, wantErr: true},
		{name: "number too large", doc: `{"user_complaint_times":99999999999999999999}`, wantErr: true},
		{name: "number as text", doc: `{"user_complaint_times":"1"}`, wantErr: true},
		{name: "text as number", doc: `{"complaint_id":1}`, wantErr: true},
		{name: "time not RFC 3339", doc: `{"complaint_time":"2025-03-01 18:00:00"}`, wantErr: true},
		{name: "time with an hour 24", doc: `{"complaint_time":"2025-03-01T24:00:00Z"}`, wantErr: true},
		{name: "list as mapping", doc: `{"complaint_order_info":{"amount":1}}`, wantErr: true},
		{name: "bool as text", doc: `{"complaint_full_refunded":"true"}`, wantErr: true},
		{name: "not a mapping", doc: `["x"]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := plainValue(t, tt.doc)
			if tt.history {
				checkPlainDecode[complaints.NegotiationHistory](t, x, tt.plain, tt.wantErr)
			} else {
				checkPlainDecode[complaints.Complaint](t, x, tt.plain, tt.wantErr)
			}
		})
	}
	t.Run("invalid UTF-8", func(t *testing.T) {
		// json.Marshal replaces the bytes: the round trip decides.
		checkPlainDecode[complaints.Complaint](t, map[string]any{"complaint_detail": "a\xffb"}, false, false)
	})
}

func checkPlainDecode[T any](t *testing.T, x any, plain, wantErr bool) {
	t.Helper()
	want, wantE := roundTrip[T](x)
	if (wantE != nil) != wantErr {
		t.Fatalf("the round trip: %v, want an error %v", wantE, wantErr)
	}
	d := decoder{}
	var direct T
	if got := d.plainDecode(reflect.ValueOf(&direct).Elem(), x); got != plain {
		t.Errorf("plainDecode took it: %v, want %v", got, plain)
	}
	var got T
	err := d.decode(reflect.ValueOf(&got).Elem(), x, []string{"pay", "complaints", "0", "complaint"})
	if (err != nil) != wantErr {
		t.Fatalf("decode: %v, want an error %v", err, wantErr)
	}
	if err != nil {
		var de *decodeError
		if !errors.As(err, &de) || de.msg != wantE.Error() {
			t.Errorf("decode's error %v, want the round trip's %q", err, wantE)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decode filled\n%#v\nthe round trip\n%#v", got, want)
	}
}

// FuzzPlainDecode: whenever plainDecode fills a complaint or a history
// entry, the JSON round trip it stands in for gives the same value.
func FuzzPlainDecode(f *testing.F) {
	for _, doc := range []string{savedComplaint, savedHistory, `{"complaint_id":"1","x":2}`, `{"apply_refund_amount":-0}`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		var x any
		if dec.Decode(&x) != nil {
			return
		}
		samePlain[complaints.Complaint](t, x)
		samePlain[complaints.NegotiationHistory](t, x)
	})
}

func samePlain[T any](t *testing.T, x any) {
	d := decoder{}
	var got T
	if !d.plainDecode(reflect.ValueOf(&got).Elem(), x) {
		return
	}
	want, err := roundTrip[T](x)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("plainDecode filled\n%#v\nthe round trip (%v)\n%#v", got, err, want)
	}
}
