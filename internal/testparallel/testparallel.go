package testparallel

import (
	"flag"
	"strconv"
)

// Default sets -test.parallel to n unless the command line gave it. Call
// it from TestMain before m.Run; it parses the command line if nothing
// has yet. It panics when the binary has no -test.parallel flag (it is
// not a test binary), as that is a programming error.
func Default(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	if err := setDefault(flag.CommandLine, "test.parallel", n); err != nil {
		panic("testparallel: " + err.Error())
	}
}

// setDefault sets the flag name of fs to n unless it was set.
func setDefault(fs *flag.FlagSet, name string, n int) error {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return nil
	}
	return fs.Set(name, strconv.Itoa(n))
}
