package conformance_test

import (
	"context"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
)

// runAPIPlan runs the Complaints 2.0 plan with its API cases against an
// in-process merchant wired to the embedded fake.
func runAPIPlan(t *testing.T, m apiMistakes, run string) conformance.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := conformance.Run(ctx, conformance.Options{
		Plan: conformance.PlanComplaints, PayKeys: payKeys(), Merchant: apiMerchant(m), Run: run,
		APITimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAPISoundMerchant(t *testing.T) {
	rep := runAPIPlan(t, apiMistakes{}, "")
	for _, r := range rep.Results {
		t.Logf("%-40s %s %s", r.ID, r.Status, r.Message)
	}
}
