"""deploy/compose.yaml: a Compose implementation's own validation plus cross-file consistency."""

from __future__ import annotations

import re
import shlex

from .context import Context, run
from .loading import load_yaml
from .settings import (ENV_TO_FLAG, MEMORY_HEADROOM, RUN_FLAGS, TOPIC_FLAGS, memory_needed, parse_binary_size,
                       parse_duration)

REQUIRED_SERVICES = ("kafka", "kafka-init", "callback-stream", "generator", "prometheus", "grafana")


def check(ctx: Context) -> None:
    path = ctx.deploy / "compose.yaml"
    _compose_tool(ctx, path)
    with ctx.report.check("compose.yaml: services, topics, processor settings and mounts agree") as c:
        compose = load_yaml(path)
        _semantics(ctx, c, compose)


def _compose_tool(ctx: Context, path) -> None:
    with ctx.report.check("compose.yaml: validated by a Compose implementation") as c:
        tool = ctx.tools.compose
        if not tool:
            c.skip("neither `docker compose` (v2 plugin) nor Debian's docker-compose is available")
            return
        text = path.read_text(encoding="utf-8")
        if ctx.tools.compose_flavour == "v1":
            # docker-compose 1.29 predates the top-level `name:` of the Compose Specification.
            c.note("validated with Debian's docker-compose 1.29 (the `docker compose` v2 plugin is not "
                   "installed): its Compose-spec schema, interpolation and references; top-level `name` removed first")
            text = re.sub(r"(?m)^name:.*\n", "", text)
        else:
            c.note("validated with `docker compose config` (v2)")
        candidate = ctx.work / "compose.candidate.yaml"
        candidate.write_text(text)
        command = tool + ["-f", str(candidate), "--project-directory", str(ctx.deploy), "config", "-q"]
        code, output = run(command, cwd=ctx.deploy)
        c.expect(code == 0, f"{' '.join(tool)} config rejected compose.yaml:\n{output}")
        # Negative control: an unknown service key must be rejected.
        bad = ctx.work / "compose.bad.yaml"
        bad.write_text(text.replace("  kafka-init:\n", "  kafka-init:\n    restrat: \"no\"\n", 1))
        code, _ = run(tool + ["-f", str(bad), "--project-directory", str(ctx.deploy), "config", "-q"], cwd=ctx.deploy)
        c.expect(code != 0, "negative control: the Compose validator accepted an unknown key `restrat`")


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _command_words(service: dict) -> list[str]:
    command = service.get("command") or []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(word) for word in command]


def _flag_value(words: list[str], flag: str) -> str | None:
    for index, word in enumerate(words):
        if word == flag and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
    return None


def _semantics(ctx: Context, c, compose: dict) -> None:
    services = compose.get("services") or {}
    for name in REQUIRED_SERVICES:
        c.expect(name in services, f"service {name} is missing")
    if any(name not in services for name in REQUIRED_SERVICES):
        return

    # Third-party images are pinned.
    for name, service in services.items():
        image = service.get("image")
        if image and "build" not in service:
            tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
            c.expect(bool(tag) and tag != "latest", f"{name}: image {image} is not pinned to a version tag")

    # References between services.
    for name, service in services.items():
        depends = service.get("depends_on") or []
        for target in (depends if isinstance(depends, list) else depends.keys()):
            c.expect(target in services, f"{name}: depends_on unknown service {target}")

    # Bind mounts exist.
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith((".", "/")):
                c.expect((ctx.deploy / source).exists(), f"{name}: bind-mount source {source} does not exist")

    processor, generator = services["callback-stream"], services["generator"]
    env = _environment(processor)
    for key in env:
        if key.startswith("CALLBACK_STREAM_"):
            c.expect(key in ENV_TO_FLAG, f"callback-stream: {key} is not the variable of any `run` flag")
    settings = {flag: env.get(f"CALLBACK_STREAM_{flag.upper().replace('-', '_')}", default)
                for flag, default in RUN_FLAGS.items()}
    c.expect(bool(settings["bootstrap-servers"]), "callback-stream: no bootstrap servers configured")
    c.expect(_command_words(processor)[:1] in ([], ["run"]), "callback-stream: command should be `run`")

    # Both images come from the repository's Dockerfile.
    for name in ("callback-stream", "generator"):
        build = services[name].get("build")
        if isinstance(build, dict):
            dockerfile = (ctx.deploy / build.get("context", ".") / build.get("dockerfile", "Dockerfile")).resolve()
            c.expect(dockerfile == (ctx.deploy / "Dockerfile").resolve(), f"{name}: builds {dockerfile}, not deploy/Dockerfile")
        elif "image" not in services[name]:
            c.fail(f"{name}: neither build nor image")
    c.expect(processor.get("image") == generator.get("image"), "generator and callback-stream should share one image")

    replicas = int((processor.get("deploy") or {}).get("replicas", 1))
    c.expect(replicas >= 2, f"callback-stream should run at least 2 replicas in one group, runs {replicas}")

    for mapping in processor.get("ports") or []:
        host = str(mapping).rsplit(":", 1)[0] if ":" in str(mapping) else ""
        bounds = host.split("-")
        if len(bounds) == 2 and all(b.isdigit() for b in bounds):
            size = int(bounds[1]) - int(bounds[0]) + 1
            c.expect(size >= replicas, f"callback-stream: host port range {host} is smaller than {replicas} replicas")
        elif host:
            c.expect(replicas == 1, f"callback-stream: a fixed host port {host} cannot be published by {replicas} replicas")

    grace = parse_duration(processor.get("stop_grace_period", "10s"))
    shutdown = parse_duration(settings["shutdown-timeout"])
    c.expect(grace > shutdown, f"callback-stream: stop_grace_period {grace:g}s must exceed the shutdown timeout {shutdown:g}s")

    limit = ((processor.get("deploy") or {}).get("resources") or {}).get("limits", {}).get("memory")
    if c.expect(limit is not None, "callback-stream: no memory limit"):
        cap = int(settings["max-open-sessions"])
        needed = memory_needed(cap) * MEMORY_HEADROOM
        c.expect(parse_binary_size(limit) >= needed,
                 f"callback-stream: memory limit {limit} is below {needed / 2**20:.0f} MiB, the model for "
                 f"{cap} open sessions with {MEMORY_HEADROOM}x headroom")

    healthcheck = processor.get("healthcheck") or {}
    c.expect(not healthcheck.get("disable"), "callback-stream: the image HEALTHCHECK must stay enabled")
    c.expect((generator.get("healthcheck") or {}).get("disable") is True,
             "generator: disable the image's HEALTHCHECK (it probes the `run` HTTP port)")
    c.expect(processor.get("read_only") is True, "callback-stream: read_only root filesystem expected")

    words = _command_words(generator)
    c.expect(words[:1] == ["generate"], "generator: command should start with `generate`")
    c.expect(_flag_value(words, "--bootstrap-servers") == settings["bootstrap-servers"],
             "generator and callback-stream use different bootstrap servers")
    c.expect(_flag_value(words, "--topic") in (None, settings["input-topic"]) and (
        _flag_value(words, "--topic") is not None or settings["input-topic"] == RUN_FLAGS["input-topic"]),
        "generator does not write to the processor's input topic")
    c.expect(_flag_value(words, "--interactions") is not None, "generator: --interactions is required")

    # Kafka: topics are created explicitly; every topic the processor uses must be in the list.
    kafka_env = _environment(services["kafka"])
    c.expect(kafka_env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "").lower() == "false",
             "kafka: auto topic creation should be off (kafka-init creates them)")
    init_text = " ".join(_command_words(services["kafka-init"])) + " " + " ".join(
        str(x) for x in (services["kafka-init"].get("entrypoint") or []))
    created = dict(re.findall(r"--topic\s+(\S+)\s+--partitions\s+(\d+)", init_text))
    for flag in TOPIC_FLAGS:
        c.expect(settings[flag] in created, f"kafka-init does not create {settings[flag]} ({flag})")
    partitions = int(created.get(settings["input-topic"], 0))
    c.expect(partitions >= replicas, f"input topic has {partitions} partitions for {replicas} replicas")
    partials = int(created.get(settings["stats-partials-topic"], 0))
    c.expect(partials == partitions,
             f"{settings['stats-partials-topic']} has {partials} partitions, the input {partitions}: the merge stage's "
             "parallelism is the partials topic's partition count (choose it once, with the input's)")
    retention = re.search(r"--topic\s+" + re.escape(settings["stats-partials-topic"]) + r"\s[^\n]*retention\.ms=(\d+)", init_text)
    c.expect(retention is not None and int(retention.group(1)) >= 86_400_000,
             f"{settings['stats-partials-topic']}: set retention.ms to at least a day (the merge stage replays it after an outage)")
    ctx.facts["input_partitions"] = partitions
    ctx.facts["compose_settings"] = settings
    c.note(f"input topic {settings['input-topic']}: {partitions} partitions; replicas {replicas}")
    bootstrap_hosts = {h.split(":")[0] for h in settings["bootstrap-servers"].split(",")}
    c.expect(bootstrap_hosts <= set(services), f"bootstrap servers {settings['bootstrap-servers']} are not compose services")
    kafka_listeners = kafka_env.get("KAFKA_ADVERTISED_LISTENERS", "")
    for server in settings["bootstrap-servers"].split(","):
        c.expect(f"//{server}" in kafka_listeners, f"kafka does not advertise {server} ({kafka_listeners})")

    # Prometheus reads its rules next to its config, and scrapes the processor's metrics port.
    prometheus = services["prometheus"]
    mounts = {}
    for volume in prometheus.get("volumes") or []:
        parts = volume.split(":")
        if len(parts) >= 2:
            mounts[parts[1]] = parts[0]
    config_target = next((arg.split("=", 1)[1] for arg in _command_words(prometheus)
                          if arg.startswith("--config.file=")), "/etc/prometheus/prometheus.yml")
    if c.expect(config_target in mounts, f"prometheus: {config_target} is not mounted"):
        prometheus_config = load_yaml(ctx.deploy / mounts[config_target])
        base = config_target.rsplit("/", 1)[0]
        for rule_file in prometheus_config.get("rule_files") or []:
            target = rule_file if rule_file.startswith("/") else f"{base}/{rule_file}"
            c.expect(target in mounts, f"prometheus: rule file {target} is not mounted")
        port = int(settings["metrics-port"])
        jobs = {job.get("job_name"): job for job in prometheus_config.get("scrape_configs") or []}
        job = jobs.get("callback-stream")
        if c.expect(job is not None, "prometheus.yml: no scrape job `callback-stream` (alerts use job=\"callback-stream\")"):
            targets = set()
            for sd in job.get("dns_sd_configs") or []:
                targets.update(f"{n}:{sd.get('port')}" for n in sd.get("names") or [])
            for static in job.get("static_configs") or []:
                targets.update(static.get("targets") or [])
            c.expect(f"callback-stream:{port}" in targets,
                     f"prometheus.yml does not scrape callback-stream:{port} (has {sorted(targets)})")
            c.expect(bool(job.get("dns_sd_configs")),
                     "prometheus.yml should discover replicas by DNS (a static target reaches only one replica)")

    # Grafana's dashboard provider reads the directory the dashboard JSON is mounted into.
    grafana = services["grafana"]
    grafana_mounts = {}
    for volume in grafana.get("volumes") or []:
        parts = volume.split(":")
        if len(parts) >= 2:
            grafana_mounts[parts[1]] = parts[0]
    provisioning = grafana_mounts.get("/etc/grafana/provisioning")
    if c.expect(provisioning is not None, "grafana: /etc/grafana/provisioning is not mounted"):
        providers = load_yaml(ctx.deploy / provisioning / "dashboards" / "callback-stream.yaml").get("providers") or []
        dashboard_dirs = {p.get("options", {}).get("path") for p in providers}
        mounted_dashboards = [target for target, source in grafana_mounts.items() if source.endswith(".json")]
        for target in mounted_dashboards:
            c.expect(target.rsplit("/", 1)[0] in dashboard_dirs,
                     f"grafana: {target} is outside the provider paths {sorted(dashboard_dirs)}")
        c.expect(bool(mounted_dashboards), "grafana: no dashboard JSON mounted")
        home = _environment(grafana).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
        c.expect(home is None or home in grafana_mounts, f"grafana: home dashboard {home} is not mounted")
        datasources = load_yaml(ctx.deploy / provisioning / "datasources" / "prometheus.yaml").get("datasources") or []
        urls = {d.get("url") for d in datasources}
        c.expect("http://prometheus:9090" in urls, f"grafana datasource should point at the prometheus service, has {urls}")
