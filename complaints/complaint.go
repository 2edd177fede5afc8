package complaints

import "time"

// Complaint is a complaint as the detail endpoint answers it, and as each
// item of a list page (docs/complaints-v3.md, "The complaint"). Field names
// are WeChat's; a member this type does not declare is kept in Extra.
//
// Encoding writes the four arrays as [] when they are nil, as WeChat does,
// and leaves out the optional fields that are empty.
type Complaint struct {
	// ComplaintID is the complaint's id (1 to 64 characters, digits in
	// practice, e.g. 200201820200101080076610000).
	ComplaintID string `json:"complaint_id"`
	// ComplaintTime is when the user filed it (RFC 3339 with milliseconds
	// on the wire).
	ComplaintTime time.Time `json:"complaint_time"`
	// ComplaintDetail is the user's description (1 to 300 characters).
	ComplaintDetail string `json:"complaint_detail"`
	// ComplaintedMchID is the merchant complained about (for a partner,
	// the sub-merchant).
	ComplaintedMchID string `json:"complainted_mchid"`
	// ComplaintState is PENDING, PROCESSING or PROCESSED.
	ComplaintState ComplaintState `json:"complaint_state"`
	// PayerPhone is the user's phone number, RSA-OAEP-encrypted with the
	// merchant's API certificate and Base64-encoded: decrypt it with the
	// merchant's private key (see docs/apiv3.md). Empty when absent.
	PayerPhone string `json:"payer_phone,omitempty"`
	// PayerOpenID is the user's openid under the merchant's appid. The
	// detail carries it; list items do not.
	PayerOpenID string `json:"payer_openid,omitempty"`
	// ComplaintOrderInfo lists the payments the complaint is about.
	ComplaintOrderInfo []OrderInfo `json:"complaint_order_info"`
	// ServiceOrderInfo lists the 支付分 service orders it is about.
	ServiceOrderInfo []ServiceOrder `json:"service_order_info"`
	// ComplaintMediaList holds the user's evidence and the images of the
	// negotiation.
	ComplaintMediaList []Media `json:"complaint_media_list"`
	// ComplaintFullRefunded reports whether every order was refunded in
	// full.
	ComplaintFullRefunded bool `json:"complaint_full_refunded"`
	// IncomingUserResponse reports whether a message of the user awaits an
	// answer.
	IncomingUserResponse bool `json:"incoming_user_response"`
	// ProblemDescription is the FAQ title the user picked (complaints since
	// 2021-07-15).
	ProblemDescription string `json:"problem_description"`
	// UserComplaintTimes is 1 for a first complaint, plus one each time the
	// user complains again.
	UserComplaintTimes int `json:"user_complaint_times"`
	// ProblemType is REFUND, SERVICE_NOT_WORK or OTHERS; empty when absent.
	ProblemType ProblemType `json:"problem_type,omitempty"`
	// ApplyRefundAmount is the refund the user asks for, in fen (分), for
	// problem_type REFUND; 0 when absent.
	ApplyRefundAmount int64 `json:"apply_refund_amount,omitempty"`
	// UserTagList tags the user (TRUSTED: eligible for a fast refund).
	UserTagList []UserTag `json:"user_tag_list"`
	// AdditionalInfo carries what a kind of complaint adds (a power bank's
	// return); nil when absent.
	AdditionalInfo *AdditionalInfo `json:"additional_info,omitempty"`
	// InPlatformService reports whether WeChat's platform is assisting.
	InPlatformService bool `json:"in_platform_service,omitempty"`
	// NeedImmediateService reports whether the complaint must be answered
	// with the immediate-service reply (ImmediateServiceRequest).
	NeedImmediateService bool `json:"need_immediate_service,omitempty"`
	// IsAgentMode reports an agent's (智能体) complaint; its meaning beyond
	// that is undocumented.
	IsAgentMode bool `json:"is_agent_mode,omitempty"`
	// Extra holds the members WeChat sent that this type does not declare.
	Extra Extra `json:"-"`
}

// OrderInfo is a payment a complaint is about.
type OrderInfo struct {
	TransactionID string `json:"transaction_id"` // WeChat's order number
	OutTradeNo    string `json:"out_trade_no"`   // the merchant's order number
	Amount        int64  `json:"amount"`         // in fen (分)
	Extra         Extra  `json:"-"`
}

// ServiceOrder is a 支付分 service order a complaint is about.
type ServiceOrder struct {
	OrderID    string            `json:"order_id"`     // WeChat's service order number
	OutOrderNo string            `json:"out_order_no"` // the merchant's
	State      ServiceOrderState `json:"state"`
	Extra      Extra             `json:"-"`
}

// Media is a set of images of a complaint: an entry of a complaint's
// complaint_media_list, or a history entry's complaint_media_list (a single
// object there). Download each URL with a signed GET (docs/complaints-v3.md,
// "Images").
type Media struct {
	MediaType MediaType `json:"media_type"`
	MediaURL  []string  `json:"media_url"`
	Extra     Extra     `json:"-"`
}

// AdditionalInfo is what a kind of complaint adds to it.
type AdditionalInfo struct {
	// Type is SHARE_POWER_TYPE for a power-bank complaint.
	Type AdditionalInfoType `json:"type"`
	// SharePowerInfo describes the power bank's return; nil when absent.
	SharePowerInfo *SharePowerInfo `json:"share_power_info,omitempty"`
	Extra          Extra           `json:"-"`
}

// SharePowerInfo describes the return of a rented power bank.
type SharePowerInfo struct {
	// ReturnTime is when it was returned; zero when absent.
	ReturnTime time.Time `json:"return_time,omitzero"`
	// ReturnAddressInfo is where; nil when absent.
	ReturnAddressInfo *ReturnAddressInfo `json:"return_address_info,omitempty"`
	// IsReturnedToSameMachine reports a return to the cabinet it was taken
	// from (since 2024-09).
	IsReturnedToSameMachine bool  `json:"is_returned_to_same_machine,omitempty"`
	Extra                   Extra `json:"-"`
}

// ReturnAddressInfo is where a power bank was returned.
type ReturnAddressInfo struct {
	ReturnAddress string `json:"return_address,omitempty"`
	Longitude     string `json:"longitude,omitempty"` // decimal degrees, as a string
	Latitude      string `json:"latitude,omitempty"`  // decimal degrees, as a string
	Extra         Extra  `json:"-"`
}

// Page is a page of the list endpoint (Page[Complaint]) or of a
// complaint's negotiation history (Page[NegotiationHistory]).
type Page[T any] struct {
	// Data is the page's items (written [] when nil).
	Data []T `json:"data"`
	// Limit and Offset are the page's size and start, as WeChat applied
	// them.
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	// TotalCount is the number of items of the whole query. WeChat sends it
	// only for the first page (offset 0): nil otherwise.
	TotalCount *int  `json:"total_count,omitempty"`
	Extra      Extra `json:"-"`
}

// The plain twins of the types above: the same fields without the JSON
// methods, for those methods to use.
type (
	plainComplaint         Complaint
	plainOrderInfo         OrderInfo
	plainServiceOrder      ServiceOrder
	plainMedia             Media
	plainAdditionalInfo    AdditionalInfo
	plainSharePowerInfo    SharePowerInfo
	plainReturnAddressInfo ReturnAddressInfo
	plainPage[T any]       Page[T]
)

// UnmarshalJSON decodes c, keeping undeclared members in c.Extra.
func (c *Complaint) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainComplaint)(c), &c.Extra)
}

// MarshalJSON encodes c, then c.Extra.
func (c Complaint) MarshalJSON() ([]byte, error) {
	p := plainComplaint(c)
	p.ComplaintOrderInfo = orEmpty(p.ComplaintOrderInfo)
	p.ServiceOrderInfo = orEmpty(p.ServiceOrderInfo)
	p.ComplaintMediaList = orEmpty(p.ComplaintMediaList)
	p.UserTagList = orEmpty(p.UserTagList)
	return encodeKeeping(&p, c.Extra)
}

// UnmarshalJSON decodes o, keeping undeclared members in o.Extra.
func (o *OrderInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainOrderInfo)(o), &o.Extra)
}

// MarshalJSON encodes o, then o.Extra.
func (o OrderInfo) MarshalJSON() ([]byte, error) {
	p := plainOrderInfo(o)
	return encodeKeeping(&p, o.Extra)
}

// UnmarshalJSON decodes s, keeping undeclared members in s.Extra.
func (s *ServiceOrder) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainServiceOrder)(s), &s.Extra)
}

// MarshalJSON encodes s, then s.Extra.
func (s ServiceOrder) MarshalJSON() ([]byte, error) {
	p := plainServiceOrder(s)
	return encodeKeeping(&p, s.Extra)
}

// UnmarshalJSON decodes m, keeping undeclared members in m.Extra.
func (m *Media) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainMedia)(m), &m.Extra)
}

// MarshalJSON encodes m (MediaURL [] when nil), then m.Extra.
func (m Media) MarshalJSON() ([]byte, error) {
	p := plainMedia(m)
	p.MediaURL = orEmpty(p.MediaURL)
	return encodeKeeping(&p, m.Extra)
}

// UnmarshalJSON decodes a, keeping undeclared members in a.Extra.
func (a *AdditionalInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainAdditionalInfo)(a), &a.Extra)
}

// MarshalJSON encodes a, then a.Extra.
func (a AdditionalInfo) MarshalJSON() ([]byte, error) {
	p := plainAdditionalInfo(a)
	return encodeKeeping(&p, a.Extra)
}

// UnmarshalJSON decodes s, keeping undeclared members in s.Extra.
func (s *SharePowerInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainSharePowerInfo)(s), &s.Extra)
}

// MarshalJSON encodes s, then s.Extra.
func (s SharePowerInfo) MarshalJSON() ([]byte, error) {
	p := plainSharePowerInfo(s)
	return encodeKeeping(&p, s.Extra)
}

// UnmarshalJSON decodes r, keeping undeclared members in r.Extra.
func (r *ReturnAddressInfo) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainReturnAddressInfo)(r), &r.Extra)
}

// MarshalJSON encodes r, then r.Extra.
func (r ReturnAddressInfo) MarshalJSON() ([]byte, error) {
	p := plainReturnAddressInfo(r)
	return encodeKeeping(&p, r.Extra)
}

// UnmarshalJSON decodes p, keeping undeclared members in p.Extra.
func (p *Page[T]) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainPage[T])(p), &p.Extra)
}

// MarshalJSON encodes p (Data [] when nil), then p.Extra.
func (p Page[T]) MarshalJSON() ([]byte, error) {
	q := plainPage[T](p)
	q.Data = orEmpty(q.Data)
	return encodeKeeping(&q, p.Extra)
}
