#!/usr/bin/env bash
# load-ab.sh — the fake before and after over loopback: `payfeedback mock
# --pay=false` built from git revision REV ("before") and from the working
# tree ("after"), served side by side with scripts/cannedserver (the Go
# floor), and loaded with wrk in turn, round after round (the floor, then
# before and after, their order swapped every other round so that neither
# always runs last), on payfeedback/update, custom/send and token, as scripts/load.sh
# loads them. Each run gives req/s and the server's CPU time per request
# (from /proc/PID/stat), so that runs a few seconds apart compare even while
# other processes share the machine; the table gives each one's median and
# the medians of the per-round ratios.
#
# With PROFILE=DIR, after the rounds, one more run per endpoint on each
# server while `perf record` samples it, and the share of the server's CPU
# of each function and its callees in DIR/{before,after,floor}-{update,send,token}.txt.
#
# Usage: scripts/load-ab.sh [-r 7] [-d 5s] REV     (e.g. REV=HEAD~3)
#        PROFILE=/tmp/prof scripts/load-ab.sh REV
# Needs: go, curl, wrk, Linux /proc; perf for PROFILE.
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
for tool in go curl wrk; do
	command -v "$tool" >/dev/null || { echo "load-ab.sh: $tool is required" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/before-src"
git archive "$rev" | tar -x -C "$work/before-src"
(cd "$work/before-src" && go build -o "$work/before" ./cmd/payfeedback)
go build -o "$work/after" ./cmd/payfeedback
go build -o "$work/canned" ./scripts/cannedserver

APPID=wxload00000000000
SECRET=load-secret
TOKEN_PATH="/cgi-bin/token?grant_type=client_credential&appid=$APPID&secret=$SECRET"
declare -A PORT=([before]=18090 [after]=18091 [floor]=18092) PID
for n in before after; do
	"$work/$n" mock --pay=false --addr "127.0.0.1:${PORT[$n]}" --appid "$APPID" --secret "$SECRET" \
		--paysignkey load-key --log off >"$work/$n.out" 2>&1 &
	PID[$n]=$!; pids+=($!)
done
"$work/canned" -addr "127.0.0.1:${PORT[floor]}" &
PID[floor]=$!; pids+=($!)
for n in before after floor; do
	"$work/canned" -probe "http://127.0.0.1:${PORT[$n]}$TOKEN_PATH" >/dev/null
done

# One complaint per fake, its user within the message window.
declare -A FEEDBACK
for n in before after; do
	FEEDBACK[$n]=$(curl -sf -H 'Content-Type: application/json' -d '{"openid":"oLoadUser"}' \
		"http://127.0.0.1:${PORT[$n]}/_mock/complaints" | grep -o '"feedback_id":"[0-9]*"' | grep -o '[0-9]\+')
done
token() { curl -sf "http://127.0.0.1:${PORT[$1]}$TOKEN_PATH" | grep -o '"access_token":"[^"]*"' | cut -d'"' -f4; }
cat >"$work/send.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"touser":"oLoadUser","msgtype":"text","text":{"content":"Hello from the merchant"}}'
wrk.headers["Content-Type"] = "application/json"
LUA

# url SERVER ENDPOINT: the URL load.sh loads (a fresh token for update and send).
url() {
	local base="http://127.0.0.1:${PORT[$1]}" tok=x fb=1
	if [ "$1" != floor ] && [ "$2" != token ]; then tok=$(token "$1") fb=${FEEDBACK[$1]}; fi
	case $2 in
	token) echo "$base$TOKEN_PATH" ;;
	update) echo "$base/payfeedback/update?access_token=$tok&openid=oLoadUser&feedbackid=$fb" ;;
	send) echo "$base/cgi-bin/message/custom/send?access_token=$tok" ;;
	esac
}

tck=$(getconf CLK_TCK)
# run SERVER URL SCRIPT: prints "REQ/S CPU-µs-per-request".
run() {
	local pid=${PID[$1]} b a out args=(-t2 -c32 -d"$duration")
	[ -n "$3" ] && args+=(-s "$3")
	b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	out=$(wrk "${args[@]}" "$2")
	a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	if grep -q 'Non-2xx or 3xx responses' <<<"$out"; then
		echo "load-ab.sh: $1 $2: wrk saw non-2xx answers" >&2
		exit 1
	fi
	awk -v b="$b" -v a="$a" -v t="$tck" '/ requests in / {n = $1} /^Requests\/sec:/ {r = $2}
		END {printf "%.0f %.1f\n", r, (a - b) * 1e6 / t / n}' <<<"$out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

declare -A U
summary=()
for ep in update send token; do
	script=; [ "$ep" = send ] && script=$work/send.lua
	for n in floor before after; do U[$n]=$(url "$n" "$ep"); done
	for n in floor before after; do run "$n" "${U[$n]}" "$script" >/dev/null; done # warm-up
	echo "== $ep (wrk -t2 -c32 -d$duration, rounds of floor, before, after; before and after swapped in even rounds)"
	printf "%-6s %20s %20s %20s %9s %9s %9s\n" round "floor req/s µs/req" "before req/s µs/req" \
		"after req/s µs/req" "b/floor" "a/floor" "a/b µs"
	fr=() fc=() br=() bc=() ar=() ac=() bf=() af=() abc=()
	for r in $(seq 1 "$rounds"); do
		read -r x y < <(run floor "${U[floor]}" "$script"); fr+=("$x"); fc+=("$y")
		if ((r % 2)); then
			read -r x y < <(run before "${U[before]}" "$script"); br+=("$x"); bc+=("$y")
			read -r x y < <(run after "${U[after]}" "$script"); ar+=("$x"); ac+=("$y")
		else
			read -r x y < <(run after "${U[after]}" "$script"); ar+=("$x"); ac+=("$y")
			read -r x y < <(run before "${U[before]}" "$script"); br+=("$x"); bc+=("$y")
		fi
		i=$((r - 1))
		bf+=("$(ratio "${br[i]}" "${fr[i]}")"); af+=("$(ratio "${ar[i]}" "${fr[i]}")"); abc+=("$(ratio "${ac[i]}" "${bc[i]}")")
		printf "%-6s %11s %8s %11s %8s %11s %8s %9s %9s %9s\n" "$r" "${fr[i]}" "${fc[i]}" "${br[i]}" "${bc[i]}" \
			"${ar[i]}" "${ac[i]}" "${bf[i]}" "${af[i]}" "${abc[i]}"
	done
	line=$(printf "%-7s floor %6s r/s %5s µs | before %6s r/s %5s µs | after %6s r/s %5s µs | share of the floor: before %s, after %s (medians of the rounds' ratios); after/before CPU per request %s" \
		"$ep" "$(median "${fr[@]}")" "$(median "${fc[@]}")" "$(median "${br[@]}")" "$(median "${bc[@]}")" \
		"$(median "${ar[@]}")" "$(median "${ac[@]}")" "$(median "${bf[@]}")" "$(median "${af[@]}")" "$(median "${abc[@]}")")
	echo "$line"
	summary+=("$line")
done

if [ -n "${PROFILE:-}" ]; then
	command -v perf >/dev/null || { echo "load-ab.sh: PROFILE needs perf" >&2; exit 1; }
	mkdir -p "$PROFILE"
	for ep in update send token; do
		script=; [ "$ep" = send ] && script=$work/send.lua
		for n in floor before after; do
			u=$(url "$n" "$ep")
			args=(-t2 -c32 -d"$duration"); [ -n "$script" ] && args+=(-s "$script")
			perf record -e cpu-clock -F 999 -g -p "${PID[$n]}" -o "$PROFILE/$n-$ep.data" -- sleep "$duration" >/dev/null 2>&1 &
			wrk "${args[@]}" "$u" >/dev/null
			wait $!
			perf report -i "$PROFILE/$n-$ep.data" --children --stdio -g none --percent-limit 0.3 2>/dev/null |
				grep -v '^#' | grep -v '^$' >"$PROFILE/$n-$ep.txt"
		done
	done
	echo "load-ab.sh: profiles in $PROFILE ({before,after,floor}-{update,send,token}.txt)" >&2
fi

echo
echo "before: $rev; after: the working tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', modified'))"
printf '%s\n' "${summary[@]}"
