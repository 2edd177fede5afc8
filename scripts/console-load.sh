#!/usr/bin/env bash
# console-load.sh — does an open web console slow the fake down?
#
# Starts payfeedback mock, files a complaint, and measures the req/s of
# GET /payfeedback/update with wrk (-t2 -c32) in ROUNDS rounds, each
# round without, then with, TABS clients on the event stream
# (GET /_mock/events, as console tabs hold it open): half with the
# overview's kinds (complaint, push, clock, world), half with the calls
# page's (call: every API call, forwarded up to 100 a second). Prints the
# median req/s and p99 of each, and the share.
#
# Usage: scripts/console-load.sh   (DURATION=5s ROUNDS=3 TABS=20 PORT=18090)
# Needs: go, curl, wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
TABS=${TABS:-20}
PORT=${PORT:-18090}
for tool in go curl wrk; do
	command -v "$tool" >/dev/null || { echo "console-load.sh: $tool is required" >&2; exit 1; }
done
TMP=$(mktemp -d)
PIDS=()
TABPIDS=()
cleanup() {
	for p in "${TABPIDS[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

go build -o "$TMP/pf" ./cmd/payfeedback
M=http://127.0.0.1:$PORT
"$TMP/pf" mock --addr "127.0.0.1:$PORT" --log off >"$TMP/mock.out" 2>&1 &
PIDS+=($!)
until curl -sf "$M/_mock/health" >/dev/null; do sleep 0.05; done
APPID=wxde70c0ffee5a1e00
SECRET=de70de70de70de70de70de70de70de70
ID=$(curl -sf -H 'Content-Type: application/json' "$M/_mock/complaints" -d '{"openid":"oLoadUser","goods":"physical"}' |
	sed 's/.*"feedback_id":"\([0-9]*\)".*/\1/')
TOK=$(curl -sf "$M/cgi-bin/token?grant_type=client_credential&appid=$APPID&secret=$SECRET" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
URL="$M/payfeedback/update?access_token=$TOK&openid=oLoadUser&feedbackid=$ID"
curl -sf "$URL" | grep -q '"errcode":0' || { echo "console-load.sh: update does not answer 0" >&2; exit 1; }

open_tabs() {
	for i in $(seq 1 "$TABS"); do
		kinds=complaint,push,clock,world
		if [ $((i % 2)) -eq 0 ]; then kinds=call; fi
		curl -sN "$M/_mock/events?kinds=$kinds" >/dev/null &
		TABPIDS+=($!)
	done
	sleep 0.5
}
close_tabs() {
	for p in "${TABPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${TABPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	TABPIDS=()
	sleep 0.3
}
# measure -> "req/s p99ms"
measure() {
	wrk -t2 -c32 -d"$DURATION" --latency "$URL" >"$TMP/wrk.out"
	awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {
		if (p ~ /us$/) { sub(/us$/, "", p); p = p / 1000 } else if (p ~ /ms$/) { sub(/ms$/, "", p) } else if (p ~ /s$/) { sub(/s$/, "", p); p = p * 1000 }
		printf "%.0f %.2f\n", r, p }' "$TMP/wrk.out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

wrk -t2 -c32 -d2s "$URL" >/dev/null # warm-up
: >"$TMP/without"; : >"$TMP/with"
for r in $(seq 1 "$ROUNDS"); do
	measure >>"$TMP/without"
	open_tabs
	n=$(curl -sf "$M/_mock/health" >/dev/null && echo "$TABS")
	measure >>"$TMP/with"
	close_tabs
	echo "round $r: without $(tail -1 "$TMP/without"), with $n tabs $(tail -1 "$TMP/with")" >&2
done
w0=$(cut -d' ' -f1 "$TMP/without" | median); p0=$(cut -d' ' -f2 "$TMP/without" | median)
w1=$(cut -d' ' -f1 "$TMP/with" | median); p1=$(cut -d' ' -f2 "$TMP/with" | median)
printf '%-34s %10s %8s\n' "GET /payfeedback/update" "req/s" "p99 ms"
printf '%-34s %10s %8s\n' "no console tab" "$w0" "$p0"
printf '%-34s %10s %8s\n' "$TABS tabs on /_mock/events" "$w1" "$p1"
awk -v a="$w1" -v b="$w0" 'BEGIN { printf "with the tabs: %.1f %% of the req/s without\n", 100 * a / b }'
