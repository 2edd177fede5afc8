// Package golden compares test output with golden files under testdata/,
// the same way in every package of the module: go test -update rewrites
// the files instead of comparing, then the test goes on as if they had
// matched. Review the diff (git diff testdata/) before committing.
//
// It is imported by tests only. Importing it registers the -update flag on
// the test binary, which is why a package's tests must not declare their
// own.
package golden
