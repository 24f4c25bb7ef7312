#!/usr/bin/env python3
"""Slack (Web API and response_url) and Twilio Messages simulator for
signalroom's tests.

One process, two ports on 127.0.0.1: Slack's `chat.postMessage` (with
message metadata), `conversations.history` and `auth.test` (Bearer bot
token) with `response_url` endpoints, and Twilio's `Messages.json`, send
and list (HTTP basic auth).  Every accepted message is recorded for
the tests to read back through an unauthenticated control API under
/_sim/ (messages, request log, fault queue, release of held requests,
config, reset).  Standard library only.  See README.md next to this file.

  python3 slack_twilio.py [--slack-port 0] [--twilio-port 0] \
      --bot-token xoxb-... --twilio-sid AC... --twilio-token ...

The first line on stdout is {"slack": <port>, "twilio": <port>}; one line
per API request goes to stderr (no token, header or body ever appears
there); SIGTERM/SIGINT exit 0 at once, even while requests are held by a
"hang" fault.
"""

import argparse
import base64
import binascii
import collections
import datetime
import email.utils
import hmac
import json
import math
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sim_hold import HoldState

MAX_BODY = 2 * 1024 * 1024      # bytes of an API request body
MAX_CONTROL_BODY = 1024 * 1024
MAX_DELAY_MS = 600000

# Slack
TEXT_MAX = 40000                # chat.postMessage text, characters
BLOCKS_MAX = 50                 # blocks in one message
SECTION_TEXT_MAX = 3000         # a section block's text (Block Kit)
HEADER_TEXT_MAX = 150           # a header block's plain_text (Block Kit)
RESPONSE_URL_USES = 5           # Slack's limit per response_url
RESPONSE_TYPES = ("ephemeral", "in_channel")
ERROR_NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
TEAM = {"url": "https://signalroom-sim.slack.com/", "team": "Signalroom Sim",
        "user": "signalroom", "team_id": "T0SIM00001", "user_id": "U0SIM00001",
        "bot_id": "B0SIM00001", "is_enterprise_install": False}
HISTORY_LIMIT_DEFAULT = 100      # conversations.history page size
HISTORY_LIMIT_MAX = 999
SLACK_DEFAULT_CONFIG = {"per_channel_per_s": 0, "burst": 1, "channels": None}

# Twilio
E164_RE = re.compile(r"\+[1-9][0-9]{1,14}")
BODY_MAX = 1600                 # characters of a Body
MESSAGES_RE = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
PAGE_SIZE_DEFAULT = 50          # Messages list page size
PAGE_SIZE_MAX = 1000
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# GSM 03.38: the basic character set (one septet each; the escape code
# itself is not a character) and the extension table (escape + one
# septet, so two each).  Anything else makes the whole message UCS-2.
GSM7_BASIC = ("@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8"
              "\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9\u03a0"
              "\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9"
              " !\"#\u00a4%&'()*+,-./0123456789:;<=>?"
              "\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"
              "\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0")
GSM7_EXTENSION = "\f^{}\\[~]|\u20ac"
assert len(set(GSM7_BASIC)) == 127 and len(set(GSM7_EXTENSION)) == 10


def sms_segments(body):
    """-> (encoding, segments) as a GSM network splits @a body: GSM-7 is
    160 septets in one segment, else 153 per segment; UCS-2 is 70 UTF-16
    units, else 67.  A character never straddles two segments (an
    extension character's two septets, a surrogate pair's two units)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in body):
        units = [2 if c in GSM7_EXTENSION else 1 for c in body]
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = [2 if ord(c) > 0xFFFF else 1 for c in body]
        single, multi, encoding = 70, 67, "UCS-2"
    if sum(units) <= single:
        return encoding, 1
    segments, used = 1, 0
    for u in units:
        if used + u > multi:
            segments, used = segments + 1, 0
        used += u
    return encoding, segments


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v):
    return (is_int(v) or isinstance(v, float)) and math.isfinite(v)


class Invalid(Exception):
    pass


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def parse_json(data):
    return json.loads(data.decode("utf-8"), parse_constant=_no_constant)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------

FAULT_KEYS = ("status", "retry_after", "ok_false", "delay_ms", "hang",
              "close", "accept_hang", "count")
FAULT_ACTIONS = ("status", "ok_false", "hang", "close", "accept_hang")


def check_fault(f, where, slack):
    if not isinstance(f, dict):
        raise Invalid("%s: must be an object" % where)
    unknown = sorted(set(f) - set(FAULT_KEYS))
    if unknown:
        raise Invalid("%s: unknown field(s) %s" % (where, ", ".join(unknown)))
    actions = [k for k in FAULT_ACTIONS if k in f]
    if len(actions) > 1:
        raise Invalid("%s: at most one of %s"
                      % (where, ", ".join(FAULT_ACTIONS)))
    if not actions and "delay_ms" not in f:
        raise Invalid("%s: needs one of %s or delay_ms"
                      % (where, ", ".join(FAULT_ACTIONS)))
    out = {}
    if "status" in f:
        if not is_int(f["status"]) or not 400 <= f["status"] <= 599:
            raise Invalid("%s.status: must be an integer 400..599" % where)
        out["status"] = f["status"]
    if "retry_after" in f:
        if "status" not in f:
            raise Invalid("%s.retry_after: only with status" % where)
        if not is_int(f["retry_after"]) or f["retry_after"] < 0:
            raise Invalid("%s.retry_after: must be an integer >= 0" % where)
        out["retry_after"] = f["retry_after"]
    if "ok_false" in f:
        if not slack:
            raise Invalid("%s.ok_false: Slack only" % where)
        if not isinstance(f["ok_false"], str) \
                or not ERROR_NAME_RE.fullmatch(f["ok_false"]):
            raise Invalid("%s.ok_false: must be an error name such as "
                          "\"ratelimited\"" % where)
        out["ok_false"] = f["ok_false"]
    if "delay_ms" in f:
        if not is_int(f["delay_ms"]) or not 0 <= f["delay_ms"] <= MAX_DELAY_MS:
            raise Invalid("%s.delay_ms: must be an integer 0..%d"
                          % (where, MAX_DELAY_MS))
        out["delay_ms"] = f["delay_ms"]
    for k in ("hang", "close", "accept_hang"):
        if k in f:
            if f[k] is not True:
                raise Invalid("%s.%s: must be true" % (where, k))
            out[k] = True
    count = f.get("count", 1)
    if not is_int(count) or count < 1:
        raise Invalid("%s.count: must be an integer >= 1" % where)
    out["count"] = count
    return out


# ---------------------------------------------------------------------------
# State of one service: request log, messages, faults, held requests
# ---------------------------------------------------------------------------


class Service(HoldState):
    name = "?"

    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self):
        with self.cond:
            self.requests = []
            self.messages = []
            self.faults = collections.deque()
            self.reset_gen += 1     # held requests are dropped
            self.reset_more()
            self.cond.notify_all()

    def reset_more(self):
        pass

    def arrive(self, entry):
        """Log a request and take the head fault (or None)."""
        with self.cond:
            self.requests.append(entry)
            self.active += 1
            if not self.faults:
                return None
            head = self.faults[0]
            head["count"] -= 1
            if head["count"] <= 0:
                self.faults.popleft()
            entry["fault"] = {k: v for k, v in head.items() if k != "count"}
            return dict(entry["fault"])

    def leave(self, entry, status, error):
        with self.cond:
            entry["status"] = status
            entry["error"] = error
            self.active -= 1
            self.cond.notify_all()

    def add_faults(self, obj):
        if not isinstance(obj, dict) or not isinstance(obj.get("faults"), list):
            raise Invalid("body must be {\"faults\": [...]}")
        faults = [check_fault(f, "faults[%d]" % i, isinstance(self, Slack))
                  for i, f in enumerate(obj["faults"])]
        with self.cond:
            self.faults.extend(faults)
            return len(self.faults)

    def list_faults(self):
        with self.cond:
            return [dict(f) for f in self.faults]

    def record(self, message):
        with self.cond:
            message["t"] = time.monotonic()
            self.messages.append(message)

    def list_messages(self):
        with self.cond:
            return [dict(m) for m in self.messages]

    def request_log(self):
        with self.cond:
            return {"count": len(self.requests),
                    "requests": [dict(r) for r in self.requests]}


class Slack(Service):
    name = "slack"

    def __init__(self, token):
        self.token = token
        self.last_ts_us = 0
        super().__init__()

    def reset_more(self):
        self.config = dict(SLACK_DEFAULT_CONFIG)
        self.buckets = {}
        self.uses = {}

    def get_config(self):
        with self.cond:
            return dict(self.config)

    def set_config(self, obj):
        if not isinstance(obj, dict):
            raise Invalid("body must be an object")
        new = dict(self.get_config())
        for k, v in obj.items():
            if k == "per_channel_per_s":
                if not is_number(v) or v < 0:
                    raise Invalid("per_channel_per_s: a number >= 0 (0: off)")
            elif k == "burst":
                if not is_int(v) or v < 1:
                    raise Invalid("burst: an integer >= 1")
            elif k == "channels":
                if v is not None and (not isinstance(v, list) or not all(
                        isinstance(c, str) and c for c in v)):
                    raise Invalid("channels: null or an array of non-empty "
                                  "strings")
            else:
                raise Invalid("unknown config key %s" % json.dumps(k))
            new[k] = v
        with self.cond:
            self.config = new
            self.buckets = {}       # a fresh start for every channel
            return dict(new)

    def channel_known(self, channel):
        with self.cond:
            known = self.config["channels"]
            return known is None or channel in known

    def rate_take(self, channel):
        """Token bucket per channel: -> 0 (go) or the Retry-After seconds."""
        with self.cond:
            rate, burst = self.config["per_channel_per_s"], self.config["burst"]
            if not rate:
                return 0
            now = time.monotonic()
            tokens, last = self.buckets.get(channel, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self.buckets[channel] = (tokens - 1.0, now)
                return 0
            self.buckets[channel] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))

    def use_response_url(self, url_id):
        """-> True when @a url_id has a use left (and takes it)."""
        with self.cond:
            n = self.uses.get(url_id, 0)
            if n >= RESPONSE_URL_USES:
                return False
            self.uses[url_id] = n + 1
            return True

    def response_url_used_up(self, url_id):
        with self.cond:
            return self.uses.get(url_id, 0) >= RESPONSE_URL_USES

    def next_ts(self):
        """A message ts: "<unix seconds>.<6 digits>", strictly increasing."""
        with self.cond:
            now = time.time_ns() // 1000
            self.last_ts_us = max(now, self.last_ts_us + 1)
            return "%d.%06d" % divmod(self.last_ts_us, 1000000)


class Twilio(Service):
    name = "twilio"

    def __init__(self, sid, token):
        self.sid = sid
        self.token = token
        super().__init__()


# ---------------------------------------------------------------------------
# Slack's and Twilio's rules
# ---------------------------------------------------------------------------


def blocks_problem(blocks):
    """-> None when @a blocks is a valid Block Kit array, else why not."""
    if not isinstance(blocks, list):
        return "blocks must be an array"
    if len(blocks) > BLOCKS_MAX:
        return "more than %d blocks" % BLOCKS_MAX
    for i, b in enumerate(blocks):
        if not isinstance(b, dict):
            return "blocks[%d] is not an object" % i
        if not isinstance(b.get("type"), str) or not b["type"]:
            return "blocks[%d] has no type" % i
        text = b.get("text")
        if b["type"] == "section" and isinstance(text, dict) \
                and isinstance(text.get("text"), str) \
                and len(text["text"]) > SECTION_TEXT_MAX:
            return "blocks[%d]: section text over %d characters" \
                % (i, SECTION_TEXT_MAX)
        if b["type"] == "header" and isinstance(text, dict) \
                and isinstance(text.get("text"), str) \
                and len(text["text"]) > HEADER_TEXT_MAX:
            return "blocks[%d]: header text over %d characters" \
                % (i, HEADER_TEXT_MAX)
    return None


def twilio_error(status, code, message):
    return status, {"code": code, "message": message,
                    "more_info": "https://www.twilio.com/docs/errors/%d" % code,
                    "status": status}


def twilio_resource(account, sid, to, from_, body, segments, created):
    """The Message resource as Twilio answers it (upstream-apis.md §5)."""
    when = email.utils.format_datetime(created)
    uri = "/2010-04-01/Accounts/%s/Messages/%s" % (account, sid)
    return {
        "sid": sid, "account_sid": account, "messaging_service_sid": None,
        "to": to, "from": from_, "body": body, "status": "queued",
        "direction": "outbound-api", "api_version": "2010-04-01",
        "num_segments": str(segments), "num_media": "0", "price": None,
        "price_unit": "USD", "error_code": None, "error_message": None,
        "date_created": when, "date_updated": when, "date_sent": None,
        "uri": uri + ".json",
        "subresource_uris": {"media": uri + "/Media.json"}}


TWILIO_FAULT_MESSAGES = {429: "Too Many Requests",
                         500: "Internal Server Error",
                         503: "Service Unavailable"}


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
        return "slack-twilio-simulator"

    def log_request(self, code="-", size="-"):
        pass  # API requests get one line from api()

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing ----
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
        length = self.headers.get("Content-Length")
        if length is None:
            return b"", False
        if not length.strip().isdigit():
            raise BadFraming("bad Content-Length")
        length = int(length)
        if length > limit:
            return None, True
        data = self.rfile.read(length)
        if len(data) != length:
            raise BadFraming("body ended early")
        return data, False

    def send(self, status, body, ctype="application/json; charset=utf-8",
             headers=()):
        if not isinstance(body, bytes):
            body = (body if isinstance(body, str) else dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()
        return status

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

    def media_type(self):
        """-> (media type in lower case, its parameters as a dict)."""
        parts = self.headers.get("Content-Type", "").split(";")
        params = {}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            params[k.strip().lower()] = v.strip().strip('"')
        return parts[0].strip().lower(), params

    def do_GET(self):
        split = urllib.parse.urlsplit(self.path)
        self.path_only = split.path
        try:
            if self.path_only.startswith("/_sim/"):
                self.control(self.server.service)
            else:
                self.api(self.server.service)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception:  # a simulator bug: say so loudly, keep serving
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            try:
                self.send(500, {"error": "simulator bug"})
            except OSError:
                pass

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # ---- the real APIs, with faults applied ----
    def api(self, svc):
        t0 = time.monotonic()
        # The log entry holds no header, query or body: nothing secret.
        entry = {"method": self.command, "path": self.path_only,
                 "status": None, "error": None, "t": t0, "fault": None}
        fault = svc.arrive(entry)
        self.error = None
        status = 0
        try:
            status = self.api_steps(svc, fault or {})
        finally:
            svc.leave(entry, status if isinstance(status, int) else 0,
                      self.error)
            tag = ""
            if fault:
                tag = " fault=" + ",".join(k if v is True else "%s:%s" % (k, v)
                                           for k, v in fault.items())
            log("%s %s %s %s%s%s %.1fms"
                % (svc.name, self.command, self.path_only, status,
                   " " + self.error if self.error else "", tag,
                   (time.monotonic() - t0) * 1000))

    def api_steps(self, svc, fault):
        """-> the status sent, or what happened instead (a string)."""
        try:
            body, oversize = self.read_body(MAX_BODY)
        except BadFraming as e:
            self.close_connection = True
            self.error = str(e)
            return self.send(400, {"error": str(e)})
        if "delay_ms" in fault and not svc.sleep(fault["delay_ms"] / 1000.0):
            self.close_connection = True
            return "dropped(stopping)"
        if "hang" in fault:
            why = svc.hold()
            if why != "released":
                self.close_connection = True
                return "dropped(%s)" % why
            if self.client_gone():
                self.close_connection = True
                return "released(client gone)"
        if "close" in fault:
            self.close_connection = True
            return "closed"
        if "accept_hang" in fault:
            return self.accept_then_hang(svc, body, oversize)
        if oversize:
            self.close_connection = True
        if "status" in fault:
            return self.fault_status(svc, fault["status"],
                                     fault.get("retry_after"))
        if "ok_false" in fault:
            self.error = fault["ok_false"]
            return self.send(200, {"ok": False, "error": fault["ok_false"]})
        if oversize:
            self.error = "body too large"
            return self.send(413, {"error": "body larger than %d bytes"
                                   % MAX_BODY})
        if isinstance(svc, Slack):
            return self.slack(svc, body)
        return self.twilio(svc, body)

    def accept_then_hang(self, svc, body, oversize):
        """Handle the request (a valid message is recorded), then hold the
        answer back: after /_sim/release, /_sim/reset or shutdown the
        connection is closed unanswered, as when the upstream accepted a
        message and the network or the caller died before the answer."""
        answers = []

        def capture(status, *args, **kwargs):
            answers.append(status)
            return status
        self.send = capture
        try:
            if oversize:
                status = 413
            elif isinstance(svc, Slack):
                status = self.slack(svc, body)
            else:
                status = self.twilio(svc, body)
        finally:
            del self.send       # the class's send again
        why = svc.hold()
        self.close_connection = True
        return "unanswered(%s after %s)" % (why, status)

    def fault_status(self, svc, status, retry_after):
        headers = []
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        self.error = "simulated %d" % status
        if isinstance(svc, Twilio):
            message = TWILIO_FAULT_MESSAGES.get(status)
            if message is None:
                try:
                    message = HTTPStatus(status).phrase
                except ValueError:
                    message = "Error"
            st, obj = twilio_error(status, 20000 + status, message)
            return self.send(st, obj, headers=headers)
        if status == 429:
            # Slack's rate limiting: always a Retry-After, JSON body.
            if retry_after is None:
                headers.append(("Retry-After", "1"))
            return self.send(429, {"ok": False, "error": "ratelimited"},
                             headers=headers)
        # Slack's 5xx (and other) answers do not come from the API layer:
        # plain text, nothing to parse.
        return self.send(status, "simulated %d (slack simulator)\n" % status,
                         "text/plain; charset=utf-8", headers)

    # ---- Slack ----
    def slack(self, svc, body):
        path = self.path_only
        if path == "/api/chat.postMessage":
            if self.command != "POST":
                return self.slack_error("method_not_allowed", 405,
                                        [("Allow", "POST")])
            return self.post_message(svc, body)
        if path == "/api/conversations.history":
            if self.command not in ("GET", "POST"):
                return self.slack_error("method_not_allowed", 405,
                                        [("Allow", "GET, POST")])
            return self.history(svc, body)
        if path == "/api/auth.test":
            if self.command not in ("GET", "POST"):
                return self.slack_error("method_not_allowed", 405,
                                        [("Allow", "GET, POST")])
            error = self.slack_auth(svc)
            if error:
                return self.slack_error(error)
            return self.send(200, dict({"ok": True}, **TEAM))
        if path.startswith("/response/") and len(path) > len("/response/"):
            if self.command != "POST":
                return self.slack_error("method_not_allowed", 405,
                                        [("Allow", "POST")])
            return self.response_url(svc, path[len("/response/"):], body)
        return self.slack_error("unknown_method" if path.startswith("/api/")
                                else "not_found", 404)

    def slack_error(self, error, status=200, headers=()):
        self.error = error
        return self.send(status, {"ok": False, "error": error}, headers=headers)

    def slack_auth(self, svc):
        """-> None, "not_authed" or "invalid_auth"."""
        value = self.headers.get("Authorization")
        if value is None or not value.strip():
            return "not_authed"
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer":
            return "invalid_auth"
        if not token:
            return "not_authed"
        if not hmac.compare_digest(token.encode("utf-8"),
                                   svc.token.encode("utf-8")):
            return "invalid_auth"
        return None

    def slack_args(self, body):
        """-> (arguments, warnings) or raise Invalid(error name)."""
        media, params = self.media_type()
        if media == "application/json":
            try:
                args = parse_json(body)
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise Invalid("invalid_json") from None
            if not isinstance(args, dict):
                raise Invalid("json_not_object")
            warnings = [] if "charset" in params else ["missing_charset"]
            return args, warnings
        if media == "application/x-www-form-urlencoded" or (media == ""
                                                            and not body):
            try:
                pairs = urllib.parse.parse_qsl(body.decode("utf-8"),
                                               keep_blank_values=True,
                                               errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise Invalid("invalid_form_data") from None
            args = {}
            for k, v in pairs:
                args.setdefault(k, v)
            return args, []
        raise Invalid("invalid_post_type")

    def post_message(self, svc, body):
        error = self.slack_auth(svc)
        if error:
            return self.slack_error(error)
        try:
            args, warnings = self.slack_args(body)
        except Invalid as e:
            return self.slack_error(str(e))
        form = self.media_type()[0] != "application/json"
        channel = args.get("channel")
        if channel is None or channel == "":
            return self.slack_error("channel_not_found")
        if not isinstance(channel, str):
            return self.slack_error("invalid_arguments")
        if not svc.channel_known(channel):
            return self.slack_error("channel_not_found")
        text = args.get("text")
        if text is not None and not isinstance(text, str):
            return self.slack_error("invalid_arguments")
        blocks = args.get("blocks")
        if isinstance(blocks, str) and (form or blocks.strip()):
            # form-encoded (or a JSON string): the blocks are JSON text
            try:
                blocks = parse_json(blocks.encode("utf-8"))
            except (ValueError, RecursionError):
                return self.slack_error("invalid_blocks")
        elif blocks == "":
            blocks = None
        if blocks is not None and blocks_problem(blocks):
            return self.slack_error("invalid_blocks")
        if not text and not blocks:
            return self.slack_error("no_text")
        if text is not None and len(text) > TEXT_MAX:
            return self.slack_error("msg_too_long")
        thread_ts = args.get("thread_ts")
        if thread_ts is not None and not isinstance(thread_ts, str):
            return self.slack_error("invalid_arguments")
        metadata = args.get("metadata")
        if isinstance(metadata, str) and form:
            try:
                metadata = parse_json(metadata.encode("utf-8"))
            except (ValueError, RecursionError):
                return self.slack_error("invalid_metadata_format")
        if metadata is not None and not (
                isinstance(metadata, dict)
                and isinstance(metadata.get("event_type"), str)
                and metadata["event_type"]
                and isinstance(metadata.get("event_payload"), dict)):
            return self.slack_error("invalid_metadata_format")
        wait = svc.rate_take(channel)
        if wait:
            return self.slack_error("ratelimited", 429,
                                    [("Retry-After", str(wait))])
        ts = svc.next_ts()
        message = {"type": "message", "text": text or "",
                   "user": TEAM["user_id"], "bot_id": TEAM["bot_id"],
                   "team": TEAM["team_id"], "ts": ts}
        if blocks:
            message["blocks"] = blocks
        if thread_ts:
            message["thread_ts"] = thread_ts
        if metadata is not None:
            message["metadata"] = metadata
        other = {k: v for k, v in args.items()
                 if k not in ("channel", "text", "blocks", "thread_ts",
                              "metadata", "token")}
        svc.record({"via": "chat.postMessage", "channel": channel,
                    "text": text, "blocks": blocks, "thread_ts": thread_ts,
                    "ts": ts, "metadata": metadata, "message": message,
                    "response_url_id": None, "response_type": None,
                    "replace_original": None, "delete_original": None,
                    "other": other})
        answer = {"ok": True, "channel": channel, "ts": ts, "message": message}
        if warnings:
            answer["warning"] = ",".join(warnings)
            answer["response_metadata"] = {"warnings": warnings}
        return self.send(200, answer)

    def history(self, svc, body):
        """conversations.history: the channel's chat.postMessage messages,
        newest first, ts > oldest (and <= latest), in pages of limit with
        an opaque cursor; metadata only with include_all_metadata."""
        error = self.slack_auth(svc)
        if error:
            return self.slack_error(error)
        query = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        if self.command == "POST":
            try:
                args, _ = self.slack_args(body)
            except Invalid as e:
                return self.slack_error(str(e))
            query.update({k: v for k, v in args.items()
                          if isinstance(v, (str, int, float, bool))})
        channel = query.get("channel")
        if not channel or not isinstance(channel, str):
            return self.slack_error("channel_not_found")
        if not svc.channel_known(channel):
            return self.slack_error("channel_not_found")
        try:
            oldest = float(query.get("oldest", 0) or 0)
            latest = float(query["latest"]) if query.get("latest") else None
            limit = int(query.get("limit", HISTORY_LIMIT_DEFAULT))
        except (TypeError, ValueError):
            return self.slack_error("invalid_arguments")
        if not math.isfinite(oldest) or (latest is not None
                                         and not math.isfinite(latest)):
            return self.slack_error("invalid_arguments")
        limit = max(1, min(limit, HISTORY_LIMIT_MAX))
        start = 0
        cursor = query.get("cursor")
        if cursor:
            try:
                start = int(base64.b64decode(str(cursor), validate=True)
                            .decode("ascii").split(":", 1)[1])
            except (binascii.Error, UnicodeDecodeError, ValueError,
                    IndexError):
                return self.slack_error("invalid_cursor")
        metadata = str(query.get("include_all_metadata", "")).lower() in (
            "1", "true")
        found = [m["message"] for m in reversed(svc.list_messages())
                 if m["via"] == "chat.postMessage" and m["channel"] == channel
                 and float(m["ts"]) > oldest
                 and (latest is None or float(m["ts"]) <= latest)]
        page = []
        for m in found[start:start + limit]:
            m = dict(m)
            if not metadata:
                m.pop("metadata", None)
            page.append(m)
        more = start + limit < len(found)
        answer = {"ok": True, "messages": page, "has_more": more,
                  "pin_count": 0,
                  "response_metadata": {"next_cursor": base64.b64encode(
                      ("next_ts:%d" % (start + limit)).encode()).decode()
                      if more else ""}}
        return self.send(200, answer)

    def response_url(self, svc, url_id, body):
        if svc.response_url_used_up(url_id):
            return self.slack_error("used_url", 404)
        try:
            msg = parse_json(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return self.slack_error("invalid_payload", 400)
        if not isinstance(msg, dict):
            return self.slack_error("invalid_payload", 400)
        text, blocks = msg.get("text"), msg.get("blocks")
        rtype = msg.get("response_type")
        flags = {k: msg.get(k) for k in ("replace_original", "delete_original")}
        thread_ts = msg.get("thread_ts")
        if (text is not None and not isinstance(text, str)) \
                or (blocks is not None and blocks_problem(blocks)) \
                or (rtype is not None and rtype not in RESPONSE_TYPES) \
                or any(v is not None and not isinstance(v, bool)
                       for v in flags.values()) \
                or (thread_ts is not None and not isinstance(thread_ts, str)) \
                or not (text or blocks or flags["delete_original"]):
            return self.slack_error("invalid_payload", 400)
        if not svc.use_response_url(url_id):
            return self.slack_error("used_url", 404)
        other = {k: v for k, v in msg.items()
                 if k not in ("text", "blocks", "response_type", "thread_ts",
                              "replace_original", "delete_original")}
        svc.record({"via": "response_url", "channel": None, "text": text,
                    "blocks": blocks, "thread_ts": thread_ts, "ts": None,
                    "metadata": None, "message": None,
                    "response_url_id": url_id, "response_type": rtype,
                    "replace_original": flags["replace_original"],
                    "delete_original": flags["delete_original"],
                    "other": other})
        return self.send(200, {"ok": True})

    # ---- Twilio ----
    def twilio(self, svc, body):
        status, obj, headers = self.twilio_steps(svc, body)
        if status >= 400:
            self.error = str(obj["code"])
        return self.send(status, obj, "application/json; charset=utf-8",
                         headers)

    def twilio_auth(self, svc):
        value = self.headers.get("Authorization", "").strip()
        scheme, _, cred = value.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, sep, password = base64.b64decode(
                cred.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return bool(sep) and hmac.compare_digest(
            user.encode("utf-8"), svc.sid.encode("utf-8")) \
            and hmac.compare_digest(password.encode("utf-8"),
                                    svc.token.encode("utf-8"))

    def twilio_steps(self, svc, body):
        """-> (status, JSON object, extra headers)."""
        m = MESSAGES_RE.fullmatch(self.path_only)
        if not m:
            return twilio_error(404, 20404, "The requested resource %s was "
                                "not found" % self.path_only) + ([],)
        if not self.twilio_auth(svc) or m.group(1) != svc.sid:
            return twilio_error(401, 20003, "Authenticate") + (
                [("WWW-Authenticate", 'Basic realm="Twilio API"')],)
        if self.command == "GET":
            return self.twilio_list(svc)
        if self.command != "POST":
            return twilio_error(405, 20004, "Method not allowed") + (
                [("Allow", "GET, POST")],)
        params = {}
        if self.media_type()[0] == "application/x-www-form-urlencoded":
            try:
                for k, v in urllib.parse.parse_qsl(body.decode("utf-8"),
                                                   keep_blank_values=True,
                                                   errors="strict"):
                    params.setdefault(k, v)
            except (UnicodeDecodeError, ValueError):
                params = {}
        to, from_, text = (params.get("To", ""), params.get("From", ""),
                           params.get("Body", ""))
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is "
                                "required.") + ([],)
        if not E164_RE.fullmatch(to):
            return twilio_error(400, 21211, "The 'To' number %s is not a "
                                "valid phone number." % to) + ([],)
        if not from_:
            return twilio_error(400, 21603, "A 'From' phone number is "
                                "required.") + ([],)
        if not E164_RE.fullmatch(from_):
            return twilio_error(400, 21212, "The 'From' number %s is not a "
                                "valid phone number, shortcode, or "
                                "alphanumeric sender ID." % from_) + ([],)
        if not text:
            return twilio_error(400, 21602, "Message body is required.") + ([],)
        if len(text) > BODY_MAX:
            return twilio_error(400, 21617, "The concatenated message body "
                                "exceeds the %d character limit." % BODY_MAX) \
                + ([],)
        encoding, segments = sms_segments(text)
        sid = "SM" + secrets.token_hex(16)
        created = datetime.datetime.now(datetime.timezone.utc).replace(
            microsecond=0)
        resource = twilio_resource(svc.sid, sid, to, from_, text, segments,
                                   created)
        svc.record({"to": to, "from": from_, "body": text, "sid": sid,
                    "segments": segments, "encoding": encoding,
                    "date_created": resource["date_created"],
                    "other": {k: v for k, v in params.items()
                              if k not in ("To", "From", "Body")}})
        return 201, resource, []

    def twilio_list(self, svc):
        """GET Messages.json: the messages sent, newest first, filtered by
        To, From and DateSent (YYYY-MM-DD, UTC; DateSent>= and DateSent<=
        too), PageSize per page, Page to page on (next_page_uri)."""
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query,
                                       keep_blank_values=True)
        q = {}
        for k, v in query:
            q.setdefault(k, v)
        try:
            size = int(q.get("PageSize", PAGE_SIZE_DEFAULT))
            page = int(q.get("Page", 0))
        except ValueError:
            return twilio_error(400, 20001, "Invalid PageSize or Page") + ([],)
        if not 1 <= size <= PAGE_SIZE_MAX or page < 0:
            return twilio_error(400, 20001, "PageSize must be 1..%d"
                                % PAGE_SIZE_MAX) + ([],)
        bounds = {}
        for key in ("DateSent", "DateSent>", "DateSent<"):
            if key in q:
                if not DATE_RE.fullmatch(q[key]):
                    return twilio_error(400, 20001, "Invalid %s" % key) + (
                        [],)
                bounds[key] = q[key]
        out = []
        for m in reversed(svc.list_messages()):
            day = email.utils.parsedate_to_datetime(
                m["date_created"]).strftime("%Y-%m-%d")
            if ("To" in q and m["to"] != q["To"]) \
                    or ("From" in q and m["from"] != q["From"]) \
                    or ("DateSent" in bounds and day != bounds["DateSent"]) \
                    or ("DateSent>" in bounds and day < bounds["DateSent>"]) \
                    or ("DateSent<" in bounds and day > bounds["DateSent<"]):
                continue
            out.append(m)
        chunk = out[page * size:(page + 1) * size]
        base = "/2010-04-01/Accounts/%s/Messages.json" % svc.sid
        keep = [(k, v) for k, v in query if k not in ("Page", "PageSize")]

        def page_uri(n):
            return base + "?" + urllib.parse.urlencode(
                keep + [("PageSize", size), ("Page", n)])
        messages = []
        for m in chunk:
            r = twilio_resource(svc.sid, m["sid"], m["to"], m["from"],
                                m["body"], m["segments"],
                                email.utils.parsedate_to_datetime(
                                    m["date_created"]))
            r["status"] = "sent"
            r["date_sent"] = r["date_created"]
            messages.append(r)
        more = (page + 1) * size < len(out)
        return 200, {"messages": messages, "page": page, "page_size": size,
                     "start": page * size,
                     "end": page * size + max(len(chunk) - 1, 0),
                     "uri": page_uri(page), "first_page_uri": page_uri(0),
                     "next_page_uri": page_uri(page + 1) if more else None,
                     "previous_page_uri": page_uri(page - 1) if page else None
                     }, []

    # ---- /_sim ----
    def control(self, svc):
        try:
            body, oversize = self.read_body(MAX_CONTROL_BODY)
        except BadFraming as e:
            self.close_connection = True
            return self.send(400, {"error": str(e)})
        if oversize:
            self.close_connection = True
            return self.send(413, {"error": "control body too large"})
        route = (self.command, self.path_only.rstrip("/"))
        if route == ("GET", "/_sim/messages"):
            return self.send(200, {"messages": svc.list_messages()})
        if route == ("GET", "/_sim/requests"):
            return self.send(200, svc.request_log())
        if route == ("GET", "/_sim/faults"):
            return self.send(200, {"faults": svc.list_faults()})
        if route == ("POST", "/_sim/release"):
            return self.send(200, {"released": svc.release()})
        if route == ("POST", "/_sim/reset"):
            svc.reset()
            return self.send(200, {"ok": True})
        slack = isinstance(svc, Slack)
        if slack and route == ("GET", "/_sim/config"):
            return self.send(200, svc.get_config())
        if route in (("POST", "/_sim/faults"), ("POST", "/_sim/config")) \
                and (slack or route[1] == "/_sim/faults"):
            try:
                obj = parse_json(body)
            except (UnicodeDecodeError, ValueError, RecursionError):
                return self.send(400, {"error": "body is not valid JSON"})
            try:
                if route[1] == "/_sim/faults":
                    return self.send(200, {"queued": svc.add_faults(obj)})
                return self.send(200, svc.set_config(obj))
            except Invalid as e:
                return self.send(400, {"error": str(e)})
        return self.send(404, {"error": "no such control endpoint"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port, service):
        self.service = service
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slack-port", type=int, default=0)
    ap.add_argument("--twilio-port", type=int, default=0)
    ap.add_argument("--bot-token",
                    default=os.environ.get("SR_SIM_SLACK_BOT_TOKEN"),
                    help="the Bearer token chat.postMessage requires "
                         "(or SR_SIM_SLACK_BOT_TOKEN)")
    ap.add_argument("--twilio-sid", default=os.environ.get("SR_SIM_TWILIO_SID"),
                    help="the account SID (or SR_SIM_TWILIO_SID)")
    ap.add_argument("--twilio-token",
                    default=os.environ.get("SR_SIM_TWILIO_TOKEN"),
                    help="the auth token (or SR_SIM_TWILIO_TOKEN)")
    args = ap.parse_args(argv)
    if not args.bot_token or not args.twilio_sid or not args.twilio_token:
        ap.error("--bot-token, --twilio-sid and --twilio-token are required")
    if not re.fullmatch(r"[A-Za-z0-9]+", args.twilio_sid):
        ap.error("--twilio-sid: letters and digits only")

    # Every thread blocks the stop signals and the main thread waits for
    # them (a Python handler only runs when the main thread wakes up).
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)

    services = (Slack(args.bot_token),
                Twilio(args.twilio_sid, args.twilio_token))
    try:
        servers = (Server(args.slack_port, services[0]),
                   Server(args.twilio_port, services[1]))
    except OSError as e:
        log("slack_twilio: cannot listen: %s" % e)
        return 2
    for s in servers:
        threading.Thread(target=s.serve_forever, name=s.service.name,
                         kwargs={"poll_interval": 0.05}, daemon=True).start()
    ports = [s.server_address[1] for s in servers]
    sys.stdout.write(json.dumps({"slack": ports[0], "twilio": ports[1]}) + "\n")
    sys.stdout.flush()
    log("slack_twilio: slack on 127.0.0.1:%d, twilio on 127.0.0.1:%d"
        % tuple(ports))
    signal.sigwait(stop_signals)
    stoppers = [threading.Thread(target=svc.stop, args=(2.0,))
                for svc in services]
    stoppers += [threading.Thread(target=s.shutdown) for s in servers]
    for t in stoppers:
        t.start()
    for t in stoppers:
        t.join()
    for s in servers:
        s.server_close()
    log("slack_twilio: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
