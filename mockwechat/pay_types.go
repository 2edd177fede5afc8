package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
)

// The Complaints 2.0 vocabulary: the options, the complaints and the
// merchant's keys as the Go API and the admin API show them.

// PayOptions configures Complaints 2.0 (WeChat Pay APIv3), which the fake
// plays beside V1.5 on the same address, under /v3/, with a demo merchant:
// its identity (the fake's WeChat Pay public key and platform certificate,
// the merchant's API key, certificate and APIv3 key; never WeChat's keys),
// the Complaints 2.0 world, its rules where WeChat is silent, and the
// per-minute limits. The zero value is fresh keys kept in memory, the
// public-key mode, the default rules and WeChat's published limits.
type PayOptions struct {
	// KeysDir is the keys directory (`payfeedback mock --pay-keys DIR`):
	// when it holds the fake's identity, the fake loads it (keys stable
	// across runs; a merchant may put its own API certificate or public
	// key and merchant.json there instead of the demo's); when it is empty
	// or missing, the fake makes one and writes it there, every file mode
	// 0600: apiclient_key.pem (the demo merchant's API private key,
	// PKCS#8), pub_key.pem (the fake's WeChat Pay public key),
	// merchant.json ({"mchid","serial_no","apiv3_key","public_key_id"}),
	// apiclient_cert.pem, and what the fake keeps to stay itself
	// (wechatpay_public_key_private.pem, platform_key.pem,
	// platform_cert.pem). "": fresh keys, in memory only.
	KeysDir string `json:"keys_dir,omitempty"`
	// Mode is which of WeChat's keys sign answers and callbacks; "":
	// PayModePublicKey.
	Mode PayMode `json:"mode,omitempty"`
	// MchID is the demo merchant's id when the fake makes it; "":
	// 1900000109 (WeChat's documentation's). A keys directory's
	// merchant.json names its own.
	MchID string `json:"mchid,omitempty"`
	// Rules are the fake's choices where WeChat is silent (zero: the
	// defaults of docs/complaints-v3.md).
	Rules PayRules `json:"rules,omitzero"`
	// PerMinute overrides the calls a minute each merchant may make to an
	// endpoint (429 FREQUENCY_LIMITED beyond, on the fake's clock); an
	// endpoint left out keeps WeChat's published limit, a value ≤ 0 lifts
	// the limit.
	PerMinute map[complaints.Endpoint]int `json:"per_minute,omitempty"`
	// ProbeEvery sends a SIGNTEST probe to each merchant with a callback
	// URL every interval on the fake's clock, as WeChat does to check
	// that merchants verify signatures (`payfeedback mock
	// --pay-probe-every 6h`); 0: none, probes only on demand
	// (Server.PayProbe). At least MinPayProbeEvery; kept across Reset,
	// changed at run time with Server.SetPayProbeEvery.
	ProbeEvery time.Duration `json:"probe_every,omitempty"`
	// Seed makes complaint ids, log ids and the switch mode's draws
	// reproducible; 0: Options.Seed, and when that is 0 too, random.
	Seed uint64 `json:"seed,omitempty"`
}

// PayMode is which of WeChat Pay's keys sign the fake's answers and
// callbacks (docs/apiv3.md, "Keys").
type PayMode string

// The modes.
const (
	// PayModePublicKey: the WeChat Pay public key signs everything
	// (Wechatpay-Serial PUB_KEY_ID_…); merchants opened since 2024 have
	// only this. The default.
	PayModePublicKey PayMode = "public-key"
	// PayModePlatformCertificate: the platform certificate signs
	// everything; the merchant downloads it from GET /v3/certificates.
	PayModePlatformCertificate PayMode = "platform-certificate"
	// PayModeSwitch: WeChat moves the merchant from the certificate to
	// the public key: callbacks are signed by either at random, the public
	// key's share rising day by day over 7 days on the fake's clock,
	// answers by the key the request's Wechatpay-Serial names.
	PayModeSwitch PayMode = "switch"
)

// PayRules are the fake's choices where WeChat's Complaints 2.0
// documentation is silent, each one switch (docs/complaints-v3.md,
// "Decisions"). The zero value is the defaults.
type PayRules struct {
	// AllowReplyWhenProcessed lets the merchant reply to a PROCESSED
	// complaint (default: 400 INVALID_REQUEST).
	AllowReplyWhenProcessed bool `json:"allow_reply_when_processed,omitempty"`
	// AllowCompleteFromPending lets /complete close a PENDING complaint
	// (default: refused, reply first).
	AllowCompleteFromPending bool `json:"allow_complete_from_pending,omitempty"`
	// AllowRepeatedComplete answers 204 to /complete on a PROCESSED
	// complaint (default: refused).
	AllowRepeatedComplete bool `json:"allow_repeated_complete,omitempty"`
	// ReopenTo is the state a continued complaint reopens in (default
	// PayReopenPending).
	ReopenTo PayReopenState `json:"reopen_to,omitempty"`
	// AllowRepeatedRefundDecision lets update-refund-progress decide
	// again (default: refused with WeChat's message).
	AllowRepeatedRefundDecision bool `json:"allow_repeated_refund_decision,omitempty"`
	// AllowRefundDecisionOnOtherProblems lets update-refund-progress
	// decide on a complaint whose problem_type is not REFUND.
	AllowRefundDecisionOnOtherProblems bool `json:"allow_refund_decision_on_other_problems,omitempty"`
	// AllowImmediateWithoutNeed lets response-immediate-service answer a
	// complaint without need_immediate_service.
	AllowImmediateWithoutNeed bool `json:"allow_immediate_without_need,omitempty"`
	// RefuseIdempotentReplay refuses a second immediate-service reply of
	// the same idempotent_id (default: answered with the first's log_id).
	RefuseIdempotentReplay bool `json:"refuse_idempotent_replay,omitempty"`
	// UnknownComplaint is the answer to an unknown complaint id (default
	// PayUnknownNotFound).
	UnknownComplaint PayUnknownComplaint `json:"unknown_complaint,omitempty"`
	// MisspelledApplyPlatformService announces a user's request for the
	// platform's help as USER_APPLY_PLATFORM_SERIVCE, WeChat's changelog's
	// spelling.
	MisspelledApplyPlatformService bool `json:"misspelled_apply_platform_service,omitempty"`
	// RefuseCreateWhenURLExists refuses POST complaint-notifications when
	// the merchant has a callback URL (default: it replaces it).
	RefuseCreateWhenURLExists bool `json:"refuse_create_when_url_exists,omitempty"`
}

// PayReopenState is where a continued complaint reopens.
type PayReopenState uint8

// The states a continued complaint may reopen in.
const (
	PayReopenPending    PayReopenState = iota // PENDING: the merchant must reply again (the default)
	PayReopenProcessing                       // PROCESSING
)

// PayUnknownComplaint is how the API answers a complaint id the fake does
// not have.
type PayUnknownComplaint uint8

// The answers to an unknown complaint id.
const (
	PayUnknownNotFound   PayUnknownComplaint = iota // 404 ORDER_NOT_EXIST (the default)
	PayUnknownParamError                            // 400 PARAM_ERROR on complaint_id
	PayUnknownNoAuth                                // 403 NO_AUTH, as for another merchant's complaint
)

// PayMerchant is what a merchant configures to talk to the fake's
// Complaints 2.0, as the banner, GET /_mock/pay/merchants and the console
// show it: never a private key's content. The APIv3 key is shown: it is
// the fake's demo merchant's, or one the merchant gave the fake.
type PayMerchant struct {
	MchID string `json:"mchid"`
	// SerialNo is the merchant's API certificate serial: its requests'
	// Authorization names it.
	SerialNo string `json:"serial_no"`
	// APIv3Key decrypts callbacks and platform certificates.
	APIv3Key string `json:"apiv3_key"`
	// PublicKeyID is the id of the fake's WeChat Pay public key
	// (pub_key.pem): callbacks and answers it signs carry it in
	// Wechatpay-Serial.
	PublicKeyID string `json:"public_key_id"`
	// PlatformSerial is the serial of the fake's platform certificate
	// that signs now (GET /v3/certificates).
	PlatformSerial string `json:"platform_serial"`
	// PlatformCertificates are the platform certificates GET
	// /v3/certificates lists now (whatever the mode): the one that signs
	// and, for RotationOverlap after a rotation (Server.RotatePayCertificate),
	// the one it replaced.
	PlatformCertificates []PayCertificate `json:"platform_certificates"`
	// Mode is which key signs; SwitchBegan when the switch began (zero
	// outside PayModeSwitch).
	Mode        PayMode   `json:"mode"`
	SwitchBegan time.Time `json:"switch_began,omitzero"`
	// NotifyURL is the merchant's callback URL, "" before it creates one.
	NotifyURL string `json:"notify_url,omitempty"`
	// KeysDir is where the keys are (PayOptions.KeysDir), "" in memory.
	KeysDir string `json:"keys_dir,omitempty"`
	// ProbeEvery is the interval of the scheduled SIGNTEST probes (0:
	// none; PayOptions.ProbeEvery).
	ProbeEvery time.Duration `json:"probe_every,omitempty"`
}

// PayCertificate is a platform certificate of the fake, as GET
// /v3/certificates lists it.
type PayCertificate struct {
	SerialNo      string    `json:"serial_no"`
	EffectiveTime time.Time `json:"effective_time"`
	ExpireTime    time.Time `json:"expire_time"`
	// Signing: it signs the answers and callbacks signed by a platform
	// certificate now.
	Signing bool `json:"signing"`
}

// PayRotationOverlap is how long the platform certificate a rotation
// replaces stays valid and listed after the new one starts signing
// (docs/complaints-v3.md, "The fake's decisions").
const PayRotationOverlap = paykeys.RotationOverlap

// PayComplaintSpec is a Complaints 2.0 complaint to file, as a user files
// it. Every field is optional: the defaults make a complaint about a
// payment made up, against the only merchant.
type PayComplaintSpec struct {
	// MchID is the merchant complained about ("": the only one).
	MchID string `json:"mchid,omitempty"`
	// ComplaintID is its id ("": 27 digits, as WeChat's).
	ComplaintID string `json:"complaint_id,omitempty"`
	// Detail is the user's description, 1 to 300 characters.
	Detail string `json:"complaint_detail,omitempty"`
	// ProblemDescription is the FAQ title the user picked.
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
	// PayerPhone is the user's phone ("": made up); payer_phone encrypts
	// it with the merchant's public key.
	PayerPhone string `json:"payer_phone,omitempty"`
	// PayerOpenID is the user ("": made up).
	PayerOpenID string `json:"payer_openid,omitempty"`
	// UserTags tag the user.
	UserTags []complaints.UserTag `json:"user_tag_list,omitempty"`
	// Images are the user's evidence, downloadable by the merchant.
	Images []PayImage `json:"images,omitempty"`
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

// PayImage is an image filed with a complaint: a JPEG, PNG or BMP named
// .jpg, .png or .bmp, at most complaints.MaxImageSize bytes.
type PayImage struct {
	Filename string `json:"filename"`
	Data     []byte `json:"data"`
}

// PayComplaint is a Complaints 2.0 complaint and what the fake keeps about
// it.
type PayComplaint struct {
	// Wire is the complaint as the detail endpoint answers it (payer_phone
	// encrypted with the merchant's API public key).
	Wire complaints.Complaint `json:"complaint"`
	// PayerPhone is the user's phone in clear.
	PayerPhone string `json:"payer_phone"`
	// History is the negotiation history, oldest first.
	History []complaints.NegotiationHistory `json:"history"`
	// Refund is the merchant's decision on the refund (nil: none yet).
	Refund *PayRefund `json:"refund,omitempty"`
	// Idempotent maps each idempotent_id of an immediate-service reply to
	// the log_id it made.
	Idempotent map[string]string `json:"idempotent,omitempty"`
}

// PayRefund is the merchant's decision on a refund, and its arrival.
type PayRefund struct {
	Action          complaints.RefundAction `json:"action"`
	LaunchRefundDay *int                    `json:"launch_refund_day,omitempty"`
	RejectReason    string                  `json:"reject_reason,omitempty"`
	DecidedAt       time.Time               `json:"decided_at"`
	// ArrivedAt is when an approved refund reached the user (zero: not
	// yet).
	ArrivedAt time.Time `json:"arrived_at,omitzero"`
}

// PayAct names an act of the user or of WeChat's platform on a complaint
// (Server.PayAct, POST /_mock/pay/complaints/{id}/{act}).
type PayAct string

// The acts, each announced to the merchant by a callback of its
// action_type.
const (
	PayActContinue        PayAct = "continue"         // the user complains again (CONTINUE_COMPLAINT); Text
	PayActMessage         PayAct = "message"          // the user writes to the merchant (USER_RESPONSE); Text
	PayActApplyPlatform   PayAct = "apply-platform"   // the user asks the platform for help (USER_APPLY_PLATFORM_SERVICE); Reason, Text
	PayActCancelPlatform  PayAct = "cancel-platform"  // the user withdraws that (USER_CANCEL_PLATFORM_SERVICE)
	PayActPlatformMessage PayAct = "platform-message" // the platform writes (RESPONSE_BY_PLATFORM); Text
	PayActPlatformFinish  PayAct = "platform-finish"  // the platform's help ends (PLATFORM_SERVICE_FINISHED); Text
	PayActRefundArrived   PayAct = "refund-arrived"   // the approved refund reaches the user (REFUND_SUCCESS)
	PayActSellerRefund    PayAct = "seller-refund"    // the merchant refunded in full through the refund API (SELLER_REFUND)
)

// PayActInput is what an act says: the text of a message, the reason the
// user asks the platform for help.
type PayActInput struct {
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason,omitempty"`
}
