#!/usr/bin/env bash
# Load test of the payfeedback middleware over loopback (the target: at least
# 90 % of the requests per second of an empty handler):
# requests per second of the middleware + Dispatcher against an empty
# net/http handler, and against an empty handler that reads the body (what
# any real handler must do at least), same process, same wrk Lua script,
# same run.
#
# Usage: scripts/middleware-load.sh [-d 5s] [-t 2] [-c 32] [-m new|dup]
#   -m new (default): every request is a notification the replay store has
#      forgotten (each wrk thread cycles through its own 15,000 signed bodies,
#      the store keeps 10,000 and forgets the oldest first), so each takes the
#      full path: decode, verify, fingerprint, claim (evicting: the store is
#      full, the worst case), dispatch, complete.
#   -m dup: one notification again and again: decoded, verified, then
#      acknowledged as a duplicate without dispatching.
# Runs are bounded (-d per run, ROUNDS rounds (5) after a warm-up) and loopback only.
set -euo pipefail

duration=5s threads=2 conns=32 mode=new
while getopts "d:t:c:m:" opt; do
	case $opt in
	d) duration=$OPTARG ;;
	t) threads=$OPTARG ;;
	c) conns=$OPTARG ;;
	m) mode=$OPTARG ;;
	*) echo "usage: $0 [-d 5s] [-t 2] [-c 32] [-m new|dup]" >&2; exit 2 ;;
	esac
done

cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
	echo "installing wrk (apt-get install -y wrk)" >&2
	if [ "$(id -u)" -eq 0 ]; then
		apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
	else
		sudo apt-get install -y wrk >/dev/null
	fi
fi

work=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		exec 3>&- 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/middlewareload" ./scripts/middlewareload

# The server runs until its standard input (fd 3 here) closes.
mkfifo "$work/in"
"$work/middlewareload" -mode "$mode" -threads "$threads" -lua "$work/load.lua" <"$work/in" >"$work/out" 2>&1 &
server_pid=$!
exec 3>"$work/in"

for _ in $(seq 1 100); do
	grep -q '^ready$' "$work/out" 2>/dev/null && break
	if ! kill -0 "$server_pid" 2>/dev/null; then
		cat "$work/out" >&2
		exit 1
	fi
	sleep 0.1
done
grep -q '^ready$' "$work/out" || { echo "server did not start" >&2; cat "$work/out" >&2; exit 1; }
empty_url=$(awk '$1 == "empty" {print $2}' "$work/out")
reader_url=$(awk '$1 == "reader" {print $2}' "$work/out")
mw_url=$(awk '$1 == "middleware" {print $2}' "$work/out")

# fresh: a new middleware with an empty replay store before each run, so no
# run meets the bodies the previous one left.
resets=0
fresh() {
	resets=$((resets + 1))
	echo reset >&3
	for _ in $(seq 1 100); do
		grep -q "^reset $resets\$" "$work/out" && return 0
		sleep 0.05
	done
	echo "server did not reset" >&2
	exit 1
}

# rps NAME URL DURATION: runs wrk, prints req/s; fails on socket errors or
# non-2xx answers.
rps() {
	local name=$1 url=$2 d=$3 out
	out=$(wrk -t"$threads" -c"$conns" -d"$d" --latency -s "$work/load.lua" "$url")
	echo "$out" >"$work/wrk-$name.txt"
	if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
		echo "$name: wrk saw non-2xx answers:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}
p99() { awk '$1 == "99%" {print $2}' "$work/wrk-$1.txt"; }

echo "warm-up (1s each)..." >&2
rps warm-empty "$empty_url" 1s >/dev/null
rps warm-reader "$reader_url" 1s >/dev/null
fresh
rps warm-mw "$mw_url" 1s >/dev/null

rounds=${ROUNDS:-5}
declare -a e b m
for round in $(seq 1 $rounds); do
	e[round]=$(rps "empty$round" "$empty_url" "$duration")
	b[round]=$(rps "reader$round" "$reader_url" "$duration")
	fresh
	m[round]=$(rps "mw$round" "$mw_url" "$duration")
	echo "round $round: empty ${e[round]} req/s (p99 $(p99 "empty$round")), body-reading ${b[round]} req/s (p99 $(p99 "reader$round")), middleware ${m[round]} req/s (p99 $(p99 "mw$round"))" >&2
done

exec 3>&-
wait "$server_pid" || true
server_pid=
handled=$(awk '$1 == "handled" {print $2}' "$work/out")
requests=$(awk '$1 == "requests" {print $2}' "$work/out")

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {printf "%.0f", v[int((NR + 1) / 2)]}'; }
empty_rps=$(median "${e[@]}")
reader_rps=$(median "${b[@]}")
mw_rps=$(median "${m[@]}")
ratio=$(awk -v a="$mw_rps" -v b="$empty_rps" 'BEGIN {printf "%.1f", 100 * a / b}')
reader_ratio=$(awk -v a="$mw_rps" -v b="$reader_rps" 'BEGIN {printf "%.1f", 100 * a / b}')
# Ratio per round (each pair ran back to back): their median is the figure
# to report, steadier than the ratio of the medians on a noisy machine.
ratios=$(for r in $(seq 1 $rounds); do awk -v a="${m[r]}" -v b="${e[r]}" 'BEGIN {printf "%.1f%% ", 100 * a / b}'; done)
round_ratio=$(for r in $(seq 1 $rounds); do awk -v a="${m[r]}" -v b="${e[r]}" 'BEGIN {printf "%.1f\n", 100 * a / b}'; done |
	sort -g | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)]}')

printf '\nwrk -t%s -c%s -d%s per run, %s rounds, mode %s, loopback\n' "$threads" "$conns" "$duration" "$rounds" "$mode"
printf '%-36s %12s\n' "handler" "req/s (median)"
printf '%-36s %12s\n' "empty net/http handler" "$empty_rps"
printf '%-36s %12s\n' "empty handler reading the body" "$reader_rps"
printf '%-36s %12s\n' "payfeedback middleware + Dispatcher" "$mw_rps"
printf '%-36s %11s%%   (per round: %s)\n' "median ratio per round (target >= 90%)" "$round_ratio" "$ratios"
printf '%-36s %11s%%\n' "ratio of the medians" "$ratio"
printf '%-36s %11s%%\n' "ratio to the body-reading handler" "$reader_ratio"
printf '%-36s %12s of %s requests (the rest: duplicates acknowledged)\n' "notifications dispatched" "$handled" "$requests"
