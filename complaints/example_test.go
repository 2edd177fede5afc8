package complaints_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/payfeedback/payfeedback/complaints"
)

// A callback's decrypted resource is parsed into an Event and routed by its
// action type; a reply is validated before it is sent.
func Example() {
	// What apiv3 decrypted from a COMPLAINT.CREATE callback.
	plaintext := []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`)
	event, err := complaints.ParseEvent(plaintext)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	switch event.ActionType.Canonical() {
	case complaints.ActionCreateComplaint:
		fmt.Println("new complaint", event.ComplaintID)
	default:
		fmt.Println("other action", event.ActionType)
	}

	reply := complaints.ResponseRequest{
		ComplaintedMchID: "1900012181",
		ResponseContent:  "已为您全额退款，请查收。",
		JumpURL:          "https://shop.example.com/orders/42",
	}
	var invalid *complaints.ValidationError
	if err := reply.Validate(); errors.As(err, &invalid) {
		fmt.Printf("not sent: %s: %s\n", invalid.Field, invalid.Reason)
	}
	reply.JumpURLText = "查看订单"
	body, _ := json.Marshal(reply)
	fmt.Println(reply.Validate() == nil, string(body))
	fmt.Println(complaints.PathResponse(event.ComplaintID))
	// Output:
	// new complaint 200201820200101080076610000
	// not sent: jump_url_text: required with jump_url (give both or neither)
	// true {"complainted_mchid":"1900012181","response_content":"已为您全额退款，请查收。","jump_url":"https://shop.example.com/orders/42","jump_url_text":"查看订单"}
	// /v3/merchant-service/complaints-v2/200201820200101080076610000/response
}

// An answer with a field and an enum value this package does not know
// decodes, and encodes back with both.
func ExampleComplaint_unknownValues() {
	answer := []byte(`{"complaint_id":"200201820200101080076610000","complaint_time":"2025-05-20T13:29:35.120+08:00",` +
		`"complaint_detail":"重复扣费","complainted_mchid":"1900012181","complaint_state":"ARBITRATING",` +
		`"complaint_full_refunded":false,"incoming_user_response":true,"problem_description":"重复扣费",` +
		`"user_complaint_times":1,"complaint_order_info":[],"service_order_info":[],"complaint_media_list":[],` +
		`"user_tag_list":[],"mood":{"score":3}}`)
	var c complaints.Complaint
	if err := json.Unmarshal(answer, &c); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.ComplaintState, c.ComplaintState.Known(), string(c.Extra["mood"]))
	again, _ := json.Marshal(c)
	fmt.Println(bytes.Contains(again, []byte(`"complaint_state":"ARBITRATING"`)), bytes.HasSuffix(again, []byte(`"mood":{"score":3}}`)))
	// Output:
	// ARBITRATING false {"score":3}
	// true true
}

// SplitSpan cuts a quarter into the 30-day windows of the list endpoint.
func ExampleSplitSpan() {
	begin, _ := complaints.ParseDate("2025-01-01")
	end, _ := complaints.ParseDate("2025-03-31")
	for _, s := range complaints.SplitSpan(begin, end) {
		fmt.Println(s.Begin, s.End, s.Days())
	}
	// Output:
	// 2025-01-01 2025-01-30 30
	// 2025-01-31 2025-03-01 30
	// 2025-03-02 2025-03-31 30
}
