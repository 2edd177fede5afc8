package complaints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/internal/golden"
)

// answerKinds maps the prefix of a sample's name in testdata/complaints/answers
// to the round trip of its type.
var answerKinds = map[string]func(t *testing.T, data []byte) ([]byte, bool){
	"detail_":                  roundTripOf[Complaint],
	"list_":                    roundTripOf[Page[Complaint]],
	"history_":                 roundTripOf[Page[NegotiationHistory]],
	"notification_url":         roundTripOf[NotificationURL],
	"upload_answer":            roundTripOf[UploadAnswer],
	"immediate_service_answer": roundTripOf[ImmediateServiceAnswer],
}

func roundTripOf[T any](t *testing.T, data []byte) ([]byte, bool) {
	_, enc, ok := roundTrip[T](t, data)
	return enc, ok
}

// TestAnswersGolden decodes every answer sample into its type, checks that
// encoding and decoding again changes nothing, and compares the encoding
// (indented) with NAME.golden.json. Regenerate with
// go test -run TestAnswersGolden -update ./complaints and review the diff.
func TestAnswersGolden(t *testing.T) {
	for name, path := range samples(t, "answers") {
		t.Run(name, func(t *testing.T) {
			var kind func(*testing.T, []byte) ([]byte, bool)
			for prefix, k := range answerKinds {
				if strings.HasPrefix(name, prefix) {
					kind = k
				}
			}
			if kind == nil {
				t.Fatalf("no type for sample %s: name it after one of the prefixes of answerKinds", name)
			}
			enc, ok := kind(t, readFile(t, path))
			if !ok {
				t.Fatalf("%s does not decode", path)
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, enc, "", "  "); err != nil {
				t.Fatal(err)
			}
			indented.WriteByte('\n')
			golden.Check(t, filepath.Join(testdataDir, "answers", name+".golden.json"), indented.Bytes())
		})
	}
}

// TestUnknownValuesSurvive: the enum values and members a sample holds that
// this package does not know come out of a round trip as they went in.
func TestUnknownValuesSurvive(t *testing.T) {
	detail := readFile(t, filepath.Join(testdataDir, "answers", "detail_unknown_values.json"))
	c, enc, ok := roundTrip[Complaint](t, detail)
	if !ok {
		t.Fatal("detail_unknown_values.json does not decode")
	}
	checks := []struct {
		what  string
		known bool
		value string
	}{
		{"complaint_state", c.ComplaintState.Known(), string(c.ComplaintState)},
		{"problem_type", c.ProblemType.Known(), string(c.ProblemType)},
		{"service_order_info[0].state", c.ServiceOrderInfo[0].State.Known(), string(c.ServiceOrderInfo[0].State)},
		{"complaint_media_list[0].media_type", c.ComplaintMediaList[0].MediaType.Known(), string(c.ComplaintMediaList[0].MediaType)},
		{"user_tag_list[1]", c.UserTagList[1].Known(), string(c.UserTagList[1])},
		{"additional_info.type", c.AdditionalInfo.Type.Known(), string(c.AdditionalInfo.Type)},
	}
	want := []string{"ARBITRATING", "DELIVERY", "EXPIRED", "USER_COMPLAINT_VIDEO", "VIP_USER", "SHARE_BIKE_TYPE"}
	for i, ch := range checks {
		if ch.known || ch.value != want[i] {
			t.Errorf("%s = %q (Known %v), want %q unknown", ch.what, ch.value, ch.known, want[i])
		}
		if !bytes.Contains(enc, []byte(`"`+want[i]+`"`)) {
			t.Errorf("%q is missing from the encoding: %s", want[i], enc)
		}
	}
	extras := map[string]Extra{
		"complaint":                        c.Extra,
		"complaint_order_info[0]":          c.ComplaintOrderInfo[0].Extra,
		"complaint_media_list[0]":          c.ComplaintMediaList[0].Extra,
		"additional_info":                  c.AdditionalInfo.Extra,
		"additional_info.share_power_info": c.AdditionalInfo.SharePowerInfo.Extra,
	}
	wantKeys := map[string][]string{
		"complaint":                        {"agent_summary", "complaint_level", "escalated"},
		"complaint_order_info[0]":          {"currency"},
		"complaint_media_list[0]":          {"duration_seconds"},
		"additional_info":                  {"share_bike_info"},
		"additional_info.share_power_info": {"cabinet_id"},
	}
	for where, extra := range extras {
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys[where]) {
			t.Errorf("%s.Extra keys = %v, want %v", where, keys, wantKeys[where])
		}
	}
	if got := string(c.Extra["agent_summary"]); got != `{"intent":"REFUND","confidence":0.92,"tags":["急","退款"]}` {
		t.Errorf("agent_summary = %s", got)
	}
	if got := string(c.Extra["complaint_level"]); got != "null" {
		t.Errorf("a null member is kept as null, got %q", got)
	}
	for _, member := range []string{`"cabinet_id":"C-0042"`, `"share_bike_info":{"bike_id":"B-77"`, `"complaint_level":null`, `"confidence":0.92`} {
		if !bytes.Contains(enc, []byte(member)) {
			t.Errorf("the encoding lost %s: %s", member, enc)
		}
	}

	history := readFile(t, filepath.Join(testdataDir, "answers", "history_unknown_values.json"))
	p, enc, ok := roundTrip[Page[NegotiationHistory]](t, history)
	if !ok {
		t.Fatal("history_unknown_values.json does not decode")
	}
	m := p.Data[0].NormalMessage
	for what, v := range map[string]interface{ Known() bool }{
		"operate_type":                        p.Data[0].OperateType,
		"blocks[0].type":                      m.Blocks[0].Type,
		"blocks[1].text.color":                m.Blocks[1].Text.Color,
		"blocks[2].button.action.action_type": m.Blocks[2].Button.Action.ActionType,
		"sender_identity":                     m.SenderIdentity,
	} {
		if v.Known() {
			t.Errorf("%s %v is Known", what, v)
		}
	}
	if p.Extra["next_cursor"] == nil || p.Data[0].Extra["agent_id"] == nil || m.Blocks[0].Extra["video"] == nil ||
		m.Blocks[1].Text.Extra["is_italic"] == nil || m.Blocks[2].Button.Action.Extra["phone"] == nil || m.Extra["priority"] == nil ||
		p.Data[1].ClickMessage.Extra["clicked_at"] == nil {
		t.Errorf("an unknown member was lost: page %v entry %v block %v text %v action %v message %v click %v",
			p.Extra, p.Data[0].Extra, m.Blocks[0].Extra, m.Blocks[1].Text.Extra, m.Blocks[2].Button.Action.Extra, m.Extra, p.Data[1].ClickMessage.Extra)
	}
	for _, member := range []string{`"AGENT_RESPONSE"`, `"type":"VIDEO","video":{"media_id":"V-1","length":30}`, `"WARNING"`, `"ACTION_TYPE_CALL_PHONE"`, `"phone":"95017"`, `"next_cursor":"abc"`, `"message_content":{"content":"转人工","extra":[1,2]}`} {
		if !bytes.Contains(enc, []byte(member)) {
			t.Errorf("the encoding lost %s: %s", member, enc)
		}
	}
}

// TestEventsGolden parses every callback plaintext sample and lists what
// it holds in events.golden: the file's name, the complaint, the action,
// whether it is Known and its Canonical form. An action type sample's name
// is its action type.
func TestEventsGolden(t *testing.T) {
	files := samples(t, "events")
	var out bytes.Buffer
	seen := map[ActionType]bool{}
	for _, name := range sortedKeys(files) {
		data := readFile(t, files[name])
		e, err := ParseEvent(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(e.Raw, data) {
			t.Errorf("%s: Raw = %q, want the plaintext", name, e.Raw)
		}
		if a := ActionType(name); a.Known() {
			if e.ActionType != a {
				t.Errorf("%s: action_type %q, want %q", name, e.ActionType, a)
			}
			seen[a] = true
		}
		fmt.Fprintf(&out, "%-30s %s %-30q known=%-5v canonical=%s\n", name, e.ComplaintID, e.ActionType, e.ActionType.Known(), e.ActionType.Canonical())
	}
	for _, a := range ActionTypes() {
		if !seen[a] {
			t.Errorf("no sample events/%s.json for the documented action type %s", a, a)
		}
	}
	golden.Check(t, filepath.Join(testdataDir, "events.golden"), out.Bytes())
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
