package fault_test

import (
	"fmt"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
)

// A fault becomes a typed plan, used once per matching push attempt.
func ExampleSet() {
	s := fault.NewSet([]string{payfeedback.PathToken})
	if _, err := s.Add(fault.Fault{Endpoint: fault.EndpointPush, Duplicate: true, TamperFields: true}); err != nil {
		fmt.Println(err)
	}
	_, err := s.Add(fault.Fault{Endpoint: fault.EndpointPush, Drop: true, Duplicate: true})
	fmt.Println(err)
	p, ok := s.TakePush("wx1", payfeedback.MsgRequest)
	fmt.Println(p, ok, len(s.List()))
	// Output:
	// mockwechat: push fault: Drop, Delay and OutOfOrder each go alone (Duplicate, TamperSignature and TamperFields combine)
	// duplicate+tamper-fields true 0
}
