#!/usr/bin/env bash
# Load test of the Complaints 2.0 callback middleware over loopback (the
# target: at least 85 % of the requests per second of a handler that only
# verifies the signature, the same RSA cost): requests per second of an
# empty handler, of a verify-only handler, and of middleware/callback + a
# Dispatcher, same process, same wrk Lua script (signed, encrypted
# callbacks with distinct ids), same run, ROUNDS rounds (5) after a
# warm-up. Loopback only; everything it starts, it stops.
#
# Usage: scripts/callback-load.sh [-d 5s] [-t 2] [-c 32]
set -euo pipefail

duration=5s threads=2 conns=32
while getopts "d:t:c:" opt; do
	case $opt in
	d) duration=$OPTARG ;;
	t) threads=$OPTARG ;;
	c) conns=$OPTARG ;;
	*) echo "usage: $0 [-d 5s] [-t 2] [-c 32]" >&2; exit 2 ;;
	esac
done

cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
	echo "installing wrk (apt-get install -y wrk)" >&2
	sudo=
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
	$sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
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

go build -o "$work/callbackload" ./scripts/callbackload

# The server runs until its standard input (fd 3 here) closes.
mkfifo "$work/in"
"$work/callbackload" -threads "$threads" -lua "$work/load.lua" ${CPUPROFILE:+-cpuprofile "$CPUPROFILE"} <"$work/in" >"$work/out" 2>&1 &
server_pid=$!
exec 3>"$work/in"
for _ in $(seq 1 600); do
	grep -q '^ready$' "$work/out" 2>/dev/null && break
	if ! kill -0 "$server_pid" 2>/dev/null; then
		cat "$work/out" >&2
		exit 1
	fi
	sleep 0.1
done
grep -q '^ready$' "$work/out" || { echo "server did not start" >&2; cat "$work/out" >&2; exit 1; }
empty_url=$(awk '$1 == "empty" {print $2}' "$work/out")
verify_url=$(awk '$1 == "verify" {print $2}' "$work/out")
cb_url=$(awk '$1 == "callback" {print $2}' "$work/out")

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

echo "warm-up (1s each)..." >&2
for u in "$empty_url" "$verify_url" "$cb_url"; do rps warm "$u" 1s >/dev/null; done

rounds=${ROUNDS:-5}
declare -a e v m
for round in $(seq 1 "$rounds"); do
	e[round]=$(rps "empty$round" "$empty_url" "$duration")
	v[round]=$(rps "verify$round" "$verify_url" "$duration")
	m[round]=$(rps "cb$round" "$cb_url" "$duration")
	echo "round $round: empty ${e[round]} req/s, verify-only ${v[round]} req/s, callback middleware ${m[round]} req/s" >&2
done

exec 3>&-
wait "$server_pid" || true
server_pid=
handled=$(awk '$1 == "handled" {print $2}' "$work/out")

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {printf "%.0f", v[int((NR + 1) / 2)]}'; }
ratios=$(for r in $(seq 1 "$rounds"); do awk -v a="${m[r]}" -v b="${v[r]}" 'BEGIN {printf "%.1f%% ", 100 * a / b}'; done)
round_ratio=$(for r in $(seq 1 "$rounds"); do awk -v a="${m[r]}" -v b="${v[r]}" 'BEGIN {printf "%.1f\n", 100 * a / b}'; done |
	sort -g | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)]}')

printf '\nwrk -t%s -c%s -d%s per run, %s rounds, loopback\n' "$threads" "$conns" "$duration" "$rounds"
printf '%-44s %12s\n' "handler" "req/s (median)"
printf '%-44s %12s\n' "empty net/http handler" "$(median "${e[@]}")"
printf '%-44s %12s\n' "verify-only handler (read + RSA verify)" "$(median "${v[@]}")"
printf '%-44s %12s\n' "middleware/callback + Dispatcher" "$(median "${m[@]}")"
printf '%-44s %11s%%   (per round: %s)\n' "median ratio to verify-only (target >= 85%)" "$round_ratio" "$ratios"
printf '%-44s %12s\n' "callbacks dispatched" "$handled"
