"""Entry point: python -m deploy_checks [--metrics-file FILE] (normally via scripts/validate-deploy)."""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

from . import (check_compose, check_docs, check_dockerfile, check_files, check_grafana, check_kubernetes,
               check_metrics, check_prometheus, check_systemd, selftest)
from .context import Context, Tools
from .report import Report

NOT_CHECKED = [
    "building the image and running it (no Docker engine): the Dockerfile is linted and its parts checked; "
    "its runtime packages match `readelf -d` of a static build on Debian 12 (librdkafka1, libcurl4, libstdc++6, libc)",
    "`docker compose up`: the stack is validated as configuration only",
    "applying to a cluster: admission (Pod Security `restricted`), server-side defaults, installed CRD versions "
    "of KEDA and the Prometheus Operator (checked here against bundled subset schemas)",
    "Grafana rendering the dashboard and Prometheus scraping a live process",
    "starting the systemd unit (sandboxing is verified statically)",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="validate-deploy", description=__doc__)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--metrics-file", type=Path, help="a live /metrics scrape: dashboards and rules may use only its metrics")
    parser.add_argument("--promtool")
    parser.add_argument("--hadolint")
    parser.add_argument("--compose", help='Compose command, e.g. "docker compose" or "docker-compose"')
    parser.add_argument("--compose-flavour", choices=("v1", "v2"), default="v2")
    parser.add_argument("--systemd-analyze")
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args(argv)

    if options.metrics_file is not None and not options.metrics_file.is_file():
        print(f"validate-deploy: --metrics-file {options.metrics_file} does not exist", file=sys.stderr)
        return 2
    tools = Tools(promtool=options.promtool or None, hadolint=options.hadolint or None,
                  compose=shlex.split(options.compose) if options.compose else None,
                  compose_flavour=options.compose_flavour, systemd_analyze=options.systemd_analyze or None)
    report = Report(verbose=options.verbose)
    report.not_checked = NOT_CHECKED
    with tempfile.TemporaryDirectory(prefix="validate-deploy-") as work:
        ctx = Context(repo=options.repo.resolve(), report=report, tools=tools, work=Path(work))
        selftest.check(ctx)
        check_files.check(ctx)
        check_metrics.check(ctx, options.metrics_file)
        for module in (check_dockerfile, check_compose, check_prometheus, check_grafana, check_kubernetes,
                       check_systemd, check_docs):
            try:
                module.check(ctx)
            except Exception as error:  # a crash outside a named check still fails the run
                with report.check(f"{module.__name__.rsplit('.', 1)[-1]}") as c:
                    c.fail(f"crashed: {type(error).__name__}: {error}")
    return report.summary()


if __name__ == "__main__":
    sys.exit(main())
