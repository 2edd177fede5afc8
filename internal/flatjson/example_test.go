package flatjson_test

import (
	"encoding/json"
	"fmt"

	"github.com/payfeedback/payfeedback/internal/flatjson"
)

func ExampleDecode() {
	var event struct {
		ComplaintID string `json:"complaint_id"`
		ActionType  string `json:"action_type"`
	}
	body := []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`)
	members := []flatjson.Member{
		{Name: "complaint_id", Dst: &event.ComplaintID},
		{Name: "action_type", Dst: &event.ActionType},
	}
	if !flatjson.Decode(body, members) {
		// Something unusual (an escape, a name in another case): the
		// reference decoder gives the same answer, or the error.
		if err := json.Unmarshal(body, &event); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(event.ComplaintID, event.ActionType)
	// Output: 200201820200101080076610000 CREATE_COMPLAINT
}
