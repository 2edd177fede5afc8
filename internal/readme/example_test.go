package readme_test

import (
	"fmt"

	"github.com/payfeedback/payfeedback/internal/readme"
)

func ExampleBlocks() {
	md := []byte("# Title\n\n<!-- readme: params ctx context.Context -->\n```go\n_ = ctx\n```\n\n```sh\n# not run by the README test: it takes an hour\nsleep 3600\n```\n")
	for _, b := range readme.Blocks(md) {
		fmt.Printf("line %d %s note=%q not-run=%q\n", b.Line, b.Lang, b.Note, b.NotRun())
	}
	// Output:
	// line 4 go note="params ctx context.Context" not-run=""
	// line 8 sh note="" not-run="it takes an hour"
}

func ExampleJobs() {
	wf := []byte(`on: [push]
jobs:
  test:
    env:
      ADDR: 127.0.0.1:8000
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: go test ./...
`)
	jobs, err := readme.Jobs(wf)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, j := range jobs {
		fmt.Println("job", j.Name, j.Env)
		for _, s := range j.Steps {
			fmt.Printf("  uses=%q run=%q\n", s.Uses, s.Run)
		}
	}
	// Output:
	// job test map[ADDR:127.0.0.1:8000]
	//   uses="actions/checkout@v4" run=""
	//   uses="" run="go test ./..."
}
