package payworld

import (
	"fmt"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// The merchant's side: the API's reads and acts, with WeChat's checks in
// this order: the request's own limits (complaints' Validate: a
// *complaints.ValidationError), the complaint (unknown: as Rules say), the
// merchant's right to it (NO_AUTH), the images it names, then the state.
// The merchant's acts announce nothing ("商户自己的操作不再推送通知，商户回复、商户
// 申请结单都不会推送通知"): their Effects hold changes only.

// The page sizes WeChat applies when the query gives none.
const (
	DefaultListLimit    = 10
	DefaultHistoryLimit = 100
)

// complaintFor finds complaint id for merchant mchid, refusing an unknown
// one as the rules say and another merchant's with NO_AUTH and message
// (w.mu held).
func (w *World) complaintFor(mchid, id, message string) (*record, error) {
	r, ok := w.complaints[id]
	if !ok {
		return nil, w.rules.unknownComplaint(id)
	}
	if r.Wire.ComplaintedMchID != mchid {
		return nil, noAuth(message, fmt.Sprintf("complaint %s is merchant %s's, not %s's", id, r.Wire.ComplaintedMchID, clip(mchid, 64)))
	}
	return r, nil
}

// Detail returns a complaint as the detail endpoint answers it.
func (w *World) Detail(mchid, id string) (complaints.Complaint, error) {
	if err := complaints.ValidateComplaintID(id); err != nil {
		return complaints.Complaint{}, err
	}
	if err := w.lock(); err != nil {
		return complaints.Complaint{}, err
	}
	defer w.mu.Unlock()
	r, err := w.complaintFor(mchid, id, MsgNoAuthQuery)
	if err != nil {
		return complaints.Complaint{}, err
	}
	return cloneComplaint(r.Wire), nil
}

// List returns a page of the merchant's complaints filed from q.BeginDate to
// q.EndDate (days in China Standard Time, both included), oldest first,
// without payer_openid; total_count only on the page at offset 0. A
// complainted_mchid other than the merchant's own is NO_AUTH (partners are
// not modelled).
func (w *World) List(mchid string, q complaints.ListRequest) (complaints.Page[complaints.Complaint], error) {
	if err := q.Validate(); err != nil {
		return complaints.Page[complaints.Complaint]{}, err
	}
	if err := w.lock(); err != nil {
		return complaints.Page[complaints.Complaint]{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return complaints.Page[complaints.Complaint]{}, err
	}
	if q.ComplaintedMchID != "" && q.ComplaintedMchID != mchid {
		return complaints.Page[complaints.Complaint]{}, noAuth(MsgNoAuthQuery, fmt.Sprintf("merchant %s lists its own complaints, not %s's", mchid, clip(q.ComplaintedMchID, 64)))
	}
	from := w.midnight(q.BeginDate)
	to := w.midnight(q.EndDate.AddDays(1))
	span := m.index.span(from, to)
	limit := q.Limit
	if limit == 0 {
		limit = DefaultListLimit
	}
	page := complaints.Page[complaints.Complaint]{Limit: limit, Offset: q.Offset, Data: []complaints.Complaint{}}
	if q.Offset == 0 {
		n := len(span)
		page.TotalCount = &n
	}
	for i := q.Offset; i < len(span) && i < q.Offset+limit; i++ {
		c := cloneComplaint(span[i].Wire)
		c.PayerOpenID = "" // not in list items
		page.Data = append(page.Data, c)
	}
	return page, nil
}

// midnight is the first instant of day d in China Standard Time.
func (w *World) midnight(d complaints.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, w.cst)
}

// History returns a page of a complaint's negotiation history, oldest
// first; total_count only at offset 0.
func (w *World) History(mchid, id string, q complaints.HistoryRequest) (complaints.Page[complaints.NegotiationHistory], error) {
	if err := firstError(complaints.ValidateComplaintID(id), q.Validate()); err != nil {
		return complaints.Page[complaints.NegotiationHistory]{}, err
	}
	if err := w.lock(); err != nil {
		return complaints.Page[complaints.NegotiationHistory]{}, err
	}
	defer w.mu.Unlock()
	r, err := w.complaintFor(mchid, id, MsgNoAuthQuery)
	if err != nil {
		return complaints.Page[complaints.NegotiationHistory]{}, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultHistoryLimit
	}
	page := complaints.Page[complaints.NegotiationHistory]{Limit: limit, Offset: q.Offset, Data: []complaints.NegotiationHistory{}}
	if q.Offset == 0 {
		n := len(r.History)
		page.TotalCount = &n
	}
	for i := q.Offset; i < len(r.History) && i < q.Offset+limit; i++ {
		page.Data = append(page.Data, cloneHistory(r.History[i]))
	}
	return page, nil
}

// merchantAct runs an act of merchant mchid on complaint id, whose body
// names complainted_mchid bodyMchID ("" for a body without one): f checks
// the state and changes the complaint, and returns the history entry to
// add (nil: none, the act changed nothing); done, when not nil, sees the
// entry added, still under the lock. It returns the entry added.
func (w *World) merchantAct(mchid, id, bodyMchID string, f func(r *record, now time.Time) (*complaints.NegotiationHistory, error), done func(r *record, h complaints.NegotiationHistory)) (complaints.NegotiationHistory, Effects, error) {
	if err := w.lock(); err != nil {
		return complaints.NegotiationHistory{}, Effects{}, err
	}
	defer w.mu.Unlock()
	r, err := w.complaintFor(mchid, id, MsgNoAuthReply)
	if err != nil {
		return complaints.NegotiationHistory{}, Effects{}, err
	}
	if bodyMchID != "" && bodyMchID != r.Wire.ComplaintedMchID {
		return complaints.NegotiationHistory{}, Effects{}, noAuth(MsgNoAuthReply, fmt.Sprintf("complainted_mchid %s is not the complaint's merchant %s", clip(bodyMchID, 64), r.Wire.ComplaintedMchID))
	}
	now := w.clock()
	h, err := f(r, now)
	if err != nil || h == nil {
		return complaints.NegotiationHistory{}, Effects{}, err
	}
	h.LogID, h.OperateTime = w.newLogID(now), now
	r.History = append(r.History, *h)
	if done != nil {
		done(r, *h)
	}
	return *h, Effects{Changes: []Change{{What: ComplaintChanged, MchID: mchid, ComplaintID: id, State: r.Wire.ComplaintState, Operate: h.OperateType}}}, nil
}

// reply moves a complaint on a merchant's reply: PENDING → PROCESSING
// ("首次回复用户后，投诉单状态将由待处理更新为处理中"); a PROCESSED one as the rules
// say; the user's messages are answered (w.mu held).
func (w *World) reply(r *record) error {
	switch r.Wire.ComplaintState {
	case complaints.StatePending:
		r.Wire.ComplaintState = complaints.StateProcessing
	case complaints.StateProcessed:
		if !w.rules.AllowReplyWhenProcessed {
			return wrongState(fmt.Sprintf("complaint %s is PROCESSED: the merchant replies to pending and processing complaints only (Rules.AllowReplyWhenProcessed)", r.Wire.ComplaintID))
		}
	}
	r.Wire.IncomingUserResponse = false
	return nil
}

// operationImages adds the URLs of a merchant's images to the complaint's
// OPERATION_IMAGE media and returns them (w.mu held).
func (w *World) operationImages(r *record, ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	urls := make([]string, len(ids))
	for i, id := range ids {
		urls[i] = w.mediaURLOf(id)
	}
	list := r.Wire.ComplaintMediaList
	for i := range list {
		if list[i].MediaType == complaints.MediaOperationImage {
			list[i].MediaURL = append(list[i].MediaURL, urls...)
			return urls
		}
	}
	r.Wire.ComplaintMediaList = append(list, complaints.Media{MediaType: complaints.MediaOperationImage, MediaURL: append([]string(nil), urls...)})
	return urls
}

// Respond is the merchant's reply (POST …/response): 204, PENDING →
// PROCESSING on the first, a MERCHANT_RESPONSE entry with the text and the
// images (which must be the merchant's uploads; they join the complaint's
// OPERATION_IMAGE media).
func (w *World) Respond(mchid, id string, req complaints.ResponseRequest) (Effects, error) {
	if err := firstError(complaints.ValidateComplaintID(id), req.Validate()); err != nil {
		return Effects{}, err
	}
	_, fx, err := w.merchantAct(mchid, id, req.ComplaintedMchID, func(r *record, _ time.Time) (*complaints.NegotiationHistory, error) {
		if err := w.checkUploads(mchid, "/response_images", req.ResponseImages); err != nil {
			return nil, err
		}
		if err := w.reply(r); err != nil {
			return nil, err
		}
		return &complaints.NegotiationHistory{Operator: OperatorMerchant, OperateType: complaints.OperateMerchantResponse,
			OperateDetails: req.ResponseContent, ImageList: orEmpty(w.operationImages(r, req.ResponseImages))}, nil
	}, nil)
	return fx, err
}

// Complete marks a complaint handled (POST …/complete): 204, PROCESSING →
// PROCESSED with a MERCHANT_CONFIRM_COMPLETE entry; from PENDING and on a
// PROCESSED complaint, as the rules say.
func (w *World) Complete(mchid, id string, req complaints.CompleteRequest) (Effects, error) {
	if err := firstError(complaints.ValidateComplaintID(id), req.Validate()); err != nil {
		return Effects{}, err
	}
	_, fx, err := w.merchantAct(mchid, id, req.ComplaintedMchID, func(r *record, _ time.Time) (*complaints.NegotiationHistory, error) {
		switch r.Wire.ComplaintState {
		case complaints.StatePending:
			if !w.rules.AllowCompleteFromPending {
				return nil, wrongState(fmt.Sprintf("complaint %s is PENDING: reply to the user first (Rules.AllowCompleteFromPending)", id))
			}
		case complaints.StateProcessed:
			if !w.rules.AllowRepeatedComplete {
				return nil, wrongState(fmt.Sprintf("complaint %s is PROCESSED already (Rules.AllowRepeatedComplete)", id))
			}
			return nil, nil
		}
		r.Wire.ComplaintState = complaints.StateProcessed
		return &complaints.NegotiationHistory{Operator: OperatorMerchant, OperateType: complaints.OperateMerchantConfirmComplete}, nil
	}, nil)
	return fx, err
}

// UpdateRefundProgress is the merchant's decision on the refund a REFUND
// complaint asks for (POST …/update-refund-progress): 204. APPROVE: a
// MERCHANT_APPROVE_REFUND entry, PENDING → PROCESSING, PROCESSED when the
// refund arrives (RefundArrived). REJECT: a MERCHANT_REFUSE_RERUND entry
// with the reason and images, PROCESSED at once. A second decision answers
// WeChat's "当前单据状态不支持操作, 请检查是否重复调用".
func (w *World) UpdateRefundProgress(mchid, id string, req complaints.RefundProgressRequest) (Effects, error) {
	if err := firstError(complaints.ValidateComplaintID(id), req.Validate()); err != nil {
		return Effects{}, err
	}
	_, fx, err := w.merchantAct(mchid, id, "", func(r *record, now time.Time) (*complaints.NegotiationHistory, error) {
		switch {
		case r.Wire.ProblemType != complaints.ProblemRefund && !w.rules.AllowRefundDecisionOnOtherProblems:
			return nil, wrongState(fmt.Sprintf("complaint %s is of problem_type %s: refund decisions are for REFUND complaints (Rules.AllowRefundDecisionOnOtherProblems)", id, r.Wire.ProblemType))
		case (r.Refund != nil || r.Wire.ComplaintState == complaints.StateProcessed) && !w.rules.AllowRepeatedRefundDecision:
			return nil, wrongState(fmt.Sprintf("complaint %s: its refund is decided already, or it is PROCESSED (Rules.AllowRepeatedRefundDecision)", id))
		}
		if err := w.checkUploads(mchid, "/reject_media_list", req.RejectMediaList); err != nil {
			return nil, err
		}
		r.Refund = &Refund{Action: req.Action, LaunchRefundDay: clonePtr(req.LaunchRefundDay), RejectReason: req.RejectReason, DecidedAt: now}
		if req.Action == complaints.RefundReject {
			r.Wire.ComplaintState = complaints.StateProcessed
			return &complaints.NegotiationHistory{Operator: OperatorMerchant, OperateType: complaints.OperateMerchantRefuseRerund,
				OperateDetails: req.RejectReason, ImageList: orEmpty(w.operationImages(r, req.RejectMediaList))}, nil
		}
		if r.Wire.ComplaintState == complaints.StatePending {
			r.Wire.ComplaintState = complaints.StateProcessing
		}
		details := "同意退款"
		if req.LaunchRefundDay != nil {
			details = fmt.Sprintf("同意退款，%d 个工作日内发起退款", *req.LaunchRefundDay)
		}
		return &complaints.NegotiationHistory{Operator: OperatorMerchant, OperateType: complaints.OperateMerchantApproveRefund,
			OperateDetails: details, ImageList: []string{}}, nil
	}, nil)
	return fx, err
}

// RespondImmediately is the merchant's reply to a complaint that needs
// immediate service (POST …/response-immediate-service): 200 with the
// log_id of its MERCHANT_RESPONSE entry (the message in blocks in its
// normal_message), PENDING → PROCESSING on the first reply. An
// idempotent_id processed already answers the first reply's log_id and
// changes nothing ("相同idempotent_id的请求只会被处理一次"), unless the rules
// refuse it.
func (w *World) RespondImmediately(mchid, id string, req complaints.ImmediateServiceRequest) (complaints.ImmediateServiceAnswer, Effects, error) {
	if err := firstError(complaints.ValidateComplaintID(id), req.Validate()); err != nil {
		return complaints.ImmediateServiceAnswer{}, Effects{}, err
	}
	var replayed string
	h, fx, err := w.merchantAct(mchid, id, req.ComplaintedMchID, func(r *record, _ time.Time) (*complaints.NegotiationHistory, error) {
		if logID, ok := r.Idempotent[req.IdempotentID]; ok {
			if w.rules.RefuseIdempotentReplay {
				return nil, wrongState(fmt.Sprintf("idempotent_id %s was processed already (log_id %s) (Rules.RefuseIdempotentReplay)", clip(req.IdempotentID, 128), logID))
			}
			replayed = logID
			return nil, nil
		}
		if !r.Wire.NeedImmediateService && !w.rules.AllowImmediateWithoutNeed {
			return nil, wrongState(fmt.Sprintf("complaint %s does not need immediate service: reply with POST …/response (Rules.AllowImmediateWithoutNeed)", id))
		}
		for i, b := range req.Message.Blocks {
			if b.Type == complaints.BlockImage && b.Image != nil {
				if err := w.checkUpload(mchid, fmt.Sprintf("/message/blocks/%d/image/media_id", i), b.Image.MediaID); err != nil {
					return nil, err
				}
			}
		}
		if err := w.reply(r); err != nil {
			return nil, err
		}
		msg := cloneMessage(req.Message)
		return &complaints.NegotiationHistory{Operator: OperatorMerchant, OperateType: complaints.OperateMerchantResponse, NormalMessage: &msg}, nil
	}, func(r *record, h complaints.NegotiationHistory) {
		if r.Idempotent == nil {
			r.Idempotent = make(map[string]string)
		}
		r.Idempotent[req.IdempotentID] = h.LogID
	})
	switch {
	case err != nil:
		return complaints.ImmediateServiceAnswer{}, Effects{}, err
	case replayed != "":
		return complaints.ImmediateServiceAnswer{LogID: replayed}, Effects{}, nil
	}
	return complaints.ImmediateServiceAnswer{LogID: h.LogID}, fx, nil
}

// orEmpty returns s, or an empty slice for nil (image_list is [] when
// empty, as WeChat answers).
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// firstError returns the first error that is not nil.
func firstError(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
