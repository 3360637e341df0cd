"""No drift between the code, docs/architecture.md, compose and Kubernetes (scripts/check-deploy).

    python3 scripts/lib/check_deploy.py COMPOSE_CONFIG K8S_BASE K8S_DAPR

COMPOSE_CONFIG is `docker compose config` of compose/docker-compose.yml (interpolated, YAML),
K8S_BASE and K8S_DAPR the rendered kustomizations. Checks, for every service of the ports table
in docs/architecture.md:

- the environment variables the service reads (its `forKey:` keys, and those of the shared
  readers it calls: ServiceSettings, RedisClient/PostgresClient configuration, AuthSettings, the
  event bus, the component files' `envRef`s) are each set in compose and in Kubernetes, unless
  DEFAULTED below says why the default is right; and nothing sets a variable nobody reads;
- HTTP_PORT and APP_ID are the table's; compose's health check and Kubernetes' probes, ports and
  Service use that port and ServiceDefaults' health paths;
- the component files in compose/k8s/base/components/ are the same as compose/components/, and
  the Dapr overlay has a component of each name with the same type, and an annotation with the
  table's app id and port on each service that has one.

Prints one line per problem and exits 1 if there is any.
"""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The ports table's names → compose service / Kubernetes Deployment, and the executable.
SERVICES = {
    "catalog": ("catalog", "Catalog"),
    "ordering": ("ordering", "Ordering"),
    "basket": ("basket", "Basket"),
    "identity": ("identity", "Identity"),
    "payment": ("payment", "Payment"),
    "model worker": ("model-worker", "ModelWorker"),
    "model store": ("model-store", "ModelStore"),
    "state sidecar": ("state-sidecar", "StateSidecar"),
    "webapp (storefront)": ("webapp", "WebApp"),
    "webapp": ("webapp", "WebApp"),
}

# Variables a deployment leaves unset on purpose: the code's default is the right one there.
DEFAULTED = {
    "REDIS_USERNAME": "Redis' default user (requirepass)",
    "REDIS_DATABASE": "database 0",
    "REDIS_CONNECTIONS": "the pool's default size",
    "JWT_ISSUER": "Identity and the services share the default issuer",
    "JWT_AUDIENCE": "Identity and the services share the default audience",
    "JWT_CLOCK_SKEW_SECONDS": "30 s",
    "JWT_JWKS": "the services fetch Identity's JWKS from IDENTITY_URL",
    "EVENTBUS_RECLAIM_IDLE_SECONDS": "the event bus' default",
    "EVENTBUS_HANDLING_LEASE_SECONDS": "the event bus' default",
    "EVENTS_STREAM_PREFIX": "no prefix: streams are named after the topics",
    "IDENTITY_SIGNING_KEY": "generated once and kept in PostgreSQL, shared by every replica",
    "IDENTITY_TOKEN_LIFETIME_SECONDS": "1 hour",
    "IDENTITY_BCRYPT_COST": "bcrypt cost 10",
    "IDENTITY_LOGIN_MAX_FAILURES": "login throttling defaults",
    "IDENTITY_LOGIN_COOLDOWN_SECONDS": "login throttling defaults",
    "IDENTITY_LOGIN_FAILURE_DELAY_MS": "login throttling defaults",
    "IDENTITY_SEED_USERS": "the development users are seeded (the demo signs in as alice)",
    "CATALOG_SEED": "the sample catalog is seeded into an empty schema",
    "BASKET_TTL_SECONDS": "30 days",
    "BASKET_PRICE_CACHE_SECONDS": "30 s",
    "STATE_STORE": "redis (memory is for tests)",
    "ORDERING_TIMER_POLL_MILLISECONDS": "1 s",
    "PAYMENT_FAIL_ABOVE_TOTAL": "every payment succeeds",
    "MODEL_STORE_THROTTLE_BYTES_PER_SECOND": "full speed",
    "STATE_QUOTA_BYTES": "100 GB",
    "MODEL_MANIFEST": "the manifest built into the worker",
    "CHECKPOINT_EVERY": "the worker's checkpoint defaults",
    "CHECKPOINT_INTERVAL_MS": "the worker's checkpoint defaults",
    "STORE_LOCK_ATTEMPTS": "a standby replica's defaults",
    "STORE_LOCK_BACKOFF_MS": "a standby replica's defaults",
    "STATE_MAX_BODY_BYTES": "4 MiB, as Dapr",
    "DAPR_API_TOKEN": "no token: the sidecar is published on 127.0.0.1 / inside the cluster only",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "no collector: no traces exported (set it to the observability profile's collector, docs/observability.md)",
}

# Shared readers: a call in a service's code → the file whose `forKey:` keys it reads.
SHARED_READERS = {
    r"ServiceSettings\(reader": "Shared/ServiceDefaults/ServiceSettings.swift",
    r"RedisClient\.Configuration\(reader": "Shared/ServiceDefaults/RedisClient+Configuration.swift",
    r"PostgresClient\.Configuration\(reader": "Shared/ServiceDefaults/PostgresClient+Configuration.swift",
    r"AuthSettings\(reader": "Shared/ServiceDefaults/Auth/AuthSettings.swift",
    r"RedisStreamsEventBus\.Configuration\(reader": "Shared/ServiceDefaults/RedisStreamsEventBus+Configuration.swift",
    r"TracingSettings\(reader": "Shared/ServiceDefaults/TracingSettings.swift",
}
# `reader.logLevel()` reads log.level (ConfigReader+Service.swift's default key). TracingSettings
# reads OpenTelemetry's standard variables from a list of their names; deployments set the endpoint.
IMPLICIT_KEYS = {
    "Shared/ServiceDefaults/ServiceSettings.swift": {"log.level"},
    "Shared/ServiceDefaults/TracingSettings.swift": {"otel.exporter.otlp.endpoint"},
}

HEALTH_PATHS = {"/health/live", "/health/ready"}
problems = []


def problem(text):
    problems.append(text)


def keys_in(path):
    with open(os.path.join(ROOT, path)) as source:
        text = source.read()
    return set(re.findall(r'forKey: "([a-z0-9.]+)"', text)) | IMPLICIT_KEYS.get(path, set())


def env_name(key):
    return key.upper().replace(".", "_")


def variables_read(executable):
    """The environment variables the executable's code reads."""
    sources = glob.glob(os.path.join(ROOT, "Services", executable, "**", "*.swift"), recursive=True)
    text = "".join(open(path).read() for path in sources)
    keys = set(re.findall(r'forKey: "([a-z0-9.]+)"', text))
    for pattern, path in SHARED_READERS.items():
        if re.search(pattern, text):
            keys |= keys_in(path)
    names = {env_name(key) for key in keys}
    if "StateComponent.loadAll" in text:
        for component in glob.glob(os.path.join(ROOT, "compose", "components", "*.yaml")):
            names |= set(re.findall(r"envRef: ([A-Z0-9_]+)", open(component).read()))
    return names


def architecture_table():
    """{name: (port, grpc port or None, app id or None)} from docs/architecture.md."""
    table = {}
    text = open(os.path.join(ROOT, "docs", "architecture.md")).read()
    section = text.split("## Ports and names", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.match(r"^\d", cells[1]):
            continue
        ports = [int(port) for port in re.findall(r"\d+", cells[1])]
        app_id = re.fullmatch(r"`([a-z0-9-]+)`", cells[2])
        table[cells[0]] = (ports[0], ports[1] if len(ports) > 1 else None, app_id.group(1) if app_id else None)
    return table


def load_all(path):
    with open(path) as stream:
        return [document for document in yaml.safe_load_all(stream) if document]


def compose_environment(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def check_compose(compose, name, table_entry, executable):
    port, grpc_port, app_id = table_entry
    service = compose["services"].get(name)
    if service is None:
        problem(f"compose: no service '{name}' (docs/architecture.md lists it)")
        return
    environment = compose_environment(service)
    read = variables_read(executable)
    for variable in sorted(read - set(environment) - set(DEFAULTED)):
        problem(f"compose: {name} reads {variable}, which compose does not set")
    for variable in sorted(set(environment) - read):
        problem(f"compose: {name} sets {variable}, which {executable} never reads")
    if environment.get("HTTP_PORT") != str(port):
        problem(f"compose: {name} has HTTP_PORT {environment.get('HTTP_PORT')}, docs/architecture.md says {port}")
    if app_id and environment.get("APP_ID") != app_id:
        problem(f"compose: {name} has APP_ID {environment.get('APP_ID')}, docs/architecture.md says {app_id}")
    if grpc_port and environment.get("DAPR_GRPC_PORT") != str(grpc_port):
        problem(f"compose: {name} has DAPR_GRPC_PORT {environment.get('DAPR_GRPC_PORT')}, docs/architecture.md says {grpc_port}")
    test = " ".join(service.get("healthcheck", {}).get("test", []))
    if "/health/ready" not in test or "HTTP_PORT" not in test:
        problem(f"compose: {name}'s health check does not ask /health/ready on HTTP_PORT: {test!r}")
    published = {str(entry.get("target")) if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1].split("/")[0]
                 for entry in service.get("ports", [])}
    for wanted in filter(None, [port, grpc_port]):
        if str(wanted) not in published:
            problem(f"compose: {name} does not publish container port {wanted}")


def k8s_objects(documents, kind):
    return {document["metadata"]["name"]: document for document in documents if document.get("kind") == kind}


def k8s_environment(container, config_maps, secrets):
    environment = {}
    for entry in container.get("env", []):
        environment[entry["name"]] = entry.get("value")
        reference = entry.get("valueFrom", {})
        if "configMapKeyRef" in reference:
            key = reference["configMapKeyRef"]
            data = config_maps.get(key["name"], {}).get("data", {})
            if key["key"] not in data:
                problem(f"k8s: {container['name']}: {entry['name']} names ConfigMap key {key['name']}/{key['key']}, which is missing")
            environment[entry["name"]] = data.get(key["key"])
        if "secretKeyRef" in reference:
            key = reference["secretKeyRef"]
            secret = secrets.get(key["name"], {})
            if key["key"] not in {**secret.get("stringData", {}), **secret.get("data", {})}:
                problem(f"k8s: {container['name']}: {entry['name']} names Secret key {key['name']}/{key['key']}, which is missing")
            environment[entry["name"]] = "(secret)"
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            environment.update(config_maps.get(source["configMapRef"]["name"], {}).get("data", {}))
    return environment


def check_k8s(documents, name, table_entry, executable):
    port, grpc_port, app_id = table_entry
    deployment = k8s_objects(documents, "Deployment").get(name)
    if deployment is None:
        problem(f"k8s: no Deployment '{name}' (docs/architecture.md lists it)")
        return
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    environment = k8s_environment(container, k8s_objects(documents, "ConfigMap"), k8s_objects(documents, "Secret"))
    read = variables_read(executable)
    for variable in sorted(read - set(environment) - set(DEFAULTED)):
        problem(f"k8s: {name} reads {variable}, which its Deployment does not set")
    for variable in sorted(set(environment) - read):
        problem(f"k8s: {name} sets {variable}, which {executable} never reads")
    if environment.get("HTTP_PORT") != str(port):
        problem(f"k8s: {name} has HTTP_PORT {environment.get('HTTP_PORT')}, docs/architecture.md says {port}")
    if app_id and environment.get("APP_ID") != app_id:
        problem(f"k8s: {name} has APP_ID {environment.get('APP_ID')}, docs/architecture.md says {app_id}")
    ports = {entry["name"]: entry["containerPort"] for entry in container.get("ports", [])}
    if ports.get("http") != port:
        problem(f"k8s: {name}'s container port 'http' is {ports.get('http')}, docs/architecture.md says {port}")
    if grpc_port and ports.get("grpc") != grpc_port:
        problem(f"k8s: {name}'s container port 'grpc' is {ports.get('grpc')}, docs/architecture.md says {grpc_port}")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        get = container.get(probe, {}).get("httpGet")
        if probe != "startupProbe" and get is None:
            problem(f"k8s: {name} has no HTTP {probe}")
        elif get and (get.get("path") not in HEALTH_PATHS or get.get("port") not in ("http", port)):
            problem(f"k8s: {name}'s {probe} asks {get.get('path')} on {get.get('port')}")
    if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/health/ready":
        problem(f"k8s: {name}'s readiness probe is not /health/ready")
    service = k8s_objects(documents, "Service").get(name)
    service_ports = {entry["port"] for entry in (service or {}).get("spec", {}).get("ports", [])}
    for wanted in filter(None, [port, grpc_port]):
        if wanted not in service_ports:
            problem(f"k8s: Service {name} does not expose {wanted}")


def check_components(dapr_documents, table):
    folder = os.path.join(ROOT, "compose", "components")
    ours = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
        copy = os.path.join(ROOT, "compose", "k8s", "base", "components", os.path.basename(path))
        if not os.path.exists(copy) or open(copy).read() != open(path).read():
            problem(f"k8s: compose/k8s/base/components/{os.path.basename(path)} differs from compose/components/ (copy it)")
        component = yaml.safe_load(open(path))
        ours[component["metadata"]["name"]] = component["spec"]["type"]
    theirs = {document["metadata"]["name"]: document["spec"]["type"]
              for document in dapr_documents if document.get("kind") == "Component"}
    if ours != theirs:
        problem(f"k8s dapr overlay: components {theirs} differ from compose/components/ {ours}")
    deployments = k8s_objects(dapr_documents, "Deployment")
    if "state-sidecar" in deployments:
        problem("k8s dapr overlay: our state-sidecar is still deployed beside daprd")
    for table_name, (port, _grpc, app_id) in table.items():
        name = SERVICES.get(table_name, (None,))[0]
        if not app_id or name not in deployments or name == "model-store":
            continue
        annotations = deployments[name]["spec"]["template"]["metadata"].get("annotations", {})
        wanted = {"dapr.io/enabled": "true", "dapr.io/app-id": app_id, "dapr.io/app-port": str(port)}
        if any(annotations.get(key) != value for key, value in wanted.items()):
            problem(f"k8s dapr overlay: {name}'s annotations {annotations} are not {wanted}")


def main():
    compose = yaml.safe_load(open(sys.argv[1]))
    base = load_all(sys.argv[2])
    dapr = load_all(sys.argv[3])
    table = architecture_table()
    checked = []
    for table_name, entry in table.items():
        if table_name.startswith("Redis"):
            continue
        if table_name not in SERVICES:
            problem(f"docs/architecture.md names '{table_name}', which this check does not know (add it to SERVICES)")
            continue
        name, executable = SERVICES[table_name]
        check_compose(compose, name, entry, executable)
        check_k8s(base, name, entry, executable)
        checked.append(name)
    check_components(dapr, table)
    for line in problems:
        print(f"check-deploy: {line}")
    if problems:
        sys.exit(1)
    print(f"check-deploy: no drift: {', '.join(checked)} match docs/architecture.md in compose and Kubernetes")


if __name__ == "__main__":
    main()
