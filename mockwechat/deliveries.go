package mockwechat

import (
	"time"

	"github.com/payfeedback/payfeedback"
)

// The push vocabulary: the delivery log (Server.Deliveries) and the push
// reports of the event feed.

// DeliveryRef says which notification a delivery carries, and where to.
type DeliveryRef struct {
	// ID numbers deliveries from 1 in creation order.
	ID         uint64              `json:"id"`
	AppID      string              `json:"appid"`
	OpenID     string              `json:"openid"`
	FeedBackID string              `json:"feedback_id"`
	MsgType    payfeedback.MsgType `json:"msgtype"`
	// URL is the payfeedback_url of the last attempt.
	URL string `json:"url"`
}

// Delivery is one notification pushed to an account's payfeedback_url and
// every attempt to deliver it.
type Delivery struct {
	DeliveryRef
	Created time.Time `json:"created"`
	// Attempts lists every attempt, duplicates and forged copies included.
	Attempts []Attempt `json:"attempts"`
	// Delivered: an attempt was acknowledged (2xx; with
	// Options.StrictPushAck, 2xx and the body "success").
	Delivered bool `json:"delivered"`
	// Failed: every attempt of the retry schedule failed. The delivery
	// stays in the log, marked, and is logged at level warn.
	Failed bool `json:"failed"`
	// NextAttempt is when the next attempt is due; zero when none is.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Faults lists the push faults applied to this delivery, those that
	// leave no attempt of their own ("late 1m0s", "out-of-order") included.
	Faults []string `json:"faults,omitempty"`
}

// Attempt is one HTTP POST of a notification.
type Attempt struct {
	// Time is when the attempt started, on the fake's clock.
	Time time.Time `json:"time"`
	// TimeStamp is the notification's TimeStamp in this attempt (each
	// retry is signed afresh).
	TimeStamp string `json:"timestamp"`
	// Status is the HTTP status answered; 0 when none (error, drop).
	Status int `json:"status"`
	// Latency is the real time the attempt took.
	Latency time.Duration `json:"latency_ns"`
	// Response is the first 256 bytes of the response body.
	Response string `json:"response,omitempty"`
	// Err says why there was no answer (connection refused, timeout…).
	Err string `json:"error,omitempty"`
	// Fault names the injected fault this attempt carried: "drop",
	// "duplicate", "tamper-signature", "tamper-fields" (a forged copy).
	Fault string `json:"fault,omitempty"`
	// OK: this attempt counted as an acknowledgement. A forged copy never
	// counts, whatever the answer.
	OK bool `json:"ok"`
	// Body is the document sent (at most payfeedback.MaxNotificationSize:
	// the fake refuses complaints whose notification would be larger).
	Body string `json:"body"`
}

// PushReport tells a push attempt sent, answered or held back (an Event of
// kind EventPush).
type PushReport struct {
	DeliveryRef
	// Phase is what happened.
	Phase PushPhase `json:"phase"`
	// Number is the attempt's number in the retry schedule, from 1.
	Number int `json:"attempt"`
	// Of is how many attempts the schedule allows (1 + retries).
	Of int `json:"of"`
	// Fault names the fault of this document ("duplicate", "late 1m0s"…).
	Fault string `json:"fault,omitempty"`
	// Attempt is the attempt answered (Phase PushAnswered).
	Attempt *Attempt `json:"result,omitempty"`
	// Delivered, Failed and NextAttempt say where the delivery stands
	// after the attempt.
	Delivered   bool      `json:"delivered,omitempty"`
	Failed      bool      `json:"failed,omitempty"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// PushPhase is the stage of a push a PushReport tells.
type PushPhase string

// The phases of a push.
const (
	// PushSending: a document is about to be POSTed.
	PushSending PushPhase = "sending"
	// PushAnswered: an attempt is over (answered, failed, or dropped by a
	// fault), and the delivery's next step is known.
	PushAnswered PushPhase = "answered"
	// PushHeld: a fault holds the notification back (late, out of order).
	PushHeld PushPhase = "held"
)
