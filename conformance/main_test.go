package conformance_test

import (
	"os"
	"testing"

	"github.com/payfeedback/payfeedback/internal/testparallel"
)

// parallelRuns is how many parallel tests run at once when -test.parallel
// is not given. Many of this package's tests wait more than they compute:
// merchants that answer late on purpose (the time-limit cases sleep on
// every callback), timeouts the suite must see expire, fakes answering
// over loopback. go test's default of one parallel test per core kept them
// two at a time on a 2-core machine: 12.9 s for this package alone, 10.9 s
// at four, the same CPU.
const parallelRuns = 4

// TestMain runs up to parallelRuns parallel tests at once unless
// -test.parallel says otherwise.
func TestMain(m *testing.M) {
	testparallel.Default(parallelRuns)
	os.Exit(m.Run())
}
