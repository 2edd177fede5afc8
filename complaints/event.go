package complaints

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/payfeedback/payfeedback/internal/flatjson"
)

// MaxEventSize bounds the decrypted resource ParseEvent accepts. WeChat's
// is under 100 bytes ({"complaint_id":…,"action_type":…}); 64 KiB leaves
// room for fields WeChat may add.
const MaxEventSize = 64 << 10

// ErrInvalidEvent is wrapped by every error of ParseEvent: the plaintext is
// not a complaint event. Answer the callback as a failure (WeChat retries
// it) and look at the plaintext.
var ErrInvalidEvent = errors.New("complaints: invalid callback resource")

// Event is the decrypted resource of a complaint callback
// (docs/complaints-v3.md, "Callbacks"): which complaint, and what happened
// to it. It carries no other data of the complaint: query the detail.
type Event struct {
	// ComplaintID is the complaint concerned (1 to 64 characters).
	ComplaintID string `json:"complaint_id"`
	// ActionType is what happened; it may be empty, or a value this
	// package does not know (route both to a default path).
	ActionType ActionType `json:"action_type,omitempty"`
	// Raw is the plaintext as parsed, members this type does not declare
	// included. ParseEvent does not copy it: it is the slice it was given.
	Raw json.RawMessage `json:"-"`
}

// ParseEvent decodes the decrypted resource of a complaint callback. It
// refuses, with an error wrapping ErrInvalidEvent, a plaintext over
// MaxEventSize, anything but a JSON object, complaint_id or action_type
// that is not a string, and a complaint_id that is missing, blank or over
// 64 characters. An empty or unknown action_type is accepted. Members it
// does not declare are ignored, and stay readable in Event.Raw, which is
// data itself: do not modify data afterwards.
func ParseEvent(data []byte) (Event, error) {
	if len(data) > MaxEventSize {
		return Event{}, fmt.Errorf("%w: %d bytes, over the %d of MaxEventSize", ErrInvalidEvent, len(data), MaxEventSize)
	}
	var e Event
	// flatjson decodes what WeChat sends with one allocation (the string
	// both fields are cut from); it leaves anything unusual (an escape, a
	// name in another case) to encoding/json.
	members := []flatjson.Member{
		{Name: "complaint_id", Dst: &e.ComplaintID},
		{Name: "action_type", Dst: (*string)(&e.ActionType)},
	}
	if !flatjson.Decode(data, members) {
		var ref Event // not e, which would then live on the heap
		if err := json.Unmarshal(data, &ref); err != nil {
			return Event{}, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
		}
		e = ref
	}
	if !isObject(data) {
		return Event{}, fmt.Errorf("%w: not a JSON object", ErrInvalidEvent)
	}
	if err := checkID("complaint_id", e.ComplaintID, 64); err != nil {
		return Event{}, fmt.Errorf("%w: %s: %s", ErrInvalidEvent, err.Field, err.Reason)
	}
	e.Raw = data
	return e, nil
}

// isObject reports whether the JSON value data (valid JSON) is an object.
func isObject(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}
