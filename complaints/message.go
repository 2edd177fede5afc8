package complaints

import "time"

// NormalMessage is a message in blocks (新版消息格式): what the
// immediate-service reply sends (ImmediateServiceRequest) and what a
// history entry shows (NegotiationHistory.NormalMessage). See
// docs/complaints-v3.md, "Immediate-service reply".
type NormalMessage struct {
	// Blocks are the message's parts, in order.
	Blocks []Block `json:"blocks,omitempty"`
	// SenderIdentity says who wrote it (a person, a bot); empty when
	// absent.
	SenderIdentity SenderIdentity `json:"sender_identity,omitempty"`
	// CustomData is the merchant's own data, passed through (up to 4096
	// characters).
	CustomData string `json:"custom_data,omitempty"`
	Extra      Extra  `json:"-"`
}

// Block is a part of a NormalMessage: Type says which one of the other
// fields it carries.
type Block struct {
	Type        BlockType    `json:"type"`
	Text        *TextBlock   `json:"text,omitempty"`         // for TEXT
	Image       *ImageBlock  `json:"image,omitempty"`        // for IMAGE
	Link        *Clickable   `json:"link,omitempty"`         // for LINK
	FAQList     *FAQList     `json:"faq_list,omitempty"`     // for FAQ_LIST
	Button      *Clickable   `json:"button,omitempty"`       // for BUTTON
	ButtonGroup *ButtonGroup `json:"button_group,omitempty"` // for BUTTON_GROUP
	Extra       Extra        `json:"-"`
}

// TextBlock is a block of text.
type TextBlock struct {
	Text   string    `json:"text"`
	Color  TextColor `json:"color,omitempty"`
	IsBold bool      `json:"is_bold,omitempty"`
	Extra  Extra     `json:"-"`
}

// ImageBlock is an image, uploaded first (the media_id of an upload).
type ImageBlock struct {
	MediaID        string     `json:"media_id"`
	ImageStyleType ImageStyle `json:"image_style_type,omitempty"`
	Extra          Extra      `json:"-"`
}

// Clickable is a text the user can click: a LINK block's link, a BUTTON
// block's button, or a button of a BUTTON_GROUP (the three have one shape).
type Clickable struct {
	Text        string         `json:"text"`
	Action      *MessageAction `json:"action,omitempty"`
	InvalidInfo *InvalidInfo   `json:"invalid_info,omitempty"`
	Extra       Extra          `json:"-"`
}

// FAQList is a list of questions the user can pick from.
type FAQList struct {
	FAQs  []FAQ `json:"faqs"`
	Extra Extra `json:"-"`
}

// FAQ is a question of a FAQList.
type FAQ struct {
	FAQID    string         `json:"faq_id"`
	FAQTitle string         `json:"faq_title"`
	Action   *MessageAction `json:"action,omitempty"`
	Extra    Extra          `json:"-"`
}

// ButtonGroup is a row or column of buttons.
type ButtonGroup struct {
	Buttons      []Clickable  `json:"buttons"`
	ButtonLayout ButtonLayout `json:"button_layout,omitempty"`
	InvalidInfo  *InvalidInfo `json:"invalid_info,omitempty"`
	Extra        Extra        `json:"-"`
}

// MessageAction is what clicking does: ActionType says which of JumpURL,
// MiniProgramJumpInfo and MessageInfo applies.
type MessageAction struct {
	ActionType          MessageActionType    `json:"action_type"`
	JumpURL             string               `json:"jump_url,omitempty"`               // for ACTION_TYPE_JUMP_URL
	MiniProgramJumpInfo *MiniProgramJumpInfo `json:"mini_program_jump_info,omitempty"` // for ACTION_TYPE_JUMP_MINI_PROGRAM
	MessageInfo         *MessageInfo         `json:"message_info,omitempty"`           // for ACTION_TYPE_SEND_MESSAGE
	// ActionID names the action; a ClickMessage carries it back.
	ActionID string `json:"action_id,omitempty"`
	Extra    Extra  `json:"-"`
}

// MiniProgramJumpInfo opens a page of a mini program: in a MessageAction,
// and in a reply (ResponseRequest), where all three fields are required.
type MiniProgramJumpInfo struct {
	AppID string `json:"appid"`
	Path  string `json:"path,omitempty"`
	Text  string `json:"text,omitempty"`
	Extra Extra  `json:"-"`
}

// MessageInfo is the message a click sends on the user's behalf.
type MessageInfo struct {
	Content    string `json:"content"`
	CustomData string `json:"custom_data,omitempty"`
	Extra      Extra  `json:"-"`
}

// InvalidInfo says when a clickable stops working.
type InvalidInfo struct {
	// ExpiredTime is when it expires; zero when absent.
	ExpiredTime time.Time `json:"expired_time,omitzero"`
	// MultiClickable allows more than one click.
	MultiClickable bool  `json:"multi_clickable,omitempty"`
	Extra          Extra `json:"-"`
}

type (
	plainNormalMessage       NormalMessage
	plainBlock               Block
	plainTextBlock           TextBlock
	plainImageBlock          ImageBlock
	plainClickable           Clickable
	plainFAQList             FAQList
	plainFAQ                 FAQ
	plainButtonGroup         ButtonGroup
	plainMessageAction       MessageAction
	plainMiniProgramJumpInfo MiniProgramJumpInfo
	plainMessageInfo         MessageInfo
	plainInvalidInfo         InvalidInfo
)

// UnmarshalJSON decodes m, keeping undeclared members in m.Extra.
func (m *NormalMessage) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainNormalMessage)(m), &m.Extra)
}

// MarshalJSON encodes m, then m.Extra.
func (m NormalMessage) MarshalJSON() ([]byte, error) {
	p := plainNormalMessage(m)
	return encodeKeeping(&p, m.Extra)
}

// UnmarshalJSON decodes b, keeping undeclared members in b.Extra.
func (b *Block) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainBlock)(b), &b.Extra)
}

// MarshalJSON encodes b, then b.Extra.
func (b Block) MarshalJSON() ([]byte, error) {
	p := plainBlock(b)
	return encodeKeeping(&p, b.Extra)
}

// UnmarshalJSON decodes t, keeping undeclared members in t.Extra.
func (t *TextBlock) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainTextBlock)(t), &t.Extra)
}

// MarshalJSON encodes t, then t.Extra.
func (t TextBlock) MarshalJSON() ([]byte, error) {
	p := plainTextBlock(t)
	return encodeKeeping(&p, t.Extra)
}

// UnmarshalJSON decodes i, keeping undeclared members in i.Extra.
func (i *ImageBlock) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainImageBlock)(i), &i.Extra)
}

// MarshalJSON encodes i, then i.Extra.
func (i ImageBlock) MarshalJSON() ([]byte, error) {
	p := plainImageBlock(i)
	return encodeKeeping(&p, i.Extra)
}

// UnmarshalJSON decodes c, keeping undeclared members in c.Extra.
func (c *Clickable) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainClickable)(c), &c.Extra)
}

// MarshalJSON encodes c, then c.Extra.
func (c Clickable) MarshalJSON() ([]byte, error) {
	p := plainClickable(c)
	return encodeKeeping(&p, c.Extra)
}

// UnmarshalJSON decodes l, keeping undeclared members in l.Extra.
func (l *FAQList) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainFAQList)(l), &l.Extra)
}

// MarshalJSON encodes l (FAQs [] when nil), then l.Extra.
func (l FAQList) MarshalJSON() ([]byte, error) {
	p := plainFAQList(l)
	p.FAQs = orEmpty(p.FAQs)
	return encodeKeeping(&p, l.Extra)
}

// UnmarshalJSON decodes f, keeping undeclared members in f.Extra.
func (f *FAQ) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainFAQ)(f), &f.Extra)
}

// MarshalJSON encodes f, then f.Extra.
func (f FAQ) MarshalJSON() ([]byte, error) {
	p := plainFAQ(f)
	return encodeKeeping(&p, f.Extra)
}

// UnmarshalJSON decodes g, keeping undeclared members in g.Extra.
func (g *ButtonGroup) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainButtonGroup)(g), &g.Extra)
}

// MarshalJSON encodes g (Buttons [] when nil), then g.Extra.
func (g ButtonGroup) MarshalJSON() ([]byte, error) {
	p := plainButtonGroup(g)
	p.Buttons = orEmpty(p.Buttons)
	return encodeKeeping(&p, g.Extra)
}

// UnmarshalJSON decodes a, keeping undeclared members in a.Extra.
func (a *MessageAction) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainMessageAction)(a), &a.Extra)
}

// MarshalJSON encodes a, then a.Extra.
func (a MessageAction) MarshalJSON() ([]byte, error) {
	p := plainMessageAction(a)
	return encodeKeeping(&p, a.Extra)
}

// UnmarshalJSON decodes m, keeping undeclared members in m.Extra.
func (m *MiniProgramJumpInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainMiniProgramJumpInfo)(m), &m.Extra)
}

// MarshalJSON encodes m, then m.Extra.
func (m MiniProgramJumpInfo) MarshalJSON() ([]byte, error) {
	p := plainMiniProgramJumpInfo(m)
	return encodeKeeping(&p, m.Extra)
}

// UnmarshalJSON decodes m, keeping undeclared members in m.Extra.
func (m *MessageInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainMessageInfo)(m), &m.Extra)
}

// MarshalJSON encodes m, then m.Extra.
func (m MessageInfo) MarshalJSON() ([]byte, error) {
	p := plainMessageInfo(m)
	return encodeKeeping(&p, m.Extra)
}

// UnmarshalJSON decodes i, keeping undeclared members in i.Extra.
func (i *InvalidInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainInvalidInfo)(i), &i.Extra)
}

// MarshalJSON encodes i, then i.Extra.
func (i InvalidInfo) MarshalJSON() ([]byte, error) {
	p := plainInvalidInfo(i)
	return encodeKeeping(&p, i.Extra)
}
