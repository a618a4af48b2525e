"""deploy/systemd: systemd-analyze verify/security when available, and the unit's contract."""

from __future__ import annotations

import re
import shlex

from .context import Context, run
from .settings import ENV_TO_FLAG, MEMORY_HEADROOM, RUN_FLAGS, memory_needed, parse_binary_size, parse_duration

EXPOSURE_THRESHOLD = 25  # `systemd-analyze security` exposure x10: 2.5 and below is "OK"


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections → (key, value) pairs, repeated keys kept, continuation lines joined."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        if current is None or "=" not in line:
            raise ValueError(f"unexpected line: {raw!r}")
        key, value = line.split("=", 1)
        sections[current].append((key.strip(), value.strip()))
    return sections


def parse_env_file(text: str) -> dict[str, str]:
    values = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"line {number}: not KEY=value")
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"')
    return values


def check(ctx: Context) -> None:
    directory = ctx.deploy / "systemd"
    unit_path = directory / "callback-stream.service"
    env_path = directory / "callback-stream.env"
    unit_text = unit_path.read_text(encoding="utf-8")

    with ctx.report.check("systemd unit: systemd-analyze verify (no warnings) and security exposure") as c:
        tool = ctx.tools.systemd_analyze
        if not tool:
            c.skip("systemd-analyze is not installed here")
        else:
            # verify insists that ExecStart's binary exists: point it at a stub with the same arguments.
            stub = ctx.work / "callback-stream"
            stub.write_text("#!/bin/sh\nexit 0\n")
            stub.chmod(0o755)
            candidate = ctx.work / "callback-stream.service"
            candidate.write_text(unit_text.replace("/usr/local/bin/callback-stream", str(stub)))
            code, output = run([tool, "verify", str(candidate)])
            c.expect(code == 0 and not output, f"systemd-analyze verify:\n{output}")
            bad = ctx.work / "bad-callback-stream.service"
            bad.write_text(candidate.read_text().replace("ProtectSystem=", "ProtectSystm=", 1))
            code, output = run([tool, "verify", str(bad)])
            c.expect(code != 0 or bool(output), "negative control: verify did not report an unknown key")
            code, output = run([tool, "security", "--offline=yes", f"--threshold={EXPOSURE_THRESHOLD}", str(candidate)])
            level = re.search(r"Overall exposure level for \S+: ([0-9.]+ \S+)", output)
            c.expect(code == 0, f"exposure above {EXPOSURE_THRESHOLD / 10}: {level.group(1) if level else output[-400:]}")
            if level:
                c.note(f"exposure level {level.group(1)}")

    with ctx.report.check("systemd unit and env file: DynamicUser, restart, stop bound, memory, known variables") as c:
        unit = parse_unit(unit_text)
        service = dict(unit.get("Service", []))
        for key, expected in (("DynamicUser", "yes"), ("Restart", "on-failure"), ("KillSignal", "SIGTERM"),
                              ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict")):
            c.expect(service.get(key) == expected, f"[Service] {key}={expected} expected, found {service.get(key)}")
        c.expect("EnvironmentFile" in service, "no EnvironmentFile")
        exec_start = shlex.split(service.get("ExecStart", ""))
        c.expect(exec_start[:2] == ["/usr/local/bin/callback-stream", "run"], f"ExecStart should run `callback-stream run`: {exec_start}")
        c.expect("WantedBy" in dict(unit.get("Install", [])), "no [Install] WantedBy")

        env = parse_env_file(env_path.read_text(encoding="utf-8"))
        for key in env:
            c.expect(key in ENV_TO_FLAG or key == "KAFKA_ARGS", f"{env_path.name}: {key} is not a `run` flag variable")
        referenced = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", service.get("ExecStart", "")))
        c.expect(referenced <= set(env), f"ExecStart uses variables the env file does not define: {sorted(referenced - set(env))}")
        shutdown = parse_duration(env.get("CALLBACK_STREAM_SHUTDOWN_TIMEOUT", RUN_FLAGS["shutdown-timeout"]))
        stop = parse_duration(service.get("TimeoutStopSec", "90s"))
        c.expect(stop > shutdown, f"TimeoutStopSec {stop:g}s must exceed the shutdown timeout {shutdown:g}s")
        c.expect(stop <= shutdown + 60, f"TimeoutStopSec {stop:g}s is far above the shutdown timeout {shutdown:g}s")
        cap = int(env.get("CALLBACK_STREAM_MAX_OPEN_SESSIONS", RUN_FLAGS["max-open-sessions"]))
        if c.expect("MemoryMax" in service, "no MemoryMax"):
            c.expect(parse_binary_size(service["MemoryMax"]) >= memory_needed(cap) * MEMORY_HEADROOM,
                     f"MemoryMax {service['MemoryMax']} is below the model for {cap} open sessions x {MEMORY_HEADROOM}")
        c.note(f"stop bound {stop:g}s > shutdown {shutdown:g}s; MemoryMax {service.get('MemoryMax')} for {cap} sessions")
