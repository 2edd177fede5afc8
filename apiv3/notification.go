package apiv3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/internal/flatjson"
)

// Notification is a callback's envelope, as every APIv3 callback carries
// it (docs/apiv3.md, "Callbacks"): the notification's id (a retry keeps
// it), when and what, and the encrypted resource. What the resource holds
// depends on EventType and is the business of the package that knows
// those events (complaints, for COMPLAINT.*).
type Notification struct {
	ID           string   `json:"id"`
	CreateTime   string   `json:"create_time"`
	EventType    string   `json:"event_type"`
	ResourceType string   `json:"resource_type"`
	Summary      string   `json:"summary,omitempty"`
	Resource     Resource `json:"resource"`
}

// ResourceTypeEncrypted is the resource_type of an encrypted resource.
const ResourceTypeEncrypted = "encrypt-resource"

// Resource is an encrypted resource: a callback's, or a platform
// certificate's (encrypt_certificate). Open it with an AEAD.
type Resource struct {
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	OriginalType   string `json:"original_type,omitempty"`
}

// ErrMalformedNotification: a callback body is not a notification
// envelope.
var ErrMalformedNotification = errors.New("not a notification envelope")

// MaxNotificationSize bounds a callback body: WeChat's are well under 1
// KiB; 64 KiB leaves room for any future envelope.
const MaxNotificationSize = 64 << 10

// maxDepth bounds the nesting ParseNotification accepts: the envelope
// nests two levels; unknown fields may nest a little more.
const maxDepth = 16

// ParseNotification decodes a callback's body. Unknown fields are ignored
// (WeChat adds fields); id, event_type and the resource's algorithm,
// ciphertext and nonce are required; the body must be one JSON object of
// at most MaxNotificationSize bytes nested at most 16 levels. Errors wrap
// ErrMalformedNotification.
func ParseNotification(body []byte) (*Notification, error) {
	n := new(Notification)
	if err := parseNotificationInto(n, body); err != nil {
		return nil, err
	}
	return n, nil
}

func parseNotificationInto(n *Notification, body []byte) error {
	if len(body) > MaxNotificationSize {
		return fmt.Errorf("apiv3: %w: %d bytes, more than %d", ErrMalformedNotification, len(body), MaxNotificationSize)
	}
	if d := jsonDepth(body); d > maxDepth {
		return fmt.Errorf("apiv3: %w: nested %d levels deep, more than %d", ErrMalformedNotification, d, maxDepth)
	}
	// flatjson decodes what WeChat sends with one allocation (the string
	// every field is cut from) where encoding/json makes one per field and
	// more; it leaves anything unusual (an escape, a name in another case)
	// to encoding/json.
	members := []flatjson.Member{
		{Name: "id", Dst: &n.ID},
		{Name: "create_time", Dst: &n.CreateTime},
		{Name: "event_type", Dst: &n.EventType},
		{Name: "resource_type", Dst: &n.ResourceType},
		{Name: "summary", Dst: &n.Summary},
		{Name: "resource", Object: []flatjson.Member{
			{Name: "algorithm", Dst: &n.Resource.Algorithm},
			{Name: "ciphertext", Dst: &n.Resource.Ciphertext},
			{Name: "nonce", Dst: &n.Resource.Nonce},
			{Name: "associated_data", Dst: &n.Resource.AssociatedData},
			{Name: "original_type", Dst: &n.Resource.OriginalType},
		}},
	}
	if !flatjson.Decode(body, members) {
		*n = Notification{}
		if err := json.Unmarshal(body, n); err != nil {
			return fmt.Errorf("apiv3: %w: %v", ErrMalformedNotification, err)
		}
	}
	switch {
	case n.ID == "":
		return fmt.Errorf("apiv3: %w: id is missing", ErrMalformedNotification)
	case n.EventType == "":
		return fmt.Errorf("apiv3: %w: event_type is missing", ErrMalformedNotification)
	case n.Resource.Algorithm == "" || n.Resource.Ciphertext == "" || n.Resource.Nonce == "":
		return fmt.Errorf("apiv3: %w: resource.algorithm, ciphertext or nonce is missing", ErrMalformedNotification)
	}
	return nil
}

// Created returns CreateTime as a time: RFC 3339, with or without
// fractional seconds (WeChat sends both).
func (n *Notification) Created() (time.Time, error) {
	return time.Parse(time.RFC3339Nano, n.CreateTime)
}

// jsonDepth returns the deepest nesting of objects and arrays in b,
// skipping strings; it does not validate.
func jsonDepth(b []byte) int {
	if !bytes.ContainsAny(b, "[{") {
		return 0
	}
	depth, max, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				max = depth
			}
		case '}', ']':
			depth--
		}
	}
	return max
}
