package readme

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
)

// Step is one step of a GitHub Actions job: an action it uses, or a
// shell script it runs.
type Step struct {
	// Name is the step's name ("" when it has none).
	Name string `yaml:"name"`
	// Uses names an action (actions/checkout@v4); "" for a run step.
	Uses string `yaml:"uses"`
	// With are the action's inputs.
	With map[string]string `yaml:"with"`
	// Run is the step's script.
	Run string `yaml:"run"`
	// If is the step's condition ("always()"), "" when it has none.
	If string `yaml:"if"`
	// Env is the step's own environment.
	Env map[string]string `yaml:"env"`
	// Shell is the step's shell, "" for the runner's default (bash -e on
	// Linux).
	Shell string `yaml:"shell"`
}

// Job is one job of a workflow.
type Job struct {
	// Name is the job's id in the workflow's jobs.
	Name string `yaml:"-"`
	// Env is the job's environment, given to every step.
	Env map[string]string `yaml:"env"`
	// Steps are the job's steps, in order.
	Steps []Step `yaml:"steps"`
}

// Jobs returns the jobs of a GitHub Actions workflow, in the file's
// order. It reads what a test needs to run the steps (names, actions and
// their inputs, scripts, conditions, environments), not the rest of the
// syntax.
func Jobs(workflow []byte) ([]Job, error) {
	var doc struct {
		Jobs yaml.MapSlice `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(workflow, &doc); err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	var jobs []Job
	for _, item := range doc.Jobs {
		name, ok := item.Key.(string)
		if !ok {
			return nil, fmt.Errorf("workflow: job id %v is not a string", item.Key)
		}
		b, err := yaml.Marshal(item.Value)
		if err != nil {
			return nil, fmt.Errorf("workflow: job %s: %w", name, err)
		}
		j := Job{Name: name}
		if err := yaml.Unmarshal(b, &j); err != nil {
			return nil, fmt.Errorf("workflow: job %s: %w", name, err)
		}
		for i, s := range j.Steps {
			if (s.Uses == "") == (s.Run == "") {
				return nil, fmt.Errorf("workflow: job %s, step %d (%s): want one of uses and run", name, i+1, s.Name)
			}
			j.Steps[i].Run = strings.TrimLeft(s.Run, "\n")
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("workflow: no jobs")
	}
	return jobs, nil
}
