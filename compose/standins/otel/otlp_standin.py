#!/usr/bin/env python3
"""Stand-ins for the OpenTelemetry Collector and Jaeger, for machines with no container registry.

Not the real thing: it keeps the part of their contract that compose/docker-compose.yml's
`observability` profile relies on (docs/observability.md), in the Python standard library plus
PyYAML, so its images build from Debian packages alone.

    otlp_standin.py collector --config FILE
        OTLP/HTTP receiver on :4318 (`POST /v1/traces`, protobuf or JSON) that forwards each request
        unchanged to the `endpoint` of the config's `otlphttp/jaeger` exporter + `/v1/traces`, as
        the collector's traces pipeline does; `GET /` on :13133 is the health check.
    otlp_standin.py jaeger
        OTLP/HTTP receiver on :4318 that keeps the spans in memory (the newest 100 000), and a
        subset of Jaeger's query API on :16686, in Jaeger's JSON shape: `GET /api/services`,
        `GET /api/traces?service=S[&operation=O][&minDuration=2s][&limit=20]`, `GET /api/traces/ID`.
        No UI.
"""
import base64
import json
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# --- OTLP trace requests, decoded just enough (protobuf wire format, or OTLP's JSON) ---------


def varint(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def fields(data):
    """(field number, wire type, value) of one protobuf message; length-delimited values as bytes."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(data, i)
        elif wire == 1:
            value, i = int.from_bytes(data[i:i + 8], "little"), i + 8
        elif wire == 2:
            length, i = varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire == 5:
            value, i = int.from_bytes(data[i:i + 4], "little"), i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def any_value(data):
    for number, _, value in fields(data):
        if number == 1:
            return value.decode()
        if number in (2, 3):
            return value
    return None


def spans_from_protobuf(body):
    """ExportTraceServiceRequest → [(service, span)]: resource_spans(1) → resource(1).attributes(1),
    scope_spans(2) → spans(2) with trace_id(1), span_id(2), parent_span_id(4), name(5), kind(6),
    start(7) and end(8) time in Unix nanoseconds."""
    found = []
    for number, _, resource_spans in fields(body):
        if number != 1:
            continue
        service, scopes = "unknown_service", []
        for field, _, value in fields(resource_spans):
            if field == 1:
                for attribute_field, _, attribute in fields(value):
                    if attribute_field != 1:
                        continue
                    parts = {n: v for n, _, v in fields(attribute)}
                    if parts.get(1) == b"service.name" and 2 in parts:
                        service = any_value(parts[2]) or service
            elif field == 2:
                scopes.append(value)
        for scope in scopes:
            for field, _, span in fields(scope):
                if field != 2:
                    continue
                parts = {n: v for n, _, v in fields(span)}
                found.append((service, {
                    "traceID": parts.get(1, b"").hex(), "spanID": parts.get(2, b"").hex(),
                    "parentSpanID": parts.get(4, b"").hex(), "name": parts.get(5, b"").decode(),
                    "kind": parts.get(6, 0), "start": parts.get(7, 0), "end": parts.get(8, 0)}))
    return found


def json_id(text):
    """An id as OTLP/JSON writes it (hex), or as proto3 JSON does (base64), in hex."""
    if not text:
        return ""
    try:
        int(text, 16)
        return text.lower()
    except ValueError:
        return base64.b64decode(text).hex()


def spans_from_json(body):
    found = []
    for resource_spans in json.loads(body).get("resourceSpans", []):
        service = "unknown_service"
        for attribute in resource_spans.get("resource", {}).get("attributes", []):
            if attribute.get("key") == "service.name":
                service = attribute.get("value", {}).get("stringValue", service)
        for scope in resource_spans.get("scopeSpans", []):
            for span in scope.get("spans", []):
                found.append((service, {
                    "traceID": json_id(span.get("traceId")), "spanID": json_id(span.get("spanId")),
                    "parentSpanID": json_id(span.get("parentSpanId")), "name": span.get("name", ""),
                    "kind": span.get("kind", 0), "start": int(span.get("startTimeUnixNano", 0)),
                    "end": int(span.get("endTimeUnixNano", 0))}))
    return found


def otlp_answer(handler, content_type):
    """OTLP/HTTP full success: an empty ExportTraceServiceResponse in the request's encoding."""
    body = b"{}" if "json" in content_type else b""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json" if "json" in content_type else "application/x-protobuf")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# --- the collector stand-in -------------------------------------------------------------------


def run_collector(config_path):
    import yaml

    config = yaml.safe_load(open(config_path))
    target = config["exporters"]["otlphttp/jaeger"]["endpoint"].rstrip("/") + "/v1/traces"

    class Receiver(Quiet):
        def do_POST(self):
            if self.path != "/v1/traces":
                return self.answer(404, {"error": "only /v1/traces"})
            content_type = self.headers.get("Content-Type", "application/x-protobuf")
            request = urllib.request.Request(target, data=self.body(), headers={"Content-Type": content_type}, method="POST")
            try:
                urllib.request.urlopen(request, timeout=10).read()
            except OSError as error:
                print(f"otel-collector stand-in: export to {target} failed: {error}", flush=True)
                return self.answer(503, {"error": str(error)})
            otlp_answer(self, content_type)

    class Health(Quiet):
        def do_GET(self):
            self.answer(200, {"status": "Server available"})

    threading.Thread(target=ThreadingHTTPServer(("0.0.0.0", 13133), Health).serve_forever, daemon=True).start()
    print(f"otel-collector stand-in: OTLP/HTTP on :4318, forwarding to {target}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 4318), Receiver).serve_forever()


# --- the Jaeger stand-in ----------------------------------------------------------------------


def run_jaeger():
    lock = threading.Lock()
    spans = []  # (service, span), oldest first

    class Receiver(Quiet):
        def do_POST(self):
            if self.path != "/v1/traces":
                return self.answer(404, {"error": "only /v1/traces"})
            content_type = self.headers.get("Content-Type", "application/x-protobuf")
            body = self.body()
            try:
                received = spans_from_json(body) if "json" in content_type else spans_from_protobuf(body)
            except (ValueError, KeyError, IndexError, UnicodeDecodeError) as error:
                return self.answer(400, {"error": f"not an OTLP trace request: {error}"})
            with lock:
                spans.extend(received)
                del spans[:-100_000]
            otlp_answer(self, content_type)

    def trace_json(trace_id, members):
        processes = {}
        for service, _ in members:
            processes.setdefault(service, f"p{len(processes) + 1}")
        return {
            "traceID": trace_id,
            "spans": [{
                "traceID": span["traceID"], "spanID": span["spanID"], "operationName": span["name"],
                "references": [{"refType": "CHILD_OF", "traceID": span["traceID"], "spanID": span["parentSpanID"]}]
                if span["parentSpanID"] else [],
                "startTime": span["start"] // 1000, "duration": max(0, span["end"] - span["start"]) // 1000,
                "processID": processes[service], "tags": [], "logs": [],
            } for service, span in members],
            "processes": {pid: {"serviceName": service, "tags": []} for service, pid in processes.items()},
        }

    def duration_us(text):
        for unit, factor in (("ms", 1_000), ("us", 1), ("µs", 1), ("s", 1_000_000)):
            if text.endswith(unit):
                return float(text[: -len(unit)]) * factor
        return float(text)

    class Query(Quiet):
        def do_GET(self):
            from urllib.parse import parse_qs, urlparse

            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            with lock:
                snapshot = list(spans)
            traces = {}
            for service, span in snapshot:
                traces.setdefault(span["traceID"], []).append((service, span))
            if url.path == "/api/services":
                return self.answer(200, {"data": sorted({service for service, _ in snapshot}), "total": 0})
            if url.path.startswith("/api/traces/"):
                trace_id = url.path.rsplit("/", 1)[-1].lower()
                if trace_id not in traces:
                    return self.answer(404, {"data": None, "errors": [{"code": 404, "msg": "trace not found"}]})
                return self.answer(200, {"data": [trace_json(trace_id, traces[trace_id])]})
            if url.path == "/api/traces":
                service = query.get("service")
                if not service:
                    return self.answer(400, {"data": None, "errors": [{"code": 400, "msg": "parameter 'service' is required"}]})
                minimum = duration_us(query["minDuration"]) if "minDuration" in query else 0
                found = []
                for trace_id, members in traces.items():
                    if not any(s == service and (query.get("operation") in (None, span["name"])) for s, span in members):
                        continue
                    start = min(span["start"] for _, span in members)
                    end = max(span["end"] for _, span in members)
                    if (end - start) / 1000 >= minimum:
                        found.append((start, trace_id, members))
                found.sort(reverse=True)
                limit = int(query.get("limit", "20"))
                return self.answer(200, {"data": [trace_json(trace_id, members) for _, trace_id, members in found[:limit]]})
            self.answer(404, {"error": "not found"})

    threading.Thread(target=ThreadingHTTPServer(("0.0.0.0", 4318), Receiver).serve_forever, daemon=True).start()
    print("jaeger stand-in: OTLP/HTTP on :4318, query API on :16686", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 16686), Query).serve_forever()


if __name__ == "__main__":
    if sys.argv[1:2] == ["collector"] and len(sys.argv) == 3 and sys.argv[2].startswith("--config="):
        run_collector(sys.argv[2].split("=", 1)[1])
    elif sys.argv[1:] == ["jaeger"]:
        run_jaeger()
    else:
        sys.exit(__doc__)
