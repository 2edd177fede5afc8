//go:build race

package race

// Enabled reports whether the race detector is on: it is.
const Enabled = true
