//go:build !race

package scenario

// raceDetector: the race detector is off (see race_test.go).
const raceDetector = false
