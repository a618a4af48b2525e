#!/usr/bin/env python3
"""Checks a live web page in headless Chromium: waits for DOM values, fails on page errors.

Drives Debian's `chromium` over the DevTools protocol (a minimal WebSocket client, Python
standard library only). Loads --url, then runs one or more steps; each step may fill inputs
and click elements, then polls the page until all of its expectations hold or --timeout
passes. Between steps it prints `step N ok` on stdout, so a caller can change the server's
data and then expect the page to show it (proof that the page is live).

It fails (exit 1) when an expectation is not met in time, on any uncaught exception or
unhandled promise rejection, on console.error/console.assert, on any browser log entry of
level error (failed loads, CSP violations), when the page requests anything from another
origin, or when the page itself does not load with HTTP 2xx. It exits 3 when chromium is
missing or does not start, 2 on bad arguments.

Expectations are `ID OP VALUE` on the trimmed text of the element with that id:
OP is one of >= <= > < == != (numeric when both sides are numbers, else `==`/`!=` compare text)
or ~= (regular expression search). A missing element never satisfies an expectation.

Example (the dashboard of a running processor):
  scripts/browser_check.py --url http://127.0.0.1:9464/ \
      --expect 'funnel-opened>=1' --expect 'events-total>0' --screenshot test-output/dashboard.png
Two steps, the second looking up a session:
  scripts/browser_check.py --url URL --expect 'funnel-opened==10' \
      --then --fill session-id=abc --click session-lookup --expect 'session-status==found'
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_BROWSER = 0, 1, 2, 3
EXPECTATION = re.compile(r"^\s*([A-Za-z0-9_.:-]+)\s*(>=|<=|==|!=|~=|>|<)\s*(.*?)\s*$")


class CheckError(Exception):
    """A failure to report; `code` is the exit status."""

    def __init__(self, message, code=EXIT_FAILED):
        super().__init__(message)
        self.code = code


# --- WebSocket (RFC 6455), client side, just enough for the DevTools protocol ---------------

class WebSocket:
    def __init__(self, host, port, path, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buffer:
            self._fill(deadline)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise CheckError(f"DevTools WebSocket upgrade refused: {lines[0]}")
        expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        if headers.get("sec-websocket-accept") != expected:
            raise CheckError("DevTools WebSocket handshake: bad Sec-WebSocket-Accept")

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise CheckError("DevTools connection closed by the browser")
        self.buffer += chunk

    def _take(self, n, deadline):
        while len(self.buffer) < n:
            self._fill(deadline)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode())

    def receive(self, deadline):
        """The next text message, or raises socket.timeout at the deadline."""
        parts = []
        while True:
            b0, b1 = self._take(2, deadline)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._take(2, deadline))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._take(8, deadline))[0]
            mask = self._take(4, deadline) if b1 & 0x80 else None
            payload = self._take(n, deadline)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                raise CheckError("DevTools connection closed by the browser")
            parts.append(payload)
            if b0 & 0x80:
                return b"".join(parts).decode("utf-8", "replace")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --- DevTools protocol ------------------------------------------------------------------------

class DevTools:
    """One browser connection; page commands go to one flattened target session."""

    def __init__(self, ws, page_origin, allowed_errors):
        self.ws = ws
        self.next_id = 0
        self.session = None
        self.page_origin = page_origin
        self.allowed_errors = allowed_errors
        self.problems = []
        self.document_status = None

    def call(self, method, params=None, timeout=30, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.ws.send_text(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = json.loads(self.ws.receive(deadline))
            except socket.timeout:
                raise CheckError(f"DevTools: no answer to {method} within {timeout} s")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CheckError(f"DevTools: {method} failed: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._event(reply)

    def pump(self, seconds):
        """Handles events arriving within `seconds` (the wait between two looks at the page)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._event(json.loads(self.ws.receive(deadline)))
            except socket.timeout:
                return

    def _problem(self, text):
        if any(re.search(p, text) for p in self.allowed_errors):
            return
        if text not in self.problems:
            self.problems.append(text)

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            description = (d.get("exception") or {}).get("description") or d.get("text", "exception")
            self._problem(f"uncaught exception: {description.splitlines()[0] if description else description}"
                          f" ({d.get('url', '')}:{d.get('lineNumber', '?')})")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args", [])
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            self._problem(f"console.{params.get('type')}: {text}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self._problem(f"browser log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme in ("http", "https", "ws", "wss") and origin(url) != self.page_origin:
                self._problem(f"request to another origin: {url}")
        elif method == "Network.responseReceived" and params.get("type") == "Document":
            self.document_status = params.get("response", {}).get("status")

    def evaluate(self, expression, await_promise=False):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise})
        if "exceptionDetails" in result:
            raise CheckError(f"evaluating in the page failed: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")


def origin(url):
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    return (parts.scheme.replace("ws", "http"), parts.hostname, port)


# --- Expectations -------------------------------------------------------------------------------

def parse_expectation(text):
    match = EXPECTATION.match(text)
    if not match:
        raise CheckError(f"bad expectation {text!r}: want ID OP VALUE, OP one of >= <= > < == != ~=", EXIT_USAGE)
    return match.groups()


def as_number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value else None


def holds(expectation, actual):
    _, op, expected = expectation
    if actual is None:
        return False
    if op == "~=":
        return re.search(expected, actual) is not None
    a, e = as_number(actual), as_number(expected)
    if a is not None and e is not None:
        return {">=": a >= e, "<=": a <= e, ">": a > e, "<": a < e, "==": a == e, "!=": a != e}[op]
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    return False


READ_TEXTS = """(() => { const out = {}; for (const id of %s) {
  const e = document.getElementById(id); out[id] = e ? e.textContent.trim() : null; }
  return JSON.stringify(out); })()"""


def run_step(devtools, number, step, timeout, poll):
    for action, target, value in step["actions"]:
        if action == "fill":
            ok = devtools.evaluate("(() => { const e = document.getElementById(%s); if (!e) return false;"
                                   " e.value = %s; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()"
                                   % (json.dumps(target), json.dumps(value)))
        else:
            ok = devtools.evaluate("(() => { const e = document.getElementById(%s); if (!e) return false;"
                                   " e.click(); return true; })()" % json.dumps(target))
        if not ok:
            raise CheckError(f"step {number}: no element #{target} to {action}")
    ids = sorted({e[0] for e in step["expect"]})
    deadline = time.monotonic() + timeout
    values = {}
    while True:
        values = json.loads(devtools.evaluate(READ_TEXTS % json.dumps(ids)) or "{}")
        unmet = [e for e in step["expect"] if not holds(e, values.get(e[0]))]
        if not unmet:
            return values
        detail = "; ".join(f"{i}{op}{v} (page shows {values.get(i)!r})" for i, op, v in unmet)
        if devtools.problems:
            raise CheckError(f"step {number}: stopped by page errors before: {detail}")
        if time.monotonic() >= deadline:
            raise CheckError(f"step {number}: not met within {timeout} s: {detail}")
        devtools.pump(poll)


# --- Chromium -----------------------------------------------------------------------------------

def find_chromium(explicit):
    candidates = [explicit] if explicit else [os.environ.get("CHROMIUM"), "chromium", "chromium-browser",
                                              "google-chrome", "google-chrome-stable"]
    for candidate in candidates:
        if candidate:
            path = shutil.which(candidate)
            if path:
                return path
    raise CheckError("chromium not found: install Debian's `chromium` package (scripts/setup does), "
                     "or pass --chromium PATH", EXIT_NO_BROWSER)


def start_chromium(binary, profile, width, height, timeout):
    log = open(os.path.join(profile, "chromium.log"), "wb")
    args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
            "--mute-audio", "--hide-scrollbars", f"--window-size={width},{height}",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            f"--user-data-dir={profile}", "about:blank"]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise CheckError(f"chromium exited with status {process.returncode} at start:\n{tail(profile)}", EXIT_NO_BROWSER)
        try:
            with open(port_file) as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].startswith("/"):
                return process, int(lines[0]), lines[1].strip()
        except FileNotFoundError:
            pass
        if time.monotonic() >= deadline:
            stop_chromium(process)
            raise CheckError(f"chromium did not open its DevTools port within {timeout} s:\n{tail(profile)}", EXIT_NO_BROWSER)
        time.sleep(0.05)  # polling for the port file, bounded by the deadline above


def tail(profile):
    try:
        with open(os.path.join(profile, "chromium.log"), "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")
    except OSError:
        return ""


def stop_chromium(process):
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def screenshot(devtools, path, width):
    metrics = devtools.call("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics.get("contentSize") or {}
    height = max(200, min(6000, int(size.get("height", 1000)) + 1))
    devtools.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1, "mobile": False})
    # Two animation frames: the page has laid out and painted at the new size.
    devtools.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
                      await_promise=True)
    data = devtools.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}).get("data", "")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))
    return os.path.getsize(path)


# --- Main ---------------------------------------------------------------------------------------

def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--url", required=True, help="the page to load")
    parser.add_argument("--expect", action="append", default=[], metavar="ID OP VALUE",
                        help="an expectation of the current step (repeatable)")
    parser.add_argument("--fill", action="append", default=[], metavar="ID=TEXT",
                        help="set an input's value at the start of the current step")
    parser.add_argument("--click", action="append", default=[], metavar="ID",
                        help="click an element at the start of the current step (after --fill)")
    parser.add_argument("--then", action="append_const", const=True, dest="steps_marker",
                        help="start the next step (prints `step N ok` when the previous one holds)")
    parser.add_argument("--timeout", type=float, action="append",
                        help="seconds a step may take (default 30); applies to its step and the later ones")
    parser.add_argument("--startup-timeout", type=float, default=60, help="seconds for chromium to start (default 60)")
    parser.add_argument("--poll", type=float, default=0.2, help="seconds between looks at the page (default 0.2)")
    parser.add_argument("--screenshot", metavar="PNG", help="save a full-page screenshot here (also on failure)")
    parser.add_argument("--width", type=int, default=1440, help="viewport width (default 1440)")
    parser.add_argument("--allow-error", action="append", default=[], metavar="REGEX",
                        help="ignore page errors matching this (e.g. an expected 404 of a lookup)")
    parser.add_argument("--chromium", help="the browser binary (default: $CHROMIUM, then chromium on PATH)")
    return parser


def split_steps(argv, default_timeout):
    """Splits argv at --then into steps of actions and expectations, in command-line order.

    A --timeout applies to the step it appears in and to the later ones."""
    steps = [{"actions": [], "expect": [], "timeout": default_timeout}]
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, _, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name == "--then":
            steps.append({"actions": [], "expect": [], "timeout": steps[-1]["timeout"]})
        elif name in ("--expect", "--fill", "--click", "--timeout"):
            if inline == "" and "=" not in arg:
                i += 1
                if i >= len(argv):
                    raise CheckError(f"{name} needs a value", EXIT_USAGE)
                value = argv[i]
            else:
                value = inline
            if name == "--timeout":
                try:
                    steps[-1]["timeout"] = float(value)
                except ValueError:
                    raise CheckError(f"--timeout wants seconds, got {value!r}", EXIT_USAGE)
            elif name == "--expect":
                steps[-1]["expect"].append(parse_expectation(value))
            elif name == "--fill":
                target, sep, text = value.partition("=")
                if not sep:
                    raise CheckError(f"--fill wants ID=TEXT, got {value!r}", EXIT_USAGE)
                steps[-1]["actions"].append(("fill", target, text))
            else:
                steps[-1]["actions"].append(("click", value, None))
        i += 1
    return steps


def main(argv):
    parser = parse_arguments(argv)
    options = parser.parse_args(argv)
    steps = split_steps(argv, 30.0)
    if not any(step["expect"] for step in steps):
        raise CheckError("nothing to check: give at least one --expect", EXIT_USAGE)
    binary = find_chromium(options.chromium)
    page_origin = origin(options.url)
    profile = tempfile.mkdtemp(prefix="browser-check-")
    process, ws = None, None
    try:
        process, port, path = start_chromium(binary, profile, options.width, 1000, options.startup_timeout)
        ws = WebSocket("127.0.0.1", port, path, timeout=options.startup_timeout)
        devtools = DevTools(ws, page_origin, options.allow_error)
        target = devtools.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        devtools.session = devtools.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                         session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            devtools.call(domain + ".enable")
        devtools.call("Emulation.setDeviceMetricsOverride", {"width": options.width, "height": 1000,
                                                             "deviceScaleFactor": 1, "mobile": False})
        navigation = devtools.call("Page.navigate", {"url": options.url})
        if navigation.get("errorText"):
            raise CheckError(f"cannot load {options.url}: {navigation['errorText']}")
        failure, values = None, {}
        try:
            for number, step in enumerate(steps, start=1):
                if not step["expect"] and not step["actions"]:
                    continue
                values.update(run_step(devtools, number, step, step["timeout"], options.poll))
                if devtools.document_status is not None and not 200 <= devtools.document_status < 300:
                    raise CheckError(f"the page answered HTTP {devtools.document_status}")
                if devtools.problems:
                    break
                if number < len(steps):
                    print(f"step {number} ok: {json.dumps(values, sort_keys=True)}", flush=True)
            devtools.pump(options.poll)  # errors raised by the last update
        except CheckError as error:
            failure = error
        saved = None
        if options.screenshot:
            try:
                saved = screenshot(devtools, options.screenshot, options.width)
            except (CheckError, OSError) as error:
                devtools.problems.append(f"screenshot failed: {error}")
        problems = ([str(failure)] if failure else []) + devtools.problems
        report = {"ok": not problems, "url": options.url, "values": values, "problems": problems}
        if saved is not None:
            report["screenshot"] = {"path": options.screenshot, "bytes": saved}
        print(json.dumps(report, sort_keys=True), flush=True)
        if problems:
            for problem in problems:
                print(f"browser_check: FAIL: {problem}", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    finally:
        if ws:
            ws.close()
        if process:
            stop_chromium(process)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(EXIT_FAILED))
    try:
        sys.exit(main(sys.argv[1:]))
    except CheckError as error:
        print(f"browser_check: FAIL: {error}", file=sys.stderr)
        sys.exit(error.code)
