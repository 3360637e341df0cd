"""Schemathesis over every service's OpenAPI document, against the services as real processes.

Starts Identity, Catalog, Ordering, Payment, Basket, the state sidecar, the model store and the
model worker (Tests/PythonSupport/eshop_system.py: the built executables over the Redis and
PostgreSQL of scripts/test, in a PostgreSQL database and a Redis database of this run's own),
signs alice (a buyer) and admin in, then runs `schemathesis run` once per document, as each
service serves it at /openapi.yaml (the sidecar twice: its Redis store, then its PostgreSQL one).
Settings: Tests/Fuzz/schemathesis.toml. Run by scripts/test-fuzz; docs/operations.md#fuzzing.

    fuzz.py [DOCUMENT ...] [-- SCHEMATHESIS_ARGUMENT ...]
        DOCUMENT: only these (identity, catalog, ordering, basket, payment, statestore,
        orderstore, model-worker); all by default. Arguments after `--` go to every
        `schemathesis run`, e.g. `-- --max-examples 200 --include-path-regex /pic`.

Prints one summary line, `fuzz: …`, and exits non-zero when a check failed or a run errored.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from eshop_system import System, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "Pass123$"

# (document, service that serves it, environment for the run)
DOCUMENTS = [
    ("catalog", "catalog", {}),
    ("basket", "basket", {}),
    ("ordering", "ordering", {}),
    ("payment", "payment", {}),
    ("statestore", "sidecar", {"FUZZ_STATE_STORE": "statestore"}),
    ("orderstore", "sidecar", {"FUZZ_STATE_STORE": "orderstore"}),
    ("model-worker", "model-worker", {}),
    # Last: its token endpoint may lock alice or admin out for a while (429), after their tokens.
    ("identity", "identity", {}),
]


def token(identity_url, user):
    form = urllib.parse.urlencode({"grant_type": "password", "username": user, "password": PASSWORD}).encode()
    with urllib.request.urlopen(identity_url + "/connect/token", data=form, timeout=10) as response:
        return json.load(response)["access_token"]


def expect_ok(url, bearer):
    """Fails unless `url` answers 200 with the token: every run checks that its tokens work, since
    a wrong one would only get 401s, which the documents allow."""
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + bearer})
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status} to a signed-in request")


def index_ready(worker_url):
    """Whether the model worker's catalog index is ready (search answers 503 until then)."""
    with urllib.request.urlopen(worker_url + "/health/live", timeout=2) as response:
        return json.load(response)["index"]["state"] == "ready"


def run_schemathesis(service, environment, extra):
    """One `schemathesis run`: (passed, its output, counts parsed from its summary)."""
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"), "--no-color",
        "--config-file", os.path.join(HERE, "schemathesis.toml"),
        "run", service.url + "/openapi.yaml", "--url", service.url, *extra,
    ]
    # In a folder of its own: nothing (reports, caches) lands in the work tree.
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        result = subprocess.run(command, cwd=folder, env=dict(os.environ, **environment),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = result.stdout
    operations = re.search(r"Tested: (\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    counts = (int(operations.group(1)) if operations else 0, int(cases.group(1)) if cases else 0)
    return result.returncode == 0, output, counts


def main(arguments):
    selected, extra = arguments, []
    if "--" in arguments:
        at = arguments.index("--")
        selected, extra = arguments[:at], arguments[at + 1:]
    unknown = set(selected) - {name for name, _, _ in DOCUMENTS}
    if unknown:
        sys.exit(f"fuzz: unknown document(s) {', '.join(sorted(unknown))}; known: {', '.join(n for n, _, _ in DOCUMENTS)}")
    documents = [d for d in DOCUMENTS if not selected or d[0] in selected]
    started = time.monotonic()
    system = System(name="fuzz", webapp=False, sidecar=True,
                    model_worker=any(service == "model-worker" for _, service, _ in documents))
    try:
        system.start()
        identity = system.by_name["identity"].url
        os.environ["FUZZ_BUYER_TOKEN"] = token(identity, "alice")
        os.environ["FUZZ_ADMIN_TOKEN"] = token(identity, "admin")
        os.environ.setdefault("FUZZ_STATE_STORE", "statestore")
        expect_ok(system.by_name["basket"].url + "/api/v1/basket", os.environ["FUZZ_BUYER_TOKEN"])
        expect_ok(system.by_name["ordering"].url + "/api/v1/orders/admin", os.environ["FUZZ_ADMIN_TOKEN"])
        if "model-worker" in system.by_name:
            wait_until("the model worker's catalog index ready", lambda: index_ready(system.by_name["model-worker"].url), timeout=120)
        print(f"fuzz: services ready in {time.monotonic() - started:.0f} s (logs in {system.log_dir})", flush=True)
        failed, totals = [], [0, 0]
        for name, service, environment in documents:
            began = time.monotonic()
            passed, output, (operations, cases) = run_schemathesis(system.by_name[service], environment, extra)
            totals[0] += operations
            totals[1] += cases
            verdict = "passed" if passed else "FAILED"
            print(f"fuzz: {name}: {verdict}: {operations} operations, {cases} test cases in {time.monotonic() - began:.0f} s", flush=True)
            if not passed:
                failed.append(name)
                print(output, flush=True)
        if failed:
            print(system.logs())
        summary = f"{totals[0]} operations, {totals[1]} test cases, {len(documents)} documents"
        if failed:
            print(f"fuzz: FAILED: {', '.join(failed)}; {summary} in {time.monotonic() - started:.0f} s")
            return 1
        print(f"fuzz: passed: {summary}, 0 failures in {time.monotonic() - started:.0f} s")
        return 0
    except Exception:
        print(system.logs())
        raise
    finally:
        system.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
