#!/usr/bin/env bash
# End-to-end benchmark of callback-stream against an embedded broker (see BENCHMARKS.md, "End to end").
#
#   Benchmarks/e2e/run.sh                       # build (release) and run every phase
#   Benchmarks/e2e/run.sh --phases throughput   # one or more of throughput,latency,realtime,replay
#   SKIP_BUILD=1 Benchmarks/e2e/run.sh ...      # use the existing .build-static/release binary
#
# The processor is built as the container image builds it (deploy/Dockerfile): with the Swift
# runtime and Foundation linked statically (BENCHMARKS.md, "the shipped build"). A separate build
# path, since switching `--static-swift-stdlib` on and off in one rebuilds everything.
#
# Needs kcat and python3 (standard library only). Results: results.json in the --out directory
# (default /tmp/callback-stream-e2e-<time>); progress on stderr, the JSON on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kcat >/dev/null || { echo "kcat is missing (scripts/setup installs it)" >&2; exit 1; }
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    swift build -c release --static-swift-stdlib --build-path .build-static --product callback-stream >&2
fi
exec python3 Benchmarks/e2e/e2e.py --binary .build-static/release/callback-stream "$@"
