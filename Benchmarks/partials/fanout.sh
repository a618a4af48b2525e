#!/usr/bin/env bash
# The cost of the partials topic's progress markers: each BINARY (e.g. two builds) consumes the
# same input in turn — `generate --interactions N --seed 1` with the generator's default spacing
# (N = 40,000: 198,619 records over ≈ 34 one-minute windows of event time) on the embedded
# broker, 128 partitions, every topic of the run (partials included) created with 128 partitions —
# and the processor's CPU time from start to 2 s after it consumed the last record is printed,
# with what it produced to the partials topic and what its merge stage published.
#
#   Benchmarks/partials/fanout.sh BINARY...      # N=100000 Benchmarks/partials/fanout.sh … for more
set -euo pipefail
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
first=$1
topics=()
for i in $(seq 1 $#); do topics+=(--topic "p$i"); done
"$first" broker --partitions 128 "${topics[@]}" >"$work/broker.out" 2>"$work/broker.err" &
until [ -s "$work/broker.out" ]; do sleep 0.1; done  # the broker prints its address when it is up
bootstrap=$(head -1 "$work/broker.out")
"$first" generate --bootstrap-servers "$bootstrap" --interactions "${N:-40000}" --seed 1 --inactivity-timeout 5s \
    --allowed-lateness 1s >/dev/null 2>"$work/generate.err"
records=$(grep -o "produced [0-9]* records" "$work/generate.err" | awk '{print $2}')
metric() { curl -s "localhost:$1/metrics" | awk -v name="$2" 'index($0, name) == 1 {s += $2} END {print s + 0}'; }
i=0
for bin in "$@"; do
    i=$((i + 1))
    port=$((20000 + RANDOM % 20000))
    "$bin" run --bootstrap-servers "$bootstrap" --group-id "fanout-$i" --metrics-port $port --inactivity-timeout 5s \
        --allowed-lateness 1s --idle-advance-after 2s --commit-interval 1s --output-topic "s$i" --stats-topic "st$i" \
        --alerts-topic "a$i" --dlq-topic "d$i" --stats-partials-topic "p$i" >"$work/run.out" 2>"$work/run.err" &
    pid=$!
    # At least: a rebalance during the run (the embedded broker's join race, README) replays records,
    # which the line below then shows as more consumed than produced.
    until [ "$(metric $port callback_stream_records_consumed_total)" -ge "$records" ]; do sleep 0.1; done
    sleep 2
    cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$pid/stat")
    echo "$bin: $records records ($(metric $port callback_stream_records_consumed_total) consumed), processor CPU ${cpu} s," \
        "partials-topic records $(metric $port 'callback_stream_records_produced_total{output="partials"')," \
        "stats records $(metric $port 'callback_stream_records_produced_total{output="stats"')," \
        "windows complete $(metric $port 'callback_stream_stats_merge_total{event="complete_window"')" \
        "/ incomplete $(metric $port 'callback_stream_stats_merge_total{event="incomplete_window"')"
    kill -TERM $pid
    wait $pid || true
done
