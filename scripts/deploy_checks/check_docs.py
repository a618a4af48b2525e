"""docs/operations.md exists, covers the topics issue 9 asks for, and its file references exist."""

from __future__ import annotations

import re

from .context import Context

REQUIRED_SECTIONS = ("sizing", "upgrade", "rollback", "security", "delivery", "troubleshooting")


def check(ctx: Context) -> None:
    with ctx.report.check("docs/operations.md: required sections, referenced files exist") as c:
        path = ctx.repo / "docs" / "operations.md"
        if not c.expect(path.is_file(), "docs/operations.md is missing"):
            return
        text = path.read_text(encoding="utf-8")
        headings = " ".join(line.lower() for line in text.splitlines() if line.startswith("#"))
        for section in REQUIRED_SECTIONS:
            c.expect(section in headings, f"no heading about {section}")
        referenced = set(re.findall(r"`((?:deploy|scripts|docs)/[A-Za-z0-9_./-]+)`", text))
        referenced |= set(re.findall(r"\]\(((?:\.\./)?(?:deploy|scripts|docs)/[A-Za-z0-9_./-]+)\)", text))
        for reference in sorted(referenced):
            target = (ctx.repo / "docs" / reference).resolve() if reference.startswith("../") else ctx.repo / reference
            c.expect(target.exists(), f"refers to {reference}, which does not exist")
        allowed, _ = ctx.allowed_series()
        for name in sorted(set(re.findall(r"\bcallback_stream_[a-z0-9_]+", text))):
            c.expect(name in allowed or (ctx.catalog and ctx.catalog.family_of(name)),
                     f"mentions metric {name}, which docs/metrics.md does not list")
        c.note(f"{len(referenced)} file references checked")
