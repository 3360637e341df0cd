"""Dapr's state API of our sidecar, judged by the official Dapr Python SDK (PyPI `dapr`).

Each test class starts a real StateSidecar process (SIDECAR_BIN) over the Redis or PostgreSQL
server of scripts/test (REDIS_*, POSTGRES_*), on free ports, and talks to it through
`dapr.clients.DaprClient` exactly as an application would: gRPC for the state calls, HTTP for the
SDK's wait on /v1.0/healthz/outbound. Run by scripts/test-dapr-sdk.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid
import warnings

import grpc
from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprGrpcError
from dapr.clients.grpc._state import StateItem
from dapr.clients.grpc._request import TransactionalStateOperation, TransactionOperationType

STORE = 'statestore'
TOKEN = 'compat-' + uuid.uuid4().hex


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def redis_component():
    env = os.environ
    return {
        'type': 'state.redis',
        'metadata': {
            'redisHost': f"{env.get('REDIS_HOST', '127.0.0.1')}:{env.get('REDIS_PORT', '6379')}",
            'redisPassword': env.get('REDIS_PASSWORD', ''),
        },
    }


def postgres_component(table):
    env = os.environ
    connection = ' '.join(
        f'{name}={value}'
        for name, value in [
            ('host', env.get('POSTGRES_HOST', '127.0.0.1')),
            ('port', env.get('POSTGRES_PORT', '5432')),
            ('user', env.get('POSTGRES_USER', 'postgres')),
            ('password', env.get('POSTGRES_PASSWORD', '')),
            ('database', env.get('POSTGRES_DATABASE', 'postgres')),
        ]
        if value
    )
    return {'type': 'state.postgresql', 'metadata': {'connectionString': connection, 'tableName': table}}


class Sidecar:
    """A StateSidecar process of the test's own, stopped by stop()."""

    def __init__(self, component, api_token=None):
        self.app_id = 'compat-' + uuid.uuid4().hex[:8]
        self.http_port = free_port()
        self.grpc_port = free_port()
        self.api_token = api_token
        self.folder = tempfile.mkdtemp(prefix='dapr-sdk-compat-')
        metadata = '\n'.join(
            f'    - name: {name}\n      value: {json.dumps(value)}' for name, value in component['metadata'].items() if value
        )
        with open(os.path.join(self.folder, 'statestore.yaml'), 'w') as file:
            file.write(
                'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\n'
                f"spec:\n  type: {component['type']}\n  version: v1\n  metadata:\n{metadata}\n"
            )
        env = dict(os.environ)
        env.update(
            APP_ID=self.app_id,
            COMPONENTS_PATH=self.folder,
            HTTP_HOST='127.0.0.1',
            HTTP_PORT=str(self.http_port),
            DAPR_GRPC_PORT=str(self.grpc_port),
            LOG_LEVEL='warning',
        )
        env.pop('DAPR_API_TOKEN', None)
        if api_token:
            env['DAPR_API_TOKEN'] = api_token
        self.log = open(os.path.join(self.folder, 'sidecar.log'), 'w+')
        self.process = subprocess.Popen([os.environ['SIDECAR_BIN']], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready(deadline=time.monotonic() + 30)

    def wait_ready(self, deadline):
        """Polls /health/ready (every store reachable and migrated) until 200 or the deadline."""
        url = f'http://127.0.0.1:{self.http_port}/health/ready'
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f'the sidecar exited ({self.process.returncode}): {self.output()}')
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f'the sidecar was not ready within 30 s: {self.output()}')
            time.sleep(0.05)

    def output(self):
        self.log.seek(0)
        return self.log.read()[-2000:]

    def use(self, with_token=True):
        """Points the SDK at this sidecar (it reads DAPR_* from the environment on every use)."""
        os.environ['DAPR_HTTP_PORT'] = str(self.http_port)
        os.environ['DAPR_GRPC_PORT'] = str(self.grpc_port)
        os.environ['DAPR_HEALTH_TIMEOUT'] = '20'
        if with_token and self.api_token:
            os.environ['DAPR_API_TOKEN'] = self.api_token
        else:
            os.environ.pop('DAPR_API_TOKEN', None)

    def http(self, method, path, body=None, token=None):
        """An HTTP request to the sidecar: (status, body bytes)."""
        request = urllib.request.Request(f'http://127.0.0.1:{self.http_port}{path}', data=body, method=method)
        if body is not None:
            request.add_header('Content-Type', 'application/json')
        if token:
            request.add_header('dapr-api-token', token)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def grpc_code(call):
    """The gRPC status code of the DaprGrpcError `call` raises."""
    try:
        call()
    except DaprGrpcError as error:
        return error.code()
    raise AssertionError('expected a DaprGrpcError')


class StateAPICompat:
    """The SDK's state calls; a subclass says which store the sidecar serves."""

    component = None
    sidecar = None
    # Whether the store has Dapr's query API (PostgreSQL; Redis needs RediSearch, which we lack).
    queryable = False

    @classmethod
    def setUpClass(cls):
        cls.sidecar = Sidecar(cls.component())
        cls.sidecar.use()
        cls.client = DaprClient()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.sidecar.stop()

    def key(self, name):
        return f'{name}-{uuid.uuid4().hex[:8]}'

    def test_save_state_and_get_state_with_etag(self):
        key = self.key('order')
        self.client.save_state(STORE, key, '{"id":1}')
        found = self.client.get_state(STORE, key)
        # PostgreSQL keeps JSON in jsonb, which normalises spacing (as in Dapr): equivalent JSON.
        self.assertEqual(json.loads(found.data), {'id': 1})
        self.assertTrue(found.etag)
        self.client.save_state(STORE, key, '{"id":2}', etag=found.etag)
        self.assertNotEqual(self.client.get_state(STORE, key).etag, found.etag)
        self.client.save_state(STORE, key, 'not JSON: kept byte for byte')
        self.assertEqual(self.client.get_state(STORE, key).data, b'not JSON: kept byte for byte')
        missing = self.client.get_state(STORE, self.key('absent'))
        self.assertEqual((missing.data, missing.etag), (b'', ''))

    def test_save_state_with_a_stale_etag_raises_aborted(self):
        key = self.key('stale')
        self.client.save_state(STORE, key, 'v1')
        etag = self.client.get_state(STORE, key).etag
        self.client.save_state(STORE, key, 'v2', etag=etag)
        self.assertEqual(grpc_code(lambda: self.client.save_state(STORE, key, 'v3', etag=etag)), grpc.StatusCode.ABORTED)
        self.assertEqual(grpc_code(lambda: self.client.save_state(STORE, key, 'v3', etag='x1')), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(self.client.get_state(STORE, key).data, b'v2')

    def test_a_message_over_the_size_limit_is_refused(self):
        key, too_big = self.key('big'), b'x' * (4 * 1024 * 1024 + 1)  # STATE_MAX_BODY_BYTES' default is 4 MiB
        # The transport refuses it while the client is still sending, by resetting the stream
        # (RST_STREAM CANCEL), which Python's grpc reports as CANCELLED.
        code = grpc_code(lambda: self.client.save_state(STORE, key, too_big))
        self.assertIn(code, [grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.CANCELLED])
        self.assertEqual(self.client.get_state(STORE, key).data, b'')

    def test_unknown_store_is_invalid_argument(self):
        self.assertEqual(grpc_code(lambda: self.client.get_state('nostore', 'k')), grpc.StatusCode.INVALID_ARGUMENT)

    def test_delete_state(self):
        key = self.key('gone')
        self.client.save_state(STORE, key, 'v')
        etag = self.client.get_state(STORE, key).etag
        self.client.save_state(STORE, key, 'w')
        self.assertEqual(grpc_code(lambda: self.client.delete_state(STORE, key, etag=etag)), grpc.StatusCode.ABORTED)
        self.client.delete_state(STORE, key)
        self.assertEqual(self.client.get_state(STORE, key).data, b'')

    def test_save_bulk_state_and_get_bulk_state_with_parallelism(self):
        keys = [self.key(f'bulk{i}') for i in range(5)]
        self.client.save_bulk_state(STORE, [StateItem(key=k, value=f'value-{i}') for i, k in enumerate(keys)])
        absent = self.key('absent')
        found = self.client.get_bulk_state(STORE, keys=keys + [absent], parallelism=3).items
        self.assertEqual([item.key for item in found], keys + [absent])
        self.assertEqual([item.data for item in found], [f'value-{i}'.encode() for i in range(5)] + [b''])
        self.assertTrue(all(item.etag for item in found[:5]))
        self.assertEqual(found[5].etag, '')

    def test_execute_state_transaction_upsert_and_delete(self):
        old, new = self.key('old'), self.key('new')
        self.client.save_state(STORE, old, 'x')
        self.client.execute_state_transaction(
            STORE,
            [
                TransactionalStateOperation(key=new, data='y', operation_type=TransactionOperationType.upsert),
                TransactionalStateOperation(key=old, data='', operation_type=TransactionOperationType.delete),
            ],
        )
        self.assertEqual(self.client.get_state(STORE, new).data, b'y')
        self.assertEqual(self.client.get_state(STORE, old).data, b'')

    def test_execute_state_transaction_is_all_or_nothing(self):
        guarded, other = self.key('guarded'), self.key('other')
        self.client.save_state(STORE, guarded, 'v1')
        etag = self.client.get_state(STORE, guarded).etag
        self.client.save_state(STORE, guarded, 'v2')
        code = grpc_code(
            lambda: self.client.execute_state_transaction(
                STORE,
                [
                    TransactionalStateOperation(key=other, data='written?', operation_type=TransactionOperationType.upsert),
                    TransactionalStateOperation(key=guarded, data='v3', etag=etag, operation_type=TransactionOperationType.upsert),
                ],
            )
        )
        self.assertEqual(code, grpc.StatusCode.ABORTED)
        self.assertEqual(self.client.get_state(STORE, other).data, b'')
        self.assertEqual(self.client.get_state(STORE, guarded).data, b'v2')

    def test_query_state_with_filter_sort_and_paging_token(self):
        if not self.queryable:
            with self.assertRaises(DaprGrpcError) as raised, warnings.catch_warnings():
                warnings.simplefilter('ignore', UserWarning)
                self.client.query_state(STORE, json.dumps({'filter': {'EQ': {'city': 'x'}}}))
            self.assertEqual(raised.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
            self.assertIn('does not support querying', raised.exception.details())
            return
        city = 'city-' + uuid.uuid4().hex[:8]
        for n in [3, 1, 4, 2]:
            self.client.save_state(STORE, self.key(f'q{n}'), json.dumps({'city': city, 'n': n}), state_metadata={'contentType': 'application/json'})
        self.client.save_state(STORE, self.key('elsewhere'), json.dumps({'city': 'elsewhere', 'n': 9}))

        def page(token=None):
            query = {'filter': {'EQ': {'city': city}}, 'sort': [{'key': 'n', 'order': 'DESC'}], 'page': {'limit': 3}}
            if token:
                query['page']['token'] = token
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', UserWarning)  # the SDK warns that the query API is alpha
                return self.client.query_state(STORE, json.dumps(query))

        first = page()
        self.assertEqual([json.loads(item.value)['n'] for item in first.results], [4, 3, 2])
        self.assertTrue(first.token)
        second = page(first.token)
        self.assertEqual([json.loads(item.value)['n'] for item in second.results], [1])
        self.assertTrue(all(item.etag for item in first.results + second.results))

    def test_ttl_metadata_expires_the_value(self):
        key = self.key('ttl')
        self.client.save_state(STORE, key, 'brief', state_metadata={'ttlInSeconds': '1'})
        deadline = time.monotonic() + 10
        while self.client.get_state(STORE, key).data:
            self.assertLess(time.monotonic(), deadline, 'the value outlived its TTL by 9 s')
            time.sleep(0.1)
        self.assertEqual(grpc_code(lambda: self.client.save_state(STORE, key, 'v', state_metadata={'ttlInSeconds': 'soon'})), grpc.StatusCode.INVALID_ARGUMENT)

    def test_values_read_back_byte_identical_through_grpc_and_http(self):
        key = self.key('bytes')
        value = b'\x00\xff binary \xc3\xa9\n'
        self.client.save_state(STORE, key, value)
        status, body = self.sidecar.http('GET', f'/v1.0/state/{STORE}/{key}', token=self.sidecar.api_token)
        self.assertEqual((status, body), (200, value))

        key = self.key('json')
        status, _ = self.sidecar.http('POST', f'/v1.0/state/{STORE}', json.dumps([{'key': key, 'value': {'b': [1, 2.5], 'a': 'café'}}]).encode(), token=self.sidecar.api_token)
        self.assertEqual(status, 204)
        _, over_http = self.sidecar.http('GET', f'/v1.0/state/{STORE}/{key}', token=self.sidecar.api_token)
        self.assertEqual(self.client.get_state(STORE, key).data, over_http)
        self.assertEqual(json.loads(over_http), {'b': [1, 2.5], 'a': 'café'})

    def test_get_metadata(self):
        metadata = self.client.get_metadata()
        self.assertEqual(metadata.application_id, self.sidecar.app_id)
        self.assertEqual([c.name for c in metadata.registered_components], [STORE])
        self.assertIn('ETAG', metadata.registered_components[0].capabilities)

    def test_other_rpcs_are_unimplemented_with_a_clear_message(self):
        with self.assertRaises(DaprGrpcError) as raised:
            self.client.publish_event('pubsub', 'topic', '{}')
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        self.assertIn('dapr.proto.runtime.v1.Dapr/PublishEvent is not implemented', raised.exception.details())


def new_postgres_component():
    return postgres_component('compat_' + uuid.uuid4().hex[:8])


class RedisCompat(StateAPICompat, unittest.TestCase):
    component = staticmethod(redis_component)


class PostgresCompat(StateAPICompat, unittest.TestCase):
    component = staticmethod(new_postgres_component)
    queryable = True


class APITokenCompat(StateAPICompat, unittest.TestCase):
    """The same calls against a sidecar with DAPR_API_TOKEN set (PostgreSQL), plus the refusals."""

    component = staticmethod(new_postgres_component)
    queryable = True

    @classmethod
    def setUpClass(cls):
        cls.sidecar = Sidecar(cls.component(), api_token=TOKEN)
        cls.sidecar.use(with_token=True)
        cls.client = DaprClient()

    def test_refused_without_the_token(self):
        self.sidecar.use(with_token=False)
        try:
            with DaprClient() as anonymous:  # the SDK's wait on /v1.0/healthz/outbound needs no token
                self.assertEqual(grpc_code(lambda: anonymous.get_state(STORE, 'k')), grpc.StatusCode.UNAUTHENTICATED)
                self.assertEqual(grpc_code(lambda: anonymous.save_state(STORE, 'k', 'v')), grpc.StatusCode.UNAUTHENTICATED)
            os.environ['DAPR_API_TOKEN'] = 'wrong'
            with DaprClient() as wrong:
                self.assertEqual(grpc_code(lambda: wrong.get_state(STORE, 'k')), grpc.StatusCode.UNAUTHENTICATED)
        finally:
            self.sidecar.use(with_token=True)
        status, body = self.sidecar.http('GET', f'/v1.0/state/{STORE}/k')
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)['errorCode'], 'ERR_API_TOKEN_INVALID')
        self.assertEqual(self.sidecar.http('GET', f'/v1.0/state/{STORE}/k', token='wrong')[0], 401)
        self.assertEqual(self.sidecar.http('GET', '/v1.0/healthz')[0], 204)
        self.assertEqual(self.sidecar.http('GET', '/v1.0/healthz/outbound')[0], 204)

    def test_accepted_with_the_token(self):
        key = self.key('tokened')
        self.client.save_state(STORE, key, 'ok')
        self.assertEqual(self.client.get_state(STORE, key).data, b'ok')
        self.assertEqual(self.sidecar.http('GET', f'/v1.0/state/{STORE}/{key}', token=TOKEN), (200, b'ok'))


if __name__ == '__main__':
    unittest.main()
