package complaints

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/internal/golden"
)

// validator is a request with its Validate method.
type validator interface{ Validate() error }

// everyBlock is a valid message using every block type and every action
// type.
func everyBlock() NormalMessage {
	send := func(content, id string) *MessageAction {
		return &MessageAction{ActionType: MessageActionSendMessage, MessageInfo: &MessageInfo{Content: content}, ActionID: id}
	}
	return NormalMessage{
		Blocks: []Block{
			{Type: BlockText, Text: &TextBlock{Text: "您的押金退款已发起", Color: ColorDefault, IsBold: true}},
			{Type: BlockImage, Image: &ImageBlock{MediaID: "BB04A5DEEFEA18D4F2554C1EDD3B610B.png", ImageStyleType: ImageStyleWide}},
			{Type: BlockLink, Link: &Clickable{Text: "查看退款进度",
				Action:      &MessageAction{ActionType: MessageActionJumpURL, JumpURL: "https://shop.example.com/refunds/42", ActionID: "link-1"},
				InvalidInfo: &InvalidInfo{MultiClickable: true}}},
			{Type: BlockFAQList, FAQList: &FAQList{FAQs: []FAQ{
				{FAQID: "faq-1", FAQTitle: "押金多久到账？", Action: send("押金多久到账？", "faq-1")},
				{FAQID: "faq-2", FAQTitle: "打开小程序查看订单", Action: &MessageAction{ActionType: MessageActionJumpMiniProgram,
					MiniProgramJumpInfo: &MiniProgramJumpInfo{AppID: "wxd678efh567hg6787", Path: "pages/orders/index"}}},
				{FAQID: "faq-3", FAQTitle: "其他问题"},
			}}},
			{Type: BlockButton, Button: &Clickable{Text: "问题已解决", Action: send("问题已解决", "solved")}},
			{Type: BlockButtonGroup, ButtonGroup: &ButtonGroup{ButtonLayout: LayoutHorizontal, Buttons: []Clickable{
				{Text: "满意", Action: send("满意", "yes")},
				{Text: "不满意", Action: send("不满意", "no")},
			}}},
		},
		SenderIdentity: SenderManual,
		CustomData:     "ticket-42",
	}
}

// validRequests are requests every rule accepts, limits reached where a
// limit exists; their encodings are the golden files of
// testdata/complaints/requests.
func validRequests() map[string]validator {
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	four := []string{"m1", "m2", "m3", "m4"}
	return map[string]validator{
		"response_minimal": ResponseRequest{ComplaintedMchID: "1900012181", ResponseContent: "您好，已为您退款。"},
		"response_full": ResponseRequest{
			ComplaintedMchID: "1900012181", ResponseContent: strings.Repeat("退", MaxResponseContentLength),
			ResponseImages: four, JumpURL: "https://shop.example.com/orders/42?from=complaint", JumpURLText: "查看订单详情十个字！",
			MiniProgramJumpInfo: &MiniProgramJumpInfo{AppID: "wxd678efh567hg6787", Path: "pages/orders/index", Text: "我的订单"},
		},
		"complete":            CompleteRequest{ComplaintedMchID: "1900012181"},
		"refund_approve":      RefundProgressRequest{Action: RefundApprove, LaunchRefundDay: new(0), Remark: "已安排财务处理"},
		"refund_approve_bare": RefundProgressRequest{Action: RefundApprove},
		"refund_reject": RefundProgressRequest{Action: RefundReject, RejectReason: strings.Repeat("拒", MaxRejectReasonLength),
			RejectMediaList: four, Remark: "订单已于5月20日退款"},
		"immediate_service": ImmediateServiceRequest{ComplaintedMchID: "1900012181", Message: everyBlock(),
			IdempotentID: "550e8400-e29b-41d4-a716-446655440000"},
		"notification_url": NotificationURLRequest{URL: "https://merchant.example.com/wechatpay/complaints"},
		"list":             ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-30"), Limit: MaxListLimit, Offset: 100, ComplaintedMchID: "1900012181"},
		"list_one_day":     ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-01")},
		"history":          HistoryRequest{Limit: MaxHistoryLimit, Offset: 300},
		"history_default":  HistoryRequest{},
	}
}

// TestRequestsGolden: the valid requests validate, and encode (body, or the
// query for ListRequest and HistoryRequest) as their golden files say.
// Regenerate with go test -run TestRequestsGolden -update ./complaints.
func TestRequestsGolden(t *testing.T) {
	for name, r := range validRequests() {
		t.Run(name, func(t *testing.T) {
			if err := r.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			var got []byte
			switch q := r.(type) {
			case ListRequest:
				got = []byte(WithQuery(PathComplaints, q.Values()) + "\n")
			case HistoryRequest:
				got = []byte(WithQuery(PathNegotiationHistory("200201820200101080076610000"), q.Values()) + "\n")
			default:
				body, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(body, []byte("null")) {
					t.Errorf("the body holds a null (WeChat's rule: omit absent fields): %s", body)
				}
				var indented bytes.Buffer
				if err := json.Indent(&indented, body, "", "  "); err != nil {
					t.Fatal(err)
				}
				got = append(indented.Bytes(), '\n')
			}
			golden.Check(t, filepath.Join(testdataDir, "requests", name+".golden"), got)
		})
	}
}

// invalidRequests are requests that break one rule each, with the field
// the error must name.
func invalidRequests() []struct {
	name  string
	r     validator
	field string
} {
	ok := func() ResponseRequest {
		return ResponseRequest{ComplaintedMchID: "1900012181", ResponseContent: "您好"}
	}
	with := func(f func(*ResponseRequest)) ResponseRequest { r := ok(); f(&r); return r }
	msg := func(f func(*NormalMessage)) ImmediateServiceRequest {
		m := everyBlock()
		f(&m)
		return ImmediateServiceRequest{ComplaintedMchID: "1900012181", Message: m, IdempotentID: NewIdempotentID()}
	}
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	return []struct {
		name  string
		r     validator
		field string
	}{
		{"response/no mchid", with(func(r *ResponseRequest) { r.ComplaintedMchID = "" }), "complainted_mchid"},
		{"response/blank mchid", with(func(r *ResponseRequest) { r.ComplaintedMchID = "  " }), "complainted_mchid"},
		{"response/mchid 65", with(func(r *ResponseRequest) { r.ComplaintedMchID = strings.Repeat("1", 65) }), "complainted_mchid"},
		{"response/no content", with(func(r *ResponseRequest) { r.ResponseContent = "" }), "response_content"},
		{"response/content 501 characters", with(func(r *ResponseRequest) { r.ResponseContent = strings.Repeat("退", 501) }), "response_content"},
		{"response/content with an emoji", with(func(r *ResponseRequest) { r.ResponseContent = "已退款😊" }), "response_content"},
		{"response/content not UTF-8", with(func(r *ResponseRequest) { r.ResponseContent = "\xff退款" }), "response_content"},
		{"response/5 images", with(func(r *ResponseRequest) { r.ResponseImages = []string{"1", "2", "3", "4", "5"} }), "response_images"},
		{"response/empty image id", with(func(r *ResponseRequest) { r.ResponseImages = []string{"m1", ""} }), "response_images[1]"},
		{"response/image id 513", with(func(r *ResponseRequest) { r.ResponseImages = []string{strings.Repeat("m", 513)} }), "response_images[0]"},
		{"response/jump_url alone", with(func(r *ResponseRequest) { r.JumpURL = "https://shop.example.com" }), "jump_url_text"},
		{"response/jump_url_text alone", with(func(r *ResponseRequest) { r.JumpURLText = "查看" }), "jump_url"},
		{"response/jump_url http", with(func(r *ResponseRequest) { r.JumpURL, r.JumpURLText = "http://shop.example.com", "查看" }), "jump_url"},
		{"response/jump_url relative", with(func(r *ResponseRequest) { r.JumpURL, r.JumpURLText = "/orders/42", "查看" }), "jump_url"},
		{"response/jump_url 513", with(func(r *ResponseRequest) {
			r.JumpURL, r.JumpURLText = "https://shop.example.com/"+strings.Repeat("a", 488), "查看"
		}), "jump_url"},
		{"response/jump_url_text 11", with(func(r *ResponseRequest) {
			r.JumpURL, r.JumpURLText = "https://shop.example.com", "查看订单详情十一个字！"
		}), "jump_url_text"},
		{"response/mini program without path", with(func(r *ResponseRequest) {
			r.MiniProgramJumpInfo = &MiniProgramJumpInfo{AppID: "wxd678efh567hg6787", Text: "订单"}
		}), "mini_program_jump_info.path"},
		{"response/mini program without appid", with(func(r *ResponseRequest) {
			r.MiniProgramJumpInfo = &MiniProgramJumpInfo{Path: "pages/index", Text: "订单"}
		}), "mini_program_jump_info.appid"},
		{"complete/no mchid", CompleteRequest{}, "complainted_mchid"},
		{"refund/no action", RefundProgressRequest{}, "action"},
		{"refund/unknown action", RefundProgressRequest{Action: "PARTIAL"}, "action"},
		{"refund/day with reject", RefundProgressRequest{Action: RefundReject, LaunchRefundDay: new(1)}, "launch_refund_day"},
		{"refund/negative day", RefundProgressRequest{Action: RefundApprove, LaunchRefundDay: new(-1)}, "launch_refund_day"},
		{"refund/reason with approve", RefundProgressRequest{Action: RefundApprove, RejectReason: "不同意"}, "reject_reason"},
		{"refund/media with approve", RefundProgressRequest{Action: RefundApprove, RejectMediaList: []string{"m1"}}, "reject_media_list"},
		{"refund/reason 201", RefundProgressRequest{Action: RefundReject, RejectReason: strings.Repeat("拒", 201)}, "reject_reason"},
		{"refund/5 media", RefundProgressRequest{Action: RefundReject, RejectMediaList: []string{"1", "2", "3", "4", "5"}}, "reject_media_list"},
		{"refund/remark 201", RefundProgressRequest{Action: RefundApprove, Remark: strings.Repeat("备", 201)}, "remark"},
		{"immediate/no idempotent_id", ImmediateServiceRequest{ComplaintedMchID: "1900012181", Message: everyBlock()}, "idempotent_id"},
		{"immediate/idempotent_id 129", ImmediateServiceRequest{ComplaintedMchID: "1900012181", Message: everyBlock(), IdempotentID: strings.Repeat("i", 129)}, "idempotent_id"},
		{"immediate/no mchid", ImmediateServiceRequest{Message: everyBlock(), IdempotentID: "i"}, "complainted_mchid"},
		{"immediate/no blocks", msg(func(m *NormalMessage) { m.Blocks = nil }), "message.blocks"},
		{"immediate/custom_data 4097", msg(func(m *NormalMessage) { m.CustomData = strings.Repeat("c", 4097) }), "message.custom_data"},
		{"immediate/unknown sender", msg(func(m *NormalMessage) { m.SenderIdentity = "BOT" }), "message.sender_identity"},
		{"immediate/block without type", msg(func(m *NormalMessage) { m.Blocks[0].Type = "" }), "message.blocks[0].type"},
		{"immediate/unknown block type", msg(func(m *NormalMessage) { m.Blocks[0].Type = "VIDEO" }), "message.blocks[0].type"},
		{"immediate/text block without text", msg(func(m *NormalMessage) { m.Blocks[0].Text = nil }), "message.blocks[0].text"},
		{"immediate/text block with an image", msg(func(m *NormalMessage) { m.Blocks[0].Image = &ImageBlock{MediaID: "m"} }), "message.blocks[0].image"},
		{"immediate/empty text", msg(func(m *NormalMessage) { m.Blocks[0].Text.Text = "" }), "message.blocks[0].text.text"},
		{"immediate/unknown color", msg(func(m *NormalMessage) { m.Blocks[0].Text.Color = "RED" }), "message.blocks[0].text.color"},
		{"immediate/image without media_id", msg(func(m *NormalMessage) { m.Blocks[1].Image.MediaID = "" }), "message.blocks[1].image.media_id"},
		{"immediate/unknown image style", msg(func(m *NormalMessage) { m.Blocks[1].Image.ImageStyleType = "SQUARE" }), "message.blocks[1].image.image_style_type"},
		{"immediate/link without action", msg(func(m *NormalMessage) { m.Blocks[2].Link.Action = nil }), "message.blocks[2].link.action.action_type"},
		{"immediate/link without text", msg(func(m *NormalMessage) { m.Blocks[2].Link.Text = "" }), "message.blocks[2].link.text"},
		{"immediate/jump without url", msg(func(m *NormalMessage) { m.Blocks[2].Link.Action.JumpURL = "" }), "message.blocks[2].link.action.jump_url"},
		{"immediate/jump to http", msg(func(m *NormalMessage) { m.Blocks[2].Link.Action.JumpURL = "http://shop.example.com" }), "message.blocks[2].link.action.jump_url"},
		{"immediate/jump with message_info", msg(func(m *NormalMessage) { m.Blocks[2].Link.Action.MessageInfo = &MessageInfo{Content: "x"} }), "message.blocks[2].link.action.message_info"},
		{"immediate/unknown action type", msg(func(m *NormalMessage) { m.Blocks[2].Link.Action.ActionType = "ACTION_TYPE_CALL" }), "message.blocks[2].link.action.action_type"},
		{"immediate/no faqs", msg(func(m *NormalMessage) { m.Blocks[3].FAQList.FAQs = nil }), "message.blocks[3].faq_list.faqs"},
		{"immediate/faq without title", msg(func(m *NormalMessage) { m.Blocks[3].FAQList.FAQs[1].FAQTitle = "" }), "message.blocks[3].faq_list.faqs[1].faq_title"},
		{"immediate/faq without id", msg(func(m *NormalMessage) { m.Blocks[3].FAQList.FAQs[2].FAQID = "" }), "message.blocks[3].faq_list.faqs[2].faq_id"},
		{"immediate/mini program without appid", msg(func(m *NormalMessage) {
			m.Blocks[3].FAQList.FAQs[1].Action.MiniProgramJumpInfo.AppID = ""
		}), "message.blocks[3].faq_list.faqs[1].action.mini_program_jump_info.appid"},
		{"immediate/mini program without its info", msg(func(m *NormalMessage) {
			m.Blocks[3].FAQList.FAQs[1].Action.MiniProgramJumpInfo = nil
		}), "message.blocks[3].faq_list.faqs[1].action.mini_program_jump_info"},
		{"immediate/send without content", msg(func(m *NormalMessage) { m.Blocks[4].Button.Action.MessageInfo.Content = "" }), "message.blocks[4].button.action.message_info.content"},
		{"immediate/send without message_info", msg(func(m *NormalMessage) { m.Blocks[4].Button.Action.MessageInfo = nil }), "message.blocks[4].button.action.message_info"},
		{"immediate/send with jump_url", msg(func(m *NormalMessage) { m.Blocks[4].Button.Action.JumpURL = "https://x.example" }), "message.blocks[4].button.action.jump_url"},
		{"immediate/no buttons", msg(func(m *NormalMessage) { m.Blocks[5].ButtonGroup.Buttons = nil }), "message.blocks[5].button_group.buttons"},
		{"immediate/button without action", msg(func(m *NormalMessage) { m.Blocks[5].ButtonGroup.Buttons[1].Action = nil }), "message.blocks[5].button_group.buttons[1].action.action_type"},
		{"immediate/unknown layout", msg(func(m *NormalMessage) { m.Blocks[5].ButtonGroup.ButtonLayout = "GRID" }), "message.blocks[5].button_group.button_layout"},
		{"notification/empty", NotificationURLRequest{}, "url"},
		{"notification/http", NotificationURLRequest{URL: "http://merchant.example.com/cb"}, "url"},
		{"notification/http on a host that looks local", NotificationURLRequest{URL: "http://127.0.0.1.example.com/cb"}, "url"},
		{"notification/http loopback with a query", NotificationURLRequest{URL: "http://127.0.0.1:8090/cb?a=1"}, "url"},
		{"notification/query", NotificationURLRequest{URL: "https://merchant.example.com/cb?shop=1"}, "url"},
		{"notification/lone question mark", NotificationURLRequest{URL: "https://merchant.example.com/cb?"}, "url"},
		{"notification/fragment", NotificationURLRequest{URL: "https://merchant.example.com/cb#x"}, "url"},
		{"notification/user", NotificationURLRequest{URL: "https://me:pw@merchant.example.com/cb"}, "url"},
		{"notification/chinese domain", NotificationURLRequest{URL: "https://商户.中国/cb"}, "url"},
		{"notification/punycode domain", NotificationURLRequest{URL: "https://xn--fiqs8s.xn--fiqz9s/cb"}, "url"},
		{"notification/256 characters", NotificationURLRequest{URL: "https://merchant.example.com/" + strings.Repeat("a", 227)}, "url"},
		{"notification/no host", NotificationURLRequest{URL: "https:///cb"}, "url"},
		{"list/no dates", ListRequest{}, "begin_date"},
		{"list/no end", ListRequest{BeginDate: day("2025-05-01")}, "end_date"},
		{"list/not a day", ListRequest{BeginDate: Date{2025, 4, 31}, EndDate: day("2025-05-01")}, "begin_date"},
		{"list/end before begin", ListRequest{BeginDate: day("2025-05-02"), EndDate: day("2025-05-01")}, "end_date"},
		{"list/31 days", ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-31")}, "end_date"},
		{"list/limit 51", ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-01"), Limit: 51}, "limit"},
		{"list/negative limit", ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-01"), Limit: -1}, "limit"},
		{"list/negative offset", ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-01"), Offset: -10}, "offset"},
		{"list/mchid 65", ListRequest{BeginDate: day("2025-05-01"), EndDate: day("2025-05-01"), ComplaintedMchID: strings.Repeat("1", 65)}, "complainted_mchid"},
		{"history/limit 301", HistoryRequest{Limit: 301}, "limit"},
		{"history/negative offset", HistoryRequest{Offset: -1}, "offset"},
	}
}

// TestValidateRefuses: each invalid request is refused with a
// *ValidationError naming its request and the field, wrapping
// ErrInvalidRequest; the messages are in validation.golden.
func TestValidateRefuses(t *testing.T) {
	var out bytes.Buffer
	typeName := regexp.MustCompile(`[A-Za-z]+$`)
	for _, c := range invalidRequests() {
		err := c.r.Validate()
		var v *ValidationError
		switch {
		case err == nil:
			t.Errorf("%s: Validate accepted %+v", c.name, c.r)
			continue
		case !errors.As(err, &v):
			t.Errorf("%s: %T %v is not a *ValidationError", c.name, err, err)
			continue
		case !errors.Is(err, ErrInvalidRequest):
			t.Errorf("%s: %v does not wrap ErrInvalidRequest", c.name, err)
		}
		if v.Field != c.field {
			t.Errorf("%s: Field %q, want %q (%v)", c.name, v.Field, c.field, err)
		}
		if want := typeName.FindString(fmt.Sprintf("%T", c.r)); v.Request != want {
			t.Errorf("%s: Request %q, want %q", c.name, v.Request, want)
		}
		fmt.Fprintf(&out, "%s\n\t%v\n", c.name, err)
	}
	golden.Check(t, filepath.Join(testdataDir, "validation.golden"), out.Bytes())
}

// TestValidateCountsCharacters: limits count characters, not bytes: 500
// Chinese characters (1500 bytes) pass, 501 ASCII ones do not.
func TestValidateCountsCharacters(t *testing.T) {
	r := ResponseRequest{ComplaintedMchID: "1900012181", ResponseContent: strings.Repeat("中", 500)}
	if err := r.Validate(); err != nil {
		t.Errorf("500 Chinese characters: %v", err)
	}
	r.ResponseContent = strings.Repeat("a", 501)
	if err := r.Validate(); err == nil {
		t.Error("501 ASCII characters accepted")
	}
	r.ResponseContent = strings.Repeat("\uffff", 500) // the last 3-byte character
	if err := r.Validate(); err != nil {
		t.Errorf("500 characters of 3 bytes: %v", err)
	}
}

// TestValidateComplaintID: the ids that would break a path are refused.
func TestValidateComplaintID(t *testing.T) {
	for id, ok := range map[string]bool{
		"200201820200101080076610000": true, strings.Repeat("9", 64): true,
		"": false, " ": false, strings.Repeat("9", 65): false, ".": false, "..": false, "1\n2": false, "1\x7f": false,
	} {
		err := ValidateComplaintID(id)
		if (err == nil) != ok {
			t.Errorf("ValidateComplaintID(%q) = %v, want ok %v", id, err, ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("ValidateComplaintID(%q): %v does not wrap ErrInvalidRequest", id, err)
		}
	}
}

// TestNewIdempotentID: fresh UUIDs of version 4, never the same twice.
func TestNewIdempotentID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := NewIdempotentID()
		if !uuid.MatchString(id) || seen[id] {
			t.Fatalf("NewIdempotentID() = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

// A plain http callback URL on this machine is for the fake (which accepts
// it with a warning); anywhere else WeChat refuses it, and so does Validate.
func TestLoopbackNotificationURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8090/wechat/complaints", "http://localhost:8090/cb", "http://[::1]:8090/cb", "http://127.0.0.2/cb"} {
		if err := (NotificationURLRequest{URL: u}).Validate(); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
