"""Collects check results and prints the summary."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass
class Result:
    """One named check: its status, what it covered and what went wrong."""

    name: str
    status: str = PASS
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Check:
    """Handle given to a running check to record problems and notes."""

    def __init__(self, result: Result):
        self._result = result

    def fail(self, message: str) -> None:
        self._result.problems.append(message)
        self._result.status = FAIL

    def expect(self, condition: bool, message: str) -> bool:
        if not condition:
            self.fail(message)
        return condition

    def warn(self, message: str) -> None:
        """Worth reading, not a failure; always printed."""
        self._result.warnings.append(message)

    def note(self, message: str) -> None:
        self._result.notes.append(message)

    def skip(self, reason: str) -> None:
        if self._result.status != FAIL:
            self._result.status = SKIP
        self._result.notes.append(reason)


class Report:
    """All results of one validation run."""

    def __init__(self, verbose: bool = False):
        self.results: list[Result] = []
        self.verbose = verbose
        self.not_checked: list[str] = []

    @contextlib.contextmanager
    def check(self, name: str):
        result = Result(name)
        self.results.append(result)
        try:
            yield Check(result)
        except Exception as error:  # a bug or an unexpected file shape is a failure, not a crash
            result.problems.append(f"check crashed: {type(error).__name__}: {error}")
            result.status = FAIL
        self._print(result)

    def _print(self, result: Result) -> None:
        marker = {PASS: "ok  ", FAIL: "FAIL", SKIP: "skip"}[result.status]
        print(f"[{marker}] {result.name}", flush=True)
        for problem in result.problems:
            print(f"         ✗ {problem}")
        for warning in result.warnings:
            print(f"         ! {warning}")
        if self.verbose or result.status != PASS:
            for note in result.notes:
                print(f"         · {note}")

    def summary(self) -> int:
        failed = [r for r in self.results if r.status == FAIL]
        skipped = [r for r in self.results if r.status == SKIP]
        passed = [r for r in self.results if r.status == PASS]
        print()
        print("=" * 78)
        print(f"validate-deploy: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
        if skipped:
            print("Skipped here:")
            for r in skipped:
                print(f"  - {r.name}: {'; '.join(r.notes) or 'no reason given'}")
        if self.not_checked:
            print("Not checked by this script (needs a Docker engine, a cluster or a live system):")
            for item in self.not_checked:
                print(f"  - {item}")
        if failed:
            print("FAILED:")
            for r in failed:
                print(f"  - {r.name}")
                for problem in r.problems:
                    print(f"      {problem}")
        print("=" * 78)
        sys.stdout.flush()
        return 1 if failed else 0
