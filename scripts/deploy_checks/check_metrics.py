"""The metric catalog: docs/metrics.md, and a live scrape when given (--metrics-file)."""

from __future__ import annotations

from pathlib import Path

from .context import Context
from .metrics_catalog import from_metrics_doc, from_scrape


def check(ctx: Context, metrics_file: Path | None) -> None:
    with ctx.report.check("docs/metrics.md: metric catalog parses") as c:
        ctx.catalog = from_metrics_doc(ctx.repo / "docs" / "metrics.md")
        for name, kind in ctx.catalog.families.items():
            c.expect(name.startswith("callback_stream_"), f"{name}: missing the callback_stream_ prefix")
            if kind == "counter":
                c.expect(name.endswith("_total"), f"{name}: counters end in _total")
            c.expect(not name.endswith(("_bucket", "_sum", "_count")) or kind != "histogram",
                     f"{name}: list histograms by their base name")
        counts = {}
        for kind in ctx.catalog.families.values():
            counts[kind] = counts.get(kind, 0) + 1
        c.note(f"{len(ctx.catalog.families)} metrics: " + ", ".join(f"{v} {k}s" for k, v in sorted(counts.items())))

    if metrics_file is None:
        return
    with ctx.report.check(f"live scrape {metrics_file}: matches docs/metrics.md") as c:
        ctx.scrape = from_scrape(metrics_file)
        scraped = ctx.scrape.catalog.families
        documented = ctx.catalog.families if ctx.catalog else {}
        ours = {name for name in scraped if name.startswith("callback_stream_")}
        undocumented = sorted(ours - set(documented))
        c.expect(not undocumented, f"exported but not in docs/metrics.md: {undocumented}")
        for name, kind in documented.items():
            if name not in scraped:
                c.warn(f"{name} is documented but absent from the scrape")
            elif scraped[name] != kind:
                c.fail(f"{name}: docs say {kind}, the scrape says {scraped[name]}")
        c.note(f"{len(ours)} callback_stream_* families in the scrape, {len(ctx.scrape.sampled)} series names with samples")
