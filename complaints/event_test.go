package complaints

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEventRefuses(t *testing.T) {
	for name, data := range map[string]string{
		"empty":                "",
		"not JSON":             "complaint_id=1",
		"truncated":            `{"complaint_id":"1"`,
		"array":                `[{"complaint_id":"1"}]`,
		"string":               `"200201820200101080076610000"`,
		"null":                 `null`,
		"no complaint_id":      `{"action_type":"CREATE_COMPLAINT"}`,
		"empty complaint_id":   `{"complaint_id":"","action_type":"CREATE_COMPLAINT"}`,
		"blank complaint_id":   `{"complaint_id":"  "}`,
		"numeric complaint_id": `{"complaint_id":200201820200101080076610000}`,
		"long complaint_id":    `{"complaint_id":"` + strings.Repeat("1", 65) + `"}`,
		"control character":    `{"complaint_id":"1\n2"}`,
		"numeric action_type":  `{"complaint_id":"1","action_type":7}`,
		"object action_type":   `{"complaint_id":"1","action_type":{}}`,
		"trailing garbage":     `{"complaint_id":"1"} x`,
		"over MaxEventSize":    `{"complaint_id":"1","pad":"` + strings.Repeat("x", MaxEventSize) + `"}`,
	} {
		e, err := ParseEvent([]byte(data))
		if !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: ParseEvent = %+v, %v; want ErrInvalidEvent", name, e, err)
		}
	}
}

func TestParseEventAccepts(t *testing.T) {
	for data, want := range map[string]Event{
		`{"complaint_id":"1","action_type":"CREATE_COMPLAINT"}`:            {ComplaintID: "1", ActionType: ActionCreateComplaint},
		` {"action_type":"NEW_ONE", "complaint_id":"2", "x":[1]} `:         {ComplaintID: "2", ActionType: "NEW_ONE"},
		`{"complaint_id":"3","action_type":null}`:                          {ComplaintID: "3"},
		`{"complaint_id":"4","action_type":"A","action_type":"B"}`:         {ComplaintID: "4", ActionType: "B"},
		`{"complaint_id":"` + strings.Repeat("9", 64) + `"}`:               {ComplaintID: strings.Repeat("9", 64)},
		`{"complaint_id":"5","action_type":"USER_APPLY_PLATFORM_SERIVCE"}`: {ComplaintID: "5", ActionType: ActionUserApplyPlatformSerivce},
		// Left to encoding/json by the fast path, decoded all the same:
		`{"complaint_id":"6","action_type":"CREATE_\u0043OMPLAINT"}`: {ComplaintID: "6", ActionType: ActionCreateComplaint},
		`{"Complaint_ID":"7","ACTION_TYPE":"CREATE_COMPLAINT"}`:      {ComplaintID: "7", ActionType: ActionCreateComplaint},
	} {
		e, err := ParseEvent([]byte(data))
		if err != nil || e.ComplaintID != want.ComplaintID || e.ActionType != want.ActionType || string(e.Raw) != data {
			t.Errorf("ParseEvent(%s) = %+v, %v; want %+v with Raw the input", data, e, err, want)
		}
	}
}

// TestParseEventAllocs: an event as WeChat sends it costs one allocation,
// the copy its two fields are cut from (the input may be reused
// afterwards, but for Raw, which is the input).
func TestParseEventAllocs(t *testing.T) {
	data := []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`)
	e, err := ParseEvent(data)
	if n := testing.AllocsPerRun(100, func() { e, err = ParseEvent(data) }); n > 1 {
		t.Errorf("ParseEvent: %v allocations, want 1", n)
	}
	id := e.ComplaintID
	copy(data, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
	if err != nil || id != "200201820200101080076610000" {
		t.Errorf("ParseEvent = %+v, %v; the id changed with its input: %q", e, err, id)
	}
}
