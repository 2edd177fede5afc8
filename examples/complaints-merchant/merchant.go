package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/middleware/callback"
)

// Policy says when the merchant marks a complaint complete.
type Policy string

const (
	// CompleteOnReceipt replies and marks each new complaint complete at
	// once: what a demo, a CI run or the suite needs to see the whole API.
	CompleteOnReceipt Policy = "auto"
	// CompleteManually replies at once and leaves completion to a person,
	// through POST /complaints/{id}/complete once the complaint is really
	// handled with the user: what a real merchant does (completing too early
	// invites the user to complain again, and WeChat counts repeat
	// complaints against the merchant).
	CompleteManually Policy = "manual"
)

// Reply is what the merchant answers a new complaint.
const Reply = "您好，我们已收到您的投诉，客服将在24小时内与您联系处理。"

// Record is what the merchant keeps of one complaint.
type Record struct {
	Complaint complaints.Complaint `json:"complaint"`
	// Events are the action types received, in order.
	Events    []complaints.ActionType `json:"events"`
	Replied   bool                    `json:"replied"`
	Completed bool                    `json:"completed"`
	UpdatedAt time.Time               `json:"updated_at"`
}

// Merchant handles complaint callbacks with a complaints.Client.
type Merchant struct {
	client *complaints.Client
	mchid  string
	policy Policy
	log    *slog.Logger

	mu      sync.Mutex // guards records
	records map[string]*Record
}

// NewMerchant returns a Merchant.
func NewMerchant(client *complaints.Client, mchid string, policy Policy, log *slog.Logger) *Merchant {
	return &Merchant{client: client, mchid: mchid, policy: policy, log: log, records: map[string]*Record{}}
}

// Dispatcher routes callbacks: a new complaint is fetched, recorded,
// answered and (by policy) completed; every other action refreshes the
// record from the detail, which is the truth of the complaint's state
// whatever order the callbacks come in.
func (m *Merchant) Dispatcher() *callback.Dispatcher {
	return &callback.Dispatcher{
		Handlers: map[complaints.ActionType]callback.HandlerFunc{
			complaints.ActionCreateComplaint: m.onNew,
		},
		Default: m.onChange,
		Logger:  m.log,
	}
}

// onNew handles CREATE_COMPLAINT. It is idempotent: a complaint already
// replied to is not replied to again, should WeChat's retry arrive after
// the replay memory was lost.
func (m *Merchant) onNew(ctx context.Context, e *callback.Event) error {
	rec, err := m.refresh(ctx, e)
	if err != nil {
		return err
	}
	if !m.replied(e.ComplaintID) && rec.Complaint.ComplaintState != complaints.StateProcessed {
		if err := m.client.Respond(ctx, e.ComplaintID, complaints.ResponseRequest{ComplaintedMchID: m.mchid, ResponseContent: Reply}); err != nil {
			return fmt.Errorf("reply to complaint %s: %w", e.ComplaintID, err)
		}
		m.update(e.ComplaintID, func(r *Record) { r.Replied = true })
	}
	if m.policy == CompleteOnReceipt {
		return m.Complete(ctx, e.ComplaintID)
	}
	return nil
}

// onChange handles every other action type.
func (m *Merchant) onChange(ctx context.Context, e *callback.Event) error {
	_, err := m.refresh(ctx, e)
	return err
}

// refresh fetches the detail and records it with the event.
func (m *Merchant) refresh(ctx context.Context, e *callback.Event) (Record, error) {
	c, err := m.client.Detail(ctx, e.ComplaintID)
	if err != nil {
		return Record{}, fmt.Errorf("detail of complaint %s: %w", e.ComplaintID, err)
	}
	var out Record
	m.update(e.ComplaintID, func(r *Record) {
		r.Complaint = c
		r.Events = append(r.Events, e.ActionType)
		out = *r
	})
	m.log.Info("complaint", "id", e.ComplaintID, "action", e.ActionType, "state", c.ComplaintState)
	return out, nil
}

// Complete marks a complaint complete with WeChat, unless it already is.
func (m *Merchant) Complete(ctx context.Context, id string) error {
	if m.completed(id) {
		return nil
	}
	if err := m.client.Complete(ctx, id, complaints.CompleteRequest{ComplaintedMchID: m.mchid}); err != nil {
		return fmt.Errorf("complete complaint %s: %w", id, err)
	}
	c, err := m.client.Detail(ctx, id)
	m.update(id, func(r *Record) {
		r.Completed = true
		if err == nil {
			r.Complaint = c
		}
	})
	return nil
}

func (m *Merchant) update(id string, f func(*Record)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.records[id]
	if r == nil {
		r = &Record{}
		m.records[id] = r
	}
	f(r)
	r.UpdatedAt = time.Now()
}

func (m *Merchant) replied(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.records[id]
	return r != nil && r.Replied
}

func (m *Merchant) completed(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.records[id]
	return r != nil && r.Completed
}

// Records returns a copy of the records, by complaint id.
func (m *Merchant) Records() []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Record, 0, len(m.records))
	for _, r := range m.records {
		c := *r
		c.Events = append([]complaints.ActionType(nil), r.Events...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Complaint.ComplaintID < out[j].Complaint.ComplaintID })
	return out
}

// Routes serves the merchant's own endpoints: GET /complaints lists the
// records; POST /complaints/{id}/complete completes one (the manual
// policy's button).
func (m *Merchant) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /complaints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(m.Records())
	})
	mux.HandleFunc("POST /complaints/{id}/complete", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := m.Complete(r.Context(), id); err != nil {
			status := http.StatusBadGateway
			var ae *apiv3.Error
			if errors.As(err, &ae) && ae.StatusCode < 500 {
				status = http.StatusConflict
			}
			http.Error(w, err.Error(), status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
