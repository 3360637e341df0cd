"""The eShop services, started as real processes for the Python suites (the storefront's browser
tests, Tests/WebAppBrowser; the schemathesis run, Tests/Fuzz).

Like Tests/EndToEndTests/EndToEndSystem.swift: the built executables (ESHOP_BIN_DIR) over the
Redis and PostgreSQL that scripts/test started (REDIS_*, POSTGRES_*), each run in a PostgreSQL
database and a Redis database of its own. Identity, Catalog, Ordering, Payment and Basket always;
the WebApp, the state sidecar (statestore on Redis, orderstore on PostgreSQL, both in the run's
own databases) and the model worker (with the model store serving MODEL_STORE_DIR) on request.
Without the model worker, Catalog and the storefront work without it (semantic search falls back
on names, the "bought together" section is hidden).
"""

import json
import os
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, timeout=60.0, interval=0.1):
    """Polls `check` until it answers truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            answer = check()
            if answer:
                return answer
        except Exception as error:  # noqa: BLE001 - reported below if it never succeeds
            last = error
        time.sleep(interval)
    raise TimeoutError(f"{what} not within {timeout} s (last error: {last!r})")


class Service:
    def __init__(self, name, binary, environment, log_dir):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.environment = dict(environment, HTTP_PORT=str(self.port))
        self.binary = binary
        self.process = None

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary], env=self.environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()

    def is_ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.last_lines()}")
        try:
            with urllib.request.urlopen(self.url + "/health/ready", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def last_lines(self, count=20):
        with open(self.log_path, "rb") as log:
            return b"".join(log.readlines()[-count:]).decode(errors="replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class System:
    """Identity, Catalog, Basket, Ordering, Payment, and on request the WebApp, the state sidecar
    and the model worker; `services` by name once started."""

    def __init__(self, name="webapp_browser", webapp=True, sidecar=False, model_worker=False):
        self.bin_dir = os.environ["ESHOP_BIN_DIR"]
        self.log_dir = tempfile.mkdtemp(prefix=name.replace("_", "-") + "-logs-")
        self.database = name + "_" + secrets.token_hex(4)
        self.redis_database = str(secrets.randbelow(15) + 1)
        self.with_webapp, self.with_sidecar, self.with_model_worker = webapp, sidecar, model_worker
        self.services = []
        self.by_name = {}

    # Stores

    def _psql(self, sql):
        env = dict(os.environ, PGPASSWORD=os.environ.get("POSTGRES_PASSWORD", ""))
        subprocess.run(
            [os.path.join(os.environ["POSTGRES_BIN_DIR"], "psql"), "-v", "ON_ERROR_STOP=1", "-q",
             "-h", os.environ.get("POSTGRES_HOST", "127.0.0.1"), "-p", os.environ.get("POSTGRES_PORT", "5432"),
             "-U", os.environ.get("POSTGRES_USER", "postgres"), "-d", "postgres", "-c", sql],
            env=env, check=True, capture_output=True)

    def _flush_redis_database(self):
        command = ["redis-cli", "-h", os.environ.get("REDIS_HOST", "127.0.0.1"), "-p", os.environ.get("REDIS_PORT", "6379"),
                   "-n", self.redis_database, "FLUSHDB"]
        env = dict(os.environ)
        if os.environ.get("REDIS_PASSWORD"):
            env["REDISCLI_AUTH"] = os.environ["REDIS_PASSWORD"]
        subprocess.run(command, env=env, check=True, capture_output=True)

    # Lifecycle

    def start(self):
        self._psql(f'CREATE DATABASE "{self.database}"')
        self._flush_redis_database()
        common = {
            "PATH": os.environ.get("PATH", ""), "LOG_LEVEL": "warning",
            "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"), "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
            "POSTGRES_USER": os.environ.get("POSTGRES_USER", "postgres"), "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
            "POSTGRES_DATABASE": self.database,
            "REDIS_HOST": os.environ.get("REDIS_HOST", "127.0.0.1"), "REDIS_PORT": os.environ.get("REDIS_PORT", "6379"),
            "REDIS_PASSWORD": os.environ.get("REDIS_PASSWORD", ""), "REDIS_DATABASE": self.redis_database,
            "EVENTBUS_RECLAIM_IDLE_SECONDS": "2", "EVENTBUS_HANDLING_LEASE_SECONDS": "3",
        }
        binary = lambda name: os.path.join(self.bin_dir, name)  # noqa: E731
        identity = Service("identity", binary("Identity"), dict(common, IDENTITY_BCRYPT_COST="4"), self.log_dir)
        identity.environment["IDENTITY_URL"] = identity.url
        with_identity = dict(common, IDENTITY_URL=identity.url)
        catalog = Service("catalog", binary("Catalog"), with_identity, self.log_dir)
        # Without the model worker nothing listens there: the worker is down.
        worker_port = free_port()
        catalog.environment["MODEL_WORKER_URL"] = f"http://127.0.0.1:{worker_port}"
        # A short grace period: the order page shows `submitted` first, then moves on by itself.
        ordering = Service("ordering", binary("Ordering"), dict(
            with_identity, ORDERING_GRACE_PERIOD_SECONDS="2", ORDERING_TIMER_POLL_MILLISECONDS="200"), self.log_dir)
        payment = Service("payment", binary("Payment"), common, self.log_dir)
        basket = Service("basket", binary("Basket"), dict(with_identity, CATALOG_URL=catalog.url), self.log_dir)
        self.services = [identity, catalog, ordering, payment, basket]
        if self.with_webapp:
            self.services.append(Service("webapp", binary("WebApp"), dict(
                common, IDENTITY_URL=identity.url, CATALOG_URL=catalog.url, BASKET_URL=basket.url, ORDERING_URL=ordering.url,
                MODEL_WORKER_URL=f"http://127.0.0.1:{worker_port}"), self.log_dir))
        if self.with_sidecar:
            sidecar = Service("sidecar", binary("StateSidecar"), dict(
                common, APP_ID="sidecar-" + secrets.token_hex(4), COMPONENTS_PATH=self._components(),
                DAPR_GRPC_PORT=str(free_port())), self.log_dir)
            self.services.append(sidecar)
        if self.with_model_worker:
            store = Service("model-store", binary("ModelStore"), dict(common, MODEL_STORE_DIR=os.environ["MODEL_STORE_DIR"]), self.log_dir)
            worker = Service("model-worker", binary("ModelWorker"), dict(
                common, STATE_DIR=tempfile.mkdtemp(prefix="eshop-worker-state-"), CATALOG_URL=catalog.url,
                MODEL_BASE_URL=f"{store.url}/all-MiniLM-L6-v2/"), self.log_dir)
            worker.port, worker.url = worker_port, f"http://127.0.0.1:{worker_port}"
            worker.environment["HTTP_PORT"] = str(worker_port)
            self.services += [store, worker]
        for service in self.services:
            service.start()
        for service in self.services:
            # The model worker downloads and loads its model, then embeds the catalog.
            wait_until(f"{service.name} ready", service.is_ready, timeout=120 if service.name == "model-worker" else 60)
        self.by_name = {service.name: service for service in self.services}
        self.catalog = catalog
        if self.with_webapp:
            self.webapp = self.by_name["webapp"]
            self.base_url = self.webapp.url

    def _components(self):
        """A components folder: `statestore` on the run's Redis database, `orderstore` on its
        PostgreSQL database (Dapr's component files, as compose/components has them)."""
        env = os.environ
        folder = tempfile.mkdtemp(prefix="eshop-components-")
        redis = {"redisHost": f"{env.get('REDIS_HOST', '127.0.0.1')}:{env.get('REDIS_PORT', '6379')}",
                 "redisPassword": env.get("REDIS_PASSWORD", ""), "redisDB": self.redis_database}
        connection = " ".join(f"{name}={value}" for name, value in [
            ("host", env.get("POSTGRES_HOST", "127.0.0.1")), ("port", env.get("POSTGRES_PORT", "5432")),
            ("user", env.get("POSTGRES_USER", "postgres")), ("password", env.get("POSTGRES_PASSWORD", "")),
            ("database", self.database)] if value)
        for name, kind, metadata in [("statestore", "state.redis", redis),
                                     ("orderstore", "state.postgresql", {"connectionString": connection, "tableName": "state"})]:
            lines = "\n".join(f"    - name: {key}\n      value: {json.dumps(value)}" for key, value in metadata.items() if value)
            with open(os.path.join(folder, f"{name}.yaml"), "w") as file:
                file.write("apiVersion: dapr.io/v1alpha1\nkind: Component\n"
                           f"metadata:\n  name: {name}\nspec:\n  type: {kind}\n  version: v1\n  metadata:\n{lines}\n")
        return folder

    def stop(self):
        for service in reversed(self.services):
            service.stop()
        try:
            self._psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pass

    def logs(self):
        return "\n".join(f"--- {s.name} ---\n{s.last_lines()}" for s in self.services)
