"""Shared state of one validation run: paths, tools, the metric catalog and parsed files."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .metrics_catalog import MetricsCatalog, Scrape
from .report import Report


@dataclass
class Tools:
    """External programs; None when not available on this machine."""

    promtool: str | None = None
    hadolint: str | None = None
    compose: list[str] | None = None  # e.g. ["docker", "compose"] or ["docker-compose"]
    compose_flavour: str = ""
    systemd_analyze: str | None = None


@dataclass
class Context:
    """Everything the checks share."""

    repo: Path
    report: Report
    tools: Tools
    work: Path  # a private temporary directory
    catalog: MetricsCatalog | None = None
    scrape: Scrape | None = None
    facts: dict = field(default_factory=dict)

    @property
    def deploy(self) -> Path:
        return self.repo / "deploy"

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.repo))
        except ValueError:
            return str(path)

    def allowed_series(self) -> tuple[set[str], str]:
        """Series names deployment files may reference, and where that list comes from."""
        from .settings import PROMETHEUS_SYNTHETIC

        if self.scrape is not None:
            names = self.scrape.catalog.series_names()
            source = f"the scrape {self.scrape.catalog.source}"
            if self.catalog is not None:
                names &= self.catalog.series_names()
                source += " and docs/metrics.md"
        elif self.catalog is not None:
            names = self.catalog.series_names()
            source = "docs/metrics.md"
        else:
            names, source = set(), "nothing (docs/metrics.md unreadable)"
        return names | PROMETHEUS_SYNTHETIC, source


def run(command: list[str], cwd: Path | None = None, timeout: float = 60, input_text: str | None = None):
    """Runs a command; returns (exit code, stdout + stderr)."""
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                               input=input_text)
    return completed.returncode, (completed.stdout + completed.stderr).strip()
