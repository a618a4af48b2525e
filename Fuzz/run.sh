#!/usr/bin/env bash
# Builds the libFuzzer target (debug, -sanitize=fuzzer,address) and fuzzes the core for
# SECONDS seconds (default 60). Exits non-zero when libFuzzer finds a crash, a leak, a
# timeout or a violated invariant; the reproducer is written to Fuzz/crash-* (or leak-*,
# timeout-*). New interesting inputs go to Fuzz/corpus-work/ (git-ignored); the committed
# seed corpus is Fuzz/corpus/. Extra arguments are passed to libFuzzer.
#
#   Fuzz/run.sh 60                   # the CI-sized smoke run
#   Fuzz/run.sh 3600 -jobs=2         # a longer run on both cores
#   Fuzz/run.sh 0 crash-<sha>        # with a file argument (and 0): replay one input
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
flags=(-c debug -Xswiftc -sanitize=fuzzer,address)
swift build "${flags[@]}" --product FuzzDecoder 2>&1 | grep -v "Cannot export local symbol" || true
binary="$(swift build "${flags[@]}" --show-bin-path)/FuzzDecoder"
[ -x "$binary" ] || { echo "run.sh: build failed" >&2; exit 2; }
# Swift's interactive backtracer would hold a crashing process; let libFuzzer report instead.
export SWIFT_BACKTRACE=enable=no
if [ "$seconds" = "0" ] && [ $# -gt 0 ]; then
    exec "$binary" "$@"
fi
mkdir -p corpus-work
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -dict=json.dict -artifact_prefix=./ -print_final_stats=1 "$@" corpus-work corpus
