"""deploy/grafana: dashboard structure, PromQL syntax, metrics used, required views, provisioning."""

from __future__ import annotations

import re

import yaml

from .context import Context, run
from .loading import load_json, load_yaml
from .promql import grafana_variable_query_metrics, metric_names, substitute_grafana_variables

PANEL_TYPES = {"row", "timeseries", "stat", "bargauge", "gauge", "table", "text", "barchart", "piechart",
               "heatmap", "state-timeline", "histogram"}
BUILTIN_VARIABLES = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms",
                     "__from", "__to", "__dashboard", "__org", "__user", "__name", "__all"}

# The views issue 9 asks for: (description, predicate over one panel's expressions).
REQUIRED_VIEWS = [
    ("outcomes per minute", lambda e: "callback_stream_summaries_total" in e and re.search(r"by \(outcome\)", e)),
    ("error ratio with the alert threshold", lambda e: "callback_stream_window_error_ratio" in e and "callback_stream_alert_threshold" in e),
    ("p95 elapsed time", lambda e: "callback_stream_window_elapsed_ms" in e and 'quantile="0.95"' in e),
    ("open sessions", lambda e: "callback_stream_open_sessions" in e),
    ("consumer lag", lambda e: "callback_stream_consumer_lag" in e),
    ("dead letters by code", lambda e: "callback_stream_dead_letters_total" in e and re.search(r"by \(code\)", e)),
    ("throughput", lambda e: re.search(r"rate\(callback_stream_records_(consumed|produced)_total", e)),
    ("watermark lag", lambda e: "callback_stream_watermark_lag_seconds" in e),
]
FUNNEL_STAGES = ("opened", "started", "submitted", "completed")


def _all_panels(panels):
    for panel in panels:
        yield panel
        yield from _all_panels(panel.get("panels") or [])


def check(ctx: Context) -> None:
    path = ctx.deploy / "grafana" / "callback-stream.json"
    dashboard = load_json(path)
    panels = list(_all_panels(dashboard.get("panels") or []))
    variables = {v.get("name"): v for v in (dashboard.get("templating") or {}).get("list") or []}
    expressions: list[tuple[str, str, str]] = []  # (panel title, refId, expr)

    with ctx.report.check("grafana/callback-stream.json: dashboard structure, layout and datasources") as c:
        for key in ("uid", "title", "panels", "schemaVersion"):
            c.expect(key in dashboard, f"dashboard has no {key}")
        c.expect(isinstance(dashboard.get("schemaVersion"), int) and dashboard["schemaVersion"] >= 36,
                 "schemaVersion should be an integer ≥ 36 (Grafana 9+)")
        ids = [p.get("id") for p in panels]
        c.expect(len(ids) == len(set(ids)) and None not in ids, "panel ids must be present and unique")
        occupied: dict[tuple[int, int], str] = {}
        for panel in panels:
            title = panel.get("title", "?")
            c.expect(panel.get("type") in PANEL_TYPES, f"{title}: unknown panel type {panel.get('type')}")
            grid = panel.get("gridPos") or {}
            if not c.expect(all(isinstance(grid.get(k), int) for k in "hwxy"), f"{title}: gridPos needs integers h, w, x, y"):
                continue
            c.expect(grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, f"{title}: outside the 24-column grid")
            for row in range(grid["y"], grid["y"] + grid["h"]):
                for column in range(grid["x"], grid["x"] + grid["w"]):
                    if (row, column) in occupied:
                        c.fail(f"{title}: overlaps {occupied[(row, column)]}")
                        break
                    occupied[(row, column)] = title
                else:
                    continue
                break
            if panel.get("type") == "row":
                continue
            targets = panel.get("targets") or []
            c.expect(bool(targets), f"{title}: no queries")
            refs = [t.get("refId") for t in targets]
            c.expect(len(refs) == len(set(refs)), f"{title}: duplicate refIds")
            for target in targets:
                expr = target.get("expr", "")
                if c.expect(bool(expr.strip()), f"{title}/{target.get('refId')}: empty expr"):
                    expressions.append((title, target.get("refId"), expr))
                for holder in (panel, target):
                    datasource = holder.get("datasource")
                    if datasource is None:
                        continue
                    uid = datasource.get("uid") if isinstance(datasource, dict) else datasource
                    c.expect(uid in ("${datasource}", "$datasource", "prometheus"),
                             f"{title}: datasource {uid!r} is neither ${{datasource}} nor the provisioned uid")
            if panel.get("description") is None:
                c.fail(f"{title}: no description")
        if any(True for *_, e in expressions):
            c.expect("datasource" in variables and variables["datasource"].get("type") == "datasource",
                     "a `datasource` variable of type datasource is needed for ${datasource}")
        used_variables = {m for *_, e in expressions for m in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", e)}
        undefined = used_variables - set(variables) - BUILTIN_VARIABLES
        c.expect(not undefined, f"queries use undefined variables {sorted(undefined)}")
        c.note(f"{len(panels)} panels, {len(expressions)} queries, variables {sorted(variables)}")

    substitutions = {name: ".*" for name in variables if name != "datasource"}

    with ctx.report.check("grafana/callback-stream.json: only known metrics, required views present") as c:
        allowed, source = ctx.allowed_series()
        used_all: set[str] = set()
        for title, ref, expr in expressions:
            try:
                used = metric_names(substitute_grafana_variables(expr, substitutions))
            except ValueError as error:
                c.fail(f"{title}/{ref}: {error}")
                continue
            used_all |= used
            c.expect(not (used - allowed), f"{title}/{ref}: metrics not in {source}: {sorted(used - allowed)}")
        for name, variable in variables.items():
            query = variable.get("query")
            if variable.get("type") != "query":
                continue
            query = query.get("query") if isinstance(query, dict) else query
            try:
                used = grafana_variable_query_metrics(str(query))
            except ValueError as error:
                c.fail(f"variable {name}: {error}")
                continue
            used_all |= used
            c.expect(not (used - allowed), f"variable {name}: metrics not in {source}: {sorted(used - allowed)}")
        # Negative control: the extraction must notice an unknown metric.
        c.expect("callback_stream_no_such_metric_total" in metric_names(
            'sum by (code) (rate(callback_stream_no_such_metric_total{code="x"}[5m]))'),
            "negative control: metric extraction missed a metric name")

        by_panel: dict[str, str] = {}
        for title, _, expr in expressions:
            by_panel[title] = by_panel.get(title, "") + "\n" + expr
        for view, predicate in REQUIRED_VIEWS:
            c.expect(any(predicate(text) for text in by_panel.values()), f"no panel shows {view}")
        funnel = [t for t, text in by_panel.items() if "callback_stream_stage_reached_total" in text]
        c.expect(any(all(f'stage="{s}"' in by_panel[t] for s in FUNNEL_STAGES) or "by (stage)" in by_panel[t]
                     for t in funnel), "no funnel panel covering opened→started→submitted→completed")
        if ctx.catalog:
            families_used = {ctx.catalog.family_of(n) for n in used_all} - {None}
            unused = sorted(set(ctx.catalog.families) - families_used)
            c.note(f"metrics used: {len(families_used)} of {len(ctx.catalog.families)} documented")
            if unused:
                c.warn(f"documented metrics not on the dashboard: {', '.join(unused)}")
        c.note(f"checked against {source}")

    with ctx.report.check("grafana/callback-stream.json: every query parses (promtool)") as c:
        if not ctx.tools.promtool:
            c.skip("promtool is not available")
        else:
            rules = {"groups": [{"name": "dashboard", "rules": [
                {"record": f"dashboard:query_{index}", "expr": substitute_grafana_variables(expr, substitutions)}
                for index, (_, _, expr) in enumerate(expressions)]}]}
            candidate = ctx.work / "dashboard-queries.yml"
            candidate.write_text(yaml.safe_dump(rules, sort_keys=False))
            code, output = run([ctx.tools.promtool, "check", "rules", str(candidate)])
            c.expect(code == 0, f"promtool rejected dashboard queries:\n{output}")
            c.note(f"{len(expressions)} queries parsed with Grafana variables substituted")

    with ctx.report.check("grafana/provisioning: datasource and dashboard provider") as c:
        datasources = load_yaml(ctx.deploy / "grafana/provisioning/datasources/prometheus.yaml")
        c.expect(datasources.get("apiVersion") == 1, "datasources: apiVersion should be 1")
        entries = datasources.get("datasources") or []
        c.expect(len(entries) >= 1, "no datasource provisioned")
        for entry in entries:
            for key in ("name", "type", "url", "access"):
                c.expect(key in entry, f"datasource {entry.get('name')}: no {key}")
        c.expect(sum(1 for e in entries if e.get("isDefault")) == 1, "exactly one default datasource expected")
        c.expect(any(e.get("type") == "prometheus" and e.get("isDefault") for e in entries),
                 "the default datasource should be Prometheus (the dashboard's ${datasource} resolves to it)")
        providers = load_yaml(ctx.deploy / "grafana/provisioning/dashboards/callback-stream.yaml")
        c.expect(providers.get("apiVersion") == 1, "dashboard providers: apiVersion should be 1")
        for provider in providers.get("providers") or []:
            c.expect(provider.get("type") == "file", f"provider {provider.get('name')}: type should be file")
            c.expect(bool((provider.get("options") or {}).get("path")), f"provider {provider.get('name')}: no options.path")
