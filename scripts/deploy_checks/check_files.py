"""Every YAML and JSON file under deploy/ parses (duplicate keys are errors)."""

from __future__ import annotations

from .context import Context
from .loading import load_json, load_yaml_documents


def check(ctx: Context) -> None:
    with ctx.report.check("deploy/: every YAML and JSON file parses, no duplicate keys") as c:
        files = sorted(p for p in ctx.deploy.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        c.expect(bool(files), "no YAML/JSON files found under deploy/")
        parsed = {}
        for path in files:
            try:
                parsed[path] = load_json(path) if path.suffix == ".json" else load_yaml_documents(path)
            except Exception as error:
                c.fail(f"{ctx.rel(path)}: {error}")
        c.note(f"{len(files)} files: " + ", ".join(ctx.rel(p) for p in files))
        ctx.facts["parsed_files"] = parsed
