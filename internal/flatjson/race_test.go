//go:build race

package flatjson

// raceDetector: the race detector is on. It makes sync.Pool drop a
// quarter of what is put back, on purpose, so json.Valid's pooled
// scanner is allocated again at random and allocation counts that
// include it are not the program's.
const raceDetector = true
