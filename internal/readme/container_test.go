package readme

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// The container image's files: Dockerfile, Dockerfile.local (its final
// stage, built from a binary made outside) and scripts/image-local.sh,
// which builds that with podman or docker.

// instructions returns a Dockerfile's instructions, continuation lines
// joined, comments and blank lines left out.
func instructions(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	cur := ""
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if cur == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if more, ok := strings.CutSuffix(line, "\\"); ok {
			cur += strings.TrimSpace(more) + " "
			continue
		}
		out = append(out, cur+line)
		cur = ""
	}
	return out
}

// TestDockerfilesPullFullyQualifiedImages: every image a Dockerfile pulls
// is named with its registry. Debian's podman, which has no registries to
// search for a short name, refused FROM golang:1.26.
func TestDockerfilesPullFullyQualifiedImages(t *testing.T) {
	for _, file := range []string{"Dockerfile", "Dockerfile.local"} {
		for _, in := range instructions(t, file) {
			fields := strings.Fields(in)
			if !strings.EqualFold(fields[0], "FROM") {
				continue
			}
			image := ""
			for _, f := range fields[1:] {
				if !strings.HasPrefix(f, "--") { // --platform=…
					image = f
					break
				}
			}
			host, _, qualified := strings.Cut(image, "/")
			if image != "scratch" && (!qualified || !(strings.ContainsAny(host, ".:") || host == "localhost")) {
				t.Errorf("%s: %q: name the registry (docker.io/library/golang:…): a short name is refused where no search registries are configured", file, in)
			}
		}
	}
}

// TestDockerfileLocalIsTheFinalStage: Dockerfile.local is Dockerfile's
// final stage, the files copied from the build stage taken from the
// build context instead (as scripts/image-local.sh lays them out).
func TestDockerfileLocalIsTheFinalStage(t *testing.T) {
	full := instructions(t, "Dockerfile")
	last := 0
	for i, in := range full {
		if strings.HasPrefix(strings.ToUpper(in), "FROM ") {
			last = i
		}
	}
	var want []string
	for _, in := range full[last:] {
		if rest, ok := strings.CutPrefix(in, "COPY "); ok {
			var out []string
			fields := strings.Fields(rest)
			for i, f := range fields {
				switch {
				case f == "--from=build":
				case i == len(fields)-2: // the source: its base name in the context
					out = append(out, path.Base(f))
				default:
					out = append(out, f)
				}
			}
			in = "COPY " + strings.Join(out, " ")
		}
		want = append(want, in)
	}
	got := instructions(t, "Dockerfile.local")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Dockerfile.local:\n%s\n\nDockerfile's final stage, as it would read from the context:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestImageLocalScript runs scripts/image-local.sh with stand-ins for go,
// podman and docker that record what they were asked: podman gets
// --format docker (its OCI default drops the HEALTHCHECK), docker, which
// has no such flag and failed on it, does not; the build context holds
// Dockerfile.local as its Dockerfile, the binary, the CA certificates and
// the state directory.
func TestImageLocalScript(t *testing.T) {
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err != nil {
		t.Fatalf("the script copies the system's CA certificates: %v", err)
	}
	fakes := t.TempDir()
	log := filepath.Join(t.TempDir(), "log")
	stub := func(name, body string) {
		if err := os.WriteFile(filepath.Join(fakes, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// go build … -o FILE …: writes FILE.
	stub("go", `while [ $# -gt 0 ]; do if [ "$1" = -o ]; then echo binary >"$2"; fi; shift; done`+"\n")
	engine := `echo "$(basename "$0") $*" >>"$LOG"
for a; do ctx=$a; done
ls -p "$ctx" | tr '\n' ' ' >>"$LOG"; echo >>"$LOG"
cmp -s "$ctx/Dockerfile" "$DOCKERFILE_LOCAL" || echo "the context's Dockerfile is not Dockerfile.local" >>"$LOG"
`
	stub("docker", engine)
	stub("podman", engine)
	for _, tt := range []struct{ engine, want string }{
		{"docker", "docker build -t test:tag "},
		{"podman", "podman build --format docker -t test:tag "},
	} {
		os.Remove(log)
		cmd := exec.Command("bash", "scripts/image-local.sh", "test:tag")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "PATH="+fakes+string(os.PathListSeparator)+os.Getenv("PATH"),
			"ENGINE="+filepath.Join(fakes, tt.engine), "LOG="+log, "DOCKERFILE_LOCAL="+filepath.Join(abs(t, root), "Dockerfile.local"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ENGINE=%s scripts/image-local.sh: %v\n%s", tt.engine, err, out)
		}
		b, _ := os.ReadFile(log)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], tt.want) || strings.TrimSpace(lines[1]) != "Dockerfile ca-certificates.crt payfeedback state/" {
			t.Errorf("ENGINE=%s: the engine was asked\n%s\nwant one call starting %q, on a context of Dockerfile, ca-certificates.crt, payfeedback and state/", tt.engine, b, tt.want)
		}
	}
}

// abs is the absolute path of p.
func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
