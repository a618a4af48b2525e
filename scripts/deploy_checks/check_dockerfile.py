"""deploy/Dockerfile: hadolint, the image contract, .dockerignore, and a live HEALTHCHECK run."""

from __future__ import annotations

import fnmatch
import http.server
import json
import os
import re
import shlex
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from .context import Context, run
from .settings import METRICS_PATHS, RUN_FLAGS


@dataclass
class Instruction:
    keyword: str
    arguments: str
    line: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1].rstrip() + " "
            continue
        buffer += stripped
        keyword, _, arguments = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        buffer = ""
    if buffer:
        raise ValueError("the last instruction ends with a line continuation")
    return instructions


def check(ctx: Context) -> None:
    dockerfile = ctx.deploy / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    instructions = parse_dockerfile(text)
    _hadolint(ctx, dockerfile)
    _structure(ctx, instructions)
    _dockerignore(ctx, instructions)
    _healthcheck_runs(ctx, instructions)


def _hadolint(ctx: Context, dockerfile: Path) -> None:
    with ctx.report.check("Dockerfile: hadolint") as c:
        if not ctx.tools.hadolint:
            c.skip("hadolint is not installed")
            return
        code, output = run([ctx.tools.hadolint, "--no-color", str(dockerfile)])
        c.expect(code == 0, f"hadolint reported problems:\n{output}")
        _, version = run([ctx.tools.hadolint, "--version"])
        c.note(version)
        # Negative control: hadolint must reject a Dockerfile with known problems.
        bad = ctx.work / "Dockerfile.bad"
        bad.write_text("FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n")
        code, _ = run([ctx.tools.hadolint, "--no-color", str(bad)])
        c.expect(code != 0, "negative control: hadolint accepted `FROM debian:latest` + unpinned apt-get")


def _args(instructions, keyword):
    return [i for i in instructions if i.keyword == keyword]


def _structure(ctx: Context, instructions: list[Instruction]) -> None:
    with ctx.report.check("Dockerfile: multi-stage Swift build, slim non-root runtime, ports, entrypoint") as c:
        args = {}
        for instruction in _args(instructions, "ARG"):
            name, _, default = instruction.arguments.partition("=")
            args[name.strip()] = default.strip()

        def expand(value: str) -> str:
            return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), value)

        stages = _args(instructions, "FROM")
        c.expect(len(stages) >= 2, f"expected a multi-stage build, found {len(stages)} FROM")
        if len(stages) >= 2:
            build_image = expand(stages[0].arguments.split()[0])
            runtime_image = expand(stages[-1].arguments.split()[0])
            c.expect(re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", build_image) is not None,
                     f"build stage should be a pinned swift:6.x-bookworm image, is {build_image}")
            c.expect(runtime_image == "debian:bookworm-slim",
                     f"runtime stage should be debian:bookworm-slim (same Debian as the build), is {runtime_image}")
            c.note(f"build {build_image} → runtime {runtime_image}")
        final_stage_start = stages[-1].line if stages else 0
        runtime = [i for i in instructions if i.line >= final_stage_start]
        build = [i for i in instructions if i.line < final_stage_start]

        runs_build = " ".join(i.arguments for i in build if i.keyword == "RUN")
        c.expect("librdkafka-dev" in runs_build, "build stage does not install librdkafka-dev")
        c.expect(re.search(r"swift build\b[^&;]*-c release[^&;]*--static-swift-stdlib", runs_build) is not None,
                 "build stage does not run `swift build -c release --static-swift-stdlib`")
        runs_runtime = " ".join(i.arguments for i in runtime if i.keyword == "RUN")
        # What `readelf -d` of the static build needs (librdkafka.so.1, libcurl.so.4: FlyingFox imports
        # FoundationNetworking) and the CA bundle for TLS brokers.
        for package in ("librdkafka1", "libcurl4", "ca-certificates"):
            c.expect(re.search(rf"\b{re.escape(package)}\b", runs_runtime) is not None,
                     f"runtime stage does not install {package}")
        c.expect("--no-install-recommends" in runs_runtime, "runtime apt-get install without --no-install-recommends")

        users = [i for i in runtime if i.keyword == "USER"]
        if c.expect(bool(users), "runtime stage has no USER (runs as root)"):
            user = users[-1].arguments.split(":")[0]
            c.expect(user.isdigit() and int(user) != 0,
                     f"USER should be a numeric non-root uid (for runAsNonRoot), is {users[-1].arguments}")

        ports = {p.split("/")[0] for i in runtime if i.keyword == "EXPOSE" for p in i.arguments.split()}
        c.expect(RUN_FLAGS["metrics-port"] in ports, f"EXPOSE should include {RUN_FLAGS['metrics-port']}, has {ports}")

        entrypoints = [i for i in runtime if i.keyword == "ENTRYPOINT"]
        cmds = [i for i in runtime if i.keyword == "CMD"]
        if c.expect(bool(entrypoints), "no ENTRYPOINT"):
            c.expect(_json_form(entrypoints[-1]) == ["callback-stream"],
                     f'ENTRYPOINT should be ["callback-stream"], is {entrypoints[-1].arguments}')
        if c.expect(bool(cmds), "no CMD"):
            c.expect(_json_form(cmds[-1]) == ["run"], f'CMD should be ["run"], is {cmds[-1].arguments}')
        stops = [i for i in runtime if i.keyword == "STOPSIGNAL"]
        c.expect(not stops or stops[-1].arguments in ("SIGTERM", "15"), "STOPSIGNAL must be SIGTERM")
        c.expect(bool([i for i in runtime if i.keyword == "HEALTHCHECK"]), "no HEALTHCHECK")


def _json_form(instruction: Instruction):
    try:
        value = json.loads(instruction.arguments)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) else None


# ------------------------------------------------------------------------------ .dockerignore

def _ignore_regex(pattern: str) -> re.Pattern:
    pattern = pattern.strip().lstrip("/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                i += 1
                out = out[:-2] + "(?:.*/)?"
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.find("]", i)
            out += pattern[i:end + 1] if end != -1 else re.escape(char)
            i = end if end != -1 else i
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out.rstrip("/") + r"(?:/.*)?$")


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!pattern` re-includes."""
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        if _ignore_regex(body).match(path):
            excluded = not negate
    return excluded


def _dockerignore(ctx: Context, instructions: list[Instruction]) -> None:
    with ctx.report.check(".dockerignore: build products and VCS data out, build inputs in") as c:
        path = ctx.repo / ".dockerignore"
        if not c.expect(path.is_file(), ".dockerignore is missing at the repository root"):
            return
        patterns = [line.strip() for line in path.read_text().splitlines()
                    if line.strip() and not line.strip().startswith("#")]
        for must_exclude in (".build", ".build/release/callback-stream", ".git", ".swiftpm"):
            c.expect(dockerignore_excludes(patterns, must_exclude), f".dockerignore does not exclude {must_exclude}")
        sources = []
        for instruction in instructions:
            if instruction.keyword != "COPY" or "--from" in instruction.arguments:
                continue
            words = [w for w in shlex.split(instruction.arguments) if not w.startswith("--")]
            sources.extend(words[:-1])
        top_level = [p.name for p in ctx.repo.iterdir()]
        checked = []
        for source in sources:
            matches = [name for name in top_level if fnmatch.fnmatchcase(name, source)] if any(
                ch in source for ch in "*?[") else [source]
            optional = any(ch in source for ch in "*?[")
            if not matches and not optional:
                c.fail(f"COPY source {source} does not exist in the repository")
            for name in matches:
                checked.append(name)
                c.expect(not dockerignore_excludes(patterns, name),
                         f".dockerignore excludes {name}, which the Dockerfile copies")
                if (ctx.repo / name).is_dir():
                    for child in list((ctx.repo / name).rglob("*"))[:2000]:
                        relative = str(child.relative_to(ctx.repo))
                        if dockerignore_excludes(patterns, relative):
                            c.fail(f".dockerignore excludes {relative}, inside the copied {name}")
                            break
        c.note("copied sources checked: " + ", ".join(checked))


# ------------------------------------------------------------------------------ HEALTHCHECK

class _StubHandler(http.server.BaseHTTPRequestHandler):
    """Answers /healthz with the server's `status`, anything else with 404."""

    def do_GET(self):  # noqa: N802 (http.server naming)
        code = self.server.status if self.path == METRICS_PATHS["liveness"] else 404  # type: ignore[attr-defined]
        body = b"ok\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthcheck_runs(ctx: Context, instructions: list[Instruction]) -> None:
    with ctx.report.check("Dockerfile: HEALTHCHECK command works against a stub /healthz (200 ok, 503/closed fail)") as c:
        checks = [i for i in instructions if i.keyword == "HEALTHCHECK"]
        if not checks:
            c.fail("no HEALTHCHECK")
            return
        arguments = checks[-1].arguments
        match = re.search(r"\bCMD\s+(.*)$", arguments)
        if not c.expect(match is not None, f"HEALTHCHECK without CMD: {arguments}"):
            return
        try:
            command = json.loads(match.group(1))
        except json.JSONDecodeError as error:
            c.fail(f"HEALTHCHECK CMD is not a JSON array: {error}")
            return
        if not c.expect(isinstance(command, list) and command and command[0] in ("bash", "sh", "/bin/bash"),
                        f"expected an exec-form shell HEALTHCHECK, got {command}"):
            return
        c.note(f"HEALTHCHECK uses {command[0]} only (no curl/wget in bookworm-slim)")

        def attempt(status: int | None) -> int:
            port = _free_port()
            server = None
            if status is not None:
                server = http.server.HTTPServer(("127.0.0.1", port), _StubHandler)
                server.status = status  # type: ignore[attr-defined]
                threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                env = dict(os.environ, CALLBACK_STREAM_METRICS_PORT=str(port))
                return subprocess.run(command, env=env, capture_output=True, timeout=10).returncode
            finally:
                if server is not None:
                    server.shutdown()
                    server.server_close()

        c.expect(attempt(200) == 0, "HEALTHCHECK fails although /healthz answers 200")
        c.expect(attempt(503) != 0, "HEALTHCHECK passes although /healthz answers 503")
        c.expect(attempt(None) != 0, "HEALTHCHECK passes although nothing listens on the port")
