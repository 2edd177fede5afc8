// Package readme reads the fenced code blocks of the project's Markdown
// files and the steps of a GitHub Actions workflow, so that a test can run
// every shell block of README.md and mockwechat/README.md as written, run
// the steps of examples/ci/github-actions.yml as a runner would, and
// compile every Go snippet (readme_test.go, workflow_test.go).
//
// A block says how it is run by its info string (sh, go) and by an HTML
// comment on the line before it, which renders as nothing:
//
//	<!-- readme: params ctx context.Context, merchant *httptest.Server -->
//
// gives a Go fragment the variables it uses;
//
//	<!-- readme: file examples/quickstart/main.go -->
//	<!-- readme: part-of internal/readme/gotest_test.go -->
//
// say the block is that file of the repository, or a part of it, verbatim
// (the build compiles it, go test runs the tests in it). A shell block that
// cannot run here says why on its first line, visibly:
//
//	# not run by the README test: <why>
//
// The test runs a shell block as a person's shell would, with nothing to
// clean up after it: a block that starts a program in the background stops
// it (a binary it built, so that kill reaches it), and the test fails when
// a process the block started still runs after it, or a port it was given
// still listens.
package readme
