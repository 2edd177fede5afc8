//go:build race

package scenario

// raceDetector: the race detector is on. It makes sync.Pool drop a
// quarter of what is put back, on purpose, so what a parse allocates
// moves from one parse to the next and is not the program's figure.
const raceDetector = true
