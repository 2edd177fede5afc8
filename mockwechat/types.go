package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The fake's vocabulary. Each type is defined, and documented, in the
// internal package that owns it: the world (accounts, users, orders,
// complaints, messages, media), the push engine (deliveries), the call
// log, faults, the event feed and the clock.
type (
	// Account is one official account of the fake world.
	Account = world.Account
	// AccountPatch changes some of an account's settings.
	AccountPatch = world.AccountPatch
	// User is a WeChat user of one account.
	User = world.User
	// Interaction is a user's interaction with an account.
	Interaction = world.Interaction
	// InteractionKind is how a user interacted with an account.
	InteractionKind = world.InteractionKind
	// Order is a payment of a user to an account.
	Order = world.Order
	// Message is a customer-service message delivered to a user's inbox.
	Message = world.Message
	// Media is an uploaded media file's record.
	Media = world.Media
	// ComplaintSpec is what a user files.
	ComplaintSpec = world.ComplaintSpec
	// Complaint is a complaint and where it stands.
	Complaint = world.Complaint
	// ComplaintState is where a complaint is in the state machine.
	ComplaintState = world.ComplaintState
	// Arbitration is a complaint's arbitration by WeChat.
	Arbitration = world.Arbitration
	// ArbitrationState is the MP console's arbitration state, 0 to 4.
	ArbitrationState = world.ArbitrationState

	// Delivery is one notification pushed and every attempt to deliver it.
	Delivery = push.Delivery
	// DeliveryRef says which notification a delivery carries, and where.
	DeliveryRef = push.Ref
	// Attempt is one HTTP POST of a notification.
	Attempt = push.Attempt
	// PushReport tells a push attempt sent, answered or held back.
	PushReport = push.Report
	// PushPhase is the stage of a push a PushReport tells.
	PushPhase = push.Phase

	// Call is one recorded API call.
	Call = calllog.Call

	// Fault makes the fake misbehave on purpose.
	Fault = fault.Fault

	// Event is one thing that happened in the fake (see Server.Subscribe).
	Event = events.Event
	// EventKind says what an Event is about.
	EventKind = events.Kind
	// Change is a change of the world an Event tells.
	Change = events.Change
	// ChangeKind names a kind of Change.
	ChangeKind = events.What
	// ClockMove is a move of the virtual clock an Event tells.
	ClockMove = events.ClockMove
	// Subscription receives the fake's events.
	Subscription = events.Subscription

	// VirtualClock is a clock that moves only when told to. Give one to
	// Options.Clock to make time a test input: Advance fires, in order,
	// every event that falls due (push retries, complaints going overdue,
	// arbitration evidence deadlines) and waits for the pushes they
	// start. A VirtualClock may be shared by several servers.
	VirtualClock = clock.Virtual
)

// NewVirtualClock returns a virtual clock reading start.
func NewVirtualClock(start time.Time) *VirtualClock { return clock.NewVirtual(start) }

// The complaint states.
const (
	StateFiled     = world.StateFiled
	StateHandled   = world.StateHandled
	StateConfirmed = world.StateConfirmed
	StateRejected  = world.StateRejected
)

// The interaction kinds: the window openers of WeChat's document.
const (
	InteractMessage   = world.InteractMessage
	InteractClick     = world.InteractClick
	InteractSubscribe = world.InteractSubscribe
	InteractScan      = world.InteractScan
	InteractPayment   = world.InteractPayment
	InteractComplaint = world.InteractComplaint
)

// InteractionKinds returns the interaction kinds.
func InteractionKinds() []InteractionKind { return world.InteractionKinds() }

// ShippingNoOrder is the Shipping of a complaint filed without an order
// (ComplaintSpec.NoOrder).
const ShippingNoOrder = world.ShippingNoOrder

// The arbitration states 0–4 (3: decided for the user, 4: for the
// merchant, the fake's reading of the console's "3/4 arbitrated").
const (
	ArbitrationAwaitingEvidence   = world.ArbitrationAwaitingEvidence
	ArbitrationEvidenceMissed     = world.ArbitrationEvidenceMissed
	ArbitrationUnderReview        = world.ArbitrationUnderReview
	ArbitrationDecidedForUser     = world.ArbitrationDecidedForUser
	ArbitrationDecidedForMerchant = world.ArbitrationDecidedForMerchant
)

// MaxChoices is how many merchant-defined reasons, and how many solutions,
// an account may have; each is 1 to MaxChoiceLen characters.
const (
	MaxChoices   = world.MaxChoices
	MaxChoiceLen = world.MaxChoiceLen
)

// EndpointPush names the push machinery in faults and the admin API.
const EndpointPush = fault.EndpointPush

// The kinds of events.
const (
	EventComplaint = events.KindComplaint
	EventWorld     = events.KindWorld
	EventPush      = events.KindPush
	EventCall      = events.KindCall
	EventClock     = events.KindClock
)

// The kinds of changes an Event tells (Change.What).
const (
	ChangeComplaintFiled       = events.ComplaintFiled
	ChangeComplaintHandled     = events.ComplaintHandled
	ChangeComplaintConfirmed   = events.ComplaintConfirmed
	ChangeComplaintRejected    = events.ComplaintRejected
	ChangeComplaintOverdue     = events.ComplaintOverdue
	ChangeArbitrationRequested = events.ArbitrationRequested
	ChangeEvidenceSubmitted    = events.EvidenceSubmitted
	ChangeEvidenceMissed       = events.EvidenceMissed
	ChangeArbitrated           = events.Arbitrated
	ChangeAccountAdded         = events.AccountAdded
	ChangeAccountChanged       = events.AccountChanged
	ChangeUserInteracted       = events.UserInteracted
	ChangeOrderAdded           = events.OrderAdded
	ChangeOrderShipped         = events.OrderShipped
	ChangeMessageDelivered     = events.MessageDelivered
	ChangeMediaAdded           = events.MediaAdded
	ChangeWorldReset           = events.WorldReset
)

// The phases of a push.
const (
	PushSending  = push.Sending
	PushAnswered = push.Answered
	PushHeld     = push.Held
)

// Sentinel errors of the Go API, usable with errors.Is. The admin API maps
// them to HTTP 404, 409 and 503.
var (
	// ErrNotFound: no such account, user, order or complaint.
	ErrNotFound = world.ErrNotFound
	// ErrState: the operation is not allowed in the complaint's state.
	ErrState = world.ErrState
	// ErrClosed: the server is closed.
	ErrClosed = events.ErrClosed
)

// The scenario vocabulary: a scenario file's Go form. See
// docs/scenario.schema.json and the examples under examples/scenarios/.
type (
	// Scenario is a world to start from, what happens in it later and the
	// faults to inject: Options.Scenario, `payfeedback mock --scenario`,
	// and what Snapshot returns.
	Scenario = scenario.Scenario
	// ScenarioClock says where the virtual clock starts.
	ScenarioClock = scenario.Clock
	// ScenarioComplaint is a complaint filed at its At, or as it stands.
	ScenarioComplaint = scenario.Complaint
	// ScenarioAction is a later move on a complaint of the scenario.
	ScenarioAction = scenario.Action
	// ScenarioDo names the move of a ScenarioAction.
	ScenarioDo = scenario.Do
	// ScenarioError is what is wrong with a scenario, and where (file,
	// line, column, path); test for it with errors.As.
	ScenarioError = scenario.Error
	// AccountState is an account with its token state, as a scenario
	// lists it.
	AccountState = world.AccountState
	// UserState is a user with its inbox, as a scenario lists it.
	UserState = world.UserState
	// OrderState is an order with its open complaint, as a scenario lists
	// it.
	OrderState = world.OrderState
	// Token is an issued access token, as a snapshot keeps it.
	Token = world.Token
)

// The moves of a ScenarioAction.
const (
	DoHandle             = scenario.DoHandle
	DoConfirm            = scenario.DoConfirm
	DoReject             = scenario.DoReject
	DoRequestArbitration = scenario.DoRequestArbitration
	DoSubmitEvidence     = scenario.DoSubmitEvidence
	DoArbitrate          = scenario.DoArbitrate
)
