"""deploy/kubernetes: schema validation (offline) and the consistency a cluster would not check."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path

import jsonschema

from .context import Context, run
from .loading import load_yaml, load_yaml_documents, load_yaml_text
from .promql import metric_names
from .settings import (MEMORY_HEADROOM, METRICS_PATHS, RUN_FLAGS, commit_lag_bound_seconds, memory_needed,
                       parse_duration, parse_kubernetes_quantity)

KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")  # the oldest commonly supported and the newest bundled
SCHEMAS = Path(__file__).parent / "schemas"
OWN_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda.sh-v1alpha1-scaledobject.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "keda.sh-v1alpha1-triggerauthentication.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com-v1-servicemonitor.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "monitoring.coreos.com-v1-prometheusrule.json",
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): "kustomize.config.k8s.io-v1beta1-kustomization.json",
}
NOT_IN_KUSTOMIZATION = {"kustomization.yaml", "secret.example.yaml"}


def _kubernetes_validate():
    import kubernetes_validate.utils as utils

    if not getattr(utils, "_cached_by_validate_deploy", False):
        utils.schema_contents = functools.lru_cache(maxsize=None)(utils.schema_contents)
        utils._cached_by_validate_deploy = True
    return utils


def _validate_core(resource: dict, version: str):
    """None when valid, else a message. Raises LookupError when no schema exists for the kind."""
    utils = _kubernetes_validate()
    try:
        utils.validate(resource, version, strict=True)
    except utils.SchemaNotFoundError as error:
        raise LookupError(error.message) from None
    except utils.ValidationError as error:
        path = ".".join(str(p) for p in error.path)
        return f"{path}: {error.message}"
    return None


@functools.lru_cache(maxsize=None)
def _own_schema(filename: str) -> dict:
    return json.loads((SCHEMAS / filename).read_text())


def _validate_own(resource: dict):
    key = (resource.get("apiVersion"), resource.get("kind"))
    if key not in OWN_SCHEMAS:
        raise LookupError(f"no schema for {key[1]} {key[0]}")
    schema = _own_schema(OWN_SCHEMAS[key])
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(resource), key=lambda e: list(e.path))
    if errors:
        return "; ".join(f"{'.'.join(str(p) for p in e.path) or '(root)'}: {e.message}" for e in errors[:5])
    return None


def validate_resource(resource: dict) -> tuple[str | None, str]:
    """(problem or None, what validated it)."""
    key = (resource.get("apiVersion"), resource.get("kind"))
    if key in OWN_SCHEMAS:
        return _validate_own(resource), "bundled subset schema"
    problems = []
    for version in KUBERNETES_VERSIONS:
        problem = _validate_core(resource, version)
        if problem:
            problems.append(f"[{version}] {problem}")
    return ("; ".join(problems) or None), "Kubernetes " + "/".join(v.rsplit(".", 1)[0] for v in KUBERNETES_VERSIONS)


def check(ctx: Context) -> None:
    directory = ctx.deploy / "kubernetes"
    resources: dict[tuple[str, str], dict] = {}
    origin: dict[tuple[str, str], str] = {}
    files = sorted(directory.glob("*.yaml"))

    with ctx.report.check("kubernetes/: every manifest validates (strict; core kinds offline, CRDs with bundled schemas)") as c:
        validated = []
        for path in files:
            for resource in load_yaml_documents(path):
                if not isinstance(resource, dict):
                    c.fail(f"{path.name}: a document is not a mapping")
                    continue
                kind, name = resource.get("kind", "?"), (resource.get("metadata") or {}).get("name", "")
                try:
                    problem, how = validate_resource(resource)
                except LookupError as error:
                    c.fail(f"{path.name}: {error}")
                    continue
                label = f"{path.name}: {kind}/{name}" if name else f"{path.name}: {kind}"
                c.expect(problem is None, f"{label}: {problem}")
                validated.append(f"{kind} ({how})")
                if kind != "Kustomization":
                    c.expect((kind, name) not in resources, f"{label}: defined twice")
                    resources[(kind, name)] = resource
                    origin[(kind, name)] = path.name
        c.note("validated: " + ", ".join(validated))
        # Negative controls: strict validation must reject unknown fields, core and CRD.
        deployment = resources.get(("Deployment", "callback-stream"))
        if deployment:
            broken = copy.deepcopy(deployment)
            broken["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
            c.expect(validate_resource(broken)[0] is not None, "negative control: unknown Deployment field accepted")
        scaled = resources.get(("ScaledObject", "callback-stream"))
        if scaled:
            broken = copy.deepcopy(scaled)
            broken["spec"]["maxReplicas"] = 3
            c.expect(validate_resource(broken)[0] is not None, "negative control: unknown ScaledObject field accepted")
    ctx.facts["kubernetes"] = resources

    with ctx.report.check("kubernetes/kustomization.yaml: lists every manifest, nothing missing") as c:
        kustomization = load_yaml(directory / "kustomization.yaml")
        listed = kustomization.get("resources") or []
        for entry in listed:
            c.expect((directory / entry).is_file(), f"resource {entry} does not exist")
        expected = sorted(p.name for p in files if p.name not in NOT_IN_KUSTOMIZATION)
        missing = sorted(set(expected) - set(listed))
        c.expect(not missing, f"manifests not listed in kustomization.yaml: {missing}")
        c.expect("secret.example.yaml" not in listed, "secret.example.yaml must not be applied (placeholder credentials)")
        for image in kustomization.get("images") or []:
            c.expect(image.get("newTag") not in (None, "latest"), f"image {image.get('name')}: pin newTag")

    with ctx.report.check("kubernetes/: Deployment probes, shutdown bound, security, sizing, references") as c:
        _deployment(ctx, c, resources, directory)

    with ctx.report.check("kubernetes/: Service, ServiceMonitor, PDB, NetworkPolicy, KEDA and rules agree") as c:
        _wiring(ctx, c, resources, directory)


def _config(resources) -> dict:
    configmap = resources.get(("ConfigMap", "callback-stream")) or {}
    text = (configmap.get("data") or {}).get("config.yaml")
    return load_yaml_text(text) if text else {}


def _deployment(ctx: Context, c, resources, directory: Path) -> None:
    deployment = resources.get(("Deployment", "callback-stream"))
    if not c.expect(deployment is not None, "no Deployment callback-stream"):
        return
    config = _config(resources)
    c.expect(bool(config), "ConfigMap callback-stream has no config.yaml")
    unknown = set(config) - set(RUN_FLAGS)
    c.expect(not unknown, f"config.yaml keys that are no `run` flag: {sorted(unknown)}")
    settings = {flag: str(config.get(flag, default)) for flag, default in RUN_FLAGS.items()}
    ctx.facts["kubernetes_settings"] = settings
    # Static membership needs a stable, unique id per pod: never one shared id (members with the
    # same group.instance.id fence each other), and not a Deployment's changing pod names.
    c.expect("instance-id" not in config, "config.yaml sets instance-id: every pod would share it")

    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    containers = pod.get("containers") or []
    container = containers[0] if containers else {}
    c.expect(len(containers) == 1, "expected one container")
    c.expect(spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(),
             "Deployment selector does not match its pod labels")
    c.expect("replicas" not in spec or resources.get(("ScaledObject", "callback-stream")) is None,
             "spec.replicas fights the KEDA ScaledObject that owns the replica count")
    rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    c.expect(str(rolling.get("maxSurge")) in ("0", "0%"),
             "maxSurge should be 0: a surge pod beyond the partition count never becomes ready")

    args = [str(a) for a in container.get("args") or []]
    command = container.get("command")
    c.expect(command is None, "container.command overrides the image ENTRYPOINT; use args")
    c.expect(args[:1] == ["run"], f"args should start with `run`, are {args[:1]}")
    # --config points at the mounted ConfigMap.
    config_path = None
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            config_path = args[index + 1]
        elif arg.startswith("--config="):
            config_path = arg.split("=", 1)[1]
    mounts = {m["mountPath"]: m for m in container.get("volumeMounts") or []}
    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    if c.expect(config_path is not None, "no --config argument"):
        mount = next((m for path, m in mounts.items() if config_path == path or config_path.startswith(path.rstrip("/") + "/")), None)
        if c.expect(mount is not None, f"--config {config_path} is not under any volume mount"):
            volume = volumes.get(mount["name"], {})
            c.expect((volume.get("configMap") or {}).get("name") == "callback-stream",
                     f"--config {config_path} is not the ConfigMap callback-stream")
            file_name = config_path[len(mount["mountPath"].rstrip("/")) + 1:] if mount.get("subPath") is None else mount["subPath"]
            configmap = resources.get(("ConfigMap", "callback-stream")) or {}
            c.expect(file_name in (configmap.get("data") or {}), f"ConfigMap has no key {file_name}")
    for mount in mounts.values():
        c.expect(mount["name"] in volumes, f"volumeMount {mount['name']} has no volume")

    # -X values: every $(VAR) must be a defined env var, or Kubernetes passes it literally.
    env_names = {e["name"] for e in container.get("env") or []}
    c.expect("CALLBACK_STREAM_INSTANCE_ID" not in env_names and not any(a.startswith("--instance-id") for a in args)
             and not any("group.instance.id" in a for a in args),
             "a Deployment must not use static membership (--instance-id): its pod names change with every "
             "rollout, leaving ghost members; use a StatefulSet for it (see deployment.yaml)")
    for arg in args:
        for variable in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", arg):
            c.expect(variable in env_names, f"argument {arg!r} refers to undefined env var {variable}")
    x_values = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-X"]
    c.expect(all("=" in value for value in x_values), "every -X needs key=value")
    properties = dict(value.split("=", 1) for value in x_values if "=" in value)
    if "ssl.ca.location" in properties:
        location = properties["ssl.ca.location"]
        mount = next((m for path, m in mounts.items() if location.startswith(path.rstrip("/") + "/")), None)
        c.expect(mount is not None, f"ssl.ca.location {location} is not on a mounted volume")
    if properties.get("security.protocol", "").upper().startswith("SASL"):
        for key in ("sasl.mechanism", "sasl.username", "sasl.password"):
            c.expect(key in properties, f"SASL configured without -X {key}")
        c.expect(not re.search(r"sasl\.password=[^$]", " ".join(args)), "sasl.password must come from a Secret, not a literal")

    # Secrets referenced exist in the example with those keys.
    example = {}
    example_path = directory / "secret.example.yaml"
    if example_path.is_file():
        secret = load_yaml(example_path)
        example = {secret["metadata"]["name"]: set((secret.get("stringData") or {}) | (secret.get("data") or {}))}
    for env in container.get("env") or []:
        ref = (env.get("valueFrom") or {}).get("secretKeyRef")
        if ref:
            c.expect(ref["key"] in example.get(ref["name"], set()),
                     f"env {env['name']}: secret {ref['name']}/{ref['key']} is not in secret.example.yaml")
    for volume in volumes.values():
        secret = volume.get("secret")
        if secret:
            for item in secret.get("items") or []:
                c.expect(item["key"] in example.get(secret["secretName"], set()),
                         f"volume {volume['name']}: key {item['key']} is not in secret.example.yaml")

    # Probes and ports.
    port = int(settings["metrics-port"])
    ports = {p.get("name"): p for p in container.get("ports") or []}
    c.expect("metrics" in ports and ports["metrics"]["containerPort"] == port,
             f"container port `metrics` should be {port} (metrics-port)")
    for probe, expected in (("livenessProbe", METRICS_PATHS["liveness"]), ("readinessProbe", METRICS_PATHS["readiness"])):
        http = (container.get(probe) or {}).get("httpGet")
        if c.expect(http is not None, f"no {probe} httpGet"):
            c.expect(http.get("path") == expected, f"{probe} should GET {expected}, gets {http.get('path')}")
            c.expect(http.get("port") in ("metrics", port), f"{probe} port should be the metrics port")

    # Shutdown bound.
    shutdown = parse_duration(settings["shutdown-timeout"])
    grace = pod.get("terminationGracePeriodSeconds", 30)
    c.expect(grace > shutdown, f"terminationGracePeriodSeconds {grace} must exceed shutdown-timeout {shutdown:g}s")
    c.expect(grace <= shutdown + 60, f"terminationGracePeriodSeconds {grace} is far above shutdown-timeout {shutdown:g}s")

    # Security.
    pod_security = pod.get("securityContext") or {}
    container_security = container.get("securityContext") or {}
    c.expect(pod_security.get("runAsNonRoot") is True, "pod securityContext.runAsNonRoot should be true")
    c.expect(int(pod_security.get("runAsUser", container_security.get("runAsUser", 0))) != 0, "runAsUser should be non-zero")
    c.expect((pod_security.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "seccompProfile RuntimeDefault expected")
    c.expect(container_security.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem should be true")
    c.expect(container_security.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation should be false")
    c.expect("ALL" in ((container_security.get("capabilities") or {}).get("drop") or []), "capabilities should drop ALL")
    c.expect(pod.get("automountServiceAccountToken") is False, "automountServiceAccountToken should be false")
    c.expect(bool(pod.get("topologySpreadConstraints")), "no topologySpreadConstraints")
    for constraint in pod.get("topologySpreadConstraints") or []:
        selector = (constraint.get("labelSelector") or {}).get("matchLabels") or {}
        c.expect(selector.items() <= spec["template"]["metadata"]["labels"].items(),
                 "a topology spread constraint does not select the pods")

    # Sizing: the memory limit covers the open-session cap.
    resources_spec = container.get("resources") or {}
    limit = (resources_spec.get("limits") or {}).get("memory")
    request = (resources_spec.get("requests") or {}).get("memory")
    if c.expect(limit is not None and request is not None, "memory request and limit are required"):
        cap = int(settings["max-open-sessions"])
        needed = memory_needed(cap)
        limit_bytes, request_bytes = parse_kubernetes_quantity(limit), parse_kubernetes_quantity(request)
        c.expect(limit_bytes >= needed * MEMORY_HEADROOM,
                 f"memory limit {limit} < {needed * MEMORY_HEADROOM / 2**20:.0f} MiB = ({cap} sessions x 300 B + 100 MB) x {MEMORY_HEADROOM}")
        c.expect(request_bytes >= needed, f"memory request {request} is below the model at the cap ({needed / 2**20:.0f} MiB)")
        c.expect(request_bytes <= limit_bytes, "memory request above the limit")
        c.note(f"memory: model {needed / 2**20:.0f} MiB at {cap} sessions; request {request}, limit {limit}")
    c.expect("cpu" in (resources_spec.get("requests") or {}), "no CPU request")


def _wiring(ctx: Context, c, resources, directory: Path) -> None:
    deployment = resources.get(("Deployment", "callback-stream"))
    if deployment is None:
        c.fail("no Deployment callback-stream")
        return
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    settings = ctx.facts.get("kubernetes_settings") or {f: str(d) for f, d in RUN_FLAGS.items()}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container_ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}

    service = resources.get(("Service", "callback-stream"))
    if c.expect(service is not None, "no Service callback-stream"):
        c.expect(service["spec"]["selector"].items() <= pod_labels.items(), "Service selector does not match the pods")
        c.expect(service["spec"].get("publishNotReadyAddresses") is True,
                 "Service should publish not-ready addresses so replaying pods are still scraped")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            c.expect(target in container_ports or target in container_ports.values(),
                     f"Service port {port.get('name')}: targetPort {target} is not a container port")
    monitor = resources.get(("ServiceMonitor", "callback-stream"))
    if monitor and service:
        c.expect(monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items(),
                 "ServiceMonitor does not select the Service")
        service_ports = {p.get("name") for p in service["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            c.expect(endpoint.get("port") in service_ports, f"ServiceMonitor port {endpoint.get('port')} is not a Service port")
            c.expect(endpoint.get("path", "/metrics") == METRICS_PATHS["metrics"], "ServiceMonitor path should be /metrics")
        c.expect(service["metadata"]["name"] == "callback-stream",
                 "the job label (Service name) must be callback-stream, as alerts.yml expects")
    pdb = resources.get(("PodDisruptionBudget", "callback-stream"))
    if c.expect(pdb is not None, "no PodDisruptionBudget"):
        c.expect(pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items(), "PDB does not select the pods")
    policy = resources.get(("NetworkPolicy", "callback-stream"))
    if policy:
        c.expect(policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items(), "NetworkPolicy does not select the pods")
        allowed = {p.get("port") for rule in policy["spec"].get("ingress") or [] for p in rule.get("ports") or []}
        c.expect(int(settings["metrics-port"]) in allowed or "metrics" in allowed,
                 "NetworkPolicy does not admit the metrics port")
    account = deployment["spec"]["template"]["spec"].get("serviceAccountName")
    if account:
        c.expect(("ServiceAccount", account) in resources, f"ServiceAccount {account} is not defined")

    # KEDA: scale the Deployment, on the processor's group and input topic, at most one pod per partition.
    scaled = resources.get(("ScaledObject", "callback-stream"))
    if c.expect(scaled is not None, "no ScaledObject"):
        spec = scaled["spec"]
        c.expect(spec["scaleTargetRef"]["name"] == deployment["metadata"]["name"], "ScaledObject does not target the Deployment")
        c.expect(spec.get("minReplicaCount", 0) >= 2, "minReplicaCount should be ≥ 2 (one pod may fail)")
        partitions = ctx.facts.get("input_partitions")
        maximum = spec.get("maxReplicaCount", 100)
        if partitions:
            c.expect(maximum <= partitions, f"maxReplicaCount {maximum} exceeds the {partitions} input partitions")
            c.note(f"maxReplicaCount {maximum}, input partitions {partitions} (from compose.yaml's kafka-init)")
        _prometheus_triggers(ctx, c, spec["triggers"])
        for trigger in spec["triggers"]:
            if trigger["type"] != "kafka":
                continue
            c.warn("a kafka trigger scales on the group's committed lag, which includes the retained window of "
                   "sessions (up to input rate x 90 min with the defaults) whatever the load; prefer the "
                   "prometheus trigger on callback_stream_consumer_lag")
            metadata = trigger["metadata"]
            c.expect(metadata["consumerGroup"] == settings["group-id"], "kafka trigger consumerGroup != group-id")
            c.expect(metadata["topic"] == settings["input-topic"], "kafka trigger topic != input-topic")
            c.expect(metadata.get("allowIdleConsumers", "false") == "false", "allowIdleConsumers must stay false")
            c.expect(set(metadata["bootstrapServers"].split(",")) == set(settings["bootstrap-servers"].split(",")),
                     "kafka trigger bootstrapServers differ from the processor's")
            auth = (trigger.get("authenticationRef") or {}).get("name")
            if auth:
                authentication = resources.get(("TriggerAuthentication", auth))
                if c.expect(authentication is not None, f"TriggerAuthentication {auth} is not defined"):
                    example = load_yaml(directory / "secret.example.yaml")
                    keys = set((example.get("stringData") or {}) | (example.get("data") or {}))
                    for ref in authentication["spec"].get("secretTargetRef") or []:
                        c.expect(ref["name"] == example["metadata"]["name"] and ref["key"] in keys,
                                 f"TriggerAuthentication refers to {ref['name']}/{ref['key']}, not in secret.example.yaml")

    # PrometheusRule says exactly what deploy/prometheus/alerts.yml says.
    rule = resources.get(("PrometheusRule", "callback-stream"))
    if c.expect(rule is not None, "no PrometheusRule"):
        alerts = load_yaml(ctx.deploy / "prometheus" / "alerts.yml")
        c.expect(rule["spec"] == alerts, "PrometheusRule spec differs from deploy/prometheus/alerts.yml")
        # The commit-lag alert's threshold is the bound the ConfigMap's settings give.
        bound = commit_lag_bound_seconds(settings)
        for group in alerts.get("groups") or []:
            for entry in group.get("rules") or []:
                if entry.get("alert") == "CallbackStreamCommitLagBeyondBound":
                    threshold = re.search(r"callback_stream_commit_lag_seconds\)\s*>\s*([0-9.]+)", entry["expr"])
                    c.expect(threshold is not None and float(threshold.group(1)) == bound,
                             f"CallbackStreamCommitLagBeyondBound should fire above {bound:g} s, the bound of "
                             "configmap.yaml's max-session-duration, inactivity-timeout, window and allowed-lateness")

    # Compose and Kubernetes agree on the topics and the group.
    compose = ctx.facts.get("compose_settings")
    if compose:
        for flag in ("group-id", "input-topic", "output-topic", "dlq-topic", "stats-topic", "alerts-topic",
                     "stats-partials-topic", "metrics-port"):
            c.expect(str(compose[flag]) == str(settings[flag]), f"{flag}: compose {compose[flag]} vs Kubernetes {settings[flag]}")


def _prometheus_triggers(ctx: Context, c, triggers: list) -> None:
    """KEDA prometheus triggers: known metrics, the processor's job, and one on the processing lag."""
    allowed, source = ctx.allowed_series()
    queries = []
    for trigger in triggers:
        if trigger["type"] != "prometheus":
            continue
        metadata = trigger["metadata"]
        label = f"prometheus trigger {trigger.get('name', '?')}"
        query = str(metadata.get("query", ""))
        try:
            used = metric_names(query)
        except ValueError as error:
            c.fail(f"{label}: {error}")
            continue
        queries.append((label, query, used))
        c.expect(not (used - allowed), f"{label}: metrics not in {source}: {sorted(used - allowed)}")
        # Every selector names the processor's job (the Service name): another job's series of the
        # same name must not scale this Deployment.
        selectors = re.findall(r"callback_stream_[a-z0-9_]+(\{[^}]*\})?", query)
        c.expect(all('job="callback-stream"' in selector for selector in selectors),
                 f"{label}: select job=\"callback-stream\" in every selector")
        c.expect(float(metadata["threshold"]) > 0, f"{label}: threshold must be positive")
        c.expect(trigger.get("metricType", "AverageValue") == "AverageValue",
                 f"{label}: AverageValue (the threshold is per pod)")
    c.expect(any("callback_stream_consumer_lag" in used for *_, used in queries),
             "no prometheus trigger scales on the processing lag (callback_stream_consumer_lag)")
    c.expect(not any(name.startswith("callback_stream_commit_lag") for *_, used in queries for name in used),
             "a trigger scales on the commit lag, which measures the retained sessions, not load")
    if queries and ctx.tools.promtool:
        rules = "groups:\n  - name: keda\n    rules:\n" + "".join(
            f"      - record: keda:query_{index}\n        expr: {json.dumps(query)}\n"
            for index, (_, query, _) in enumerate(queries))
        candidate = ctx.work / "keda-queries.yml"
        candidate.write_text(rules)
        code, output = run([ctx.tools.promtool, "check", "rules", str(candidate)])
        c.expect(code == 0, f"promtool rejected a KEDA query:\n{output}")
    c.note(f"{len(queries)} prometheus triggers: " + ", ".join(label.split()[-1] for label, *_ in queries))
