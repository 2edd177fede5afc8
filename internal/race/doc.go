// Package race says whether the program was built with the race detector
// (go test -race), for the tests whose figures it changes.
//
// The race detector makes sync.Pool drop a quarter of what is put back,
// on purpose, so that code relying on the pool is exercised both ways.
// What a pooled path allocates then moves from one call to the next, and
// a test counting allocations (testing.AllocsPerRun, runtime.MemStats)
// measures the detector instead of the program. Such a test skips when
// Enabled, and CI runs it once more without -race.
package race
