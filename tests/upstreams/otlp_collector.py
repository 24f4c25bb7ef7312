#!/usr/bin/env python3
"""OTLP/HTTP JSON trace collector simulator for signalroom's tests.

Receives ExportTraceServiceRequest bodies (proto3 JSON mapping, OTLP's hex
ids and integer enums) on POST /v1/traces, validates them strictly, and
keeps every span of an accepted export for the tests to read back through
an unauthenticated control API under /_sim/ (spans, request counts, fault
queue, release of hung requests, reset).  Standard library only.  See
README.md next to this file for the full contract.

  python3 otlp_collector.py [--port 0] [--require-header NAME=VALUE]...

The first line on stdout is {"otlp": <port>}; one line per export request
goes to stderr (header values never appear there); SIGTERM/SIGINT exit 0
at once, even while requests are held by a "hang" fault.
"""

import argparse
import base64
import binascii
import collections
import hmac
import json
import math
import re
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sim_hold import HoldState

MAX_BODY = 8 * 1024 * 1024      # bytes of a /v1/traces body, also after gunzip
MAX_CONTROL_BODY = 1024 * 1024
MAX_DRAIN = 64 * 1024 * 1024    # what is read and dropped after a 413
MAX_DEPTH = 16                  # nesting of arrayValue/kvlistValue
MAX_DELAY_MS = 600000

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
UINT32_MAX = (1 << 32) - 1
TRACE_ID_RE = re.compile(r"[0-9a-f]{32}")
SPAN_ID_RE = re.compile(r"[0-9a-f]{16}")
UINT_RE = re.compile(r"[0-9]+")
INT_RE = re.compile(r"-?[0-9]+")
DOUBLE_RE = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
SPECIAL_DOUBLES = {"NaN": math.nan, "Infinity": math.inf,
                   "-Infinity": -math.inf}
VALUE_KINDS = ("stringValue", "boolValue", "intValue", "doubleValue",
               "arrayValue", "kvlistValue", "bytesValue")

# HTTP status -> google.rpc.Code, for the Status body of 4xx/5xx answers.
RPC_CODE = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 408: 4, 413: 8,
            415: 3, 429: 8, 500: 13, 501: 12, 502: 14, 503: 14, 504: 4}

# ---------------------------------------------------------------------------
# Validation: ExportTraceServiceRequest -> flattened spans
# ---------------------------------------------------------------------------


class Invalid(Exception):
    """The first problem of a body: where (a JSON path) and what."""

    def __init__(self, path, problem):
        super().__init__("%s: %s" % (path, problem))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def need_object(v, path):
    if not isinstance(v, dict):
        raise Invalid(path, "must be an object")
    return v


def need_list(v, path):
    if not isinstance(v, list):
        raise Invalid(path, "must be an array")
    return v


def opt_list(obj, key, path):
    """A repeated field: absent means empty (proto3 default)."""
    return need_list(obj[key], path) if key in obj else []


def opt_string(obj, key, path):
    if key not in obj:
        return ""
    if not isinstance(obj[key], str):
        raise Invalid(path, "must be a string")
    return obj[key]


def hex_id(v, path, regex, digits, empty_ok=False):
    if not isinstance(v, str):
        raise Invalid(path, "must be a string of %d lowercase hex digits"
                      % digits)
    if v == "" and empty_ok:
        return v
    if not regex.fullmatch(v):
        raise Invalid(path, "must be %d lowercase hex digits (got %d "
                      "characters%s)" % (digits, len(v),
                                         ", not all lowercase hex"
                                         if len(v) == digits else ""))
    if v == "0" * digits:
        raise Invalid(path, "must not be all zero")
    return v


def required(obj, key, path):
    if key not in obj:
        raise Invalid(path, "is required")
    return obj[key]


def uint64_nanos(v, path):
    """fixed64 time: a decimal string or an integer, 0 < t < 2^63."""
    if is_int(v):
        n = v
    elif isinstance(v, str) and UINT_RE.fullmatch(v):
        n = int(v)
    else:
        raise Invalid(path, "must be a decimal string or an integer")
    if n <= 0 or n > INT64_MAX:
        raise Invalid(path, "out of range (1..2^63-1)")
    return n


def any_value(v, path, depth=0):
    """AnyValue -> a plain Python value."""
    need_object(v, path)
    kinds = [k for k in VALUE_KINDS if k in v]
    if len(kinds) != 1:
        raise Invalid(path, "must have exactly one of %s"
                      % ", ".join(VALUE_KINDS))
    kind = kinds[0]
    x = v[kind]
    here = "%s.%s" % (path, kind)
    if kind == "stringValue":
        if not isinstance(x, str):
            raise Invalid(here, "must be a string")
        return x
    if kind == "boolValue":
        if not isinstance(x, bool):
            raise Invalid(here, "must be true or false")
        return x
    if kind == "intValue":
        if isinstance(x, str) and INT_RE.fullmatch(x):
            x = int(x)
        elif not is_int(x):
            raise Invalid(here, "must be a decimal string or an integer")
        if not INT64_MIN <= x <= INT64_MAX:
            raise Invalid(here, "out of the int64 range")
        return x
    if kind == "doubleValue":
        if isinstance(x, str) and x in SPECIAL_DOUBLES:
            return x  # kept as the string: JSON has no NaN or Infinity
        if isinstance(x, str) and DOUBLE_RE.fullmatch(x):
            x = float(x)
        elif is_int(x):
            x = float(x)
        elif not isinstance(x, float):
            raise Invalid(here, "must be a number")
        if not math.isfinite(x):
            raise Invalid(here, "out of the double range")
        return x
    if kind == "bytesValue":
        if not isinstance(x, str):
            raise Invalid(here, "must be a base64 string")
        try:
            base64.b64decode(x, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid(here, "must be a base64 string") from None
        return x
    if depth >= MAX_DEPTH:
        raise Invalid(here, "nested more than %d levels" % MAX_DEPTH)
    need_object(x, here)
    values = opt_list(x, "values", here + ".values")
    if kind == "arrayValue":
        return [any_value(item, "%s.values[%d]" % (here, i), depth + 1)
                for i, item in enumerate(values)]
    return key_values(values, here + ".values", depth + 1)


def key_values(items, path, depth=0):
    """repeated KeyValue -> dict; keys non-empty and unique."""
    out = {}
    for i, kv in enumerate(items):
        here = "%s[%d]" % (path, i)
        need_object(kv, here)
        key = required(kv, "key", here + ".key")
        if not isinstance(key, str) or key == "":
            raise Invalid(here + ".key", "must be a non-empty string")
        if key in out:
            raise Invalid(here + ".key", "duplicate key %s" % json.dumps(key))
        out[key] = any_value(required(kv, "value", here + ".value"),
                             here + ".value", depth)
    return out


def attributes(obj, path):
    return key_values(opt_list(obj, "attributes", path + ".attributes"),
                      path + ".attributes")


def check_span(s, path, resource, scope):
    need_object(s, path)
    out = {}
    out["traceId"] = hex_id(required(s, "traceId", path + ".traceId"),
                            path + ".traceId", TRACE_ID_RE, 32)
    out["spanId"] = hex_id(required(s, "spanId", path + ".spanId"),
                           path + ".spanId", SPAN_ID_RE, 16)
    out["parentSpanId"] = hex_id(s.get("parentSpanId", ""),
                                 path + ".parentSpanId", SPAN_ID_RE, 16,
                                 empty_ok=True)
    out["traceState"] = opt_string(s, "traceState", path + ".traceState")
    if "flags" in s and (not is_int(s["flags"])
                         or not 0 <= s["flags"] <= UINT32_MAX):
        raise Invalid(path + ".flags", "must be an integer 0..2^32-1")
    name = required(s, "name", path + ".name")
    if not isinstance(name, str) or name == "":
        raise Invalid(path + ".name", "must be a non-empty string")
    out["name"] = name
    kind = required(s, "kind", path + ".kind")
    if not is_int(kind) or not 0 <= kind <= 5:
        raise Invalid(path + ".kind", "must be an integer 0..5")
    out["kind"] = kind
    start = uint64_nanos(required(s, "startTimeUnixNano",
                                  path + ".startTimeUnixNano"),
                         path + ".startTimeUnixNano")
    end = uint64_nanos(required(s, "endTimeUnixNano",
                                path + ".endTimeUnixNano"),
                       path + ".endTimeUnixNano")
    if end < start:
        raise Invalid(path + ".endTimeUnixNano", "is before startTimeUnixNano")
    out["startTimeUnixNano"] = start
    out["endTimeUnixNano"] = end
    out["attributes"] = attributes(s, path)
    events = []
    for i, e in enumerate(opt_list(s, "events", path + ".events")):
        here = "%s.events[%d]" % (path, i)
        need_object(e, here)
        t = uint64_nanos(required(e, "timeUnixNano", here + ".timeUnixNano"),
                         here + ".timeUnixNano")
        ename = required(e, "name", here + ".name")
        if not isinstance(ename, str) or ename == "":
            raise Invalid(here + ".name", "must be a non-empty string")
        events.append({"name": ename, "timeUnixNano": t,
                       "attributes": attributes(e, here)})
    out["events"] = events
    links = []
    for i, link in enumerate(opt_list(s, "links", path + ".links")):
        here = "%s.links[%d]" % (path, i)
        need_object(link, here)
        links.append({
            "traceId": hex_id(required(link, "traceId", here + ".traceId"),
                              here + ".traceId", TRACE_ID_RE, 32),
            "spanId": hex_id(required(link, "spanId", here + ".spanId"),
                             here + ".spanId", SPAN_ID_RE, 16),
            "traceState": opt_string(link, "traceState", here + ".traceState"),
            "attributes": attributes(link, here)})
    out["links"] = links
    status = {"code": 0, "message": ""}
    if "status" in s:
        st = need_object(s["status"], path + ".status")
        code = st.get("code", 0)
        if not is_int(code) or not 0 <= code <= 2:
            raise Invalid(path + ".status.code", "must be an integer 0..2")
        status = {"code": code,
                  "message": opt_string(st, "message", path + ".status.message")}
    out["status"] = status
    out["resource"] = resource
    out["scope"], out["scopeVersion"] = scope
    return out


def check_export(body):
    """Validate an ExportTraceServiceRequest; return its spans, flattened.
    Unknown fields are ignored, as OTLP requires of receivers."""
    need_object(body, "(body)")
    spans = []
    rss = need_list(required(body, "resourceSpans", "resourceSpans"),
                    "resourceSpans")
    for r, rs in enumerate(rss):
        rpath = "resourceSpans[%d]" % r
        need_object(rs, rpath)
        resource = {}
        if "resource" in rs:
            need_object(rs["resource"], rpath + ".resource")
            resource = attributes(rs["resource"], rpath + ".resource")
        sss = need_list(required(rs, "scopeSpans", rpath + ".scopeSpans"),
                        rpath + ".scopeSpans")
        for s, ss in enumerate(sss):
            spath = "%s.scopeSpans[%d]" % (rpath, s)
            need_object(ss, spath)
            scope = ("", "")
            if "scope" in ss:
                sc = need_object(ss["scope"], spath + ".scope")
                scope = (opt_string(sc, "name", spath + ".scope.name"),
                         opt_string(sc, "version", spath + ".scope.version"))
                attributes(sc, spath + ".scope")
            items = need_list(required(ss, "spans", spath + ".spans"),
                              spath + ".spans")
            for i, span in enumerate(items):
                spans.append(check_span(span, "%s.spans[%d]" % (spath, i),
                                        resource, scope))
    return spans


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def parse_json(data):
    return json.loads(data.decode("utf-8"), parse_constant=_no_constant)


# ---------------------------------------------------------------------------
# State: recorded spans, counters, the fault queue, held requests
# ---------------------------------------------------------------------------

FAULT_ACTIONS = ("status", "delay_ms", "hang", "close")


def check_fault(f, path):
    if not isinstance(f, dict):
        raise Invalid(path, "must be an object")
    unknown = sorted(set(f) - set(FAULT_ACTIONS) - {"count"})
    if unknown:
        raise Invalid(path, "unknown field(s) %s" % ", ".join(unknown))
    actions = [k for k in FAULT_ACTIONS if k in f]
    if len(actions) != 1:
        raise Invalid(path, "needs exactly one of %s" % ", ".join(FAULT_ACTIONS))
    action, v = actions[0], f[actions[0]]
    if action == "status" and (not is_int(v) or not 400 <= v <= 599):
        raise Invalid(path + ".status", "must be an integer 400..599")
    if action == "delay_ms" and (not is_int(v) or not 0 <= v <= MAX_DELAY_MS):
        raise Invalid(path + ".delay_ms",
                      "must be an integer 0..%d" % MAX_DELAY_MS)
    if action in ("hang", "close") and v is not True:
        raise Invalid(path + "." + action, "must be true")
    count = f.get("count", 1)
    if not is_int(count) or count < 1:
        raise Invalid(path + ".count", "must be an integer >= 1")
    return {action: v, "count": count}


class State(HoldState):
    def __init__(self, required_headers, keep_spans=0, check_one_in=1):
        super().__init__()
        self.required_headers = required_headers
        self.keep_spans = keep_spans      # 0: every span
        self.check_one_in = check_one_in  # 1: every export
        self.reset()

    def reset(self):
        with self.cond:
            # A long load test keeps only the newest spans: millions of
            # stored dicts would make Python's collector the bottleneck.
            self.spans = collections.deque(maxlen=self.keep_spans or None)
            self.count = 0
            self.accepted = 0
            self.checked = 0        # accepted and parsed
            self.faults = collections.deque()
            self.reset_gen += 1     # held requests are dropped
            self.cond.notify_all()

    def arrive(self):
        """Count an export request and take the head fault (or None)."""
        with self.cond:
            self.count += 1
            self.active += 1
            if not self.faults:
                return None
            head = self.faults[0]
            head["count"] -= 1
            if head["count"] <= 0:
                self.faults.popleft()
            return {k: v for k, v in head.items() if k != "count"}

    def leave(self):
        with self.cond:
            self.active -= 1
            self.cond.notify_all()

    def add_faults(self, faults):
        with self.cond:
            self.faults.extend(faults)
            return len(self.faults)

    def list_faults(self):
        with self.cond:
            return [dict(f) for f in self.faults]

    def record(self, spans):
        with self.cond:
            self.spans.extend(spans)
            self.accepted += 1
            self.checked += 1

    def skip_check(self):
        """True when this accepted-looking export need not be parsed: with
        --check-one-in N only the first and every Nth are."""
        with self.cond:
            if self.check_one_in <= 1 or self.accepted % self.check_one_in == 0:
                return False
            self.accepted += 1
            return True

    def spans_of(self, trace_id):
        with self.cond:
            return [s for s in self.spans
                    if trace_id is None or s["traceId"] == trace_id]

    def counts(self):
        with self.cond:
            return {"count": self.count, "accepted": self.accepted,
                    "checked": self.checked}


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

LOG_LOCK = threading.Lock()


def log(line):
    with LOG_LOCK:
        try:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # nobody is reading stderr any more


class BadFraming(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle on, the body waits
    # for the client's delayed ACK (40 ms a response), which no real
    # upstream does.
    disable_nagle_algorithm = True
    timeout = 60

    def version_string(self):
        return "otlp-collector-simulator"

    def log_request(self, code="-", size="-"):
        pass  # export requests get one line from export()

    def log_message(self, fmt, *args):
        pass

    def declared_length(self):
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        if not length.strip().isdigit():
            raise BadFraming("bad Content-Length")
        return int(length)

    def handle_expect_100(self):
        # An export too large for us is refused before the client sends it.
        try:
            too_big = (self.path.split("?")[0] == "/v1/traces"
                       and (self.declared_length() or 0) > MAX_BODY)
        except BadFraming:
            too_big = True
        return True if too_big else super().handle_expect_100()

    def read_body(self, limit):
        """-> (body, oversize).  An oversize body is left unread."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BadFraming("bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data), False
                if len(data) + size > limit:
                    return None, True
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    raise BadFraming("body ended early")
                data += chunk
                self.rfile.readline(1024)
        length = self.declared_length()
        if not length:
            return b"", False
        if length > limit:
            return None, True
        data = self.rfile.read(length)
        if len(data) != length:
            raise BadFraming("body ended early")
        return data, False

    def drain(self):
        """After refusing an unread body: read and drop what the client is
        still sending (bounded), so it sees the answer rather than a reset."""
        try:
            declared = self.declared_length()
        except BadFraming:
            declared = None
        try:
            self.connection.settimeout(2.0)
            left = MAX_DRAIN if declared is None else min(declared, MAX_DRAIN)
            while left > 0:
                chunk = self.rfile.read1(min(65536, left))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            pass

    def respond(self, status, obj, headers=(), close=False):
        body = json.dumps(obj, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        return status

    def fail(self, status, message, headers=(), close=False):
        """A 4xx/5xx with OTLP's Status body."""
        self.outcome = message
        return self.respond(status, {"code": RPC_CODE.get(status, 2),
                                     "message": message}, headers, close)

    def client_gone(self):
        """True when the client closed the connection while we held it."""
        try:
            self.connection.setblocking(False)
            try:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            finally:
                self.connection.setblocking(True)
        except BlockingIOError:
            return False
        except OSError:
            return True

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path.startswith("/_sim/"):
                self.control(path)
            elif path == "/v1/traces":
                self.export()
            else:
                self.other()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception:  # a simulator bug: say so loudly, keep serving
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            try:
                self.fail(500, "collector simulator bug", close=True)
            except OSError:
                pass

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # ---- /v1/traces ----
    def export(self):
        state = self.server.state
        t0 = time.monotonic()
        fault = state.arrive()
        self.outcome = ""
        status, spans = "-", 0
        try:
            status, spans = self.export_steps(state, fault or {})
        finally:
            state.leave()
            tag = ""
            if fault:
                tag = " fault=" + ",".join(k if v is True else "%s:%s" % (k, v)
                                           for k, v in fault.items())
            log("otlp %s %s %s spans=%d%s %.1fms%s"
                % (self.command, self.path, status, spans, tag,
                   (time.monotonic() - t0) * 1000,
                   " " + self.outcome if self.outcome else ""))

    def export_steps(self, state, fault):
        """-> (status or what happened, spans accepted)."""
        try:
            body, oversize = self.read_body(MAX_BODY)
        except BadFraming as e:
            return self.fail(400, str(e), close=True), 0
        if "delay_ms" in fault and not state.sleep(fault["delay_ms"] / 1000.0):
            self.close_connection = True
            return "dropped(stopping)", 0
        if "hang" in fault:
            why = state.hold()
            if why != "released":
                self.close_connection = True
                return "dropped(%s)" % why, 0
            if self.client_gone():
                self.close_connection = True
                return "released(client gone)", 0
        if "close" in fault:
            self.close_connection = True
            return "closed", 0
        if "status" in fault:
            st = fault["status"]
            extra = [("Retry-After", "1")] if st in (429, 503) else []
            status = self.fail(st, "simulated %d" % st, extra, close=oversize)
            if oversize:
                self.drain()
            return status, 0
        if self.command != "POST":
            return self.fail(405, "use POST", [("Allow", "POST")],
                             close=oversize), 0
        for name, value in state.required_headers:
            got = self.headers.get(name)
            if got is None or not hmac.compare_digest(got.encode("utf-8"),
                                                      value.encode("utf-8")):
                status = self.fail(401, "missing or wrong header %s" % name,
                                   close=oversize)
                if oversize:
                    self.drain()
                return status, 0
        media = self.headers.get("Content-Type", "").split(";")[0]
        if media.strip().lower() != "application/json":
            status = self.fail(415, "Content-Type must be application/json",
                               close=oversize)
            if oversize:
                self.drain()
            return status, 0
        if oversize:
            status = self.fail(413, "body larger than %d bytes" % MAX_BODY,
                               close=True)
            self.drain()
            return status, 0
        encoding = self.headers.get("Content-Encoding", "identity")
        encoding = encoding.strip().lower()
        if encoding == "gzip":
            try:
                inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                body = inflate.decompress(body, MAX_BODY + 1)
            except zlib.error:
                return self.fail(400, "body is not valid gzip"), 0
            if len(body) > MAX_BODY:
                return self.fail(413, "gunzipped body larger than %d bytes"
                                 % MAX_BODY), 0
            if not inflate.eof:
                return self.fail(400, "gzip body is truncated"), 0
        elif encoding not in ("identity", ""):
            return self.fail(415, "Content-Encoding must be gzip or none"), 0
        if state.skip_check():
            return self.respond(200, {}), 0
        try:
            obj = parse_json(body)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            return self.fail(400, "body is not valid JSON: %s" % e), 0
        try:
            spans = check_export(obj)
        except Invalid as e:
            return self.fail(400, str(e)), 0
        state.record(spans)
        return self.respond(200, {}), len(spans)

    def other(self):
        try:
            _, oversize = self.read_body(MAX_BODY)
        except BadFraming:
            oversize = True
        status = self.fail(404, "no such path (traces go to /v1/traces)",
                           close=oversize)
        log("otlp %s %s %d" % (self.command, self.path, status))

    # ---- /_sim ----
    def control(self, path):
        state = self.server.state
        try:
            body, oversize = self.read_body(MAX_CONTROL_BODY)
        except BadFraming as e:
            return self.fail(400, str(e), close=True)
        if oversize:
            return self.fail(413, "control body too large", close=True)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        route = (self.command, path.rstrip("/"))
        if route == ("GET", "/_sim/spans"):
            trace_id = query.get("trace_id", [None])[0]
            return self.respond(200, {"spans": state.spans_of(trace_id)})
        if route == ("GET", "/_sim/requests"):
            return self.respond(200, state.counts())
        if route == ("GET", "/_sim/faults"):
            return self.respond(200, {"faults": state.list_faults()})
        if route == ("POST", "/_sim/release"):
            return self.respond(200, {"released": state.release()})
        if route == ("POST", "/_sim/reset"):
            state.reset()
            return self.respond(200, {"ok": True})
        if route == ("POST", "/_sim/faults"):
            try:
                obj = parse_json(body)
                need_object(obj, "(body)")
                items = need_list(required(obj, "faults", "faults"), "faults")
                faults = [check_fault(f, "faults[%d]" % i)
                          for i, f in enumerate(items)]
            except (UnicodeDecodeError, ValueError, RecursionError):
                return self.fail(400, "body is not valid JSON")
            except Invalid as e:
                return self.fail(400, str(e))
            return self.respond(200, {"queued": state.add_faults(faults)})
        return self.fail(404, "no such control endpoint")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port, state):
        self.state = state
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def header_arg(text):
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
        raise argparse.ArgumentTypeError("expected NAME=VALUE")
    return name, value


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--require-header", type=header_arg, action="append",
                    default=[], metavar="NAME=VALUE",
                    help="refuse exports (401) without this exact header")
    ap.add_argument("--keep-spans", type=int, default=0, metavar="N",
                    help="remember only the newest N spans (0: all); for "
                    "load tests, where every export is still validated")
    ap.add_argument("--check-one-in", type=int, default=1, metavar="N",
                    help="parse and validate only the first and every Nth "
                    "export, accepting the others unread: for load tests, "
                    "where a real collector's parsing runs on another "
                    "machine and Python's would eat the cores under test")
    args = ap.parse_args(argv)

    # Every thread blocks the stop signals and the main thread waits for
    # them: a handler would only run when the main thread wakes up, which
    # it may not do at once when the kernel hands the signal to another.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)

    state = State(args.require_header, max(0, args.keep_spans),
                  max(1, args.check_one_in))
    try:
        server = Server(args.port, state)
    except OSError as e:
        log("otlp: cannot listen: %s" % e)
        return 2
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    sys.stdout.write(json.dumps({"otlp": port}) + "\n")
    sys.stdout.flush()
    log("otlp: listening on 127.0.0.1:%d, %d required header(s)"
        % (port, len(args.require_header)))
    signal.sigwait(stop_signals)
    state.stop(grace=2.0)
    server.shutdown()
    server.server_close()
    log("otlp: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
