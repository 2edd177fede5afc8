package stream

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// Message is what the data line of an SSE event of the fake holds: the
// Event as JSON, and its live-log line.
type Message struct {
	events.Event
	// Line is the event as one line of a live log (Event.String).
	Line string `json:"line"`
}

// The SSE event names besides the kinds of events.Kind.
const (
	// EventGap: the client missed events (it fell behind, or the hub's
	// subscription did); data {"missed":N} (0: unknown). Reload what you
	// show.
	EventGap = "gap"
	// EventSkipped: events were not forwarded (beyond Options.PerSecond
	// of a kind in a second); data {"events":N}. The call and delivery
	// logs have them; reload what you show.
	EventSkipped = "skipped"
)

// encode writes one event as an SSE frame: its id is the event's Seq, its
// name the event's Kind, its data the Message as one line of JSON.
func encode(e events.Event) ([]byte, error) {
	data, err := json.Marshal(Message{Event: e, Line: e.String()})
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(data)+48)
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...), nil
}

// notice is an SSE frame of one of the hub's own events (gap, skipped).
func notice(name, key string, n uint64) []byte {
	return fmt.Appendf(nil, "event: %s\ndata: {%q:%d}\n\n", name, key, n)
}
