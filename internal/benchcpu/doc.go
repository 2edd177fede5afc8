// Package benchcpu measures a benchmark by the CPU time its process used,
// beside the wall time go test reports: on a shared machine (CI, a laptop
// building in the background) wall time counts the waits for a core, and
// moves by 2× from run to run where CPU time moves by a few percent. It
// counts the garbage collector's work on the other cores too, so a path
// pays for the garbage it makes.
//
// It is imported by tests and benchmarks only.
package benchcpu
