//go:build !race

package flatjson

// raceDetector: the race detector is off (see race_test.go).
const raceDetector = false
