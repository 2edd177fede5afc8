package mockwechat

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// vocabulary pairs each public type with the type of the fake's part it
// is converted to and from (convert.go). to and from are func(Public)
// Internal and func(Internal) Public; a type converted one way only has
// the other nil.
var vocabulary = []struct {
	public, internal any
	to, from         any
}{
	{Account{}, world.Account{}, accountToWorld, accountFromWorld},
	{AccountPatch{}, world.AccountPatch{}, accountPatchToWorld, nil},
	{User{}, world.User{}, userToWorld, userFromWorld},
	{Interaction{}, world.Interaction{}, interactionToWorld, nil},
	{Order{}, world.Order{}, orderToWorld, orderFromWorld},
	{Message{}, world.Message{}, messageToWorld, messageFromWorld},
	{Media{}, world.Media{}, mediaToWorld, mediaFromWorld},
	{ComplaintSpec{}, world.ComplaintSpec{}, complaintSpecToWorld, nil},
	{Complaint{}, world.Complaint{}, complaintToWorld, complaintFromWorld},
	{Arbitration{}, world.Arbitration{}, arbitrationToWorld, arbitrationFromWorld},
	{AccountState{}, world.AccountState{}, accountStateToWorld, accountStateFromWorld},
	{Quota{}, world.Quota{}, quotaToWorld, quotaFromWorld},
	{UserState{}, world.UserState{}, userStateToWorld, userStateFromWorld},
	{OrderState{}, world.OrderState{}, orderStateToWorld, orderStateFromWorld},
	{Token{}, world.Token{}, tokenToWorld, tokenFromWorld},
	{DeliveryRef{}, push.Ref{}, deliveryRefToPush, deliveryRefFromPush},
	{Delivery{}, push.Delivery{}, deliveryToPush, deliveryFromPush},
	{Attempt{}, push.Attempt{}, attemptToPush, attemptFromPush},
	{PushReport{}, push.Report{}, pushReportToPush, pushReportFromPush},
	{Call{}, calllog.Call{}, callToLog, callFromLog},
	{Fault{}, fault.Fault{}, faultToSet, faultFromSet},
	{Event{}, events.Event{}, eventToFeed, eventFromFeed},
	{Change{}, events.Change{}, changeToFeed, changeFromFeed},
	{ClockMove{}, events.ClockMove{}, clockMoveToFeed, clockMoveFromFeed},
	{PayChange{}, payworld.Change{}, payChangeToWorld, payChangeFromWorld},
	{PayRules{}, payworld.Rules{}, payRulesToWorld, payRulesFromWorld},
	{PayComplaintSpec{}, payworld.FileSpec{}, payComplaintSpecToWorld, payComplaintSpecFromWorld},
	{PayImage{}, payworld.ImageFile{}, payImageToWorld, payImageFromWorld},
	{PayComplaint{}, payworld.Complaint{}, payComplaintToWorld, payComplaintFromWorld},
	{PayRefund{}, payworld.Refund{}, payRefundToWorld, payRefundFromWorld},
	{PayMerchant{}, admin.PayMerchant{}, payMerchantToAdmin, payMerchantFromAdmin},
	{PayCallbackReport{}, paypush.Report{}, payCallbackReportToPush, payCallbackReportFromPush},
	{PayCallbackRef{}, paypush.Ref{}, nil, nil}, // converted inside the reports'
	{PayAttempt{}, paypush.Attempt{}, payAttemptToPush, payAttemptFromPush},
	{&Scenario{}, &scenario.Scenario{}, scenarioToParse, scenarioFromParse},
	{ScenarioClock{}, scenario.Clock{}, nil, nil}, // converted inside scenarioToParse and scenarioFromParse
	{ScenarioComplaint{}, scenario.Complaint{}, scenarioComplaintToParse, scenarioComplaintFromParse},
	{ScenarioAction{}, scenario.Action{}, scenarioActionToParse, scenarioActionFromParse},
	{&ScenarioError{}, &scenario.Error{}, scenarioErrorToParse, scenarioErrorFromParse},
	{ScenarioPay{}, scenario.Pay{}, scenarioPayToParse, scenarioPayFromParse},
	{ScenarioPayMerchant{}, scenario.PayMerchant{}, scenarioPayMerchantToParse, scenarioPayMerchantFromParse},
	{ScenarioPayComplaint{}, scenario.PayComplaint{}, scenarioPayComplaintToParse, scenarioPayComplaintFromParse},
	{ScenarioPayAct{}, scenario.PayAct{}, scenarioPayActToParse, scenarioPayActFromParse},
	{ScenarioPayImage{}, payworld.Image{}, scenarioPayImageToWorld, scenarioPayImageFromWorld},
	{ScenarioPayDelivery{}, paypush.Delivery{}, scenarioPayDeliveryToPush, scenarioPayDeliveryFromPush},
	{ScenarioPayCounters{}, payworld.Counters{}, nil, nil}, // converted inside scenarioPayToParse and scenarioPayFromParse
}

// TestVocabularyFieldsMatch: every public type has the fields of the
// part's type it stands for, in the same order, with the same JSON names
// (the admin API writes the part's type; the CLI and scripts read it as
// the public one). A field added on one side only fails here.
func TestVocabularyFieldsMatch(t *testing.T) {
	for _, v := range vocabulary {
		pub, in := structOf(reflect.TypeOf(v.public)), structOf(reflect.TypeOf(v.internal))
		pf, inf := fieldsOf(pub), fieldsOf(in)
		if !reflect.DeepEqual(pf, inf) {
			t.Errorf("%v has fields %v,\n%v has %v:\nadd the field to both, and convert it in convert.go", pub, pf, in, inf)
		}
	}
}

// TestVocabularyConverts: a value with every field set comes back whole
// from a conversion and its inverse, both ways; a type converted one way
// only arrives with every field set. A field forgotten in convert.go
// fails here.
func TestVocabularyConverts(t *testing.T) {
	for _, v := range vocabulary {
		pub, in := reflect.TypeOf(v.public), reflect.TypeOf(v.internal)
		if v.to == nil && v.from == nil {
			continue
		}
		to, from := reflect.ValueOf(v.to), reflect.ValueOf(v.from)
		// public → internal → public
		p := filled(pub)
		i := to.Call([]reflect.Value{p})[0]
		if path := zeroField(i, in.String()); path != "" {
			t.Errorf("converting a %v with every field set leaves %s zero: convert it in convert.go", pub, path)
		}
		if v.from != nil {
			back := from.Call([]reflect.Value{i})[0]
			if !reflect.DeepEqual(forget(back).Interface(), forget(p).Interface()) {
				t.Errorf("%v → %v → %v:\n got %+v\nwant %+v", pub, in, pub, deref(back), deref(p))
			}
		}
		if v.from == nil {
			continue
		}
		// internal → public → internal
		i = filled(in)
		p = from.Call([]reflect.Value{i})[0]
		if path := zeroField(forget(p), pub.String()); path != "" {
			t.Errorf("converting a %v with every field set leaves %s zero: convert it in convert.go", in, path)
		}
		back := to.Call([]reflect.Value{p})[0]
		if !reflect.DeepEqual(back.Interface(), i.Interface()) {
			t.Errorf("%v → %v → %v:\n got %+v\nwant %+v", in, pub, in, deref(back), deref(i))
		}
	}
}

// TestVocabularyConstants: the public constants are the parts' own
// values, so a value converted from one reads as the other's constant.
func TestVocabularyConstants(t *testing.T) {
	pairs := []struct{ pub, in any }{
		{StateFiled, world.StateFiled}, {StateHandled, world.StateHandled},
		{StateConfirmed, world.StateConfirmed}, {StateRejected, world.StateRejected},
		{InteractMessage, world.InteractMessage}, {InteractClick, world.InteractClick},
		{InteractSubscribe, world.InteractSubscribe}, {InteractScan, world.InteractScan},
		{InteractPayment, world.InteractPayment}, {InteractComplaint, world.InteractComplaint},
		{ArbitrationAwaitingEvidence, world.ArbitrationAwaitingEvidence},
		{ArbitrationEvidenceMissed, world.ArbitrationEvidenceMissed},
		{ArbitrationUnderReview, world.ArbitrationUnderReview},
		{ArbitrationDecidedForUser, world.ArbitrationDecidedForUser},
		{ArbitrationDecidedForMerchant, world.ArbitrationDecidedForMerchant},
		{MaxChoices, world.MaxChoices}, {MaxChoiceLen, world.MaxChoiceLen},
		{ShippingNoOrder, world.ShippingNoOrder},
		{EndpointPush, fault.EndpointPush}, {EndpointPayCallback, fault.EndpointPayCallback},
		{EventComplaint, events.KindComplaint}, {EventWorld, events.KindWorld}, {EventPush, events.KindPush},
		{EventCall, events.KindCall}, {EventClock, events.KindClock}, {EventPay, events.KindPay}, {EventPayCallback, events.KindPayCallback},
		{PayComplaintFiled, payworld.ComplaintFiled}, {PayComplaintChanged, payworld.ComplaintChanged},
		{PayMerchantAdded, payworld.MerchantAdded}, {PayMerchantChanged, payworld.MerchantChanged},
		{PayNotifyURLChanged, payworld.NotifyURLChanged}, {PayImageUploaded, payworld.ImageUploaded},
		{PayWorldRestored, payworld.WorldRestored},
		{PayReopenPending, payworld.ReopenPending}, {PayReopenProcessing, payworld.ReopenProcessing},
		{PayUnknownNotFound, payworld.UnknownNotFound}, {PayUnknownParamError, payworld.UnknownParamError},
		{PayUnknownNoAuth, payworld.UnknownNoAuth},
		{PayModePublicKey, paykeys.ModePublicKey}, {PayModePlatformCertificate, paykeys.ModePlatformCertificate},
		{PayModeSwitch, paykeys.ModeSwitch},
		{ChangeComplaintFiled, events.ComplaintFiled}, {ChangeComplaintHandled, events.ComplaintHandled},
		{ChangeComplaintConfirmed, events.ComplaintConfirmed}, {ChangeComplaintRejected, events.ComplaintRejected},
		{ChangeComplaintOverdue, events.ComplaintOverdue}, {ChangeArbitrationRequested, events.ArbitrationRequested},
		{ChangeEvidenceSubmitted, events.EvidenceSubmitted}, {ChangeEvidenceMissed, events.EvidenceMissed},
		{ChangeArbitrated, events.Arbitrated}, {ChangeAccountAdded, events.AccountAdded},
		{ChangeAccountChanged, events.AccountChanged}, {ChangeUserInteracted, events.UserInteracted},
		{ChangeOrderAdded, events.OrderAdded}, {ChangeOrderShipped, events.OrderShipped},
		{ChangeMessageDelivered, events.MessageDelivered}, {ChangeMediaAdded, events.MediaAdded},
		{ChangeWorldReset, events.WorldReset},
		{PushSending, push.Sending}, {PushAnswered, push.Answered}, {PushHeld, push.Held},
		{DoHandle, scenario.DoHandle}, {DoConfirm, scenario.DoConfirm}, {DoReject, scenario.DoReject},
		{DoRequestArbitration, scenario.DoRequestArbitration}, {DoSubmitEvidence, scenario.DoSubmitEvidence},
		{DoArbitrate, scenario.DoArbitrate},
	}
	for _, p := range pairs {
		if fmt.Sprint(p.pub) != fmt.Sprint(p.in) {
			t.Errorf("public constant %v, the part's %v: they must be the same value", p.pub, p.in)
		}
	}
	kinds := InteractionKinds()
	wkinds := world.InteractionKinds()
	if len(kinds) != len(wkinds) {
		t.Fatalf("InteractionKinds %v, the world's %v", kinds, wkinds)
	}
	for i := range kinds {
		if string(kinds[i]) != string(wkinds[i]) {
			t.Errorf("InteractionKinds %v, the world's %v", kinds, wkinds)
		}
	}
}

// structOf is t, or what t points to.
func structOf(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// fieldsOf lists t's exported fields as "Name json-tag", an embedded one
// as "embedded" (the public and the part's embedded types may be named
// apart: DeliveryRef and push.Ref).
func fieldsOf(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		switch {
		case !f.IsExported():
		case f.Anonymous:
			out = append(out, "embedded")
		default:
			out = append(out, f.Name+" "+f.Tag.Get("json"))
		}
	}
	return out
}

var filledTime = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// filled returns a value of t with every exported field set, nested
// structs, slice elements and pointed-to values too.
func filled(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	fill(v, 1)
	return v
}

func fill(v reflect.Value, n int) {
	if v.Type() == reflect.TypeOf(time.Time{}) {
		v.Set(reflect.ValueOf(filledTime.Add(time.Duration(n) * time.Minute)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), n+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), n+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n+1)
		fill(e, n+2)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n+i+1)
			}
		}
	}
}

// zeroField returns the path of an exported field left zero in v, "" when
// none is.
func zeroField(v reflect.Value, path string) string {
	if v.Type() == reflect.TypeOf(time.Time{}) {
		if v.Interface().(time.Time).IsZero() {
			return path
		}
		return ""
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return path
		}
		return zeroField(v.Elem(), path)
	case reflect.Slice:
		if v.Len() == 0 {
			return path
		}
		return zeroField(v.Index(0), path+"[0]")
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if p := zeroField(v.Field(i), path+"."+f.Name); p != "" {
				return p
			}
		}
		return ""
	}
	if v.IsZero() {
		return path
	}
	return ""
}

// forget drops what a public Scenario remembers of its file, which a
// value built in Go has not.
func forget(v reflect.Value) reflect.Value {
	if sc, ok := v.Interface().(*Scenario); ok && sc != nil {
		c := *sc
		c.parsed = nil
		return reflect.ValueOf(&c)
	}
	return v
}

func deref(v reflect.Value) any {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Elem().Interface()
	}
	return v.Interface()
}

// TestNoAliasedVocabulary: no exported type of the package is an alias of
// another package's type: go doc shows an alias without its fields (it
// showed 37 such types, and their 51 constants, before the vocabulary was
// defined here).
func TestNoAliasedVocabulary(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, sp := range g.Specs {
				if ts := sp.(*ast.TypeSpec); ts.Assign.IsValid() && ts.Name.IsExported() {
					t.Errorf("%s: type %s is an alias: define it here with its fields and convert it (convert.go)", fset.Position(ts.Pos()), ts.Name)
				}
			}
		}
	}
}
