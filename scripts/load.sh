#!/usr/bin/env bash
# load.sh — reproduce the figures of PERFORMANCE.md §2 for mockwechat.
#
# Builds the CLI and scripts/cannedserver (the Go floor: plain net/http
# answering canned JSON), starts both on loopback, measures start-up to
# the first successful token request, runs wrk (-t2 -c32, after a warm-up)
# against token, payfeedback/update and custom/send on both, reads idle and
# peak RSS from /proc, runs the Go benchmarks for pushes, 100k complaints
# and the virtual clock, and prints a table.
#
# Usage: scripts/load.sh            (DURATION=10s WARMUP=3s by default)
#        DURATION=5s scripts/load.sh
# Needs: go, curl, wrk (installed with apt-get when missing), Linux /proc.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
MOCK_PORT=${MOCK_PORT:-18080}
CANNED_PORT=${CANNED_PORT:-18081}
BIN=${BIN:-/tmp/payfeedback-load}

if ! command -v wrk >/dev/null 2>&1; then
	echo "load.sh: installing wrk" >&2
	(apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; })
fi
for tool in go curl wrk; do
	command -v "$tool" >/dev/null || { echo "load.sh: $tool is required" >&2; exit 1; }
done

mkdir -p "$BIN"
go build -o "$BIN/pf" ./cmd/payfeedback
go build -o "$BIN/canned" ./scripts/cannedserver
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

mib() { awk -v k="$2" '$1 == k":" {printf "%.1f", $2/1024}' "/proc/$1/status"; }

# --- start both servers, timing start-up to the first good token call ---
APPID=wxload00000000000
SECRET=load-secret
MOCK=http://127.0.0.1:$MOCK_PORT
TOKEN_PATH="/cgi-bin/token?grant_type=client_credential&appid=$APPID&secret=$SECRET"
since=$(date +%s%N)
"$BIN/pf" mock --addr "127.0.0.1:$MOCK_PORT" --appid "$APPID" --secret "$SECRET" --paysignkey load-key --log off >"$TMP/mock.out" 2>&1 &
MOCK_PID=$!; PIDS+=("$MOCK_PID")
MOCK_STARTUP=$("$BIN/canned" -probe "$MOCK$TOKEN_PATH" -since "$since")

since=$(date +%s%N)
"$BIN/canned" -addr "127.0.0.1:$CANNED_PORT" &
CANNED_PID=$!; PIDS+=("$CANNED_PID")
CANNED=http://127.0.0.1:$CANNED_PORT
CANNED_STARTUP=$("$BIN/canned" -probe "$CANNED$TOKEN_PATH" -since "$since")

sleep 0.5
MOCK_IDLE=$(mib "$MOCK_PID" VmRSS)
CANNED_IDLE=$(mib "$CANNED_PID" VmRSS)

# --- world for update and send: one complaint, its user within the window ---
FEEDBACK_ID=$(curl -sf -X POST "$MOCK/_mock/complaints" -d '{"openid":"oLoadUser"}' | grep -o '"feedback_id":"[0-9]*"' | grep -o '[0-9]\+')
token() { curl -sf "$MOCK$TOKEN_PATH" | grep -o '"access_token":"[^"]*"' | cut -d'"' -f4; }

cat >"$TMP/send.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"touser":"oLoadUser","msgtype":"text","text":{"content":"Hello from the merchant"}}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo "0 0" >"$TMP/peaks"
maxf() { awk -v a="$1" -v b="$2" 'BEGIN {print (a + 0 > b + 0 ? a : b)}'; }
# note_peaks keeps the highest VmHWM seen after a run, in a file (run_wrk
# runs in a subshell).
note_peaks() {
	local m c
	read -r m c <"$TMP/peaks"
	m=$(maxf "$m" "$(mib "$MOCK_PID" VmHWM)")
	c=$(maxf "$c" "$(mib "$CANNED_PID" VmHWM)")
	echo "$m $c" >"$TMP/peaks"
}

# run_wrk URL [script] -> "req/s p99ms"
run_wrk() {
	local url=$1 script=${2:-}
	local args=(-t"$THREADS" -c"$CONNS" --latency)
	[ -n "$script" ] && args+=(-s "$script")
	# Reset the peak RSS of both servers (Linux: clear_refs 5) so that the
	# peak read after the run is the load's, not the log queries' below.
	for p in "$MOCK_PID" "$CANNED_PID"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done
	wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
	wrk "${args[@]}" -d"$DURATION" "$url" >"$TMP/wrk.out"
	note_peaks
	local rps p99
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$TMP/wrk.out")
	p99=$(awk '$1 == "99%" {v=$2; u=v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v}' "$TMP/wrk.out")
	if grep -q 'Non-2xx' "$TMP/wrk.out"; then
		echo "load.sh: non-2xx answers from $url:" >&2; grep 'Non-2xx' "$TMP/wrk.out" >&2
	fi
	echo "$rps $p99"
}

# errors_in_log ENDPOINT -> how many of the logged calls (last 10,000) did not answer errcode 0
errors_in_log() {
	local stats total ok
	stats=$(curl -sf "$MOCK/_mock/calls/stats?endpoint=$1")
	total=$(grep -o '"calls":[0-9]*' <<<"$stats" | cut -d: -f2)
	ok=$(grep -o '"0":[0-9]*' <<<"$stats" | cut -d: -f2)
	echo $((total - ${ok:-0}))
}

declare -A R
R[mock_token]=$(run_wrk "$MOCK$TOKEN_PATH"); R[mock_token_err]=$(errors_in_log /cgi-bin/token)
TOK=$(token)
R[mock_update]=$(run_wrk "$MOCK/payfeedback/update?access_token=$TOK&openid=oLoadUser&feedbackid=$FEEDBACK_ID"); R[mock_update_err]=$(errors_in_log /payfeedback/update)
TOK=$(token)
R[mock_send]=$(run_wrk "$MOCK/cgi-bin/message/custom/send?access_token=$TOK" "$TMP/send.lua"); R[mock_send_err]=$(errors_in_log /cgi-bin/message/custom/send)
R[canned_token]=$(run_wrk "$CANNED$TOKEN_PATH")
R[canned_update]=$(run_wrk "$CANNED/payfeedback/update?access_token=x&openid=oLoadUser&feedbackid=1")
R[canned_send]=$(run_wrk "$CANNED/cgi-bin/message/custom/send?access_token=x" "$TMP/send.lua")
read -r MOCK_PEAK CANNED_PEAK <"$TMP/peaks"

# --- Go benchmarks: pushes, memory of 100k complaints, virtual clock ---
BENCH=$(go test -run '^$' -bench 'PushThroughput' -benchtime 20000x ./mockwechat;
	go test -run '^$' -bench 'Complaints100k|Advance15Days' -benchtime 1x ./mockwechat)
PUSHES=$(awk '/^BenchmarkPushThroughput/ {for (i=1;i<=NF;i++) if ($i=="pushes/s") print $(i-1)}' <<<"$BENCH")
HEAP100K=$(awk '/^BenchmarkComplaints100k/ {for (i=1;i<=NF;i++) if ($i=="heap-MiB") print $(i-1)}' <<<"$BENCH")
RSS100K=$(awk '/^BenchmarkComplaints100k/ {for (i=1;i<=NF;i++) if ($i=="rss-MiB") print $(i-1)}' <<<"$BENCH")
ADVANCE=$(awk '/^BenchmarkAdvance15Days/ {printf "%.1f", $3/1e6}' <<<"$BENCH")

row() {
	local name=$1 m=(${R[mock_$2]}) c=(${R[canned_$2]})
	printf "%-22s %10s %10s %7s%% %9s %9s %7s\n" "$name" "${m[0]}" "${c[0]}" \
		"$(awk -v a="${m[0]}" -v b="${c[0]}" 'BEGIN {printf "%.0f", 100*a/b}')" "${m[1]}" "${c[1]}" "${R[mock_$2_err]}"
}
echo
echo "mockwechat vs the Go floor (wrk -t$THREADS -c$CONNS -d$DURATION after a $WARMUP warm-up, loopback)"
printf "%-22s %10s %10s %8s %9s %9s %7s\n" "endpoint" "mock r/s" "floor r/s" "ratio" "mock p99" "floor p99" "errors"
row "GET token" token
row "GET payfeedback/update" update
row "POST custom/send" send
echo "(p99 in ms; errors: logged calls of the mock not answering errcode 0; target ratio >= 60%)"
echo
printf "%-34s %10s %10s %s\n" "" "mock" "floor" "target"
printf "%-34s %10s %10s %s\n" "start-up to first token (ms)" "$MOCK_STARTUP" "$CANNED_STARTUP" "<= 50"
printf "%-34s %10s %10s %s\n" "RSS idle (MiB)" "$MOCK_IDLE" "$CANNED_IDLE" "<= 20"
printf "%-34s %10s %10s %s\n" "RSS peak under load (MiB)" "$MOCK_PEAK" "$CANNED_PEAK" "<= 64"
printf "%-34s %10s %10s %s\n" "pushes/s to a local receiver" "$PUSHES" "" ">= 5000"
printf "%-34s %10s %10s %s\n" "100k complaints: heap / RSS (MiB)" "$HEAP100K/$RSS100K" "" "RSS <= 200"
printf "%-34s %10s %10s %s\n" "advance 15 days, 10k open (ms)" "$ADVANCE" "" "<= 1000"
