#!/usr/bin/env bash
# Before and after over loopback: the middleware of git revision REV and of
# the working tree ("before" and "after"), served side by side (scripts/middlewareload, -mode new)
# and loaded with wrk in turn, round after round, with the empty handler
# before each pair. Each run prints req/s and the server's CPU time per
# request (from /proc/PID/stat), so that a pair measured a few seconds apart
# can be compared even while other processes share the machine.
#
# Usage: scripts/middleware-ab.sh [-r 7] [-d 5s] REV     (e.g. REV=HEAD~10)
set -euo pipefail

rounds=7 duration=5s
while getopts "r:d:" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	d) duration=$OPTARG ;;
	*) echo "usage: $0 [-r 7] [-d 5s] REV" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-r 7] [-d 5s] REV" >&2; exit 2; }
rev=$1

cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
	exec 3>&- 4>&- 2>/dev/null || true
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/before-src"
git archive "$rev" | tar -x -C "$work/before-src"
(cd "$work/before-src" && go build -o "$work/before" ./scripts/middlewareload)
go build -o "$work/after" ./scripts/middlewareload

tck=$(getconf CLK_TCK)
for n in before after; do
	mkfifo "$work/$n.in"
	"$work/$n" -mode new -threads 2 -lua "$work/$n.lua" <"$work/$n.in" >"$work/$n.out" 2>&1 &
	pids+=($!)
	echo $! >"$work/$n.pid"
done
exec 3>"$work/before.in" 4>"$work/after.in"
for n in before after; do
	for _ in $(seq 1 100); do grep -q '^ready$' "$work/$n.out" && break; sleep 0.1; done
	grep -q '^ready$' "$work/$n.out" || { cat "$work/$n.out" >&2; exit 1; }
done
url() { awk -v k="$2" '$1 == k {print $2}' "$work/$1.out"; }

# run BUILD SERVER: prints "REQ/S CPU-µs-per-request".
run() {
	local pid b a out
	pid=$(cat "$work/$1.pid")
	b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	out=$(wrk -t2 -c32 -d"$duration" -s "$work/$1.lua" "$(url "$1" "$2")")
	a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
		echo "$1 $2: wrk saw non-2xx answers" >&2
		exit 1
	fi
	awk -v b="$b" -v a="$a" -v t="$tck" '/ requests in / {n = $1} /^Requests\/sec:/ {r = $2}
		END {printf "%.0f %.1f\n", r, (a - b) * 1e6 / t / n}' <<<"$out"
}

for n in before after; do wrk -t2 -c32 -d1s -s "$work/$n.lua" "$(url "$n" middleware)" >/dev/null; done
printf "%-6s %22s %22s %22s %14s %14s\n" round "empty req/s µs/req" "before req/s µs/req" "after req/s µs/req" "req/s a/b" "µs/req a/b"
declare -a rr cr
for r in $(seq 1 "$rounds"); do
	echo reset >&3
	echo reset >&4
	read -r er ec < <(run after empty)
	read -r br bc < <(run before middleware)
	read -r ar ac < <(run after middleware)
	rr[r]=$(awk -v a="$ar" -v b="$br" 'BEGIN {printf "%.2f", a / b}')
	cr[r]=$(awk -v a="$ac" -v b="$bc" 'BEGIN {printf "%.2f", a / b}')
	printf "%-6s %13s %8s %13s %8s %13s %8s %14s %14s\n" "$r" "$er" "$ec" "$br" "$bc" "$ar" "$ac" "${rr[r]}" "${cr[r]}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf '\nmedian per round, tree against %s: req/s ×%s, server CPU per request ×%s (wrk -t2 -c32 -d%s, loopback)\n' \
	"$rev" "$(median "${rr[@]}")" "$(median "${cr[@]}")" "$duration"
