package readme

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// workflowFile is the GitHub Actions example the README points to.
const workflowFile = "examples/ci/github-actions.yml"

// standIn is a merchant's repository for the workflow to run in:
// start-merchant.sh runs the example merchant on the scenario's account,
// and its tests read where the merchant and the fake are from the
// environment, as the workflow says to.
const standIn = "testdata/ci-merchant"

// runWorkflow runs the jobs of a workflow as a GitHub Actions runner on
// Linux does: the run steps with bash -e, one after another in the
// merchant's checkout, a failed step skipping the rest but the "if:
// always()" ones, background processes living on from step to step, and
// variables written to $GITHUB_ENV given to the next steps. The actions
// it uses are played here: actions/checkout checks out the stand-in
// merchant (standIn) and, for payfeedback/payfeedback, links this
// repository at its path; actions/setup-go checks the Go on PATH is the
// version asked; actions/upload-artifact checks that each file to upload
// is there, not empty. The job's MERCHANT_ADDR gets a free port. Once the
// job is over, nothing it started may still run (a runner would kill it:
// the workflow stops what it started, after saving the fake's world).
func (e *runEnv) runWorkflow(t *testing.T, workflow []byte) {
	jobs, err := Jobs(workflow)
	if err != nil {
		t.Fatal(err)
	}
	for _, job := range jobs {
		e.runJob(t, job)
	}
}

// runJob runs one job of the workflow.
func (e *runEnv) runJob(t *testing.T, job Job) {
	name := workflowFile + " job " + job.Name
	// The checkout is at the same path every run (one per repository,
	// locked), so that the go command's cache knows the stand-in's
	// packages when they did not change.
	sum := sha256.Sum256([]byte(abs(t, root) + "\x00" + job.Name))
	workspace, temp := filepath.Join(os.TempDir(), fmt.Sprintf("payfeedback-ci-%x", sum[:6])), t.TempDir()
	unlock := lockDir(t, workspace)
	defer unlock()
	copyDir(t, standIn, workspace)
	githubEnv := filepath.Join(t.TempDir(), "github_env")
	mark := newMark(name)
	vars := maps.Clone(job.Env)
	if vars == nil {
		vars = map[string]string{}
	}
	port := e.freePort(t)
	if _, ok := vars["MERCHANT_ADDR"]; !ok {
		t.Fatalf("%s: no MERCHANT_ADDR in the job's env", name)
	}
	vars["MERCHANT_ADDR"] = "127.0.0.1:" + port
	failed := false
	for i, step := range job.Steps {
		label := fmt.Sprintf("%s, step %d (%s)", name, i+1, stepName(step))
		switch step.If {
		case "":
			if failed {
				t.Logf("%s: skipped (a step failed)", label)
				continue
			}
		case "always()":
		default:
			t.Fatalf("%s: the test does not evaluate if: %s", label, step.If)
		}
		var err error
		var out string
		began := time.Now()
		if step.Uses != "" {
			err = playAction(step, workspace, temp)
		} else {
			out, err = e.runStep(t, step, label, workspace, temp, githubEnv, mark, vars)
		}
		t.Logf("%s: %.1fs", label, time.Since(began).Seconds())
		if err != nil {
			t.Errorf("%s fails: %v\n--- output:\n%s", label, err, out)
			failed = true
		}
	}
	checkNothingLeft(t, name, mark, map[string]string{"MERCHANT_ADDR": port})
}

// runStep runs a run step, then reads what it wrote to $GITHUB_ENV.
func (e *runEnv) runStep(t *testing.T, step Step, label, workspace, temp, githubEnv, mark string, vars map[string]string) (string, error) {
	if strings.Contains(step.Run, "${{") {
		t.Fatalf("%s: the test does not evaluate ${{ }} in run: use the environment ($RUNNER_TEMP…)", label)
	}
	// "-o physical" is the test's: the checkout of payfeedback is a link
	// to this repository here, and a cd into it must reach the directory
	// the go command's cache knows (through the link, everything would be
	// compiled again, for a minute). On a runner it is a directory.
	var shell []string
	switch step.Shell {
	case "": // GitHub's default on Linux
		shell = []string{"bash", "-o", "physical", "-e"}
	case "bash":
		shell = []string{"bash", "-o", "physical", "--noprofile", "--norc", "-eo", "pipefail"}
	default:
		t.Fatalf("%s: the test does not run shell: %s", label, step.Shell)
	}
	file := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(file, []byte(step.Run), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(githubEnv, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := e.environ("CI=true", "RUNNER_TEMP="+temp, "GITHUB_ENV="+githubEnv, "GITHUB_WORKSPACE="+workspace, runMark+"="+mark)
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		env = append(env, k+"="+vars[k])
	}
	for _, k := range slices.Sorted(maps.Keys(step.Env)) {
		env = append(env, k+"="+step.Env[k])
	}
	out, err := script{name: label, args: append(shell, file), dir: workspace, env: env}.run(t, 3*time.Minute)
	b, rerr := os.ReadFile(githubEnv)
	if rerr != nil {
		t.Fatal(rerr)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k == "" {
			t.Fatalf("%s: $GITHUB_ENV line %q: the test reads NAME=VALUE lines only", label, sc.Text())
		}
		vars[k] = v
	}
	return out, err
}

// playAction does what the test makes of a step that uses an action.
func playAction(step Step, workspace, temp string) error {
	action, _, _ := strings.Cut(step.Uses, "@")
	switch action {
	case "actions/checkout":
		switch repo := step.With["repository"]; repo {
		case "": // the merchant's repository: the stand-in, copied already
			return nil
		case "payfeedback/payfeedback":
			path := step.With["path"]
			if path == "" {
				return fmt.Errorf("checkout of %s without a path would replace the merchant's", repo)
			}
			abs, err := filepath.Abs(root)
			if err != nil {
				return err
			}
			return os.Symlink(abs, filepath.Join(workspace, path))
		default:
			return fmt.Errorf("the test does not check out %s", repo)
		}
	case "actions/setup-go":
		want := "go" + step.With["go-version"]
		if v := runtime.Version(); v != want && !strings.HasPrefix(v, want+".") {
			return fmt.Errorf("the workflow asks for %s; this test runs on %s", want, v)
		}
		return nil
	case "actions/upload-artifact":
		var missing []string
		for line := range strings.Lines(step.With["path"]) {
			p := strings.TrimSpace(strings.ReplaceAll(line, "${{ runner.temp }}", temp))
			if p == "" {
				continue
			}
			if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
				missing = append(missing, strings.TrimSpace(line))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("nothing to upload at %s", strings.Join(missing, ", "))
		}
		return nil
	}
	return fmt.Errorf("the test does not play %s", step.Uses)
}

// stepName names a step as GitHub shows it.
func stepName(s Step) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Uses != "":
		return s.Uses
	}
	first, _, _ := strings.Cut(s.Run, "\n")
	return first
}

// copyDir copies the files under src into dst, keeping their modes.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}
