#!/usr/bin/env python3
"""End-to-end benchmark of `callback-stream run` against an embedded broker in a separate process.

Phases (each on a fresh `callback-stream broker`):

  throughput  1,000,000 generated events: `kcat -C -e` consume-only rate (before and after) vs the
              processor's rate on the same input in the same run; peak RSS; summaries/s; every
              summaryId checked against the generator's truth.
  latency     a generator paced at 20,000 events/s (--start-time now, 1 ms interaction spacing, so
              event time runs ~4x faster than the wall clock): latency from a `closed` event
              becoming readable on the input topic to its summary becoming readable on the
              summaries topic, both seen by independent kcat observers, split into the wait for the
              watermark and the processing after it.
  realtime    the same at the rate where event time advances like the wall clock (~5,000 events/s).
  replay      1,000,000 open sessions (one `ready` event each, 1 h inactivity timeout): the
              processor consumes them and commits, is stopped (SIGTERM) and restarted; seconds from
              the restart to /readyz 200, split into group join and replay.

Standard library only. Run through `Benchmarks/e2e/run.sh` (builds the release binary first).
Writes `results.json` and `report.md` into --out and prints the report; `e2e.py report results.json`
renders the report of an earlier run.
"""

import argparse
import bisect
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

# ---------------------------------------------------------------------------------------------
# Processes


CHILDREN = []


def kill_leftovers():
    """Kills (by pid) every child this script started that still runs, e.g. after a failure."""
    for child in CHILDREN:
        if child.exit_code is None and child.alive():
            os.kill(child.pid, signal.SIGKILL)
            child.wait(30)


def kill_leftovers_except(keep):
    for child in CHILDREN:
        if child is not keep and child.exit_code is None and child.alive():
            os.kill(child.pid, signal.SIGKILL)
            child.wait(30)


class Child:
    """A child process whose stdout/stderr go to files; stopped by its pid only."""

    def __init__(self, name, argv, out_dir, stdin=subprocess.DEVNULL):
        self.name = name
        self.argv = argv
        self.err_path = os.path.join(out_dir, f"{name}.stderr")
        self.out_path = os.path.join(out_dir, f"{name}.stdout")
        self._err = open(self.err_path, "wb")
        self._out = open(self.out_path, "wb")
        self.started = time.time()
        self.proc = subprocess.Popen(
            argv, stdin=stdin, stdout=self._out, stderr=self._err)
        self.pid = self.proc.pid
        self.rusage = None
        self.exit_code = None
        self.ended = None
        CHILDREN.append(self)

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """Waits for exit (reaping with wait4 to get the child's rusage)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.ended = time.time()
                self.rusage = rusage
                self.exit_code = os.waitstatus_to_exitcode(status)
                self.proc.returncode = self.exit_code
                self._close()
                return self.exit_code
            time.sleep(0.01)
        raise TimeoutError(f"{self.name} did not exit within {timeout} s")

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.exit_code is None and self.alive():
            os.kill(self.pid, sig)
        if self.exit_code is None:
            return self.wait(timeout)
        return self.exit_code

    def _close(self):
        self._err.close()
        self._out.close()

    def stderr_text(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def run_timed(name, argv, out_dir, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=600):
    """Runs argv to completion; returns (wall seconds, rusage, exit code)."""
    with open(os.path.join(out_dir, f"{name}.stderr"), "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=err)
        deadline = time.time() + timeout
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                wall = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                return wall, rusage, proc.returncode
            if time.time() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                raise TimeoutError(f"{name} took more than {timeout} s")
            time.sleep(0.002)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, condition, timeout, interval=0.02):
    """Polls condition() until it returns a truthy value; fails after timeout seconds."""
    deadline = time.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.time() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Machine state


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": os.uname().release}


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def cpu_jiffies():
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    return total - idle, total


def process_cpu_seconds(pid):
    """utime+stime of a live process (all threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def thread_cpu(pid):
    """CPU seconds per thread name of a live process."""
    result = {}
    tick = os.sysconf("SC_CLK_TCK")
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return result
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        # Group librdkafka broker threads: "rdk:broker1", "rdk:broker-1" ...
        key = re.sub(r"\d+$", "N", name)
        result[key] = round(result.get(key, 0.0) + seconds, 2)
    return dict(sorted(result.items(), key=lambda kv: -kv[1]))


def proc_status(pid, keys=("VmHWM", "VmRSS")):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in keys:
                    out[name] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return out


def tree_cpu_seconds(pid=None):
    """CPU seconds of this script and every process it started (live ones and reaped ones)."""
    pid = pid or os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total = sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
        children = []
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                children += [int(c) for c in f.read().split()]
    except OSError:
        return 0.0
    return total + sum(tree_cpu_seconds(c) for c in children)


class LoadWatch:
    """Machine CPU use during an interval, and how much of it this benchmark's own processes
    (broker, processor, generator, kcat, observers, this script) account for: the rest is other load."""

    def __init__(self):
        self.load_start = loadavg()
        self.busy0, self.total0 = cpu_jiffies()
        self.own0 = tree_cpu_seconds()
        self.t0 = time.time()

    def finish(self, processor_cpu_seconds):
        busy1, total1 = cpu_jiffies()
        own = tree_cpu_seconds() - self.own0
        tick = os.sysconf("SC_CLK_TCK")
        wall = time.time() - self.t0
        busy = (busy1 - self.busy0) / tick
        return {
            "loadavg_start": self.load_start,
            "loadavg_end": loadavg(),
            "wall_s": round(wall, 2),
            "machine_busy_cores": round(busy / wall, 2) if wall > 0 else None,
            "benchmark_processes_cores": round(own / wall, 2) if wall > 0 else None,
            "processor_cores": round(processor_cpu_seconds / wall, 2) if wall > 0 else None,
            "other_cores": round(max(0.0, busy - own) / wall, 2) if wall > 0 else None,
        }


# ---------------------------------------------------------------------------------------------
# Broker, processor, metrics


class Broker:
    def __init__(self, binary, out_dir, partitions, name="broker", extra=()):
        self.child = Child(name, [binary, "broker", "--partitions", str(partitions)] + list(extra), out_dir)
        self.bootstrap = wait_until("the broker's bootstrap line", self._read_bootstrap, timeout=60, interval=0.05)

    def _read_bootstrap(self):
        if not self.child.alive():
            raise RuntimeError("broker exited: " + self.child.stderr_text())
        with open(self.child.out_path) as f:
            line = f.readline()
        return line.strip() if line.endswith("\n") else None

    def stop(self):
        self.child.stop(signal.SIGTERM, timeout=30)


def parse_metrics(text):
    """Prometheus text → {(name, labels-string): value}."""
    values = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        name, _, labels = head.partition("{")
        try:
            values[(name, labels.rstrip("}"))] = float(value)
        except ValueError:
            pass
    return values


def msum(values, name, label_filter=None):
    return sum(v for (n, labels), v in values.items() if n == name and (label_filter is None or label_filter in labels))


class Processor:
    """`callback-stream run` with a fixed metrics port."""

    def __init__(self, binary, out_dir, bootstrap, settings, name):
        self.port = free_port()
        argv = [binary, "run", "--bootstrap-servers", bootstrap, "--metrics-address", "127.0.0.1",
                "--metrics-port", str(self.port)] + settings
        self.argv = argv
        self.child = Child(name, argv, out_dir)
        self.pid = self.child.pid

    def get(self, path, timeout=5):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=timeout) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            return None, ""

    def metrics(self):
        if not self.child.alive():
            raise RuntimeError(f"processor exited ({self.child.proc.returncode}): {self.child.stderr_text()[-3000:]}")
        status, body = self.get("/metrics")
        return parse_metrics(body) if status == 200 else None


class Sampler:
    """Polls /metrics; keeps every *distinct* snapshot with the time it was first seen.

    The processor publishes a snapshot every 200 ms (and at each rebalance); polling every
    `interval` s dates each publication to within `interval`.
    """

    def __init__(self, processor, interval=0.05, extra=None):
        self.processor = processor
        self.interval = interval
        self.extra = extra
        self.snapshots = []  # (first seen, values, extra())
        self._last_text = None

    def poll(self):
        values = self.processor.metrics()
        if values is None:
            return None
        key = tuple(sorted(values.items()))
        if key != self._last_text:
            self._last_text = key
            self.snapshots.append((time.time(), values, self.extra() if self.extra else None))
        return values

    def run_until(self, what, condition, timeout):
        deadline = time.time() + timeout
        while True:
            values = self.poll()
            if values is not None and condition(values):
                return values
            if time.time() > deadline:
                last = self.snapshots[-1][1] if self.snapshots else {}
                summary = {name: msum(last, name) for name in (
                    "callback_stream_records_consumed_total", "callback_stream_consumer_lag",
                    "callback_stream_open_sessions", "callback_stream_dead_letters_total")}
                summary["summaries_produced"] = msum(last, "callback_stream_records_produced_total", 'output="summaries"')
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}; last metrics: {summary}")
            time.sleep(self.interval)


# ---------------------------------------------------------------------------------------------
# kcat helpers


def kcat_offsets_check(bootstrap, topic, expected_records, out_dir, name):
    """Reads the whole topic printing partition/offset; checks every partition starts at offset 0
    and has no gap (the mock's retention deleted nothing) and the total is as expected."""
    proc = subprocess.Popen(
        ["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o\n"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(out_dir, f"{name}.stderr"), "wb"))
    first, last, count = {}, {}, {}
    for line in proc.stdout:
        p, o = line.split()
        p, o = int(p), int(o)
        if p not in first:
            first[p] = o
        last[p] = o
        count[p] = count.get(p, 0) + 1
    proc.wait()
    total = sum(count.values())
    low_nonzero = {p: o for p, o in first.items() if o != 0}
    gaps = {p: (first[p], last[p], count[p]) for p in count if last[p] - first[p] + 1 != count[p]}
    ok = not low_nonzero and not gaps and total == expected_records
    return {"ok": ok, "records": total, "expected": expected_records, "partitions": len(count),
            "low_watermark_max": max(first.values()) if first else None,
            "partitions_with_low_watermark_above_0": len(low_nonzero), "partitions_with_gaps": len(gaps),
            "max_records_per_partition": max(count.values()) if count else 0}


def kcat_consume_rate(bootstrap, topic, records, out_dir, name, broker_pid):
    """`kcat -C -e` of the whole topic: wall time of the process, and the time from the first to the
    last record it delivered (its output, one short line per record, is read here and time-stamped;
    the mock answers the final empty fetch only after fetch.wait.max.ms, which the wall time includes)."""
    broker_cpu = process_cpu_seconds(broker_pid)
    load = loadavg()
    with open(os.path.join(out_dir, f"{name}.stderr"), "wb") as err:
        start = time.time()
        proc = subprocess.Popen(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "\\n"],
                                stdout=subprocess.PIPE, stderr=err, bufsize=0)
        first = last = None
        count = first_count = 0
        # kcat's CPU per thread, sampled at every chunk of its output (65,536 records) while it is
        # alive: its main thread (the one that takes records off librdkafka's queue, as the
        # processor's poll thread does) apart from librdkafka's own threads.
        threads = {}
        while True:
            chunk = proc.stdout.read(1 << 16)
            if not chunk:
                break
            now = time.time()
            # Keep each thread's largest value: librdkafka's threads end before kcat's last output.
            for thread, seconds in thread_cpu(proc.pid).items():
                threads[thread] = max(seconds, threads.get(thread, 0.0))
            count += chunk.count(b"\n")
            if first is None:
                first, first_count = now, count
            last = now
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.time() - start
    if os.waitstatus_to_exitcode(status) != 0 or count != records:
        raise RuntimeError(f"{name}: kcat exited {os.waitstatus_to_exitcode(status)} after {count} of {records} records")
    streaming = (count - first_count) / (last - first)
    return {"wall_s": round(wall, 3), "wall_events_per_s": round(records / wall),
            "first_to_last_record_s": round(last - first, 3), "events_per_s": round(streaming),
            "cpu_s": round(rusage.ru_utime + rusage.ru_stime, 2), "threads_cpu_s": threads,
            "broker_cpu_s": round(process_cpu_seconds(broker_pid) - broker_cpu, 2), "peak_rss_bytes": rusage.ru_maxrss * 1024,
            "loadavg_1m_before": load[0]}


def kcat_summary_ids(bootstrap, topic, out_dir, name):
    """Every summaryId on the summaries topic (from the record header `summaryId`)."""
    proc = subprocess.run(
        ["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%h\n"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(out_dir, f"{name}.stderr"), "wb"), check=True)
    ids = []
    for line in proc.stdout.decode().splitlines():
        for pair in line.split(","):
            key, _, value = pair.partition("=")
            if key == "summaryId":
                ids.append(value)
    return ids


def compare_ids(found, truth_files):
    expected = set()
    for path in truth_files:
        with open(path) as f:
            truth = json.load(f)
        for s in truth["expectedSessions"]:
            if s["outcome"] != "notOpened":
                expected.add(s["summaryId"])
    found_set = set(found)
    return {"ok": found_set == expected, "expected": len(expected), "records": len(found), "distinct": len(found_set),
            "duplicates": len(found) - len(found_set), "missing": len(expected - found_set),
            "unexpected": len(found_set - expected)}


def read_truth_counts(path):
    """publishedSessions/records of a truth file without keeping its session list."""
    with open(path) as f:
        truth = json.load(f)
    return {k: truth[k] for k in ("records", "publishedSessions", "sessions", "interactions")} | {
        "closeReasons": truth["closeReasons"]}


def generate(binary, bootstrap, out_dir, name, interactions, seed, timing, extra=()):
    truth = os.path.join(out_dir, f"{name}.truth.json")
    argv = [binary, "generate", "--bootstrap-servers", bootstrap, "--interactions", str(interactions),
            "--seed", str(seed), "--inactivity-timeout", timing["inactivity"], "--allowed-lateness", timing["lateness"],
            "--truth", truth, "--truth-sessions"] + list(extra)
    return argv, truth


# ---------------------------------------------------------------------------------------------
# Phase 1: throughput


def output_topics(variant):
    """Output topics of a processor variant: the defaults for the first, prefixed ones after."""
    if variant == 0:
        return {}
    prefix = f"v{variant}"
    return {"output-topic": f"{prefix}.summaries", "dlq-topic": f"{prefix}.dlq", "stats-topic": f"{prefix}.stats",
            "alerts-topic": f"{prefix}.alerts"}


def processor_arguments(properties):
    """A variant's properties as processor arguments: `--flag=value` as is, `key=value` after -X
    (`binary=PATH` chooses the variant's binary and is no argument)."""
    return sum(([p] if p.startswith("--") else ["-X", p] for p in properties if not p.startswith("binary=")), [])


def variant_binary(args, properties):
    """The binary a variant runs: `binary=PATH` among its properties (e.g. the previous commit's
    build, to compare two builds in one run), else `--binary`."""
    return next((p[len("binary="):] for p in properties if p.startswith("binary=")), args.binary)


def parse_variants(texts):
    """`NAME` or `NAME:key=value,--flag=value,…` → [(name, [librdkafka properties and processor flags])]."""
    variants = []
    for text in texts:
        name, _, props = text.partition(":")
        variants.append((name, [p for p in props.split(",") if p]))
    return variants


def run_processor_on_input(args, out, broker, records, truth_path, published, index, name, properties):
    """One processor run over the whole input: rates, CPU, memory, truth check."""
    topics = output_topics(index)
    settings = ["--group-id", f"bench-throughput-{index}", "--inactivity-timeout", args.inactivity_timeout,
                "--allowed-lateness", args.allowed_lateness, "--idle-advance-after", args.idle_advance_after,
                "--commit-interval", "1s"] + sum(([f"--{k}", v] for k, v in topics.items()), []) + sum(
                    (["-X", x] for x in args.processor_x), []) + processor_arguments(properties)
    processor = Processor(variant_binary(args, properties), out, broker.bootstrap, settings, f"tp-processor-{index}")
    watch = LoadWatch()
    sampler = Sampler(processor, extra=lambda: (process_cpu_seconds(processor.pid),
                                                process_cpu_seconds(broker.child.pid), thread_cpu(processor.pid)))
    spawned = time.time()
    sampler.run_until("all input consumed",
                      lambda v: msum(v, "callback_stream_records_consumed_total") >= records, args.timeout)
    sampler.run_until(
        "every summary delivered and lag 0",
        lambda v: msum(v, "callback_stream_records_produced_total", 'output="summaries"') >= published
        and msum(v, "callback_stream_consumer_lag") == 0, args.timeout)
    t_done = time.time()
    # The produced count includes replays: after a rebalance that lost partitions (the embedded
    # broker's join race, README) it reaches `published` before every distinct summary is out. Then
    # wait on, each time for more to be produced, until every expected summaryId is on the topic.
    summaries_topic = topics.get("output-topic", "callback.summaries")
    check = compare_ids(kcat_summary_ids(broker.bootstrap, summaries_topic, out, f"tp-summaries-{index}"), [truth_path])
    while check["missing"] and check["duplicates"]:
        produced = msum(sampler.snapshots[-1][1], "callback_stream_records_produced_total", 'output="summaries"')
        log(f"processor {name}: {check['missing']} summaries still missing after {check['duplicates']} replays; waiting")
        sampler.run_until("the summaries still missing after replays", lambda v: msum(
            v, "callback_stream_records_produced_total", 'output="summaries"') > produced, args.timeout)
        t_done = time.time()
        check = compare_ids(kcat_summary_ids(broker.bootstrap, summaries_topic, out, f"tp-summaries-{index}"),
                            [truth_path])
    status = proc_status(processor.pid)
    final = sampler.snapshots[-1][1]
    cpu_total = process_cpu_seconds(processor.pid)
    load = watch.finish(cpu_total)
    stop_start = time.time()
    code = processor.child.stop(signal.SIGTERM, timeout=60)
    shutdown_s = time.time() - stop_start

    snaps = [(t, msum(v, "callback_stream_records_consumed_total"),
              msum(v, "callback_stream_records_produced_total", 'output="summaries"'),
              msum(v, "callback_stream_open_sessions"), x) for t, v, x in sampler.snapshots]
    first = next(s for s in snaps if s[1] > 0)
    last = next(s for s in snaps if s[1] >= records)
    duration = last[0] - first[0]
    # The rate between the first snapshot with records and the last one before all were consumed:
    # both counts are exact at their publication, which polling dates to within its interval.
    inside = [s for s in snaps if 0 < s[1] < records]
    between = (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0]) if len(inside) >= 2 else records / duration
    # CPU between the first and the last snapshot of the consuming phase (records consumed in between).
    window_records = last[1] - first[1]
    proc_cpu = last[4][0] - first[4][0]
    broker_cpu = last[4][1] - first[4][1]
    threads = {k: round(v - first[4][2].get(k, 0.0), 2) for k, v in last[4][2].items()}
    max_open = max(s[3] for s in snaps)
    result = {
        "name": name,
        "librdkafka": properties,
        "argv": processor.argv[1:],
        "group_join_s": round(first[0] - spawned, 2),
        "first_to_last_record_s": round(duration, 3),
        "events_per_s": round(between),
        "first_to_all_consumed_events_per_s": round(records / duration),
        "summaries_delivered_while_consuming": int(last[2]),
        "summaries_per_s": round(last[2] / duration),
        "processor_cores_while_consuming": round(proc_cpu / (last[0] - first[0]), 2),
        "all_summaries_delivered_after_last_record_s": round(t_done - last[0], 2),
        "cpu_s_total": round(cpu_total, 2),
        "cpu_us_per_event_while_consuming": round(proc_cpu / window_records * 1e6, 2),
        "broker_cpu_us_per_event_while_consuming": round(broker_cpu / window_records * 1e6, 2),
        "threads_cpu_us_per_event_while_consuming": {k: round(v / window_records * 1e6, 2)
                                                     for k, v in threads.items() if v > 0},
        "consumed_progress": [(round(t - first[0], 2), int(c)) for t, c, *_ in snaps if first[0] <= t <= last[0]],
        "peak_rss_bytes": status.get("VmHWM"),
        "max_open_sessions": int(max_open),
        "rss_goal_bytes": int(300 * max_open + 100e6),
        "dead_letters": int(msum(final, "callback_stream_dead_letters_total")),
        "consumer_lag": int(msum(final, "callback_stream_consumer_lag")),
        "exit_code": code,
        "shutdown_s": round(shutdown_s, 2),
        "truth_check": check,
        "load": load,
    }
    log(f"processor {name}: " + json.dumps({k: v for k, v in result.items() if k not in ("argv", "consumed_progress")}))
    return result


def phase_throughput(args, out):
    timing = {"inactivity": args.inactivity_timeout, "lateness": args.allowed_lateness}
    variants = parse_variants(args.variant)
    result = {"settings": {"interactions": args.interactions, "seed": args.seed, "partitions": args.partitions,
                           "interaction_spacing": args.spacing, **timing, "idle_advance_after": args.idle_advance_after,
                           "generator_librdkafka": args.generator_x}}
    extra_topics = sum((["--topic", f"{t}"] for i in range(1, len(variants)) for t in output_topics(i).values()), [])
    broker = Broker(args.binary, out, args.partitions, "tp-broker", extra_topics)
    try:
        gen_argv, truth_path = generate(args.binary, broker.bootstrap, out, "tp-generate", args.interactions, args.seed,
                                        timing, extra=["--interaction-spacing", args.spacing]
                                        + sum((["-X", x] for x in args.generator_x), []))
        wall, _, code = run_timed("tp-generate", gen_argv, out)
        if code != 0:
            raise RuntimeError("generate failed")
        truth = read_truth_counts(truth_path)
        records = truth["records"]
        result["generate"] = {"argv": gen_argv[1:], "wall_s": round(wall, 2), "records": records,
                              "published_sessions": truth["publishedSessions"], "sessions": truth["sessions"],
                              "close_reasons": truth["closeReasons"]}
        log(f"generated {records} records ({truth['publishedSessions']} published sessions) in {wall:.1f} s")

        result["retention_check"] = kcat_offsets_check(broker.bootstrap, "callback.lifecycle", records, out, "tp-offsets")
        log(f"retention check: {result['retention_check']}")
        if not result["retention_check"]["ok"]:
            raise RuntimeError("the broker does not hold the whole input: use more partitions")
        # kcat's fixed cost (metadata, 128 partition starts, EOF on each) on an empty 128-partition topic.
        empty_wall, _, _ = run_timed("tp-kcat-empty", ["kcat", "-b", broker.bootstrap, "-C", "-t", "callback.alerts",
                                                       "-o", "beginning", "-e", "-q"], out)
        result["kcat_empty_topic_wall_s"] = round(empty_wall, 3)

        kcat_before, kcat_after, runs = [], [], []
        for i in range(args.kcat_runs):
            kcat_before.append(kcat_consume_rate(broker.bootstrap, "callback.lifecycle", records, out,
                                                 f"tp-kcat-before-{i}", broker.child.pid))
            log(f"kcat before #{i}: {kcat_before[-1]}")
        for index, (name, properties) in enumerate(variants):
            try:
                runs.append(run_processor_on_input(args, out, broker, records, truth_path, truth["publishedSessions"],
                                                   index, name, properties))
            except (TimeoutError, RuntimeError) as error:
                log(f"processor {name} failed: {error}")
                runs.append({"name": name, "librdkafka": properties, "error": str(error), "events_per_s": 0})
                kill_leftovers_except(broker.child)
        for i in range(args.kcat_runs):
            kcat_after.append(kcat_consume_rate(broker.bootstrap, "callback.lifecycle", records, out,
                                                f"tp-kcat-after-{i}", broker.child.pid))
            log(f"kcat after #{i}: {kcat_after[-1]}")
        kcat_all = kcat_before + kcat_after
        for r in kcat_all:
            r["broker_cpu_us_per_event"] = round(r["broker_cpu_s"] / records * 1e6, 2)
            r["kcat_cpu_us_per_event"] = round(r["cpu_s"] / records * 1e6, 2)
            r["kcat_threads_cpu_us_per_event"] = {k: round(v / records * 1e6, 2) for k, v in r["threads_cpu_s"].items() if v > 0}
        kcat_best = max(r["events_per_s"] for r in kcat_all)
        kcat_median = statistics.median(r["events_per_s"] for r in kcat_all)
        for run in runs:
            run["ratio_to_best_kcat"] = round(run["events_per_s"] / kcat_best, 3)
            run["ratio_to_median_kcat"] = round(run["events_per_s"] / kcat_median, 3)
        result["kcat"] = {"before": kcat_before, "after": kcat_after, "best_events_per_s": kcat_best,
                          "median_events_per_s": round(kcat_median)}
        result["processor"] = runs
    finally:
        kill_leftovers_except(broker.child)
        broker.stop()
    return result


# ---------------------------------------------------------------------------------------------
# Phase 2: latency


class Observer:
    """A separate process (`e2e.py observe`) that reads a topic with kcat and stamps each record
    with the wall time it arrived; it appends what it keeps to a file as tab-separated lines.

    Separate processes (not threads) so that one observer's parsing never delays the other's
    time stamps. Records are separated by \x1e and fields by \x1f (neither occurs in the values).
    """

    def __init__(self, bootstrap, topic, kind, out_dir, name):
        self.path = os.path.join(out_dir, f"{name}.tsv")
        self.child = Child(name, [sys.executable, os.path.abspath(__file__), "observe", kind, bootstrap, topic, self.path],
                           out_dir)

    def count(self):
        try:
            with open(self.path, "rb") as f:
                return f.read().count(b"\n")
        except OSError:
            return 0

    def stop(self):
        self.child.stop(signal.SIGTERM, timeout=60)

    def items(self):
        with open(self.path) as f:
            for line in f:
                yield line.rstrip("\n").split("\t")


def observe(kind, bootstrap, topic, path):
    """Entry point of an observer process (see ``Observer``)."""
    fmt = "%p\x1f%o\x1f%k\x1f%s\x1e" if kind == "input" else "%T\x1f%s\x1e"
    kcat = subprocess.Popen(
        ["kcat", "-b", bootstrap, "-C", "-u", "-q", "-t", topic, "-o", "beginning", "-f", fmt, "-X", "fetch.wait.max.ms=10"],
        stdout=subprocess.PIPE, bufsize=0)
    signal.signal(signal.SIGTERM, lambda *_: kcat.terminate())
    keep = keep_input if kind == "input" else keep_summary
    buffer = b""
    with open(path, "w") as out:
        while True:
            chunk = kcat.stdout.read(1 << 20)
            if not chunk:
                break
            now = time.time()
            buffer += chunk
            *complete, buffer = buffer.split(b"\x1e")
            lines = []
            for record in complete:
                item = keep(record, now)
                if item is not None:
                    lines.append("\t".join(str(x) for x in item) + "\n")
            out.write("".join(lines))
            out.flush()
    kcat.wait()


CLOSED = re.compile(rb'"event"\s*:\s*"(?:Callback\.)?closed"')
TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*(\d+)')


def keep_input(record, now):
    partition, offset, key, value = record.split(b"\x1f", 3)
    ts = TIMESTAMP.search(value)
    closed = CLOSED.search(value) is not None
    return (int(partition), int(offset), int(ts.group(1)) if ts else -1, f"{now:.6f}", key.decode() if closed else "")


def keep_summary(record, now):
    produced, _, value = record.partition(b"\x1f")
    try:
        summary = json.loads(value)
    except ValueError:
        return None
    return (summary.get("interactionId"), summary.get("closeReason"), summary.get("timestamps", {}).get("closed", -1),
            int(produced), f"{now:.6f}", summary.get("summaryId"))


def percentiles(values):
    if not values:
        return {}
    values = sorted(values)

    def q(p):
        return values[min(len(values) - 1, int(p * len(values)))]

    return {"n": len(values), "p50": q(0.50), "p90": q(0.90), "p99": q(0.99), "max": values[-1],
            "mean": round(statistics.mean(values), 1)}


def latency_samples(input_items, summary_items, lateness_ms, since, until_event_ms):
    """Matches each `closed` record with its summary and with the record that moved its partition's
    watermark (max event time − allowed lateness) to the closed timestamp — the earliest moment the
    processor may close the session.

    Returns per-sample components in ms (observer arrival times, so all on one clock):
    total = summary visible − closed visible; wait = trigger visible − closed visible;
    processing = summary visible − trigger visible; produce = summary CreateTime − trigger visible.
    """
    by_partition = {}
    for p, o, ts, seen, key in input_items:
        by_partition.setdefault(int(p), []).append((int(o), int(ts), float(seen), key or None))
    closed_at = {}  # (interaction, closed ts) → (closed seen, trigger seen or None)
    for p, records in by_partition.items():
        records.sort()
        prefix_max, running = [], -1
        for _, ts, _, _ in records:
            running = max(running, ts)
            prefix_max.append(running)
        for j, (_, ts, seen, key) in enumerate(records):
            if key is None or ts < 0:
                continue
            k = bisect.bisect_left(prefix_max, ts + lateness_ms, lo=j)
            closed_at[(key, ts)] = (seen, records[k][2] if k < len(records) else None)
    samples = {"total": [], "wait": [], "processing": [], "produce": [], "deliver": [], "event_time": []}
    unmatched = untriggered = 0
    for interaction, reason, closed_ts, produced_ms, seen, _ in summary_items:
        if reason != "closed":
            continue
        closed_ts, produced_ms, seen = int(closed_ts), int(produced_ms), float(seen)
        entry = closed_at.get((interaction, closed_ts))
        if entry is None:
            unmatched += 1
            continue
        closed_seen, trigger_seen = entry
        if closed_seen < since or closed_ts > until_event_ms:
            continue
        samples["total"].append(round((seen - closed_seen) * 1000, 1))
        samples["event_time"].append(round(seen * 1000 - closed_ts, 1))
        samples["deliver"].append(round(seen * 1000 - produced_ms, 1))
        if trigger_seen is None:
            untriggered += 1  # closed by idle advancement after the input ended
            continue
        samples["wait"].append(round((trigger_seen - closed_seen) * 1000, 1))
        samples["processing"].append(round((seen - trigger_seen) * 1000, 1))
        samples["produce"].append(round(produced_ms - trigger_seen * 1000, 1))
    # Negative processing = the summary was seen before the input observer saw the trigger: the two
    # observers fetch independently (each waits up to 10 ms for data), so this is their jitter.
    negative = sum(1 for v in samples["processing"] if v < 0)
    return {name: percentiles(values) for name, values in samples.items()} | {
        "unmatched": unmatched, "closed_by_idle_advance": untriggered,
        "negative_processing_share": round(negative / len(samples["processing"]), 4) if samples["processing"] else None}


def phase_latency(args, out, records_per_interaction, rate, name):
    """One paced generator at `rate` events/s (1 ms interaction spacing, --start-time now)."""
    timing = {"inactivity": args.inactivity_timeout, "lateness": args.allowed_lateness}
    interactions = int(args.latency_seconds * rate / records_per_interaction)
    lateness_ms = int(re.fullmatch(r"(\d+)(ms|s)", args.allowed_lateness).group(1)) * (
        1 if args.allowed_lateness.endswith("ms") else 1000)
    result = {"settings": {"rate": rate, "interactions": interactions, "interaction_spacing": "1ms",
                           "event_time_per_wall_second": round(rate / records_per_interaction / 1000, 2), **timing,
                           "idle_advance_after": args.idle_advance_after, "partitions": args.partitions}}
    broker = Broker(args.binary, out, args.partitions, f"{name}-broker")
    observers = []
    try:
        settings = ["--group-id", "bench-latency", "--inactivity-timeout", args.inactivity_timeout,
                    "--allowed-lateness", args.allowed_lateness, "--idle-advance-after", args.idle_advance_after,
                    "--commit-interval", "1s"] + sum((["-X", x] for x in args.processor_x + args.latency_x), [])
        result["processor_argv"] = ["run", "--bootstrap-servers", "…"] + settings
        processor = Processor(args.binary, out, broker.bootstrap, settings, f"{name}-processor")
        wait_until("the processor to be ready", lambda: processor.get("/readyz")[0] == 200, timeout=60)
        inputs = Observer(broker.bootstrap, "callback.lifecycle", "input", out, f"{name}-observe-input")
        summaries = Observer(broker.bootstrap, "callback.summaries", "summaries", out, f"{name}-observe-summaries")
        observers = [inputs, summaries]
        watch = LoadWatch()
        start = time.time()
        argv, truth = generate(args.binary, broker.bootstrap, out, f"{name}-generate", interactions, args.seed + 100,
                               timing, extra=["--interaction-spacing", "1ms", "--rate", str(rate), "--start-time", "now"])
        gen = Child(f"{name}-generate", argv, out)
        if gen.wait(args.latency_seconds * 4 + 120) != 0:
            raise RuntimeError(f"generate failed: {gen.stderr_text()[-2000:]}")
        generated_s = time.time() - start
        counts = read_truth_counts(truth)
        with open(truth) as f:
            t = json.load(f)
        first_event_ms, span_ms = t["startTimeMs"], t["spanMs"]
        del t
        published = counts["publishedSessions"]
        sampler = Sampler(processor, interval=0.1)
        sampler.run_until("every summary delivered",
                          lambda v: msum(v, "callback_stream_records_produced_total", 'output="summaries"') >= published,
                          args.timeout)
        wait_until("the observer to see every summary", lambda: summaries.count() >= published, timeout=60,
                   interval=0.1)
        final = sampler.snapshots[-1][1]
        status = proc_status(processor.pid)
        cpu = process_cpu_seconds(processor.pid)
        load = watch.finish(cpu)
        processor.child.stop(signal.SIGTERM, timeout=60)
        for o in observers:
            o.stop()
        # Only closed events of the steady part: after the warm-up, and of interactions that started
        # within the planned span (the generator's tail is sparse in event time and races through).
        samples = latency_samples(inputs.items(), list(summaries.items()), lateness_ms, start + args.latency_warmup,
                                  first_event_ms + span_ms)
        check = compare_ids([s[5] for s in summaries.items()], [truth])
        result.update({
            "generator_argv": argv[1:],
            "generator_wall_s": round(generated_s, 2),
            "records": counts["records"],
            "events_per_s": round(counts["records"] / generated_s),
            "published_sessions": published,
            "dead_letters": int(msum(final, "callback_stream_dead_letters_total")),
            "latency_ms": samples,
            "peak_rss_bytes": status.get("VmHWM"),
            "processor_cpu_cores": round(cpu / (time.time() - start), 3),
            "truth_check": check,
            "load": load,
        })
        log(f"latency {name}: {json.dumps(result)}")
    finally:
        kill_leftovers_except(broker.child)
        broker.stop()
    return result


# ---------------------------------------------------------------------------------------------
# Phase 3: replay of ~1,000,000 open sessions

TENANTS = ["acme", "globex", "initech", "umbrella", "hooli"]
PAGES = ["/support", "/help/faq", "/contact", "/billing", "/account"]
DEPLOYMENTS = ["prod-us-1", "prod-us-2", "prod-eu-1", "prod-ap-1"]


def uuid_like(n, salt):
    x = (n * 0x9E3779B97F4A7C15 + salt) & 0xFFFFFFFFFFFFFFFF
    y = (x ^ (x >> 31)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
    h = f"{x:016x}{y:016x}"
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def write_first_events(path, count, start_ms):
    """One `ready` event per interaction, shaped like the generator's (metadata block, 3 attributes)."""
    with open(path, "w") as f:
        for i in range(count):
            iid = uuid_like(i, 0x5EED)
            value = (
                '{"metadata":{"autoSubmitted":false,"cancelled":false,"closed":false,"completed":false,'
                '"elapsed":false,"errors":false,"form":false,"opened":false,"prefilled":%s,"proactive":%s,'
                '"started":false},"attributes":{"tenant":"%s","deployment":"%s","page":"%s"},'
                '"timestamp":%d,"event":"ready","interactionId":"%s","eventId":"%s"}'
                % ("true" if i % 3 == 0 else "false", "true" if i % 5 == 0 else "false", TENANTS[i % 5],
                   DEPLOYMENTS[i % 4], PAGES[(i // 7) % 5], start_ms + i, iid, uuid_like(i, 0xE7E7)))
            f.write(iid + "\t" + value + "\n")


def restart_until_ready(args, out, broker, settings, count, index, name, properties):
    """Starts a processor on the committed state; measures the time to /readyz 200."""
    watch = LoadWatch()
    processor = Processor(args.binary, out, broker.bootstrap, settings + processor_arguments(properties),
                          f"rp-restart-{index}")
    spawned = time.time()
    assigned_at = ready_at = None
    deadline = spawned + args.timeout
    while ready_at is None:
        status, _ = processor.get("/readyz", timeout=2)
        now = time.time()
        if status == 200:
            ready_at = now
            break
        if assigned_at is None and status is not None:
            values = processor.metrics()
            if values and msum(values, "callback_stream_replaying_partitions") > 0:
                assigned_at = time.time()
        if now > deadline or not processor.child.alive():
            raise RuntimeError("restarted processor did not become ready: " + processor.child.stderr_text()[-2000:])
        time.sleep(0.02)
    values = processor.metrics()
    status = proc_status(processor.pid)
    cpu = process_cpu_seconds(processor.pid)
    load = watch.finish(cpu)
    processor.child.stop(signal.SIGTERM, timeout=120)
    result = {
        "name": name,
        "librdkafka": properties,
        "ready_s": round(ready_at - spawned, 2),
        "assigned_s": round(assigned_at - spawned, 2) if assigned_at else None,
        "replay_s": round(ready_at - assigned_at, 2) if assigned_at else None,
        "replay_events_per_s": round(count / (ready_at - assigned_at)) if assigned_at else None,
        "replayed_records": int(msum(values, "callback_stream_replayed_records_total")),
        "open_sessions_after": int(msum(values, "callback_stream_open_sessions")),
        "summaries_published": int(msum(values, "callback_stream_records_produced_total", 'output="summaries"')),
        "peak_rss_bytes": status.get("VmHWM"),
        "rss_at_ready_bytes": status.get("VmRSS"),
        "rss_goal_bytes": int(300 * count + 100e6),
        "cpu_s": round(cpu, 2),
        "load": load,
    }
    log(f"restart {name}: {json.dumps(result)}")
    return result


def phase_replay(args, out):
    count = args.replay_sessions
    result = {"settings": {"open_sessions": count, "inactivity_timeout": "1h", "partitions": args.partitions}}
    broker = Broker(args.binary, out, args.partitions, "rp-broker")
    try:
        path = os.path.join(out, "rp-first-events.tsv")
        write_first_events(path, count, 1767225600000)
        with open(path, "rb") as f:
            wall, _, code = run_timed("rp-produce", ["kcat", "-b", broker.bootstrap, "-P", "-t", "callback.lifecycle",
                                                     "-K\t", "-X", "linger.ms=1000"], out, stdin=f)
        if code != 0:
            raise RuntimeError("kcat -P failed")
        result["produce_wall_s"] = round(wall, 2)
        result["input_bytes"] = os.path.getsize(path)
        os.remove(path)
        result["retention_check"] = kcat_offsets_check(broker.bootstrap, "callback.lifecycle", count, out, "rp-offsets")
        log(f"replay input: {result['retention_check']}")
        if not result["retention_check"]["ok"]:
            raise RuntimeError("the broker does not hold the whole replay input")
        # session.timeout.ms: when the last member leaves, the mock keeps the group rebalancing for
        # session.timeout.ms − 1 s before a new member is admitted (44 s with librdkafka's default 45 s).
        # The default 4000 makes that 3 s, the first-join delay of a real broker
        # (group.initial.rebalance.delay.ms = 3 s) that a restarted instance meets there.
        settings = ["--group-id", "bench-replay", "--inactivity-timeout", "1h", "--allowed-lateness",
                    args.allowed_lateness, "--idle-advance-after", args.idle_advance_after, "--commit-interval", "1s",
                    "--max-open-sessions", str(2 * count), "-X", f"session.timeout.ms={args.replay_session_timeout_ms}",
                    "-X", "heartbeat.interval.ms=500"] + sum((["-X", x] for x in args.processor_x), [])
        result["processor_argv"] = ["run", "--bootstrap-servers", "…"] + settings

        # Memory of a processor with no session (joined, nothing to consume) on a 128-partition topic.
        idle = Processor(args.binary, out, broker.bootstrap,
                         ["--group-id", "bench-idle", "--input-topic", "callback.stats", "--stats-topic", "idle.stats"],
                         "rp-idle")
        wait_until("the idle processor to be ready", lambda: idle.get("/readyz")[0] == 200, timeout=60)
        result["idle_processor_rss_bytes"] = proc_status(idle.pid).get("VmRSS")
        idle.child.stop(signal.SIGTERM, timeout=60)

        # First run: open every session, let it commit, stop it cleanly.
        first = Processor(args.binary, out, broker.bootstrap, settings, "rp-processor-1")
        sampler = Sampler(first, interval=0.05)
        spawned = time.time()
        sampler.run_until("all sessions open",
                          lambda v: msum(v, "callback_stream_open_sessions") >= count
                          and msum(v, "callback_stream_records_consumed_total") >= count, args.timeout)
        loaded = time.time()
        snaps = [(t, msum(v, "callback_stream_records_consumed_total")) for t, v, _ in sampler.snapshots]
        t_first = next(t for t, c in snaps if c > 0)
        t_last = next(t for t, c in snaps if c >= count)
        commits_then = msum(sampler.snapshots[-1][1], "callback_stream_commit_latency_seconds_count")
        sampler.run_until("a commit after loading",
                          lambda v: msum(v, "callback_stream_commit_latency_seconds_count") > commits_then, 30)
        status1 = proc_status(first.pid)
        code1 = first.child.stop(signal.SIGTERM, timeout=120)
        result["first_run"] = {
            "group_join_s": round(t_first - spawned, 2),
            "load_s": round(t_last - t_first, 2),
            "events_per_s": round(count / (t_last - t_first)),
            "ready_after_spawn_s": round(loaded - spawned, 2),
            "peak_rss_bytes": status1.get("VmHWM"),
            "rss_after_commit_bytes": status1.get("VmRSS"),
            "rss_goal_bytes": int(300 * count + 100e6),
            "exit_code": code1,
        }
        log(f"replay first run: {result['first_run']}")

        # Restarts (one per variant): time to /readyz 200.
        result["restarts"] = []
        for index, (name, properties) in enumerate(parse_variants(args.variant)):
            result["restarts"].append(restart_until_ready(args, out, broker, settings, count, index, name, properties))
    finally:
        kill_leftovers_except(broker.child)
        broker.stop()
    return result


# ---------------------------------------------------------------------------------------------


def mb(value):
    return f"{value / 1e6:.0f} MB" if value else "?"


def render_report(results):
    """The key numbers of results.json as Markdown (what BENCHMARKS.md quotes)."""
    lines = []
    m = results["machine"]
    lines.append(f"Run {results['started']} on nproc={m['nproc']}, {m['cpu_model']}")
    t = results.get("throughput")
    if t:
        k = t["kcat"]
        g = t["generate"]
        lines += ["", f"Input: {g['records']:,} records, {g['published_sessions']:,} published sessions "
                  f"(generator -X {' '.join(t['settings']['generator_librdkafka']) or '(defaults)'}); "
                  f"retention check ok={t['retention_check']['ok']}", ""]
        lines.append("| run | events/s | × best kcat | × median kcat | summaries/s | CPU µs/event (poll thread) "
                     "| peak RSS | max open | other load (cores) |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for r in k["before"] + k["after"]:
            lines.append(f"| kcat -C -e (wall {r['wall_s']} s = {r['wall_events_per_s']:,}/s) | {r['events_per_s']:,} "
                         f"| | | | {r['kcat_cpu_us_per_event']} (main thread {r['kcat_threads_cpu_us_per_event'].get('kcat', '?')}) "
                         f"| {mb(r['peak_rss_bytes'])} | | load1 {r['loadavg_1m_before']} |")
        for r in t["processor"]:
            if "error" in r:
                lines.append(f"| processor {r['name']} | failed: {r['error'][:80]} |")
                continue
            # The poll thread is "callback-stream-poll" (15 characters kept: "callback-stream"); stream
            # threads are "cbs-poll-0", "cbs-poll-1", … (grouped as "cbs-poll-N": all of them together).
            threads = r["threads_cpu_us_per_event_while_consuming"]
            poll = threads.get("callback-stream", threads.get("cbs-poll-N", "?"))
            lines.append(
                f"| processor {r['name']} | {r['events_per_s']:,} | {r['ratio_to_best_kcat']:.2f} | "
                f"{r['ratio_to_median_kcat']:.2f} | {r['summaries_per_s']:,} | {r['cpu_us_per_event_while_consuming']} "
                f"({poll}) | {mb(r['peak_rss_bytes'])} | {r['max_open_sessions']:,} | {r['load']['other_cores']} |")
        for r in t["processor"]:
            if "truth_check" in r:
                c = r["truth_check"]
                lines.append(f"- {r['name']}: truth {'equal' if c['ok'] else 'DIFFERENT'} ({c['distinct']:,} of "
                             f"{c['expected']:,} summaryIds, {c['duplicates']} duplicates, {c['missing']} missing, "
                             f"{c['unexpected']} unexpected); all summaries delivered "
                             f"{r['all_summaries_delivered_after_last_record_s']} s after the last record; "
                             f"join {r['group_join_s']} s")
    for key in ("latency", "latency_realtime"):
        l = results.get(key)
        if not l:
            continue
        lm = l["latency_ms"]
        lines += ["", f"Latency ({key}): {l['events_per_s']:,} events/s for {l['generator_wall_s']} s, event time "
                  f"{l['settings']['event_time_per_wall_second']}× wall time; truth ok={l['truth_check']['ok']}; "
                  f"other load {l['load']['other_cores']} cores; peak RSS {mb(l['peak_rss_bytes'])}; "
                  f"summary seen before its trigger (observer jitter): {lm.get('negative_processing_share')}", ""]
        lines.append("| ms | n | p50 | p90 | p99 | max |")
        lines.append("|---|---|---|---|---|---|")
        for name in ("total", "wait", "processing", "produce", "deliver"):
            v = lm.get(name) or {}
            if v:
                lines.append(f"| {name} | {v['n']:,} | {v['p50']} | {v['p90']} | {v['p99']} | {v['max']} |")
    rp = results.get("replay")
    if rp:
        f = rp["first_run"]
        lines += ["", f"Replay: {rp['settings']['open_sessions']:,} open sessions; idle processor RSS "
                  f"{mb(rp['idle_processor_rss_bytes'])}; first run loads them at {f['events_per_s']:,} events/s, "
                  f"peak RSS {mb(f['peak_rss_bytes'])} (goal {mb(f['rss_goal_bytes'])})", ""]
        lines.append("| restart | ready (s) | join (s) | replay (s) | replay events/s | open after | published "
                     "| peak RSS | other load |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for r in rp["restarts"]:
            lines.append(f"| {r['name']} | {r['ready_s']} | {r['assigned_s']} | {r['replay_s']} | "
                         f"{r['replay_events_per_s']:,} | {r['open_sessions_after']:,} | {r['summaries_published']} | "
                         f"{mb(r['peak_rss_bytes'])} | {r['load']['other_cores']} |")
    return "\n".join(lines) + "\n"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "observe":
        observe(*sys.argv[2:])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "report":
        with open(sys.argv[2]) as f:
            sys.stdout.write(render_report(json.load(f)))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/callback-stream")
    parser.add_argument("--out", default=None, help="output directory (default: a new /tmp/callback-stream-e2e-*)")
    parser.add_argument("--phases", default="throughput,latency,realtime,replay")
    parser.add_argument("--partitions", type=int, default=128)
    parser.add_argument("--interactions", type=int, default=201_650,
                        help="interactions for the throughput phase (201,650 give ≈ 1,000,000 records with seed 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spacing", default="1ms", help="--interaction-spacing of the throughput input")
    parser.add_argument("--inactivity-timeout", default="5s")
    parser.add_argument("--allowed-lateness", default="1s")
    parser.add_argument("--idle-advance-after", default="2s")
    parser.add_argument("--generator-x", action="append", default=None,
                        help="librdkafka property for the generator of the throughput input (repeatable; default "
                             "linger.ms=1000: ~1 MB batches, because the mock broker returns one batch per partition "
                             "per fetch; 'none' for the generator's own settings)")
    parser.add_argument("--variant", action="append", default=None,
                        help="processor run over the throughput input, NAME or NAME:key=value,--flag=value,… with "
                             "librdkafka properties and processor flags, and binary=PATH for another build "
                             "(repeatable; default: 'default' (--stream-threads auto) and 'stream-threads-1:--stream-threads=1')")
    parser.add_argument("--kcat-runs", type=int, default=2, help="kcat reference runs before and after the processor")
    parser.add_argument("--latency-rate", type=float, default=20_000)
    parser.add_argument("--latency-seconds", type=int, default=30)
    parser.add_argument("--latency-warmup", type=float, default=5.0, help="ignore closed events seen earlier (s)")
    parser.add_argument("--latency-x", action="append", default=None,
                        help="librdkafka property for the processor in the latency phases only (repeatable; default "
                             "fetch.wait.max.ms=10: the mock broker answers a fetch that finds no data only after "
                             "fetch.wait.max.ms even when data arrives meanwhile)")
    parser.add_argument("--replay-sessions", type=int, default=1_000_000)
    parser.add_argument("--replay-session-timeout-ms", type=int, default=4000,
                        help="session.timeout.ms of the replay runs (the mock admits a member after this − 1 s)")
    parser.add_argument("--timeout", type=float, default=300, help="deadline of each wait (s)")
    parser.add_argument("-X", dest="processor_x", action="append", default=[],
                        help="librdkafka property for the processor (repeatable)")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    if args.generator_x is None:
        args.generator_x = ["linger.ms=1000"]
    elif args.generator_x == ["none"]:
        args.generator_x = []
    if args.variant is None:
        args.variant = ["default", "stream-threads-1:--stream-threads=1"]
    if args.latency_x is None:
        args.latency_x = ["fetch.wait.max.ms=10"]
    elif args.latency_x == ["none"]:
        args.latency_x = []
    out = args.out or f"/tmp/callback-stream-e2e-{time.strftime('%Y%m%d-%H%M%S')}"
    os.makedirs(out, exist_ok=True)
    phases = args.phases.split(",")
    results = {"machine": machine(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "argv": sys.argv[1:]}
    log(f"output in {out}; machine {results['machine']}; load {loadavg()}")
    rpi = 4.96
    try:
        if "throughput" in phases:
            results["throughput"] = phase_throughput(args, out)
            rpi = results["throughput"]["generate"]["records"] / args.interactions
        if "latency" in phases:
            results["latency"] = phase_latency(args, out, rpi, args.latency_rate, "lat")
        if "realtime" in phases:
            results["latency_realtime"] = phase_latency(args, out, rpi, round(rpi * 1000), "rt")
        if "replay" in phases:
            results["replay"] = phase_replay(args, out)
    finally:
        kill_leftovers()
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    report = render_report(results)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(report)
    print(report)


if __name__ == "__main__":
    main()
