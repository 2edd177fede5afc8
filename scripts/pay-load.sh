#!/usr/bin/env bash
# pay-load.sh — the fake's signed Complaints 2.0 endpoints against their
# floor (the target: at least 85 % of the requests per second of a Go
# server that signs the same answer with the same key; docs/performance.md,
# section 2, "Complaints 2.0").
#
# Builds scripts/payload, starts the fake (payload -role fake: mockwechat
# with a keys directory, the per-minute limits lifted, one complaint
# filed), captures its answers to GET the complaint's detail and history, starts the
# floor (payload -role floor: plain net/http answering those bytes, signed
# anew per request with the fake's WeChat Pay key through apiv3.Signer;
# the history's bytes too),
# and runs wrk (-t2 -c32, after a warm-up) with a signed Authorization on
# GET detail and GET negotiation history of the fake and on the floor,
# back to back, ROUNDS rounds; prints each one's median req/s, p99 and
# CPU time per request. Loopback only; everything it starts, it stops.
#
# Usage: scripts/pay-load.sh             (DURATION=5s ROUNDS=3 WARMUP=3s)
#        DURATION=10s ROUNDS=5 scripts/pay-load.sh
# Needs: go, curl, wrk (installed with apt-get when missing), Linux /proc.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
FAKE_PORT=${FAKE_PORT:-18090}
FLOOR_PORT=${FLOOR_PORT:-18091}

if ! command -v wrk >/dev/null 2>&1; then
	echo "pay-load.sh: installing wrk" >&2
	(apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; })
fi
for tool in go curl wrk; do
	command -v "$tool" >/dev/null || { echo "pay-load.sh: $tool is required" >&2; exit 1; }
done

TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

go build -o "$TMP/payload" ./scripts/payload
KEYS=$TMP/keys
FAKE=http://127.0.0.1:$FAKE_PORT
FLOOR=http://127.0.0.1:$FLOOR_PORT

"$TMP/payload" -role fake -addr "127.0.0.1:$FAKE_PORT" -keys "$KEYS" >"$TMP/fake.out" &
FAKE_PID=$!; PIDS+=("$FAKE_PID")
for _ in $(seq 200); do [ -s "$TMP/fake.out" ] && break; sleep 0.05; done
ID=$(head -1 "$TMP/fake.out")
[ -n "$ID" ] || { echo "pay-load.sh: the fake did not start" >&2; exit 1; }
DETAIL=/v3/merchant-service/complaints-v2/$ID
HISTORY="$DETAIL/negotiation-historys?limit=50&offset=0"

auth() { "$TMP/payload" -role authorize -keys "$KEYS" -target "$1"; }

curl -sf -H 'Accept: application/json' -H 'User-Agent: pay-load' -H "Authorization: $(auth "$DETAIL")" "$FAKE$DETAIL" >"$TMP/detail.json"
curl -sf -H 'Accept: application/json' -H 'User-Agent: pay-load' -H "Authorization: $(auth "$HISTORY")" "$FAKE$HISTORY" >"$TMP/history.json"
"$TMP/payload" -role floor -addr "127.0.0.1:$FLOOR_PORT" -keys "$KEYS" -answer "$DETAIL=$TMP/detail.json" -answer "${HISTORY%%\?*}=$TMP/history.json" &
FLOOR_PID=$!; PIDS+=("$FLOOR_PID")
for _ in $(seq 200); do curl -sf -o /dev/null "$FLOOR$DETAIL" && break; sleep 0.05; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# wrk_once PID URL TARGET -> "req/s p99ms cpu-us/req", one measured run,
# signed anew (the fake takes a signature for five minutes).
wrk_once() {
	local pid=$1 url=$2 target=$3 before after
	local args=(-t"$THREADS" -c"$CONNS" --latency -d"$DURATION" -H 'Accept: application/json' -H 'User-Agent: pay-load' -H "Authorization: $(auth "$target")")
	before=$(cpu_ticks "$pid")
	wrk "${args[@]}" "$url$target" >"$TMP/wrk.out"
	after=$(cpu_ticks "$pid")
	if grep -q 'Non-2xx' "$TMP/wrk.out"; then
		echo "pay-load.sh: non-2xx answers from $url$target:" >&2; grep 'Non-2xx' "$TMP/wrk.out" >&2
	fi
	awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '/^Requests\/sec:/ {rps=sprintf("%.0f", $2)}
		/requests in/ {n=$1}
		$1 == "99%" {v=$2; u=v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
			if (u == "us") v /= 1000; else if (u == "s") v *= 1000; p99=sprintf("%.2f", v)}
		END {printf "%s %s %.1f\n", rps, p99, (n > 0 ? ticks / hz * 1e6 / n : 0)}' "$TMP/wrk.out"
}

# pair NAME TARGET: warm-up, then ROUNDS rounds of the fake and the floor
# back to back; prints a row of the table.
pair() {
	local name=$1 target=$2 rps p99 cpu
	local warm=(-t"$THREADS" -c"$CONNS" -d"$WARMUP" -H 'Accept: application/json' -H 'User-Agent: pay-load' -H "Authorization: $(auth "$target")")
	wrk "${warm[@]}" "$FAKE$target" >/dev/null
	wrk "${warm[@]}" "$FLOOR$target" >/dev/null
	for f in m.rps m.p99 m.cpu f.rps f.p99 f.cpu; do : >"$TMP/$f"; done
	for _ in $(seq "$ROUNDS"); do
		read -r rps p99 cpu <<<"$(wrk_once "$FAKE_PID" "$FAKE" "$target")"
		echo "$rps" >>"$TMP/m.rps"; echo "$p99" >>"$TMP/m.p99"; echo "$cpu" >>"$TMP/m.cpu"
		read -r rps p99 cpu <<<"$(wrk_once "$FLOOR_PID" "$FLOOR" "$target")"
		echo "$rps" >>"$TMP/f.rps"; echo "$p99" >>"$TMP/f.p99"; echo "$cpu" >>"$TMP/f.cpu"
	done
	echo "pay-load.sh: $name req/s, fake then floor by round: $(paste -sd' ' "$TMP/m.rps") / $(paste -sd' ' "$TMP/f.rps")" >&2
	local mr fr mc fc
	mr=$(median <"$TMP/m.rps"); fr=$(median <"$TMP/f.rps"); mc=$(median <"$TMP/m.cpu"); fc=$(median <"$TMP/f.cpu")
	printf '| %s | %s | %s | %s %% | %s / %s µs (%s %%) | %s / %s ms |\n' "$name" "$mr" "$fr" \
		"$(awk -v a="$mr" -v b="$fr" 'BEGIN {printf "%.0f", 100 * a / b}')" "$mc" "$fc" \
		"$(awk -v a="$fc" -v b="$mc" 'BEGIN {printf "%.0f", (a > 0 ? 100 * a / b : 0)}')" \
		"$(median <"$TMP/m.p99")" "$(median <"$TMP/f.p99")"
}

echo "| endpoint | fake req/s | floor req/s | share of the floor (target ≥ 85 %) | CPU per request, fake / floor | p99 fake / floor |"
echo "|---|---|---|---|---|---|"
pair "GET detail ($(wc -c <"$TMP/detail.json") bytes)" "$DETAIL"
pair "GET negotiation history ($(wc -c <"$TMP/history.json") bytes)" "$HISTORY"
