"""Quick tests of the checker's own parsers, run first so that a broken checker cannot pass."""

from __future__ import annotations

from .check_dockerfile import dockerignore_excludes, parse_dockerfile
from .context import Context
from .promql import grafana_variable_query_metrics, metric_names, substitute_grafana_variables
from .settings import (CLI_ONLY_FLAGS, RUN_FLAGS, SETTING_DECLARATIONS, commit_lag_bound_seconds, declared_settings,
                       parse_binary_size, parse_duration, parse_kubernetes_quantity)

PROMQL_CASES = {
    'sum by (outcome) (rate(a_total{instance=~"$instance",x="y"}[$__rate_interval])) * 60': {"a_total"},
    "histogram_quantile(0.99, sum by (job, le) (rate(h_bucket[5m]))) > 5": {"h_bucket"},
    "(sum by (job) (a) / clamp_min(sum by (job) (rate(b_total[5m])), 1)) > 300 unless on (job) (c > 0)": {"a", "b_total", "c"},
    'up{job="callback-stream"} == 0': {"up"},
    "x offset 1h30m and bool y": {"x", "y"},
    "sum(rate(a[5m])) by (le)": {"a"},
    "a > on(instance) group_left(foo) b": {"a", "b"},
    "max_over_time(a[1h:5m]) + 1e3 - 0x1f + Inf": {"a"},
    "topk without (x) (3, foo)": {"foo"},
    'count(m{l="by (x)"})': {"m"},
}


def check(ctx: Context) -> None:
    with ctx.report.check("checker self-test: PromQL names, durations, sizes, .dockerignore, Dockerfile parsing") as c:
        for expr, expected in PROMQL_CASES.items():
            got = metric_names(substitute_grafana_variables(expr, {"instance": ".*"}))
            c.expect(got == expected, f"metric_names({expr!r}) = {sorted(got)}, expected {sorted(expected)}")
        try:
            metric_names('{__name__=~"callback_.*"}')
            c.fail("a __name__ selector was not refused")
        except ValueError:
            pass
        c.expect(grafana_variable_query_metrics("label_values(m{a=\"b\"}, instance)") == {"m"}, "label_values(metric, label)")
        c.expect(grafana_variable_query_metrics("label_values(instance)") == set(), "label_values(label)")
        c.expect(parse_duration("1m30s") == 90 and parse_duration("45") == 45 and parse_duration("1500ms") == 1.5, "durations")
        for bad in ("30x", "", "m5"):
            try:
                parse_duration(bad)
                c.fail(f"parse_duration accepted {bad!r}")
            except ValueError:
                pass
        c.expect(parse_kubernetes_quantity("640Mi") == 640 * 2**20 and parse_kubernetes_quantity("1G") == 1e9, "quantities")
        c.expect(parse_binary_size("512m") == 512 * 2**20 and parse_binary_size("640M") == 640 * 2**20, "sizes")
        patterns = [".build", "**/.build", ".git", "docs", "!docs/keep.md", "*.log"]
        c.expect(dockerignore_excludes(patterns, ".build/release/x"), ".dockerignore: .build/…")
        c.expect(dockerignore_excludes(patterns, "Fuzz/.build"), ".dockerignore: **/.build")
        c.expect(not dockerignore_excludes(patterns, "Sources/main.swift"), ".dockerignore: Sources")
        c.expect(not dockerignore_excludes(patterns, "docs/keep.md"), ".dockerignore: ! exception")
        c.expect(dockerignore_excludes(patterns, "x.log") and not dockerignore_excludes(patterns, "a/x.log"), ".dockerignore: *.log is top-level only")
        parsed = parse_dockerfile("# c\nFROM a AS b\nRUN x \\\n  # inner\n  && y\nCMD [\"run\"]\n")
        c.expect([(i.keyword, i.arguments) for i in parsed] == [("FROM", "a AS b"), ("RUN", "x && y"), ("CMD", '["run"]')],
                 f"parse_dockerfile: {parsed}")

    with ctx.report.check("settings.py: RUN_FLAGS lists exactly the settings Setting.swift declares") as c:
        path = ctx.repo / SETTING_DECLARATIONS
        if c.expect(path.is_file(), f"{SETTING_DECLARATIONS} is missing"):
            declared = declared_settings(path.read_text(encoding="utf-8"))
            c.expect(len(declared) >= 20, f"found only {len(declared)} declarations in {SETTING_DECLARATIONS}: parser broken?")
            listed = set(RUN_FLAGS) - CLI_ONLY_FLAGS
            c.expect(not (declared - listed), f"flags missing from settings.py RUN_FLAGS: {sorted(declared - listed)}")
            c.expect(not (listed - declared), f"settings.py RUN_FLAGS lists flags that no longer exist: {sorted(listed - declared)}")
            c.expect(commit_lag_bound_seconds(RUN_FLAGS) == 5400, "the commit-lag bound with the defaults should be 5400 s")
            c.note(f"{len(declared)} settings")
