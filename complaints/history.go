package complaints

import (
	"encoding/json"
	"time"
)

// NegotiationHistory is an entry of a complaint's negotiation history
// (协商历史): who did what, when (docs/complaints-v3.md, "Negotiation
// history"). The names of the JSON members are WeChat's, misspellings
// included (user_appy_…).
type NegotiationHistory struct {
	// LogID is the entry's id (1 to 64 characters); the immediate-service
	// reply answers the log_id of the entry it makes.
	LogID string `json:"log_id"`
	// Operator is who acted, for people (e.g. 投诉人).
	Operator string `json:"operator"`
	// OperateTime is when.
	OperateTime time.Time `json:"operate_time"`
	// OperateType is what.
	OperateType OperateType `json:"operate_type"`
	// OperateDetails is the text of the entry: a message, a refusal's
	// reason, a satisfaction score.
	OperateDetails string `json:"operate_details,omitempty"`
	// ImageList holds up to 4 image URLs, valid for one hour. The user's
	// complaint images are not among them. Written [] when nil, as WeChat
	// answers when there are none.
	ImageList []string `json:"image_list"`
	// ComplaintMediaList is the entry's media: a single object here, unlike
	// the complaint's array of the same name; nil when absent.
	ComplaintMediaList *Media `json:"complaint_media_list,omitempty"`
	// UserAppyPlatformServiceReason is why the user asked WeChat to step in
	// (the member's name is misspelled by WeChat).
	UserAppyPlatformServiceReason string `json:"user_appy_platform_service_reason,omitempty"`
	// UserAppyPlatformServiceReasonDescription is the user's own words for
	// it.
	UserAppyPlatformServiceReasonDescription string `json:"user_appy_platform_service_reason_description,omitempty"`
	// NormalMessage is a message in the block format of the immediate-service
	// reply; nil when absent.
	NormalMessage *NormalMessage `json:"normal_message,omitempty"`
	// ClickMessage is the message a user's click produced; nil when absent.
	ClickMessage *ClickMessage `json:"click_message,omitempty"`
	Extra        Extra         `json:"-"`
}

// ClickMessage is what a user's click on a message's link, button or FAQ
// produced.
type ClickMessage struct {
	// MessageContent is the message the click sent. Its shape is not
	// documented (an object): it is kept as WeChat sent it.
	MessageContent json.RawMessage `json:"message_content,omitempty"`
	// ActionID is the action_id of the clicked MessageAction.
	ActionID string `json:"action_id,omitempty"`
	// ClickedLogID is the log_id of the history entry clicked.
	ClickedLogID string `json:"clicked_log_id,omitempty"`
	Extra        Extra  `json:"-"`
}

type (
	plainNegotiationHistory NegotiationHistory
	plainClickMessage       ClickMessage
)

// UnmarshalJSON decodes h, keeping undeclared members in h.Extra.
func (h *NegotiationHistory) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainNegotiationHistory)(h), &h.Extra)
}

// MarshalJSON encodes h (ImageList [] when nil), then h.Extra.
func (h NegotiationHistory) MarshalJSON() ([]byte, error) {
	p := plainNegotiationHistory(h)
	p.ImageList = orEmpty(p.ImageList)
	return encodeKeeping(&p, h.Extra)
}

// UnmarshalJSON decodes c, keeping undeclared members in c.Extra.
func (c *ClickMessage) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainClickMessage)(c), &c.Extra)
}

// MarshalJSON encodes c, then c.Extra.
func (c ClickMessage) MarshalJSON() ([]byte, error) {
	p := plainClickMessage(c)
	return encodeKeeping(&p, c.Extra)
}
