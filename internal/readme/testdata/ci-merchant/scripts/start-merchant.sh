#!/usr/bin/env bash
# The stand-in for a merchant's start script (the workflow's "adapt: your
# service"): payfeedback's example merchant, on the account of the
# scenario the workflow gives the fake. It execs the service, so that the
# workflow's pid file holds the service's pid.
set -euo pipefail
while [ $# -gt 0 ]; do
	case $1 in
	--addr) addr=$2; shift 2 ;;
	--wechat-base-url) base=$2; shift 2 ;;
	*) echo "start-merchant.sh: unknown flag $1" >&2; exit 2 ;;
	esac
done
(cd -P .payfeedback && go build -o bin/ ./examples/merchant) # -P: the directory itself, if a link
exec .payfeedback/bin/merchant --addr "$addr" --base-url "$base" \
	--appid wx5eed000000000001 --secret 5eed5eed5eed5eed5eed5eed5eed5eed \
	--paysignkey SeedPaySignKeyForScenarioExamplesOnly0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZ
