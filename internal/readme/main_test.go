package readme

import (
	"os"
	"testing"

	"github.com/payfeedback/payfeedback/internal/testparallel"
)

// blocksAtOnce is how many shell blocks (and the workflow's job) run at
// once when -test.parallel is not given.
const blocksAtOnce = 8

// TestMain runs up to blocksAtOnce blocks at a time unless -test.parallel
// says otherwise. The blocks wait on the programs they start more than
// they compute (a merchant listening, a health check, a fake saving its
// world on SIGTERM): go test's default of one parallel test per core kept
// them queued two at a time on a 2-core machine, for the same CPU (at a
// load average of 13-18, 43-55 s against 26-27 s for this package).
func TestMain(m *testing.M) {
	testparallel.Default(blocksAtOnce)
	os.Exit(m.Run())
}
