package payworld

import (
	"fmt"

	"github.com/payfeedback/payfeedback/complaints"
)

// FileSpec is a complaint a user files. Everything but the merchant has a
// default.
type FileSpec struct {
	// MchID is the merchant complained about ("": the only one).
	MchID string `json:"mchid,omitempty"`
	// ComplaintID is the complaint's id ("": one of 27 digits, as
	// WeChat's). A given one is 1 to 64 characters, unused.
	ComplaintID string `json:"complaint_id,omitempty"`
	// Detail is the user's description, 1 to 300 characters (""
	// DefaultDetail).
	Detail string `json:"complaint_detail,omitempty"`
	// ProblemDescription is the FAQ title the user picked (""
	// DefaultProblemDescription).
	ProblemDescription string `json:"problem_description,omitempty"`
	// ProblemType is REFUND, SERVICE_NOT_WORK or OTHERS ("": OTHERS).
	ProblemType complaints.ProblemType `json:"problem_type,omitempty"`
	// ApplyRefundAmount is the refund asked for in fen, with REFUND only
	// (0: the orders' total).
	ApplyRefundAmount int64 `json:"apply_refund_amount,omitempty"`
	// Orders are the payments complained about (nil: one, made up).
	Orders []complaints.OrderInfo `json:"complaint_order_info,omitempty"`
	// ServiceOrders are 支付分 service orders.
	ServiceOrders []complaints.ServiceOrder `json:"service_order_info,omitempty"`
	// PayerPhone is the user's phone ("": made up); payer_phone encrypts it.
	PayerPhone string `json:"payer_phone,omitempty"`
	// PayerOpenID is the user ("": made up).
	PayerOpenID string `json:"payer_openid,omitempty"`
	// UserTags tag the user.
	UserTags []complaints.UserTag `json:"user_tag_list,omitempty"`
	// Images are the user's evidence (USER_COMPLAINT_IMAGE), downloadable.
	Images []ImageFile `json:"images,omitempty"`
	// AdditionalInfo is a power-bank complaint's return.
	AdditionalInfo *complaints.AdditionalInfo `json:"additional_info,omitempty"`
	// NeedImmediateService asks for the immediate-service reply.
	NeedImmediateService bool `json:"need_immediate_service,omitempty"`
	// IsAgentMode marks an agent's (智能体) complaint.
	IsAgentMode bool `json:"is_agent_mode,omitempty"`
	// Extra are members the detail carries beyond the documented ones
	// (schema drift, for the merchant's decoder).
	Extra complaints.Extra `json:"extra,omitempty"`
}

// ImageFile is an image given with a complaint (the user's evidence): a
// JPEG, PNG or BMP named .jpg, .png or .bmp, at most
// complaints.MaxImageSize bytes.
type ImageFile struct {
	Filename string `json:"filename"`
	Data     []byte `json:"data"`
}

// The defaults of a filed complaint's text.
const (
	DefaultDetail             = "商品与描述不符，联系商家未解决，要求退款"
	DefaultProblemDescription = "商品质量问题"
)

// MaxEvidenceImages bounds the images of a filed complaint (WeChat's own
// bound is not documented; its complaint page takes a handful).
const MaxEvidenceImages = 9

// check checks a spec before filing and fills its defaults (the ids and
// orders, which need the world's generator, are filled under the lock).
func (s *FileSpec) check() error {
	if s.Detail == "" {
		s.Detail = DefaultDetail
	}
	if s.ProblemDescription == "" {
		s.ProblemDescription = DefaultProblemDescription
	}
	if s.ProblemType == "" {
		s.ProblemType = complaints.ProblemOthers
	}
	n := 0
	for range s.Detail {
		n++
	}
	switch {
	case n > 300:
		return fmt.Errorf("payworld: complaint_detail has %d characters, at most 300", n)
	case s.ComplaintID != "" && complaints.ValidateComplaintID(s.ComplaintID) != nil:
		return fmt.Errorf("payworld: complaint id: %w", complaints.ValidateComplaintID(s.ComplaintID))
	case s.ApplyRefundAmount < 0:
		return fmt.Errorf("payworld: apply_refund_amount %d: want 0 (the orders' total) or more", s.ApplyRefundAmount)
	case s.ApplyRefundAmount > 0 && s.ProblemType != complaints.ProblemRefund:
		return fmt.Errorf("payworld: apply_refund_amount goes with problem_type REFUND, not %s", s.ProblemType)
	case len(s.Images) > MaxEvidenceImages:
		return fmt.Errorf("payworld: %d images: at most %d", len(s.Images), MaxEvidenceImages)
	case len(s.PayerPhone) > 20:
		return fmt.Errorf("payworld: payer_phone of %d characters: at most 20", len(s.PayerPhone))
	}
	for i, o := range s.Orders {
		if o.TransactionID == "" || o.OutTradeNo == "" || o.Amount <= 0 {
			return fmt.Errorf("payworld: complaint_order_info[%d]: transaction_id, out_trade_no and a positive amount (fen) are required", i)
		}
	}
	for i, img := range s.Images {
		if _, err := complaints.NewUploadMeta(img.Filename, img.Data); err != nil {
			return fmt.Errorf("payworld: images[%d]: %w", i, err)
		}
	}
	return nil
}

// File files a complaint as a user would, against a merchant: PENDING, one
// history entry (USER_CREATE_COMPLAINT), and a COMPLAINT.CREATE callback
// with CREATE_COMPLAINT. It returns the complaint.
func (w *World) File(spec FileSpec) (Complaint, Effects, error) {
	if err := spec.check(); err != nil {
		return Complaint{}, Effects{}, err
	}
	if err := w.lock(); err != nil {
		return Complaint{}, Effects{}, err
	}
	defer w.mu.Unlock()
	m, err := w.onlyMerchant(spec.MchID)
	if err != nil {
		return Complaint{}, Effects{}, err
	}
	now := w.clock()
	id := spec.ComplaintID
	if id == "" {
		id = w.newComplaintID(now)
	} else if _, ok := w.complaints[id]; ok {
		return Complaint{}, Effects{}, fmt.Errorf("payworld: complaint %s exists: give another id, or none: %w", clip(id, 64), ErrState)
	}
	orders := cloneSlice(spec.Orders, cloneOrder)
	if orders == nil {
		orders = []complaints.OrderInfo{{TransactionID: "42000" + w.digits(23), OutTradeNo: "MOCK" + w.digits(16), Amount: int64(100 + w.rng.IntN(49_900))}}
	}
	refund := spec.ApplyRefundAmount
	if spec.ProblemType == complaints.ProblemRefund && refund == 0 {
		for _, o := range orders {
			refund += o.Amount
		}
	}
	phone := spec.PayerPhone
	if phone == "" {
		phone = "13" + w.digits(9)
	}
	openID := spec.PayerOpenID
	if openID == "" {
		openID = "o" + w.openIDTail()
	}
	r := &record{seq: uint64(len(w.filed) + 1), Complaint: Complaint{PayerPhone: phone, Wire: complaints.Complaint{
		ComplaintID:          id,
		ComplaintTime:        now,
		ComplaintDetail:      spec.Detail,
		ComplaintedMchID:     m.MchID,
		ComplaintState:       complaints.StatePending,
		PayerOpenID:          openID,
		ComplaintOrderInfo:   orders,
		ServiceOrderInfo:     cloneSlice(spec.ServiceOrders, cloneServiceOrder),
		ProblemDescription:   spec.ProblemDescription,
		UserComplaintTimes:   1,
		ProblemType:          spec.ProblemType,
		ApplyRefundAmount:    refund,
		UserTagList:          cloneSlice(spec.UserTags, same),
		AdditionalInfo:       clonePtrWith(spec.AdditionalInfo, cloneAdditionalInfo),
		NeedImmediateService: spec.NeedImmediateService,
		IsAgentMode:          spec.IsAgentMode,
		Extra:                cloneExtra(spec.Extra),
	}}}
	if err := encryptPhone(r, m.PublicKey); err != nil {
		return Complaint{}, Effects{}, err
	}
	if len(spec.Images) > 0 {
		urls := make([]string, len(spec.Images))
		for i, img := range spec.Images {
			mid := w.newEvidenceID()
			w.images.add(&Image{MediaID: mid, MchID: m.MchID, Filename: img.Filename, ContentType: imageContentType(img.Filename),
				Data: append([]byte(nil), img.Data...), Created: now})
			urls[i] = w.mediaURLOf(mid)
		}
		r.Wire.ComplaintMediaList = []complaints.Media{{MediaType: complaints.MediaUserComplaintImage, MediaURL: urls}}
	}
	r.History = append(r.History, complaints.NegotiationHistory{LogID: w.newLogID(now), Operator: OperatorUser, OperateTime: now,
		OperateType: complaints.OperateUserCreateComplaint, OperateDetails: spec.Detail})
	w.complaints[id] = r
	w.filed = append(w.filed, r)
	m.index.add(r)
	return r.Complaint.Clone(), Effects{
		Callbacks: []Callback{{MchID: m.MchID, ComplaintID: id, EventType: complaints.EventCreate, ActionType: complaints.ActionCreateComplaint}},
		Changes:   []Change{{What: ComplaintFiled, MchID: m.MchID, ComplaintID: id, State: complaints.StatePending, Operate: complaints.OperateUserCreateComplaint}},
	}, nil
}

// The operators of history entries, as WeChat names people.
const (
	OperatorUser     = "投诉人"
	OperatorMerchant = "商户"
	OperatorPlatform = "微信支付客服"
	OperatorSystem   = "系统"
)

const openIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// openIDTail returns the 27 characters after an openid's "o" (w.mu held).
func (w *World) openIDTail() string {
	b := make([]byte, 27)
	for i := range b {
		b[i] = openIDAlphabet[w.rng.IntN(len(openIDAlphabet))]
	}
	return string(b)
}

// Complaint returns a deep copy of a complaint.
func (w *World) Complaint(id string) (Complaint, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.complaints[id]
	if !ok {
		return Complaint{}, false
	}
	return r.Complaint.Clone(), true
}

// Complaints returns deep copies of the complaints that match (nil: all),
// in filing order, after the complaint after ("": from the first), at most
// limit (≤ 0: all). match sees the world's own complaint: it must not
// modify it.
func (w *World) Complaints(after string, limit int, match func(*Complaint) bool) ([]Complaint, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	from := 0
	if after != "" {
		r, ok := w.complaints[after]
		if !ok {
			return nil, fmt.Errorf("payworld: after=%s: no such complaint: %w", clip(after, 64), ErrNotFound)
		}
		from = int(r.seq)
	}
	out := []Complaint{}
	for _, r := range w.filed[from:] {
		if limit > 0 && len(out) == limit {
			break
		}
		if match == nil || match(&r.Complaint) {
			out = append(out, r.Complaint.Clone())
		}
	}
	return out, nil
}
