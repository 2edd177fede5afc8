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
# Each run also measures the server's CPU time per request (from
# /proc/PID/stat), steadier than req/s when other processes share the
# machine. STEPS=1 adds the floor analysis: servers doing the middleware's
# path one step at a time (see scripts/middlewareload/steps.go).
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

# cpu_ticks: the server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
tck=$(getconf CLK_TCK)

# rps NAME URL DURATION: runs wrk, prints req/s; fails on socket errors or
# non-2xx answers. It keeps the server's CPU time per request of the run
# (in $work/cpu-NAME.txt, µs), steadier than req/s while other processes
# share the machine.
rps() {
	local name=$1 url=$2 d=$3 out before after
	before=$(cpu_ticks)
	out=$(wrk -t"$threads" -c"$conns" -d"$d" --latency -s "$work/load.lua" "$url")
	after=$(cpu_ticks)
	echo "$out" >"$work/wrk-$name.txt"
	if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
		echo "$name: wrk saw non-2xx answers:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk -v b="$before" -v a="$after" -v t="$tck" '/ requests in / {printf "%.1f\n", (a - b) * 1e6 / t / $1}' <<<"$out" >"$work/cpu-$name.txt"
	awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}
p99() { awk '$1 == "99%" {print $2}' "$work/wrk-$1.txt"; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {printf "%.0f", v[int((NR + 1) / 2)]}'; }
median1() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)]}'; }
cpu() { cat "$work/cpu-$1.txt"; }

echo "warm-up (1s each)..." >&2
rps warm-empty "$empty_url" 1s >/dev/null
rps warm-reader "$reader_url" 1s >/dev/null
fresh
rps warm-mw "$mw_url" 1s >/dev/null

rounds=${ROUNDS:-5}
declare -a e b m ce cm
for round in $(seq 1 $rounds); do
	e[round]=$(rps "empty$round" "$empty_url" "$duration")
	b[round]=$(rps "reader$round" "$reader_url" "$duration")
	fresh
	m[round]=$(rps "mw$round" "$mw_url" "$duration")
	echo "round $round: empty ${e[round]} req/s (p99 $(p99 "empty$round"), $(cpu "empty$round") µs CPU/req), body-reading ${b[round]} req/s (p99 $(p99 "reader$round")), middleware ${m[round]} req/s (p99 $(p99 "mw$round"), $(cpu "mw$round") µs CPU/req)" >&2
	ce[round]=$(cpu "empty$round")
	cm[round]=$(cpu "mw$round")
done

# STEPS=1: the floor analysis. Each step server does the middleware's path
# up to one step (read the body into a pooled buffer; decode; verify the
# signature; every check, claim and complete in the replay store) and
# answers as the Dispatcher does; each round runs the empty handler, the
# steps and the middleware back to back.
if [ "${STEPS:-0}" = 1 ]; then
	names="empty step-read step-decode step-verify step-claim middleware"
	declare -A sr sc
	for round in $(seq 1 $rounds); do
		line="steps round $round:"
		for name in $names; do
			url=$(awk -v n="$name" '$1 == n {print $2}' "$work/out")
			[ "$name" = middleware ] && fresh
			[ "$name" = step-claim ] && fresh
			r=$(rps "$name-s$round" "$url" "$duration")
			sr[$name]="${sr[$name]:-} $r"
			sc[$name]="${sc[$name]:-} $(cpu "$name-s$round")"
			line="$line $name $r"
		done
		echo "$line" >&2
	done
fi

exec 3>&-
wait "$server_pid" || true
server_pid=
handled=$(awk '$1 == "handled" {print $2}' "$work/out")
requests=$(awk '$1 == "requests" {print $2}' "$work/out")

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
printf '%-36s %12s µs (empty) / %s µs (middleware): the middleware adds %s µs\n' "server CPU per request (median)" \
	"$(median1 "${ce[@]}")" "$(median1 "${cm[@]}")" "$(awk -v a="$(median1 "${cm[@]}")" -v b="$(median1 "${ce[@]}")" 'BEGIN {printf "%.1f", a - b}')"
printf '%-36s %12s of %s requests (the rest: duplicates acknowledged)\n' "notifications dispatched" "$handled" "$requests"

if [ "${STEPS:-0}" = 1 ]; then
	empty_med=$(median ${sr[empty]})
	empty_cpu=$(median1 ${sc[empty]})
	printf '\n%-14s %12s %10s %16s %16s\n' "step" "req/s" "of empty" "CPU µs/req" "over empty"
	for name in $names; do
		r=$(median ${sr[$name]})
		c=$(median1 ${sc[$name]})
		printf '%-14s %12s %9s%% %16s %16s\n' "$name" "$r" "$(awk -v a="$r" -v b="$empty_med" 'BEGIN {printf "%.1f", 100 * a / b}')" \
			"$c" "$(awk -v a="$c" -v b="$empty_cpu" 'BEGIN {printf "%+.1f", a - b}')"
	done
fi
