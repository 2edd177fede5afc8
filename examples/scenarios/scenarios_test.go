// Package scenarios holds the example scenario files of
// mockwechat; its test loads each of them.
package scenarios

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestExamplesValidate: every example is valid against the published
// schema, read by a JSON Schema validator on its own.
func TestExamplesValidate(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("../../docs/scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files := examples(t)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func examples(t *testing.T) []string {
	var files []string
	for _, pat := range []string{"*.yaml", "*.json"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("%d examples, want at least 3", len(files))
	}
	return files
}

// start runs an example with its pushes going to a receiver that counts
// the notifications it verified.
func start(t *testing.T, file string) (*mockwechat.Server, *mockwechat.VirtualClock, *[]*payfeedback.Notification) {
	t.Helper()
	sc, err := mockwechat.LoadScenario(file)
	if err != nil {
		t.Fatal(err)
	}
	got := &[]*payfeedback.Notification{}
	key := sc.Accounts[0].PaySignKey
	rc := newReceiver(t, key, got)
	sc.Accounts[0].NotifyURL = rc
	s := mockwechat.NewServer(mockwechat.Options{Scenario: sc})
	t.Cleanup(s.Close)
	clk, _ := s.Clock()
	return s, clk, got
}

func TestFreshAccount(t *testing.T) {
	s, clk, got := start(t, "fresh-account.yaml")
	states := map[string]mockwechat.ComplaintState{}
	for _, c := range s.Complaints() {
		states[c.FeedBackID] = c.State
	}
	if len(states) != 2 || states["1000000000000000002"] != mockwechat.StateHandled || states["1000000000000000003"] != mockwechat.StateConfirmed {
		t.Fatalf("at the start: %v", states)
	}
	clk.Advance(time.Minute)
	s.WaitIdle(context.Background())
	if c, ok := s.Complaint("1000000000000000001"); !ok || c.State != mockwechat.StateFiled {
		t.Fatalf("at +1m: %+v", c)
	}
	if len(*got) != 1 || (*got)[0].FeedBackID != "1000000000000000001" {
		t.Fatalf("pushed %d notifications, want the new complaint's request", len(*got))
	}
}

func TestOverdueArbitration(t *testing.T) {
	s, clk, _ := start(t, "overdue-arbitration.yaml")
	const id = "2000000000000000042"
	if c, _ := s.Complaint(id); !c.Overdue || c.State != mockwechat.StateFiled {
		t.Fatalf("at the start: %+v, want filed and overdue", c)
	}
	clk.Advance(2 * time.Hour)
	if c, _ := s.Complaint(id); c.Arbitration == nil || c.Arbitration.State != mockwechat.ArbitrationAwaitingEvidence {
		t.Fatalf("at +2h: %+v, want awaiting evidence", c.Arbitration)
	}
	clk.Advance(74 * time.Hour)
	if c, _ := s.Complaint(id); c.Arbitration.State != mockwechat.ArbitrationDecidedForUser {
		t.Fatalf("at +3d4h: arbitration %v, want decided for the user", c.Arbitration.State)
	}
}

func TestFailingEndpoint(t *testing.T) {
	s, clk, got := start(t, "failing-endpoint.json")
	clk.Advance(23 * time.Hour)
	s.WaitIdle(context.Background())
	if len(*got) != 0 {
		t.Fatalf("%d notifications got through during the failing day", len(*got))
	}
	clk.Advance(2 * time.Hour)
	s.WaitIdle(context.Background())
	ds := s.Deliveries()
	if len(*got) != 1 || len(ds) != 1 || !ds[0].Delivered || len(ds[0].Attempts) != 16 {
		t.Fatalf("after 25 h: %d notifications, deliveries %+v", len(*got), ds)
	}
}

// TestRefundEscalated: the Complaints 2.0 example starts with the
// complaint replied to (PROCESSING, nothing announced), and its later acts
// reach a merchant that verifies and decrypts each callback with the
// fake's keys, in order.
func TestRefundEscalated(t *testing.T) {
	sc, err := mockwechat.LoadScenario("refund-escalated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := mockwechat.NewServer(mockwechat.Options{Scenario: sc, Pay: &mockwechat.PayOptions{}})
	t.Cleanup(s.Close)
	clk, _ := s.Clock()
	const id = "200000020250310000000000042"
	c, ok := s.PayComplaint(id)
	if !ok || c.Wire.ComplaintState != complaints.StateProcessing || len(c.History) != 2 || c.Wire.ApplyRefundAmount != 2999 {
		t.Fatalf("at the start: %+v, want PROCESSING with the user's complaint and the merchant's reply", c)
	}
	keys, err := s.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 8)
	rc := newPayReceiver(t, keys, clk.Now, got)
	if err := s.SetPayNotifyURL("", rc); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clk.Advance(3 * time.Hour)
	s.WaitPayIdle(ctx)
	var actions []string
	for range 3 {
		select {
		case a := <-got:
			actions = append(actions, a)
		case <-ctx.Done():
			t.Fatalf("callbacks opened: %v, want 3", actions)
		}
	}
	want := []string{"USER_RESPONSE", "USER_APPLY_PLATFORM_SERVICE", "RESPONSE_BY_PLATFORM"}
	if !slices.Equal(actions, want) {
		t.Fatalf("callbacks %v, want %v", actions, want)
	}
	if c, _ := s.PayComplaint(id); !c.Wire.InPlatformService {
		t.Errorf("at +3h the complaint is not in the platform's hands: %+v", c.Wire)
	}
}
