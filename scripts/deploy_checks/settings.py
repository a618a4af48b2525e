"""What the deployment files must agree with: the processor's CLI and sizing assumptions.

Source: the `callback-stream run` specification (flags and defaults) and docs/operations.md.
Update this file when the CLI changes; the checks then flag every deployment file that
disagrees.
"""

from __future__ import annotations

import re

# `callback-stream run` long flags → default (None: required, no default, or computed from others).
# Every setting of Sources/CallbackStreamService/Configuration/Setting.swift, plus --config; the
# self-test fails when the two lists drift apart (a deploy file could not use a new flag, or
# would be accepted with one that no longer exists).
RUN_FLAGS: dict[str, str | None] = {
    "bootstrap-servers": None,
    "group-id": "callback-stream",
    "instance-id": None,
    "input-topic": "callback.lifecycle",
    "output-topic": "callback.summaries",
    "dlq-topic": "callback.lifecycle.dlq",
    "stats-topic": "callback.stats",
    "alerts-topic": "callback.alerts",
    "inactivity-timeout": "30m",
    "allowed-lateness": "5s",
    "idle-advance-after": "10s",
    "window": "1m",
    "max-clock-skew": "5m",
    "max-session-duration": "1h",
    "stats-partials-topic": "callback.stats.partials",
    "stats-merge-timeout": None,
    "alert-threshold": "0.2",
    "alert-min-volume": "20",
    "max-open-sessions": "1000000",
    "max-remembered-sessions": None,
    "max-record-bytes": "65536",
    "metrics-address": "0.0.0.0",
    "metrics-port": "9464",
    "log-format": "text",
    "log-level": "info",
    "shutdown-timeout": "30s",
    "commit-interval": "1s",
    "include-form-values": "false",
    "wake-fetcher": "true",
    "stream-threads": "auto",
    "publish-not-opened": "false",
    "config": None,
}

# Flags of the CLI itself, not of Setting.swift's table.
CLI_ONLY_FLAGS = {"config"}

TOPIC_FLAGS = ("input-topic", "output-topic", "dlq-topic", "stats-topic", "alerts-topic", "stats-partials-topic")

# Where the processor declares its settings (one declaration per setting, see Setting.swift).
SETTING_DECLARATIONS = "Sources/CallbackStreamService/Configuration/Setting.swift"
_DECLARATION = re.compile(r'^\s*(?:text|optionalText|duration|ratio|integer|threadCount|choice|boolean)\(\s*"([a-z0-9-]+)"\s*,', re.M)


def declared_settings(text: str) -> set[str]:
    """The flag names declared in Setting.swift's `all` table."""
    return set(_DECLARATION.findall(text))


def commit_lag_bound_seconds(settings: dict[str, str | None]) -> float:
    """max-session-duration + max(inactivity-timeout, 2 x window + allowed-lateness), in seconds:
    how far the committed offset may stay behind the watermark in event time (README)."""
    return parse_duration(settings["max-session-duration"]) + max(
        parse_duration(settings["inactivity-timeout"]),
        2 * parse_duration(settings["window"]) + parse_duration(settings["allowed-lateness"]))


ENV_PREFIX = "CALLBACK_STREAM_"


def env_name(flag: str) -> str:
    return ENV_PREFIX + flag.upper().replace("-", "_")


ENV_TO_FLAG = {env_name(flag): flag for flag in RUN_FLAGS}

# Memory model (to be confirmed by benchmarks): bytes per open session and the base footprint.
BYTES_PER_SESSION = 300
BASE_BYTES = 100 * 1000 * 1000
# A memory limit must leave at least this factor above the model at the open-session cap.
MEMORY_HEADROOM = 1.25

METRICS_PATHS = {"liveness": "/healthz", "readiness": "/readyz", "metrics": "/metrics"}

# Prometheus' own series that rules may use besides the exported metrics.
PROMETHEUS_SYNTHETIC = {"up"}

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|s|m|h|d|w)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `30s`, `1m30s`, `45s`, `1500ms`, or a bare number of seconds."""
    text = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    position, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            raise ValueError(f"not a duration: {text!r}")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(text) or position == 0:
        raise ValueError(f"not a duration: {text!r}")
    return total


_QUANTITY = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}
_BINARY = {"": 1, "b": 1, "B": 1, "k": 1024, "K": 1024, "m": 1024**2, "M": 1024**2, "g": 1024**3, "G": 1024**3,
           "t": 1024**4, "T": 1024**4}


def parse_binary_size(text: str) -> float:
    """Bytes in a docker/compose (`512m`) or systemd (`640M`) size: k/m/g/t are powers of 1024."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([bBkKmMgGtT]?)", str(text).strip())
    if not match:
        raise ValueError(f"not a size: {text!r}")
    return float(match.group(1)) * _BINARY[match.group(2)]


def parse_kubernetes_quantity(text: str) -> float:
    """Bytes in a Kubernetes memory quantity: decimal k/M/G/T or binary Ki/Mi/Gi/Ti."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?", str(text).strip())
    if not match:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    return float(match.group(1)) * _QUANTITY[match.group(2) or ""]


def memory_needed(max_open_sessions: int) -> float:
    """Bytes the memory model predicts at the open-session cap."""
    return max_open_sessions * BYTES_PER_SESSION + BASE_BYTES
