#!/usr/bin/env bash
# Builds the payfeedback image from a binary built here (Dockerfile.local,
# the final stage of Dockerfile), for machines that cannot pull the Go
# image. Usage: scripts/image-local.sh [TAG]   (default payfeedback:local)
# Needs podman or docker (podman first; ENGINE=docker or ENGINE=/path/to/podman
# chooses); RUN=1 also runs it and waits for its health check.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-payfeedback:local}
engine=${ENGINE:-$(command -v podman || command -v docker || { echo "need podman or docker" >&2; exit 1; })}
# podman builds OCI images by default, where HEALTHCHECK is dropped:
# --format docker keeps it. docker builds that format already, and has no
# such flag.
format=()
case $(basename "$engine") in
podman*) format=(--format docker) ;;
esac
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$ctx/payfeedback" ./cmd/payfeedback
cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
mkdir "$ctx/state"
cp Dockerfile.local "$ctx/Dockerfile"
"$engine" build "${format[@]}" -t "$tag" "$ctx"
echo "built $tag"
if [ "${RUN:-0}" = 1 ]; then
	port=${PORT:-18080}
	id=$("$engine" run -d --rm -p "127.0.0.1:$port:8080" "$tag")
	trap '"$engine" rm -f "$id" >/dev/null 2>&1 || true; rm -rf "$ctx"' EXIT
	go run ./cmd/payfeedback health --url "http://127.0.0.1:$port" --wait 20s
fi
