package scenario

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// Pay is Complaints 2.0 in a scenario (the key pay): the merchants'
// callback URLs, complaints filed at their time or taken as they stand,
// the user's, the platform's and the merchant's later acts, and, in a
// snapshot, the images, the callbacks (pending ones resume on the fake's
// clock) and the state of the id generator. No private key is ever part
// of it: the fake's identity comes from its keys directory (or is made
// afresh), and a snapshot's merchant of the same mchid takes the
// identity's keys.
type Pay struct {
	// Mode is which of WeChat's keys sign (public-key, platform-certificate
	// or switch); "": the fake's own. SwitchBegan is when the switch began
	// (mode switch only; zero: the clock's start).
	Mode        string    `json:"mode,omitempty"`
	SwitchBegan time.Time `json:"switch_began,omitzero"`
	// ProbeEvery is the interval of scheduled SIGNTEST probes; 0: the
	// fake's own.
	ProbeEvery time.Duration `json:"probe_every,omitempty"`
	// Merchants are the merchants and their callback URLs; the fake's own
	// merchant (mchid "" or the identity's) needs no keys here.
	Merchants []PayMerchant `json:"merchants,omitempty"`
	// Complaints are filed at their At (announced then when At is after
	// the clock's start), or, with Complaint, taken as they stand (a
	// snapshot writes them so).
	Complaints []PayComplaint `json:"complaints,omitempty"`
	// Acts are the later acts on the complaints, each at its At.
	Acts []PayAct `json:"acts,omitempty"`
	// Images, Deliveries, Counters and IDs are what a snapshot keeps of
	// the images (bounded as the world bounds them), the callbacks, and
	// the id generator (hexadecimal).
	Images     []payworld.Image   `json:"images,omitempty"`
	Deliveries []paypush.Delivery `json:"deliveries,omitempty"`
	Counters   payworld.Counters  `json:"counters,omitzero"`
	IDs        string             `json:"ids,omitempty"`
}

// PayMerchant is a merchant of the scenario. The fake's own merchant (its
// identity's mchid, or "") takes only a callback URL: its keys are the
// identity's. Another needs its API certificate's serial, its public key
// (PEM) and its APIv3 key, as a snapshot writes them (without the APIv3
// key when taken with ?secrets=omit).
type PayMerchant struct {
	MchID     string `json:"mchid,omitempty"`
	SerialNo  string `json:"serial_no,omitempty"`
	PublicKey string `json:"public_key,omitempty"`
	APIv3Key  string `json:"apiv3_key,omitempty"`
	NotifyURL string `json:"notify_url,omitempty"`
}

// PayComplaint is a complaint of the scenario: filed at At as the
// FileSpec says (every field but At optional), as a user would; or, with
// Complaint set, taken as it stands with its PayerPhone (in clear),
// History, Refund and Idempotent, as a snapshot writes it (At and the
// other filing fields then empty).
type PayComplaint struct {
	At time.Time `json:"at,omitzero"`
	payworld.FileSpec
	Complaint  *complaints.Complaint           `json:"complaint,omitempty"`
	History    []complaints.NegotiationHistory `json:"history,omitempty"`
	Refund     *payworld.Refund                `json:"refund,omitempty"`
	Idempotent map[string]string               `json:"idempotent,omitempty"`
}

// PayDo names an act of a PayAct.
type PayDo string

// The acts: the user's and the platform's (announced to the merchant by
// a callback of their action_type), and the merchant's own (announced by
// none, as WeChat announces none), to start from a complaint the merchant
// answered.
const (
	PayDoContinue        PayDo = "continue"         // the user complains again (Text)
	PayDoMessage         PayDo = "message"          // the user writes (Text)
	PayDoApplyPlatform   PayDo = "apply-platform"   // the user asks the platform for help (Reason, Text)
	PayDoCancelPlatform  PayDo = "cancel-platform"  // the user withdraws that
	PayDoPlatformMessage PayDo = "platform-message" // the platform writes (Text)
	PayDoPlatformFinish  PayDo = "platform-finish"  // the platform's help ends (Text)
	PayDoRefundArrived   PayDo = "refund-arrived"   // the approved refund reaches the user
	PayDoSellerRefund    PayDo = "seller-refund"    // the merchant refunded in full through the refund API
	PayDoReply           PayDo = "reply"            // the merchant replies (Text)
	PayDoComplete        PayDo = "complete"         // the merchant completes the complaint
	PayDoApproveRefund   PayDo = "approve-refund"   // the merchant approves the refund (LaunchRefundDay)
	PayDoRejectRefund    PayDo = "reject-refund"    // the merchant rejects the refund (Reason)
)

// PayDos lists the acts.
func PayDos() []PayDo {
	return []PayDo{PayDoContinue, PayDoMessage, PayDoApplyPlatform, PayDoCancelPlatform, PayDoPlatformMessage, PayDoPlatformFinish,
		PayDoRefundArrived, PayDoSellerRefund, PayDoReply, PayDoComplete, PayDoApproveRefund, PayDoRejectRefund}
}

// PayAct is a later act on a complaint of the scenario.
type PayAct struct {
	At          time.Time `json:"at"`
	ComplaintID string    `json:"complaint_id"`
	Do          PayDo     `json:"do"`
	// Text is the message (continue, message, platform-message,
	// platform-finish, reply); Reason the user's reason to ask the
	// platform, or the merchant's to reject a refund.
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason,omitempty"`
	// LaunchRefundDay is in how many working days an approved refund is
	// launched.
	LaunchRefundDay *int `json:"launch_refund_day,omitempty"`
}

// checkPay checks what the pay section's entries refer to among
// themselves (Check calls it).
func (sc *Scenario) checkPay() error {
	p := sc.Pay
	if p == nil {
		return nil
	}
	if p.Mode != "" {
		m, err := paykeys.ParseMode(p.Mode)
		if err != nil {
			return sc.errorf("pay.mode", "%v", err)
		}
		if !p.SwitchBegan.IsZero() && m != paykeys.ModeSwitch {
			return sc.errorf("pay.switch_began", "switch_began goes with mode: switch, not %s", p.Mode)
		}
	}
	if err := paypush.CheckProbeEvery(p.ProbeEvery); err != nil {
		return sc.errorf("pay.probe_every", "%v", err)
	}
	seen := map[string]bool{}
	for i, m := range p.Merchants {
		path := fmt.Sprintf("pay.merchants[%d]", i)
		if seen[m.MchID] {
			return sc.errorf(path+".mchid", "merchant %q is given twice", m.MchID)
		}
		seen[m.MchID] = true
		if m.PublicKey != "" {
			if _, err := apiv3.ParsePublicKey([]byte(m.PublicKey)); err != nil {
				return sc.errorf(path+".public_key", "%v", err)
			}
		}
		if m.APIv3Key != "" && len(m.APIv3Key) != apiv3.APIv3KeyLength {
			return sc.errorf(path+".apiv3_key", "%d characters: an APIv3 key has %d", len(m.APIv3Key), apiv3.APIv3KeyLength)
		}
	}
	ids := map[string]bool{}
	for i, c := range p.Complaints {
		path := fmt.Sprintf("pay.complaints[%d]", i)
		id := c.ComplaintID
		if c.Complaint != nil {
			spec := c.FileSpec
			spec.PayerPhone = ""
			switch id = c.Complaint.ComplaintID; {
			case !c.At.IsZero() || !isZero(spec):
				return sc.errorf(path, "a complaint as it stands (complaint) takes payer_phone, history, refund and idempotent beside it, not at nor the fields of a complaint to file")
			case complaints.ValidateComplaintID(id) != nil:
				return sc.errorf(path+".complaint.complaint_id", "%v", complaints.ValidateComplaintID(id))
			}
		} else {
			switch {
			case c.At.IsZero():
				return sc.errorf(path, "missing key \"at\": when the complaint is filed (or complaint: the complaint as it stands, as a snapshot writes it)")
			case c.History != nil || c.Refund != nil || c.Idempotent != nil:
				return sc.errorf(path, "history, refund and idempotent go with complaint (a complaint as it stands), not with one to file")
			}
		}
		if id == "" {
			continue
		}
		if ids[id] {
			return sc.errorf(path, "complaint id %s is given twice", id)
		}
		ids[id] = true
	}
	for i, a := range p.Acts {
		path := fmt.Sprintf("pay.acts[%d]", i)
		switch {
		case !ids[a.ComplaintID]:
			return sc.errorf(path+".complaint_id", "no complaint of the scenario has complaint id %s: give the complaint a complaint_id and name it here", a.ComplaintID)
		case a.Text == "" && slices.Contains([]PayDo{PayDoMessage, PayDoPlatformMessage, PayDoReply}, a.Do):
			return sc.errorf(path, "%s needs text", a.Do)
		case a.Reason == "" && a.Do == PayDoRejectRefund:
			return sc.errorf(path, "reject-refund needs reason")
		case a.LaunchRefundDay != nil && a.Do != PayDoApproveRefund:
			return sc.errorf(path+".launch_refund_day", "launch_refund_day goes with do: approve-refund")
		}
	}
	if _, err := hex.DecodeString(p.IDs); err != nil {
		return sc.errorf("pay.ids", "not hexadecimal: %v", err)
	}
	return nil
}

// isZero reports whether a spec gives nothing.
func isZero(s payworld.FileSpec) bool {
	return s.MchID == "" && s.ComplaintID == "" && s.Detail == "" && s.ProblemDescription == "" && s.ProblemType == "" &&
		s.ApplyRefundAmount == 0 && s.Orders == nil && s.ServiceOrders == nil && s.PayerPhone == "" && s.PayerOpenID == "" &&
		s.UserTags == nil && s.Images == nil && s.AdditionalInfo == nil && !s.NeedImmediateService && !s.IsAgentMode && s.Extra == nil
}

// clone returns a deep copy of a complaint to file: the spec's JSON form
// read back (the complaints package's types keep their unknown members
// through it).
func (c PayComplaint) clone() PayComplaint {
	b, err := json.Marshal(c.FileSpec)
	if err != nil {
		panic(fmt.Sprintf("scenario: a complaint's spec does not encode: %v", err)) // plain data: it always does
	}
	out := PayComplaint{At: c.At}
	if err := json.Unmarshal(b, &out.FileSpec); err != nil {
		panic(fmt.Sprintf("scenario: a complaint's spec does not decode: %v", err))
	}
	return out
}

// clone returns a deep copy of an act.
func (a PayAct) clone() PayAct {
	if a.LaunchRefundDay != nil {
		d := *a.LaunchRefundDay
		a.LaunchRefundDay = &d
	}
	return a
}

// PayOff is the error for a scenario with a pay section given to a fake
// that does not play Complaints 2.0.
func (sc *Scenario) PayOff() error {
	return sc.errorf("pay", "the fake does not play Complaints 2.0 (Options.Pay is nil, payfeedback mock --pay=false): turn it on, or remove the pay key")
}

// PayBase is what the fake's Complaints 2.0 brings to a scenario: its
// world's configuration and its own merchant, the identity's (with its
// callback URL, when it has one).
type PayBase struct {
	Config payworld.Config
	Own    payworld.Merchant
}

// PayCompiled is a scenario's Complaints 2.0 made ready for the fake: the
// world as it stands at the clock's start, the mode ("" the fake's own),
// and the callbacks to resume.
type PayCompiled struct {
	State       payworld.State
	Mode        paykeys.Mode
	SwitchBegan time.Time
	ProbeEvery  time.Duration // 0: the fake's own
	Deliveries  []paypush.Delivery
}

// CompilePay makes the pay section ready for a fake whose Complaints 2.0
// is base: it builds the world as it stands at start, filing the
// complaints and playing the acts at or before it in time order without
// announcing anything, and returns the entries after it. Without a pay
// section it returns nil, nil.
func (sc *Scenario) CompilePay(base PayBase, start time.Time) (*PayCompiled, []Entry, error) {
	p := sc.Pay
	if p == nil {
		return nil, nil, nil
	}
	clock := start
	w := payworld.New(base.Config, func() time.Time { return clock })
	st := w.Snapshot() // the generator seeded by the configuration
	if p.IDs != "" {
		st.IDs, _ = hex.DecodeString(p.IDs) // Check saw it is hexadecimal
	}
	st.Counters = p.Counters
	own := base.Own
	ownGiven := false
	keys := map[string]payworld.Merchant{}
	for i, m := range p.Merchants {
		path := fmt.Sprintf("pay.merchants[%d]", i)
		out, err := sc.payMerchant(path, m, own)
		if err != nil {
			return nil, nil, err
		}
		if out.MchID == own.MchID {
			ownGiven = true
			if m.NotifyURL == "" {
				out.NotifyURL = own.NotifyURL
			}
		}
		keys[out.MchID] = out
		st.Merchants = append(st.Merchants, out)
	}
	if !ownGiven {
		keys[own.MchID] = own
		st.Merchants = append(st.Merchants, own)
	}
	if ownGiven { // the identity's keys, its callback URL the file's
		for i, m := range st.Merchants {
			if m.MchID == own.MchID {
				own.NotifyURL = m.NotifyURL
				st.Merchants[i].NotifyURL = m.NotifyURL
			}
		}
	}
	var entries []Entry
	for i, c := range p.Complaints {
		path := fmt.Sprintf("pay.complaints[%d]", i)
		if c.Complaint == nil {
			fc := c.clone() // the fake's own, whatever the caller does with sc
			entries = append(entries, Entry{At: c.At, Path: path, PayComplaint: &fc})
			continue
		}
		wc := payworld.Complaint{Wire: *c.Complaint, PayerPhone: c.PayerPhone, History: c.History, Refund: c.Refund, Idempotent: c.Idempotent}
		if wc.Wire.ComplaintedMchID == "" {
			wc.Wire.ComplaintedMchID = own.MchID
		}
		if wc.Wire.PayerPhone == "" && wc.PayerPhone != "" {
			m, ok := keys[wc.Wire.ComplaintedMchID]
			if !ok {
				return nil, nil, sc.errorf(path+".complaint", "no merchant %s: add it under pay.merchants", wc.Wire.ComplaintedMchID)
			}
			ct, err := apiv3.EncryptOAEP(m.PublicKey, wc.PayerPhone)
			if err != nil {
				return nil, nil, sc.errorf(path+".payer_phone", "%v", err)
			}
			wc.Wire.PayerPhone = ct
		}
		st.Complaints = append(st.Complaints, wc)
	}
	st.Images = p.Images
	if _, err := w.Restore(st); err != nil {
		return nil, nil, sc.errorf("pay", "%v", err)
	}
	// The identity's keys replace a snapshot's of the same merchant (its
	// complaints' payer_phone encrypted anew when they differ).
	if _, err := w.AddMerchant(own); err != nil {
		return nil, nil, sc.errorf("pay.merchants", "%v", err)
	}
	for i, a := range p.Acts {
		a = a.clone()
		entries = append(entries, Entry{At: a.At, Path: fmt.Sprintf("pay.acts[%d]", i), PayAct: &a})
	}
	slices.SortStableFunc(entries, func(a, b Entry) int { return a.At.Compare(b.At) })
	var future []Entry
	for _, e := range entries {
		if e.At.After(start) {
			future = append(future, e)
			continue
		}
		clock = e.At
		if _, err := e.ApplyPay(w); err != nil {
			return nil, nil, sc.errorf(e.Path, "at %s: %v", e.At.Format(time.RFC3339), err)
		}
	}
	clock = start
	out := &PayCompiled{State: w.Snapshot(), Deliveries: p.Deliveries, SwitchBegan: p.SwitchBegan, ProbeEvery: p.ProbeEvery}
	if p.Mode != "" {
		out.Mode, _ = paykeys.ParseMode(p.Mode) // Check saw it
		if out.Mode == paykeys.ModeSwitch && out.SwitchBegan.IsZero() {
			out.SwitchBegan = start
		}
	}
	return out, future, nil
}

// payMerchant is a merchant of the file as the world takes it: the fake's
// own takes the identity's keys; another must give its own.
func (sc *Scenario) payMerchant(path string, m PayMerchant, own payworld.Merchant) (payworld.Merchant, error) {
	if m.MchID == "" || m.MchID == own.MchID {
		out := own
		out.NotifyURL = m.NotifyURL
		if m.PublicKey != "" { // a snapshot's: its complaints' payer_phone was encrypted with it
			out.PublicKey, _ = apiv3.ParsePublicKey([]byte(m.PublicKey)) // Check parsed it
		}
		return out, nil
	}
	switch {
	case m.SerialNo == "" || m.PublicKey == "":
		return payworld.Merchant{}, sc.errorf(path, "merchant %s is not the fake's own (%s): give its serial_no, public_key and apiv3_key", m.MchID, own.MchID)
	case m.APIv3Key == "":
		return payworld.Merchant{}, sc.errorf(path+".apiv3_key", "empty: the snapshot was taken without secrets (?secrets=omit, SnapshotWithoutSecrets): give the merchant's own apiv3_key")
	}
	k, _ := apiv3.ParsePublicKey([]byte(m.PublicKey)) // Check parsed it
	return payworld.Merchant{MchID: m.MchID, SerialNo: m.SerialNo, PublicKey: k, APIv3Key: m.APIv3Key, NotifyURL: m.NotifyURL}, nil
}

// ApplyPay makes a pay entry happen in w now (the world's clock): a
// complaint filed, or an act.
func (e Entry) ApplyPay(w *payworld.World) (payworld.Effects, error) {
	if c := e.PayComplaint; c != nil {
		spec := c.FileSpec
		spec.Images = slices.Clone(spec.Images)
		_, fx, err := w.File(spec)
		return fx, err
	}
	a := e.PayAct
	id := a.ComplaintID
	var fx payworld.Effects
	var err error
	switch a.Do {
	case PayDoContinue:
		_, fx, err = w.Continue(id, a.Text)
	case PayDoMessage:
		_, fx, err = w.UserMessage(id, a.Text)
	case PayDoApplyPlatform:
		_, fx, err = w.ApplyPlatformService(id, a.Reason, a.Text)
	case PayDoCancelPlatform:
		_, fx, err = w.CancelPlatformService(id)
	case PayDoPlatformMessage:
		_, fx, err = w.PlatformMessage(id, a.Text)
	case PayDoPlatformFinish:
		_, fx, err = w.FinishPlatformService(id, a.Text)
	case PayDoRefundArrived:
		_, fx, err = w.RefundArrived(id)
	case PayDoSellerRefund:
		_, fx, err = w.SellerRefund(id)
	case PayDoReply, PayDoComplete, PayDoApproveRefund, PayDoRejectRefund:
		c, ok := w.Complaint(id)
		if !ok {
			return fx, fmt.Errorf("no complaint %s: %w", id, payworld.ErrNotFound)
		}
		mchid := c.Wire.ComplaintedMchID
		switch a.Do {
		case PayDoReply:
			fx, err = w.Respond(mchid, id, complaints.ResponseRequest{ComplaintedMchID: mchid, ResponseContent: a.Text})
		case PayDoComplete:
			fx, err = w.Complete(mchid, id, complaints.CompleteRequest{ComplaintedMchID: mchid})
		case PayDoApproveRefund:
			fx, err = w.UpdateRefundProgress(mchid, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: a.LaunchRefundDay})
		default:
			fx, err = w.UpdateRefundProgress(mchid, id, complaints.RefundProgressRequest{Action: complaints.RefundReject, RejectReason: a.Reason})
		}
	default:
		err = fmt.Errorf("unknown act %q", a.Do)
	}
	return fx, err
}

// SetPay writes Complaints 2.0 into a snapshot sc (FromState's): the
// world's state, the mode, the interval of scheduled probes, and the
// callbacks kept; the complaints and
// acts still to come FromState put there stay after the world's.
func (sc *Scenario) SetPay(st payworld.State, mode paykeys.Mode, began time.Time, probeEvery time.Duration, deliveries []paypush.Delivery) error {
	p := sc.Pay
	if p == nil {
		p = &Pay{}
		sc.Pay = p
	}
	p.Mode, p.SwitchBegan, p.ProbeEvery = string(mode), began, probeEvery
	p.Merchants = make([]PayMerchant, 0, len(st.Merchants))
	for _, m := range st.Merchants {
		pem, err := apiv3.EncodePublicKey(m.PublicKey)
		if err != nil {
			return fmt.Errorf("mockwechat: snapshot: merchant %s: %w", m.MchID, err)
		}
		p.Merchants = append(p.Merchants, PayMerchant{MchID: m.MchID, SerialNo: m.SerialNo, PublicKey: string(pem), APIv3Key: m.APIv3Key, NotifyURL: m.NotifyURL})
	}
	standing := make([]PayComplaint, 0, len(st.Complaints)+len(p.Complaints))
	for _, c := range st.Complaints {
		wire := c.Wire
		standing = append(standing, PayComplaint{FileSpec: payworld.FileSpec{PayerPhone: c.PayerPhone}, Complaint: &wire,
			History: c.History, Refund: c.Refund, Idempotent: c.Idempotent})
	}
	p.Complaints = append(standing, p.Complaints...)
	p.Images, p.Deliveries, p.Counters, p.IDs = st.Images, deliveries, st.Counters, hex.EncodeToString(st.IDs)
	return nil
}
