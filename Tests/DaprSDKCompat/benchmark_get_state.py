"""Latency of the official Dapr Python SDK's get_state against our sidecar, at a fixed rate.

Open loop: call i is due at start + i/rate, whatever earlier calls took; its latency counts from
when it was due, so a slow call also charges the calls queued behind it. One Python thread cannot
issue 1,000 SDK calls/s (the SDK's own cost is ~0.6 ms a call here), so WORKERS processes (default
4) share the rate, each with its own connections. The same read is timed, in alternating
one-second slices, four ways:
  grpc       DaprClient.get_state (gRPC, Dapr's GetState) through the sidecar
  http       GET /v1.0/state/statestore/KEY through the sidecar (keep-alive http.client)
  redis      the sidecar's own read, HMGET of the stored hash's data and version, sent directly (RESP)
  grpc-floor DaprClient.get_metadata: the same SDK and transport without a store read
so "added latency" is sidecar minus direct Redis, as Dapr measures its sidecar. Run by
scripts/benchmark-dapr-sdk; prints a table and one JSON line.
"""

import http.client
import json
import multiprocessing
import os
import socket
import time

from dapr.clients import DaprClient

from test_state import Sidecar, redis_component  # the suite's sidecar process helper

RATE = int(os.environ.get('RATE', '1000'))
SECONDS = int(os.environ.get('SECONDS_PER_PATH', '10'))
WORKERS = int(os.environ.get('WORKERS', '4'))
KEY = 'bench-1k'
VALUE = json.dumps({'payload': 'x' * 1000})


class RedisConnection:
    """Just enough RESP for AUTH and HMGET, to time the read the sidecar itself performs."""

    def __init__(self, host, port, password):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile('rb')
        if password:
            self.command('AUTH', password)

    def command(self, *parts):
        payload = f'*{len(parts)}\r\n'.encode() + b''.join(f'${len(p.encode())}\r\n'.encode() + p.encode() + b'\r\n' for p in parts)
        self.sock.sendall(payload)
        return self.read()

    def read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind in (b'+', b':'):
            return rest
        if kind == b'$':
            length = int(rest)
            return None if length < 0 else self.file.read(length + 2)[:-2]
        if kind in (b'*', b'%'):
            count = int(rest) * (2 if kind == b'%' else 1)
            return [self.read() for _ in range(max(count, 0))]
        raise RuntimeError(f'unexpected reply {line!r}')


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def run_slice(call, start, count, latencies, service, rate=RATE):
    """`count` calls at RATE from `start`; appends latency from due time, and service time (ms).
    Returns how far the slice ran past its schedule: more than a call or two means the rate was
    not kept, and the percentiles measure a queue."""
    for i in range(count):
        due = start + i / rate
        now = time.perf_counter()
        if now < due:
            time.sleep(max(0, due - now - 0.0002))
            while time.perf_counter() < due:
                pass
        began = time.perf_counter()
        call()
        ended = time.perf_counter()
        latencies.append((ended - due) * 1000)
        service.append((ended - began) * 1000)
    return (time.perf_counter() - start) * 1000 - count * 1000 / rate  # ms the slice overran


_paths = {}


def worker_setup(http_port, stored_key):
    """Each worker process's own SDK client, HTTP connection and Redis connection."""
    client = DaprClient()
    connection = http.client.HTTPConnection('127.0.0.1', http_port)

    def http_get():
        connection.request('GET', f'/v1.0/state/statestore/{KEY}')
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200 and body == VALUE.encode()

    redis = RedisConnection(os.environ.get('REDIS_HOST', '127.0.0.1'), int(os.environ['REDIS_PORT']), os.environ.get('REDIS_PASSWORD'))
    _paths.update({
        'grpc': lambda: client.get_state('statestore', KEY),
        'http': http_get,
        'redis': lambda: redis.command('HMGET', stored_key, 'data', 'version'),
        'grpc-floor': lambda: client.get_metadata(),
    })


def worker_slice(arguments):
    """One worker's share of a one-second slice of `name`, starting at `start` (CLOCK_MONOTONIC,
    the same clock in every process)."""
    name, start, count = arguments
    latencies, service = [], []
    overrun = run_slice(_paths[name], start, count, latencies, service, rate=RATE / WORKERS)
    return latencies, service, overrun


def main():
    sidecar = Sidecar(redis_component())
    try:
        sidecar.use()
        with DaprClient() as client:
            client.save_state('statestore', KEY, VALUE)
            assert client.get_state('statestore', KEY).data == VALUE.encode()
        stored_key = f'{sidecar.app_id}||{KEY}'
        names = ['grpc', 'http', 'redis', 'grpc-floor']
        results = {name: ([], []) for name in names}
        overrun = {name: 0.0 for name in names}
        per_worker = RATE // WORKERS
        with multiprocessing.get_context('spawn').Pool(WORKERS, initializer=worker_setup, initargs=(sidecar.http_port, stored_key)) as pool:
            def run(name, record):
                start = time.perf_counter() + 0.02  # every worker starts together, offset by its share
                shares = [(name, start + w / RATE, per_worker) for w in range(WORKERS)]
                for latencies, service, lag in pool.map(worker_slice, shares):
                    if record:
                        results[name][0].extend(latencies)
                        results[name][1].extend(service)
                        overrun[name] = max(overrun[name], lag)

            for name in names:  # warm-up: connections, caches, the sidecar's first reads
                run(name, record=False)
            for _ in range(SECONDS):
                for name in names:
                    run(name, record=True)

        figures = {}
        print(f'{RATE} calls/s from {WORKERS} processes, {SECONDS} one-second slices per path, taking turns; latency from when each call was due')
        print(f'{"path":<11} {"calls":>6} {"p50 ms":>8} {"p90 ms":>8} {"p99 ms":>8} {"p99.9 ms":>9} {"service p50":>12} {"max overrun ms":>15}')
        for name, (latencies, service) in results.items():
            figures[name] = {
                'calls': len(latencies),
                'p50': percentile(latencies, 50), 'p90': percentile(latencies, 90),
                'p99': percentile(latencies, 99), 'p999': percentile(latencies, 99.9),
                'service_p50': percentile(service, 50), 'max_overrun_ms': overrun[name],
            }
            f = figures[name]
            print(f'{name:<11} {f["calls"]:>6} {f["p50"]:>8.3f} {f["p90"]:>8.3f} {f["p99"]:>8.3f} {f["p999"]:>9.3f} {f["service_p50"]:>12.3f} {f["max_overrun_ms"]:>15.1f}')
        for name in ['grpc', 'http']:
            added = figures[name]['p50'] - figures['redis']['p50']
            added99 = figures[name]['p99'] - figures['redis']['p99']
            print(f'added by the sidecar ({name}, vs direct Redis): p50 {added:+.3f} ms, p99 {added99:+.3f} ms')
        print('Dapr publishes (1,000 RPS): +0.53 ms p50 gRPC (publish), +1.06 ms p50 HTTP (invocation)')
        print(json.dumps({'rate': RATE, 'seconds_per_path': SECONDS, 'figures': figures}))
    finally:
        sidecar.stop()


if __name__ == '__main__':
    main()
