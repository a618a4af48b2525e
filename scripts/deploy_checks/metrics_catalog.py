"""The metric names the deployment may reference: from docs/metrics.md or a live /metrics scrape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
SUMMARY_SUFFIXES = ("_sum", "_count")


@dataclass
class MetricsCatalog:
    """Metric families (name → type) and the series names they expose."""

    source: str
    families: dict[str, str]

    def series_names(self) -> set[str]:
        names: set[str] = set()
        for name, kind in self.families.items():
            if kind == "histogram":
                names.update(name + suffix for suffix in HISTOGRAM_SUFFIXES)
            elif kind == "summary":
                names.add(name)
                names.update(name + suffix for suffix in SUMMARY_SUFFIXES)
            else:
                names.add(name)
        return names

    def family_of(self, series: str) -> str | None:
        if series in self.families:
            return series
        for suffix in HISTOGRAM_SUFFIXES:
            if series.endswith(suffix) and series[: -len(suffix)] in self.families:
                return series[: -len(suffix)]
        return None


_ROW = re.compile(r"^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|\s*([a-z]+)\s*\|")
_TYPES = {"counter", "gauge", "histogram", "summary"}


def from_metrics_doc(path: Path) -> MetricsCatalog:
    """Parses the table rows `| `name` | type | labels | meaning |` of docs/metrics.md."""
    families: dict[str, str] = {}
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _ROW.match(line)
        if not match:
            continue
        name, kind = match.groups()
        if kind not in _TYPES:
            raise ValueError(f"{path}:{line_number}: unknown metric type {kind!r} for {name}")
        if name in families:
            raise ValueError(f"{path}:{line_number}: {name} listed twice")
        families[name] = kind
    if not families:
        raise ValueError(f"{path}: no metric table rows found")
    return MetricsCatalog(source=str(path), families=families)


_TYPE_LINE = re.compile(r"^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(\w+)\s*$")
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+\S+")


@dataclass
class Scrape:
    """A Prometheus text-format scrape: declared families and the series that have samples."""

    catalog: MetricsCatalog
    sampled: set[str]


def from_scrape(path: Path) -> Scrape:
    """Parses the Prometheus text exposition format (as served at GET /metrics)."""
    families: dict[str, str] = {}
    sampled: set[str] = set()
    for line_number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _TYPE_LINE.match(line)
            if match:
                families[match.group(1)] = match.group(2)
            continue
        match = _SAMPLE.match(line)
        if not match:
            raise ValueError(f"{path}:{line_number}: not a sample line: {raw[:80]!r}")
        sampled.add(match.group(1))
    # Samples of families without a TYPE line are untyped.
    catalog = MetricsCatalog(source=str(path), families=families)
    for name in sampled:
        if catalog.family_of(name) is None and name not in families:
            families[name] = "untyped"
    if not families:
        raise ValueError(f"{path}: no metrics found")
    return Scrape(catalog=catalog, sampled=sampled)
