#!/usr/bin/env bash
# End-to-end benchmark of callback-stream against an embedded broker (see BENCHMARKS.md, "End to end").
#
#   Benchmarks/e2e/run.sh                       # build (release) and run every phase
#   Benchmarks/e2e/run.sh --phases throughput   # one or more of throughput,latency,realtime,replay
#   SKIP_BUILD=1 Benchmarks/e2e/run.sh ...      # use the existing .build/release binary
#
# Needs kcat and python3 (standard library only). Results: results.json in the --out directory
# (default /tmp/callback-stream-e2e-<time>); progress on stderr, the JSON on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kcat >/dev/null || { echo "kcat is missing (scripts/setup installs it)" >&2; exit 1; }
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    swift build -c release --product callback-stream >&2
fi
exec python3 Benchmarks/e2e/e2e.py --binary .build/release/callback-stream "$@"
