// Package testparallel sets how many parallel tests a test binary runs at
// once, unless its command line says so itself.
//
// go test's default for -test.parallel is GOMAXPROCS: two on a 2-core
// machine. That suits tests that compute, not tests that wait on
// processes, sockets, browsers and timeouts, which is most of what the
// repository's heavier packages do (the CLI's process tests, the
// conformance suite's slow merchants, the console's browser flows, the
// README's shell blocks): at two at a time they queue while the cores
// idle. A package whose tests wait calls Default from its TestMain.
package testparallel
