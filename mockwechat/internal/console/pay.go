package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payapi"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// PayBackend is what the console reads of the fake's Complaints 2.0
// (WeChat Pay APIv3): its world, its keys, its callbacks and the
// signature failures of the merchant's requests. Like Backend it never
// writes: the pages' forms call the admin API under /_mock/pay/.
//
// Security: PaySigning hands the console the fake's identity, private
// keys included, because the ids, serials and mode live there; the
// console copies out strings (ids, serials, the mode) and never gives a
// key to a template, so no page can show one.
type PayBackend interface {
	// PayComplaintsPage returns deep copies of the complaints that match
	// (nil: all) in filing order, after the complaint after ("": from the
	// first), at most limit (≤ 0: all); match sees the world's own
	// complaint and must not modify it.
	PayComplaintsPage(after string, limit int, match func(*payworld.Complaint) bool) ([]payworld.Complaint, error)
	// PayComplaint returns a complaint by id.
	PayComplaint(id string) (payworld.Complaint, bool)
	// PayMerchants returns the merchants of the world, by id.
	PayMerchants() []payworld.Merchant
	// PaySigning returns the fake's identity and signing mode.
	PaySigning() *paykeys.Signing
	// PayProbeEvery is the interval of scheduled SIGNTEST probes (0:
	// none).
	PayProbeEvery() time.Duration
	// PayKeysDir is the keys directory the identity lives in ("": in
	// memory only).
	PayKeysDir() string
	// PayDeliveriesOf returns deep copies of the callbacks and probes that
	// match, oldest first; match runs under the engine's lock.
	PayDeliveriesOf(match func(*paypush.Delivery) bool) []paypush.Delivery
	// PayPendingCallbacks is how many callbacks are not delivered yet.
	PayPendingCallbacks() int
	// PaySignFailures returns the newest calls to /v3/ refused for their
	// Authorization, at most limit, oldest first.
	PaySignFailures(limit int) []payapi.Call
}

// payEvents are the event kinds the Complaints 2.0 pages follow live: the
// world's changes (pay), the callbacks' progress (pay-callback), the
// API's calls (call) and the clock.
const payEvents = "pay,pay-callback,call,clock"

// payOff answers a Complaints 2.0 page of a fake that does not play it.
func (h *Handler) payOff(w http.ResponseWriter, r *http.Request) bool {
	if h.pay != nil {
		return false
	}
	h.render(w, r, http.StatusNotFound, "notfound", &page{Title: "Complaints 2.0 is off", Data: notFound{
		Why: "This fake does not play Complaints 2.0 (WeChat Pay APIv3): start it with Options.Pay, or with payfeedback mock, which plays it by default"}})
	return true
}

// payTab is the Complaints 2.0 pages' own row of links.
type payTab struct {
	// Tab is the page shown: complaints, keys, signatures.
	Tab string
	// Failures counts the signature failures kept, for the tab's badge.
	Failures int
}

// maxSignFailures is how many signature failures the fake's pages show.
const maxSignFailures = 50

func (h *Handler) payTab(tab string) payTab {
	return payTab{Tab: tab, Failures: len(h.pay.PaySignFailures(maxSignFailures))}
}

// operateLabels say in words what each operate_type of the negotiation
// history records.
var operateLabels = map[complaints.OperateType]string{
	complaints.OperateUserCreateComplaint:                   "The user filed the complaint",
	complaints.OperateUserContinueComplaint:                 "The user complained again",
	complaints.OperateUserResponse:                          "The user wrote to the merchant",
	complaints.OperatePlatformResponse:                      "WeChat's support wrote",
	complaints.OperateMerchantResponse:                      "The merchant replied",
	complaints.OperateMerchantConfirmComplete:               "The merchant marked it complete",
	complaints.OperateUserCreateComplaintSystemMessage:      "System: the complaint was filed",
	complaints.OperateComplaintFullRefundedSystemMessage:    "System: refunded in full",
	complaints.OperateUserContinueComplaintSystemMessage:    "System: the user complained again",
	complaints.OperateUserRevokeComplaint:                   "The user withdrew the complaint",
	complaints.OperateUserComfirmComplaint:                  "The user confirmed it resolved",
	complaints.OperatePlatformHelpApplication:               "WeChat urged the merchant",
	complaints.OperateUserApplyPlatformHelp:                 "The user asked the platform for help",
	complaints.OperateMerchantApproveRefund:                 "The merchant approved the refund",
	complaints.OperateMerchantRefuseRerund:                  "The merchant refused the refund",
	complaints.OperateUserSubmitSatisfaction:                "The user rated the handling",
	complaints.OperateServiceOrderCancel:                    "The service order was cancelled",
	complaints.OperateServiceOrderComplete:                  "The service order was completed",
	complaints.OperateComplaintPartialRefundedSystemMessage: "System: refunded in part",
	complaints.OperateComplaintRefundReceivedSystemMessage:  "System: the refund reached the user",
	complaints.OperateComplaintEntrustedRefundSystemMessage: "System: an entrusted refund",
	complaints.OperateUserApplyPlatformService:              "The user asked the platform for help",
	complaints.OperateUserCancelPlatformService:             "The user withdrew the request for the platform's help",
	complaints.OperatePlatformServiceFinished:               "WeChat's support ended its help",
	complaints.OperateUserClickResponse:                     "The user's click left a message",
	complaints.OperateComplaintFullRefunded:                 "Refunded in full",
}

// operateLabel says what a history entry records; an operate_type the
// console does not know is shown as it is.
func operateLabel(o complaints.OperateType) string {
	if l, ok := operateLabels[o]; ok {
		return l
	}
	return "An entry the console does not know"
}

// operatorKind is the timeline's mark for who acted: user, merchant,
// platform or system.
func operatorKind(h complaints.NegotiationHistory) string {
	switch h.Operator {
	case payworld.OperatorUser:
		return "user"
	case payworld.OperatorMerchant:
		return "merchant"
	case payworld.OperatorPlatform:
		return "platform"
	}
	t := string(h.OperateType)
	switch {
	case strings.HasPrefix(t, "USER_"):
		return "user"
	case strings.HasPrefix(t, "MERCHANT_"):
		return "merchant"
	case strings.HasPrefix(t, "PLATFORM_"):
		return "platform"
	}
	return "system"
}

// payStateNote says what a Complaints 2.0 complaint waits for.
func payStateNote(c payworld.Complaint) string {
	w := c.Wire
	var s string
	switch w.ComplaintState {
	case complaints.StatePending:
		s = "waits for the merchant's first reply"
	case complaints.StateProcessing:
		s = "the merchant replied: waits for it to complete (or for the refund)"
	case complaints.StateProcessed:
		s = "processed: the user may complain again"
	default:
		s = string(w.ComplaintState)
	}
	if w.IncomingUserResponse {
		s += "; a message of the user awaits an answer"
	}
	if w.InPlatformService {
		s += "; WeChat's support is assisting"
	}
	return s
}

// yuan writes an amount in fen as yuan: 1234 → "¥12.34".
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}
