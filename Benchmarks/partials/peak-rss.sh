#!/usr/bin/env bash
# Peak RSS of the processor catching up on spread-out traffic: the embedded broker with 128
# partitions, `generate --interactions 201650 --seed 1` with the generator's default spacing and
# producer settings (small batches; GENERATOR_X="-X linger.ms=1000" for the e2e input's large
# ones), then `run --stream-threads T` for each T given until every record is consumed; prints
# VmHWM 3 s after that.
#
#   BINARY=/tmp/cs-new Benchmarks/partials/peak-rss.sh 2 1
set -euo pipefail
bin=${BINARY:?set BINARY to a callback-stream build}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" broker --partitions 128 >"$work/broker.out" 2>"$work/broker.err" &
until [ -s "$work/broker.out" ]; do sleep 0.1; done  # the broker prints its address when it is up
bootstrap=$(head -1 "$work/broker.out")
# shellcheck disable=SC2086  # GENERATOR_X is a list of arguments
"$bin" generate --bootstrap-servers "$bootstrap" --interactions 201650 --seed 1 --inactivity-timeout 5s \
    --allowed-lateness 1s ${GENERATOR_X:-} >/dev/null 2>"$work/generate.err"
records=$(grep -o "produced [0-9]* records" "$work/generate.err" | awk '{print $2}')
for threads in "$@"; do
    port=$((20000 + RANDOM % 20000))
    "$bin" run --bootstrap-servers "$bootstrap" --group-id "rss-$threads" --stream-threads "$threads" --metrics-port $port \
        --inactivity-timeout 5s --allowed-lateness 1s --idle-advance-after 2s --commit-interval 1s \
        >"$work/run.out" 2>"$work/run.err" &
    pid=$!
    # At least: a rebalance during the run (the embedded broker's join race, README) replays records,
    # which the line below then shows as more consumed than produced.
    until [ "$(curl -s "localhost:$port/metrics" | awk '/^callback_stream_records_consumed_total/ {s += $2} END {print s + 0}')" -ge "$records" ]; do
        sleep 0.2
    done
    sleep 3
    consumed=$(curl -s "localhost:$port/metrics" | awk '/^callback_stream_records_consumed_total/ {s += $2} END {print s + 0}')
    echo "--stream-threads $threads: $records records ($consumed consumed), peak RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
    kill -TERM $pid
    wait $pid || true
done
