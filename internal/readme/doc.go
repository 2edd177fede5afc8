// Package readme reads the fenced code blocks of the project's Markdown
// files, so that a test can run every shell block of README.md and
// mockwechat/README.md as written and compile every Go snippet
// (readme_test.go).
//
// A block says how it is run by its info string (sh, go) and by an HTML
// comment on the line before it, which renders as nothing:
//
//	<!-- readme: params ctx context.Context, merchant *httptest.Server -->
//
// gives a Go fragment the variables it uses. A shell block that cannot run
// here says why on its first line, visibly:
//
//	# not run by the README test: <why>
package readme
