"""deploy/prometheus: promtool config/rules checks, rule unit tests, referenced metrics."""

from __future__ import annotations

import re
import shutil


from .context import Context, run
from .loading import load_yaml
from .promql import metric_names
from .settings import parse_duration

RULE_KEYS = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}


def check(ctx: Context) -> None:
    directory = ctx.deploy / "prometheus"
    config, rules, tests = directory / "prometheus.yml", directory / "alerts.yml", directory / "alerts.test.yml"
    promtool = ctx.tools.promtool

    with ctx.report.check("prometheus.yml and alerts.yml: promtool check config / check rules") as c:
        if not promtool:
            c.skip("promtool is not available; only the structural check below ran")
        else:
            _, version = run([promtool, "--version"])
            c.note(version.splitlines()[0] if version else "promtool")
            code, output = run([promtool, "check", "config", str(config)])
            c.expect(code == 0, f"promtool check config failed:\n{output}")
            code, output = run([promtool, "check", "rules", str(rules)])
            c.expect(code == 0, f"promtool check rules failed:\n{output}")
            bad = ctx.work / "bad-rules.yml"
            bad.write_text("groups:\n  - name: bad\n    rules:\n      - alert: Broken\n        expr: rate(x[5m]\n")
            code, _ = run([promtool, "check", "rules", str(bad)])
            c.expect(code != 0, "negative control: promtool accepted an unbalanced expression")

    with ctx.report.check("alerts.yml: promtool unit tests (alerts.test.yml)") as c:
        if not promtool:
            c.skip("promtool is not available")
        elif c.expect(tests.is_file(), "alerts.test.yml is missing"):
            code, output = run([promtool, "test", "rules", str(tests)], cwd=directory)
            c.expect(code == 0, f"promtool test rules failed:\n{output}")
            # Negative control: the tests must notice a changed threshold.
            mutated = ctx.work / "mutation"
            mutated.mkdir(exist_ok=True)
            shutil.copy(tests, mutated / tests.name)
            text = rules.read_text()
            changed = re.sub(r"\) > 300\b", ") > 3000000", text, count=1)
            if c.expect(changed != text, "negative control: could not find the consumer-lag threshold to mutate"):
                (mutated / rules.name).write_text(changed)
                code, _ = run([promtool, "test", "rules", str(mutated / tests.name)], cwd=mutated)
                c.expect(code != 0, "negative control: the unit tests still pass with the lag threshold raised")
            tested = set(re.findall(r"alertname:\s*(\S+)", tests.read_text()))
            defined = {r.get("alert") for g in load_yaml(rules).get("groups", []) for r in g.get("rules", []) if r.get("alert")}
            c.expect(defined <= tested, f"alerts without a unit test: {sorted(defined - tested)}")
            c.note(f"{len(tested)} alerts tested")

    with ctx.report.check("alerts.yml: structure, and only known metrics") as c:
        document = load_yaml(rules)
        allowed, source = ctx.allowed_series()
        names = set()
        for group in document.get("groups") or []:
            c.expect(bool(group.get("name")), "a rule group without a name")
            for rule in group.get("rules") or []:
                label = rule.get("alert") or rule.get("record") or "?"
                unknown = set(rule) - RULE_KEYS
                c.expect(not unknown, f"{label}: unknown keys {sorted(unknown)}")
                c.expect(("alert" in rule) != ("record" in rule), f"{label}: needs exactly one of alert/record")
                c.expect(label not in names, f"{label}: defined twice")
                names.add(label)
                if "for" in rule:
                    try:
                        parse_duration(rule["for"])
                    except ValueError as error:
                        c.fail(f"{label}: {error}")
                if "alert" in rule:
                    c.expect(bool((rule.get("labels") or {}).get("severity")), f"{label}: no severity label")
                    annotations = rule.get("annotations") or {}
                    c.expect("summary" in annotations and "description" in annotations,
                             f"{label}: needs summary and description annotations")
                try:
                    used = metric_names(str(rule.get("expr", "")))
                except ValueError as error:
                    c.fail(f"{label}: {error}")
                    continue
                c.expect(not (used - allowed), f"{label}: metrics not in {source}: {sorted(used - allowed)}")
        c.note(f"{len(names)} rules; metrics checked against {source}")
