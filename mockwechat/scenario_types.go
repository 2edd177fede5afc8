package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
)

// The scenario vocabulary: a scenario file's Go form. See
// docs/scenario.schema.json and the examples under examples/scenarios/.

// Scenario is a world to start from, what happens in it later and the
// faults to inject: Options.Scenario, `payfeedback mock --scenario`, and
// what Snapshot returns. Its JSON (and YAML) form is the scenario file
// (MarshalScenario, ParseScenario). Times are absolute once parsed:
// offsets in a file count from Clock.Start.
type Scenario struct {
	// Clock is where the virtual clock starts.
	Clock ScenarioClock `json:"clock,omitzero"`
	// Accounts are the official accounts, with their token state when a
	// snapshot wrote them.
	Accounts []AccountState `json:"accounts,omitempty"`
	// Users are the accounts' users: when they last interacted, and, in a
	// snapshot, their inboxes.
	Users []UserState `json:"users,omitempty"`
	// Orders are the users' payments.
	Orders []OrderState `json:"orders,omitempty"`
	// Complaints are filed at their At, and pushed then when At is after
	// the clock's start; those at or before it are the world as it stands
	// at the start, never pushed. A complaint with a State is taken as it
	// stands (a snapshot writes them so).
	Complaints []ScenarioComplaint `json:"complaints,omitempty"`
	// Actions are the user's and WeChat's later moves, each at its At.
	Actions []ScenarioAction `json:"actions,omitempty"`
	// Faults are injected at the start, in order.
	Faults []Fault `json:"faults,omitempty"`
	// Tokens and Media are what a snapshot keeps of issued access tokens
	// and media ids.
	Tokens []Token `json:"tokens,omitempty"`
	Media  []Media `json:"media,omitempty"`
	// IDs is the state of the generator of feedback ids, transids and
	// openids (hexadecimal), so that a resumed world goes on as the saved
	// one would; a snapshot writes it.
	IDs string `json:"ids,omitempty"`
	// Pay is Complaints 2.0 (Options.Pay): its merchants' callback URLs,
	// complaints, later acts and, in a snapshot, images and callbacks. A
	// scenario without it leaves the fake's Complaints 2.0 as it starts.
	Pay *ScenarioPay `json:"pay,omitempty"`

	// parsed is the scenario as ParseScenario read it, which knows the
	// file's lines and columns: errors found later are placed with it.
	parsed *scenario.Scenario
}

// ScenarioClock says where the virtual clock starts.
type ScenarioClock struct {
	// Start is the clock's start; zero: when the fake starts. Offsets in
	// the file count from it.
	Start time.Time `json:"start,omitzero"`
}

// ScenarioComplaint is a complaint of the scenario: filed at At by OpenID
// about TransID. Without a State it is filed then, as a user would (the
// order and the user are created when new); with one it is taken as it
// stands (the fields from State on say where), as a snapshot writes it.
type ScenarioComplaint struct {
	At         time.Time `json:"at"`
	AppID      string    `json:"appid,omitempty"`
	OpenID     string    `json:"openid,omitempty"`
	TransID    string    `json:"transid,omitempty"`
	FeedBackID string    `json:"feedback_id,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Solution   string    `json:"solution,omitempty"`
	ExtInfo    string    `json:"ext_info,omitempty"`
	Pictures   []string  `json:"pictures,omitempty"`
	// Goods and PaidAt describe the order when it is not among Orders
	// (PaidAt zero: At).
	Goods  payfeedback.GoodsKind `json:"goods,omitempty"`
	PaidAt time.Time             `json:"paid_at,omitzero"`
	// NoOrder files the complaint without an order (no TransID, no
	// PaidAt): its notifications carry no TransId, and its deadline is a
	// shipped order's of Goods. A snapshot writes such a complaint with
	// its state and shipping "no order" instead.
	NoOrder bool `json:"no_order,omitempty"`

	// State, when set, is where the complaint stands; the fields below
	// are as Complaint's.
	State        ComplaintState `json:"state,omitempty"`
	Overdue      bool           `json:"overdue,omitempty"`
	Deadline     time.Time      `json:"deadline,omitzero"`
	Shipping     string         `json:"shipping,omitempty"`
	HandledAt    time.Time      `json:"handled_at,omitzero"`
	ClosedAt     time.Time      `json:"closed_at,omitzero"`
	RejectedAt   time.Time      `json:"rejected_at,omitzero"`
	RejectReason string         `json:"reject_reason,omitempty"`
	Updates      int            `json:"updates,omitempty"`
	Arbitration  *Arbitration   `json:"arbitration,omitempty"`
}

// ScenarioAction is a later move on a complaint of the scenario.
type ScenarioAction struct {
	At         time.Time  `json:"at"`
	FeedBackID string     `json:"feedback_id"`
	Do         ScenarioDo `json:"do"`
	// Reason is the user's reason to reject.
	Reason string `json:"reason,omitempty"`
	// Note and Pictures are the merchant's arbitration evidence.
	Note     string   `json:"note,omitempty"`
	Pictures []string `json:"pictures,omitempty"`
	// For is who an arbitration is decided for: "user" or "merchant".
	For string `json:"for,omitempty"`
}

// ScenarioDo names the move of a ScenarioAction.
type ScenarioDo string

// The moves of a ScenarioAction.
const (
	// DoHandle: the merchant's successful /payfeedback/update, played by
	// the fake (to start from a handled complaint).
	DoHandle ScenarioDo = "handle"
	// DoConfirm: the user confirms the complaint resolved (pushes
	// "confirm").
	DoConfirm ScenarioDo = "confirm"
	// DoReject: the user rejects the handling, with Reason (pushes
	// "reject").
	DoReject ScenarioDo = "reject"
	// DoRequestArbitration: the user asks WeChat to arbitrate.
	DoRequestArbitration ScenarioDo = "request_arbitration"
	// DoSubmitEvidence: the merchant submits evidence (Note, Pictures).
	DoSubmitEvidence ScenarioDo = "submit_evidence"
	// DoArbitrate: WeChat decides, For the user or the merchant.
	DoArbitrate ScenarioDo = "arbitrate"
)

// ScenarioError is what is wrong with a scenario, and where: the file,
// line and column when it came from a file, and the path of the entry
// ("complaints[2].appid"). Test for it with errors.As.
type ScenarioError struct {
	File   string
	Line   int // from 1; 0 when unknown
	Column int
	Path   string
	Msg    string
}

// AccountState is an account with its token state, as a scenario (and a
// snapshot) lists it.
type AccountState struct {
	Account
	// Quota is the account's count of token calls today.
	Quota Quota `json:"quota"`
	// Token and PreviousToken are the latest access_token and the one it
	// superseded (valid during the grace period).
	Token         string `json:"token,omitempty"`
	PreviousToken string `json:"previous_token,omitempty"`
}

// Quota is an account's count of token calls on one day.
type Quota struct {
	// Day is the Beijing date counted, "2006-01-02".
	Day  string `json:"day,omitempty"`
	Used int    `json:"used,omitempty"`
}

// UserState is a user with its inbox, as a scenario lists it.
type UserState struct {
	User
	// Inbox holds the last messages delivered, oldest first; Delivered
	// counts every message ever delivered (the last Seq).
	Inbox     []Message `json:"inbox"`
	Delivered uint64    `json:"delivered"`
	// LastPushTimeStamp is the TimeStamp of the last push to the user.
	LastPushTimeStamp int64 `json:"last_push_timestamp,omitempty"`
}

// OrderState is an order with its open complaint, as a scenario lists it.
type OrderState struct {
	Order
	// OpenComplaint is the feedback id of the order's open complaint.
	OpenComplaint string `json:"open_complaint,omitempty"`
}

// Token is an issued access token, as a snapshot keeps it.
type Token struct {
	Value   string    `json:"value"`
	AppID   string    `json:"appid"`
	Expires time.Time `json:"expires"`
	// SupersededAt is when a newer token was issued; zero while latest.
	SupersededAt time.Time `json:"superseded_at,omitzero"`
}

// ScenarioPay is Complaints 2.0 in a scenario (the key pay). No private
// key is ever part of it: the fake's identity comes from its keys
// directory (PayOptions.KeysDir) or is made afresh, and a scenario's
// merchant of the identity's mchid takes the identity's keys.
type ScenarioPay struct {
	// Mode is which of WeChat's keys sign; "": the fake's own.
	// SwitchBegan is when PayModeSwitch began (zero: the clock's start).
	Mode        PayMode   `json:"mode,omitempty"`
	SwitchBegan time.Time `json:"switch_began,omitzero"`
	// ProbeEvery is the interval of scheduled SIGNTEST probes
	// (PayOptions.ProbeEvery); 0: the fake's own.
	ProbeEvery time.Duration `json:"probe_every,omitempty"`
	// Merchants are the merchants and their callback URLs.
	Merchants []ScenarioPayMerchant `json:"merchants,omitempty"`
	// Complaints are filed at their At (announced then when At is after
	// the clock's start), or taken as they stand (Complaint set).
	Complaints []ScenarioPayComplaint `json:"complaints,omitempty"`
	// Acts are the later acts on the complaints, each at its At.
	Acts []ScenarioPayAct `json:"acts,omitempty"`
	// Images, Deliveries, Counters and IDs are what a snapshot keeps of
	// the images, the callbacks (pending ones resume on the fake's clock)
	// and the id generator.
	Images     []ScenarioPayImage    `json:"images,omitempty"`
	Deliveries []ScenarioPayDelivery `json:"deliveries,omitempty"`
	Counters   ScenarioPayCounters   `json:"counters,omitzero"`
	IDs        string                `json:"ids,omitempty"`
}

// ScenarioPayMerchant is a merchant of a scenario. The fake's own (its
// identity's mchid, or "") takes a NotifyURL only; another needs its
// certificate serial, its public key (PEM) and its APIv3 key, as a
// snapshot writes them (the APIv3 key empty in SnapshotWithoutSecrets).
type ScenarioPayMerchant struct {
	MchID     string `json:"mchid,omitempty"`
	SerialNo  string `json:"serial_no,omitempty"`
	PublicKey string `json:"public_key,omitempty"`
	APIv3Key  string `json:"apiv3_key,omitempty"`
	NotifyURL string `json:"notify_url,omitempty"`
}

// ScenarioPayComplaint is a complaint of a scenario: filed at At as its
// PayComplaintSpec says, as a user would; or, with Complaint set, taken
// as it stands with its PayerPhone (in clear), History, Refund and
// Idempotent, as a snapshot writes it (At and the rest of the spec then
// empty).
type ScenarioPayComplaint struct {
	At time.Time `json:"at,omitzero"`
	PayComplaintSpec
	Complaint  *complaints.Complaint           `json:"complaint,omitempty"`
	History    []complaints.NegotiationHistory `json:"history,omitempty"`
	Refund     *PayRefund                      `json:"refund,omitempty"`
	Idempotent map[string]string               `json:"idempotent,omitempty"`
}

// ScenarioPayAct is a later act on a complaint of a scenario.
type ScenarioPayAct struct {
	At          time.Time     `json:"at"`
	ComplaintID string        `json:"complaint_id"`
	Do          ScenarioPayDo `json:"do"`
	// Text is the message (continue, message, platform-message,
	// platform-finish, reply); Reason the user's reason to ask the
	// platform (apply-platform), or the merchant's to reject a refund.
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason,omitempty"`
	// LaunchRefundDay is in how many working days an approved refund is
	// launched (approve-refund).
	LaunchRefundDay *int `json:"launch_refund_day,omitempty"`
}

// ScenarioPayDo names the act of a ScenarioPayAct: the user's and the
// platform's acts of PayAct (each announced by a callback), or the
// merchant's own (announced by none, as WeChat announces none).
type ScenarioPayDo string

// The merchant's acts a scenario may play (the others are PayAct's).
const (
	ScenarioPayReply         ScenarioPayDo = "reply"          // the merchant replies (Text)
	ScenarioPayComplete      ScenarioPayDo = "complete"       // the merchant completes the complaint
	ScenarioPayApproveRefund ScenarioPayDo = "approve-refund" // the merchant approves the refund (LaunchRefundDay)
	ScenarioPayRejectRefund  ScenarioPayDo = "reject-refund"  // the merchant rejects the refund (Reason)
)

// ScenarioPayImage is an image a snapshot keeps: a user's evidence or a
// merchant's upload (Uploaded).
type ScenarioPayImage struct {
	MediaID     string    `json:"media_id"`
	MchID       string    `json:"mchid"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Data        []byte    `json:"data"`
	Uploaded    bool      `json:"uploaded,omitempty"`
	Created     time.Time `json:"created_at"`
}

// ScenarioPayDelivery is a Complaints 2.0 callback a snapshot keeps, with
// its attempts; one neither Delivered nor Failed resumes at Next on the
// fake's clock (at once when Next is zero or past).
type ScenarioPayDelivery struct {
	ID          string                `json:"id"`
	MchID       string                `json:"mchid"`
	ComplaintID string                `json:"complaint_id,omitempty"`
	EventType   complaints.EventType  `json:"event_type,omitempty"`
	ActionType  complaints.ActionType `json:"action_type,omitempty"`
	Probe       bool                  `json:"probe,omitempty"`
	Plaintext   string                `json:"plaintext"`
	Queued      time.Time             `json:"queued"`
	Delivered   bool                  `json:"delivered"`
	Failed      bool                  `json:"failed"`
	Attempts    []PayAttempt          `json:"attempts"`
	Next        time.Time             `json:"next,omitzero"`
}

// ScenarioPayCounters number what the Complaints 2.0 world made, so that
// ids stay unique once a snapshot is restored.
type ScenarioPayCounters struct {
	Complaints uint64 `json:"complaints"`
	Logs       uint64 `json:"logs"`
	Images     uint64 `json:"images"`
}
