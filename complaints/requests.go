package complaints

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ResponseRequest is the body of a reply to the user (POST …/response).
// The first reply moves a PENDING complaint to PROCESSING; WeChat answers
// 204 and sends no callback for it.
type ResponseRequest struct {
	// ComplaintedMchID is the merchant complained about (required).
	ComplaintedMchID string `json:"complainted_mchid"`
	// ResponseContent is the reply (required, at most
	// MaxResponseContentLength characters).
	ResponseContent string `json:"response_content"`
	// ResponseImages are media_ids of uploaded images (at most 4).
	ResponseImages []string `json:"response_images,omitempty"`
	// JumpURL is an https link shown with the reply (at most 512
	// characters); JumpURLText is its text (at most 10). Both or neither.
	// WeChat refuses links from a merchant it has not enabled (NO_AUTH).
	JumpURL     string `json:"jump_url,omitempty"`
	JumpURLText string `json:"jump_url_text,omitempty"`
	// MiniProgramJumpInfo links a mini program page; its appid, path and
	// text are all required here. Nil when absent.
	MiniProgramJumpInfo *MiniProgramJumpInfo `json:"mini_program_jump_info,omitempty"`
}

// Validate checks r before it is sent; the error is a *ValidationError.
func (r ResponseRequest) Validate() error {
	return first(
		checkID("complainted_mchid", r.ComplaintedMchID, MaxMchIDLength),
		checkText("response_content", r.ResponseContent, true, MaxResponseContentLength),
		checkMediaIDs("response_images", r.ResponseImages, MaxResponseImages),
		r.checkJump(),
		checkMiniProgram(r.MiniProgramJumpInfo, true).under("mini_program_jump_info"),
	).in("ResponseRequest")
}

// checkJump checks jump_url and jump_url_text: both or neither ("二者缺一
// 不可").
func (r ResponseRequest) checkJump() *fieldError {
	switch {
	case r.JumpURL == "" && r.JumpURLText == "":
		return nil
	case r.JumpURL == "":
		return &fieldError{"jump_url", "required with jump_url_text (give both or neither)"}
	case r.JumpURLText == "":
		return &fieldError{"jump_url_text", "required with jump_url (give both or neither)"}
	}
	return first(
		checkHTTPS("jump_url", r.JumpURL, MaxJumpURLLength),
		checkText("jump_url_text", r.JumpURLText, true, MaxJumpURLTextLength),
	)
}

// checkMiniProgram checks a mini program link: appid always required, path
// and text too when all are (in a reply). A nil link is fine.
func checkMiniProgram(m *MiniProgramJumpInfo, all bool) *fieldError {
	if m == nil {
		return nil
	}
	return first(
		checkText("appid", m.AppID, true, 0),
		checkText("path", m.Path, all, 0),
		checkText("text", m.Text, all, 0),
	)
}

// CompleteRequest is the body marking a complaint handled (POST
// …/complete). WeChat answers 204, marks it processed and sends the user a
// satisfaction survey.
type CompleteRequest struct {
	// ComplaintedMchID is the merchant complained about (required).
	ComplaintedMchID string `json:"complainted_mchid"`
}

// Validate checks r before it is sent; the error is a *ValidationError.
func (r CompleteRequest) Validate() error {
	return checkID("complainted_mchid", r.ComplaintedMchID, MaxMchIDLength).in("CompleteRequest")
}

// RefundProgressRequest is the merchant's decision on a refund asked for
// in a complaint (POST …/update-refund-progress; problem_type REFUND only).
// APPROVE obliges the merchant to refund through the refund API itself;
// the complaint becomes PROCESSED when the refund arrives. REJECT makes it
// PROCESSED at once.
type RefundProgressRequest struct {
	// Action is APPROVE or REJECT (required).
	Action RefundAction `json:"action"`
	// LaunchRefundDay is in how many working days the refund starts (0:
	// today), APPROVE only; nil leaves it out. WeChat answered 400 when it
	// came with REJECT.
	LaunchRefundDay *int `json:"launch_refund_day,omitempty"`
	// RejectReason says why (1 to 200 characters), REJECT only.
	RejectReason string `json:"reject_reason,omitempty"`
	// RejectMediaList are media_ids of evidence (at most 4), REJECT only.
	RejectMediaList []string `json:"reject_media_list,omitempty"`
	// Remark is a note to WeChat's support (at most 200 characters).
	Remark string `json:"remark,omitempty"`
}

// Validate checks r before it is sent; the error is a *ValidationError.
func (r RefundProgressRequest) Validate() error {
	err := first(
		checkKnown("action", r.Action, true, RefundActions),
		checkText("reject_reason", r.RejectReason, false, MaxRejectReasonLength),
		checkMediaIDs("reject_media_list", r.RejectMediaList, MaxRejectMedia),
		checkText("remark", r.Remark, false, MaxRemarkLength),
	)
	if err == nil {
		switch {
		case r.LaunchRefundDay != nil && r.Action != RefundApprove:
			err = &fieldError{"launch_refund_day", "only with action APPROVE (WeChat refuses it with REJECT)"}
		case r.LaunchRefundDay != nil && *r.LaunchRefundDay < 0:
			err = &fieldError{"launch_refund_day", fmt.Sprintf("%d: a number of working days, 0 (today) or more", *r.LaunchRefundDay)}
		case r.RejectReason != "" && r.Action != RefundReject:
			err = &fieldError{"reject_reason", "only with action REJECT"}
		case len(r.RejectMediaList) > 0 && r.Action != RefundReject:
			err = &fieldError{"reject_media_list", "only with action REJECT"}
		}
	}
	return err.in("RefundProgressRequest")
}

// ImmediateServiceRequest is the body of a reply to a complaint that needs
// immediate service (need_immediate_service true; POST
// …/response-immediate-service). WeChat processes a given IdempotentID
// once: reuse the same one when retrying the same reply, make a fresh one
// (NewIdempotentID) for another reply.
type ImmediateServiceRequest struct {
	// ComplaintedMchID is the merchant complained about (required).
	ComplaintedMchID string `json:"complainted_mchid"`
	// Message is the reply (at least one block).
	Message NormalMessage `json:"message"`
	// IdempotentID identifies the reply (required, at most 128
	// characters).
	IdempotentID string `json:"idempotent_id"`
}

// ImmediateServiceAnswer is WeChat's answer to an ImmediateServiceRequest.
type ImmediateServiceAnswer struct {
	// LogID is the negotiation-history entry the reply made.
	LogID string `json:"log_id"`
	Extra Extra  `json:"-"`
}

type plainImmediateServiceAnswer ImmediateServiceAnswer

// UnmarshalJSON decodes a, keeping undeclared members in a.Extra.
func (a *ImmediateServiceAnswer) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainImmediateServiceAnswer)(a), &a.Extra)
}

// MarshalJSON encodes a, then a.Extra.
func (a ImmediateServiceAnswer) MarshalJSON() ([]byte, error) {
	p := plainImmediateServiceAnswer(a)
	return encodeKeeping(&p, a.Extra)
}

// NewIdempotentID returns a fresh idempotent_id: a random UUID (version 4),
// the form of WeChat's example.
func NewIdempotentID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Validate checks r before it is sent; the error is a *ValidationError.
// Each block must carry the object of its type and no other; each action
// the object of its action_type and no other (docs/complaints-v3.md,
// "Decisions").
func (r ImmediateServiceRequest) Validate() error {
	idempotent := checkID("idempotent_id", r.IdempotentID, MaxIdempotentIDLength)
	if strings.TrimSpace(r.IdempotentID) == "" {
		idempotent = &fieldError{"idempotent_id", "required: make one with NewIdempotentID, and send the same one again when retrying this reply"}
	}
	return first(
		checkID("complainted_mchid", r.ComplaintedMchID, MaxMchIDLength),
		checkMessage(r.Message).under("message"),
		idempotent,
	).in("ImmediateServiceRequest")
}

// checkMessage checks a message sent in blocks.
func checkMessage(m NormalMessage) *fieldError {
	if len(m.Blocks) == 0 {
		return &fieldError{"blocks", "at least one block (the reply's content)"}
	}
	for i, b := range m.Blocks {
		if err := checkBlock(b).under(fmt.Sprintf("blocks[%d]", i)); err != nil {
			return err
		}
	}
	return first(
		checkKnown("sender_identity", m.SenderIdentity, false, SenderIdentities),
		checkText("custom_data", m.CustomData, false, MaxCustomDataLength),
	)
}

// checkBlock checks that a block carries the object of its type, only it,
// and that the object is complete.
func checkBlock(b Block) *fieldError {
	if err := checkKnown("type", b.Type, true, BlockTypes); err != nil {
		return err
	}
	present := map[BlockType]bool{
		BlockText: b.Text != nil, BlockImage: b.Image != nil, BlockLink: b.Link != nil,
		BlockFAQList: b.FAQList != nil, BlockButton: b.Button != nil, BlockButtonGroup: b.ButtonGroup != nil,
	}
	for _, t := range BlockTypes() {
		field := strings.ToLower(string(t))
		switch {
		case t == b.Type && !present[t]:
			return &fieldError{field, fmt.Sprintf("required in a block of type %s", b.Type)}
		case t != b.Type && present[t]:
			return &fieldError{field, fmt.Sprintf("in a block of type %s: give only the object of the block's type", b.Type)}
		}
	}
	switch b.Type {
	case BlockText:
		return first(
			checkText("text", b.Text.Text, true, 0),
			checkKnown("color", b.Text.Color, false, TextColors),
		).under("text")
	case BlockImage:
		return first(
			checkID("media_id", b.Image.MediaID, MaxMediaIDLength),
			checkKnown("image_style_type", b.Image.ImageStyleType, false, ImageStyles),
		).under("image")
	case BlockLink:
		return checkClickable(*b.Link).under("link")
	case BlockButton:
		return checkClickable(*b.Button).under("button")
	case BlockFAQList:
		if len(b.FAQList.FAQs) == 0 {
			return &fieldError{"faq_list.faqs", "at least one FAQ"}
		}
		for i, f := range b.FAQList.FAQs {
			err := first(
				checkText("faq_id", f.FAQID, true, 0),
				checkText("faq_title", f.FAQTitle, true, 0),
				checkAction(f.Action, false).under("action"),
			).under(fmt.Sprintf("faq_list.faqs[%d]", i))
			if err != nil {
				return err
			}
		}
	case BlockButtonGroup:
		if len(b.ButtonGroup.Buttons) == 0 {
			return &fieldError{"button_group.buttons", "at least one button"}
		}
		for i, c := range b.ButtonGroup.Buttons {
			if err := checkClickable(c).under(fmt.Sprintf("button_group.buttons[%d]", i)); err != nil {
				return err
			}
		}
		return checkKnown("button_layout", b.ButtonGroup.ButtonLayout, false, ButtonLayouts).under("button_group")
	}
	return nil
}

// checkClickable checks a link or a button: a text and an action.
func checkClickable(c Clickable) *fieldError {
	return first(
		checkText("text", c.Text, true, 0),
		checkAction(c.Action, true).under("action"),
	)
}

// checkAction checks what a click does: the object its action_type needs,
// and no other. A nil action is fine unless required.
func checkAction(a *MessageAction, required bool) *fieldError {
	if a == nil {
		if required {
			return &fieldError{"action_type", "required (what the click does)"}
		}
		return nil
	}
	if err := checkKnown("action_type", a.ActionType, true, MessageActionTypes); err != nil {
		return err
	}
	type member struct {
		name    string
		present bool
		usedBy  MessageActionType
	}
	for _, m := range []member{
		{"jump_url", a.JumpURL != "", MessageActionJumpURL},
		{"mini_program_jump_info", a.MiniProgramJumpInfo != nil, MessageActionJumpMiniProgram},
		{"message_info", a.MessageInfo != nil, MessageActionSendMessage},
	} {
		switch {
		case m.usedBy == a.ActionType && !m.present:
			return &fieldError{m.name, fmt.Sprintf("required with action_type %s", a.ActionType)}
		case m.usedBy != a.ActionType && m.present:
			return &fieldError{m.name, fmt.Sprintf("not used by action_type %s: give only what %s needs", a.ActionType, a.ActionType)}
		}
	}
	switch a.ActionType {
	case MessageActionJumpURL:
		return checkHTTPS("jump_url", a.JumpURL, MaxJumpURLLength)
	case MessageActionJumpMiniProgram:
		return checkMiniProgram(a.MiniProgramJumpInfo, false).under("mini_program_jump_info")
	case MessageActionSendMessage:
		return checkText("content", a.MessageInfo.Content, true, 0).under("message_info")
	}
	return nil
}

// ListRequest is the query of the list endpoint (GET …/complaints-v2):
// the complaints filed from BeginDate to EndDate, both included, in China
// Standard Time. Client.List cuts a longer span into windows (SplitSpan).
type ListRequest struct {
	// BeginDate and EndDate bound the days (required; at most MaxSpanDays
	// days, both counted; EndDate not before BeginDate).
	BeginDate, EndDate Date
	// Limit is the page size, 1 to 50; 0 leaves it to WeChat (10).
	Limit int
	// Offset is the index of the page's first item; 0 is the first page.
	Offset int
	// ComplaintedMchID selects one sub-merchant (partners); "" means every
	// complaint the caller may see.
	ComplaintedMchID string
}

// Validate checks r before it is sent; the error is a *ValidationError.
func (r ListRequest) Validate() error {
	return first(
		checkDate("begin_date", r.BeginDate),
		checkDate("end_date", r.EndDate),
		r.checkSpan(),
		checkPage(r.Limit, r.Offset, MaxListLimit),
		checkText("complainted_mchid", r.ComplaintedMchID, false, MaxMchIDLength),
	).in("ListRequest")
}

// checkSpan checks the order and the length of the dates.
func (r ListRequest) checkSpan() *fieldError {
	days := Span{r.BeginDate, r.EndDate}.Days()
	switch {
	case days < 1:
		return &fieldError{"end_date", fmt.Sprintf("%s is before begin_date %s", r.EndDate, r.BeginDate)}
	case days > MaxSpanDays:
		return &fieldError{"end_date", fmt.Sprintf("%s to %s is %d days, over the %d of one query: cut the span (SplitSpan)", r.BeginDate, r.EndDate, days, MaxSpanDays)}
	}
	return nil
}

// checkDate checks a required date.
func checkDate(field string, d Date) *fieldError {
	switch {
	case d.IsZero():
		return &fieldError{field, "required"}
	case !d.Valid():
		return &fieldError{field, fmt.Sprintf("%04d-%02d-%02d is not a calendar day", d.Year, int(d.Month), d.Day)}
	}
	return nil
}

// checkPage checks a page's limit (0: WeChat's default) and offset.
func checkPage(limit, offset, max int) *fieldError {
	switch {
	case limit < 0 || limit > max:
		return &fieldError{"limit", fmt.Sprintf("%d: want 1 to %d (0 for WeChat's default)", limit, max)}
	case offset < 0:
		return &fieldError{"offset", fmt.Sprintf("%d: want 0 or more", offset)}
	}
	return nil
}

// Values returns r as the query of the request: begin_date and end_date,
// then limit, offset and complainted_mchid when set.
func (r ListRequest) Values() url.Values {
	v := url.Values{"begin_date": {r.BeginDate.String()}, "end_date": {r.EndDate.String()}}
	pageValues(v, r.Limit, r.Offset)
	if r.ComplaintedMchID != "" {
		v.Set("complainted_mchid", r.ComplaintedMchID)
	}
	return v
}

// pageValues sets limit and offset in v when they are not 0.
func pageValues(v url.Values, limit, offset int) {
	if limit != 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if offset != 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
}

// HistoryRequest is the query of a negotiation-history page (GET
// …/negotiation-historys).
type HistoryRequest struct {
	// Limit is the page size, 1 to 300; 0 leaves it to WeChat (100).
	Limit int
	// Offset is the index of the page's first entry.
	Offset int
}

// Validate checks r before it is sent; the error is a *ValidationError.
func (r HistoryRequest) Validate() error {
	return checkPage(r.Limit, r.Offset, MaxHistoryLimit).in("HistoryRequest")
}

// Values returns r as the query of the request: limit and offset when they
// are not 0 (none at all for the first page of the default size).
func (r HistoryRequest) Values() url.Values {
	v := url.Values{}
	pageValues(v, r.Limit, r.Offset)
	return v
}
