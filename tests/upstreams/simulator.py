#!/usr/bin/env python3
"""Everflow and Redtrack simulators for signalroom's tests and `make demo`.

One process serves both upstreams, each on its own port of 127.0.0.1:

  Everflow  POST /v1/networks/reporting/entity/table   (header X-Eflow-API-Key)
  Redtrack  GET  /report?api_key=...&group=source&...   (query api_key)

plus an unauthenticated control API under /_sim/ on each port (reset, config,
data, faults, request log).  Standard library only.  See README.md next to
this file for the full contract.

  python3 simulator.py --everflow-port 0 --redtrack-port 0 \
      --everflow-key KEY --redtrack-key KEY [--seed 42] [--data demo|empty]

The first line on stdout is {"everflow": <port>, "redtrack": <port>}; request
logs go to stderr (keys never appear there); SIGTERM/SIGINT exit 0.
"""

import argparse
import collections
import datetime
import decimal
import functools
import hashlib
import hmac
import json
import math
import os
import re
import signal
import sys
import threading
import time
import traceback
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

decimal.getcontext().prec = 40

CENT = Decimal("0.01")
ZERO = Decimal(0)
MAX_BODY = 64 * 1024 * 1024

# ---------------------------------------------------------------------------
# JSON output with exact decimals
# ---------------------------------------------------------------------------


def _dec_text(d):
    if not d.is_finite():
        raise ValueError("non-finite decimal")
    text = format(d, "f")
    return "0" if text == "-0" else text


def _encode(obj, out):
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(str(obj))
    elif isinstance(obj, Decimal):
        out.append(_dec_text(obj))
    elif isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("non-finite float")
        out.append(repr(obj))
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, dict):
        out.append("{")
        first = True
        for k, v in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(k), ensure_ascii=False))
            out.append(":")
            _encode(v, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, v in enumerate(obj):
            if i:
                out.append(",")
            _encode(v, out)
        out.append("]")
    else:
        raise TypeError("cannot encode %r" % type(obj))


def dumps(obj):
    """Compact JSON; Decimal values are written as their exact text."""
    out = []
    _encode(obj, out)
    return "".join(out)


class Serialised(bytes):
    """A response body already encoded (served from the report cache)."""


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def loads(text):
    """JSON with every non-integer number parsed as an exact Decimal."""
    return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)


def q2(x):
    return x.quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def ratio(num, den, scale=1):
    """num/den*scale rounded to 2 decimals; 0 when den is 0."""
    if not den:
        return ZERO
    return q2(Decimal(num) * scale / Decimal(den))


# ---------------------------------------------------------------------------
# Deterministic pseudo-randomness
# ---------------------------------------------------------------------------


def unit(seed, *parts):
    """A number in [0, 1) that depends only on (seed, parts)."""
    text = "|".join([str(seed)] + [str(p) for p in parts])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / float(1 << 64)


def between(seed, lo, hi, *parts):
    return lo + (hi - lo) * unit(seed, *parts)


# ---------------------------------------------------------------------------
# Demo data model
# ---------------------------------------------------------------------------

ADVERTISERS = {1: "CCW", 2: "EXP", 5: "Concussion Media", 6: "USM"}

AFFILIATES = {
    1: "G2 - Meta",
    17: "G2 - Meta ",  # the trailing-space twin that exists in Everflow
    2: "G2 - Google",
    3: "SB - Meta",
    4: "SB - Google",
    5: "BHS",
    11: "Blue Bench Media LLC",
    12: "Venture Beyond",
    13: "ProfitFuel",
    14: "Adprecise 3rd Party",
    15: "AC Email",
}

# Payout per conversion (fixed CPA deals).  Internal affiliates are paid
# nothing in Everflow: their cost is the Redtrack spend.
PAYOUT_RATE = {
    5: Decimal("32.00"), 11: Decimal("25.00"), 12: Decimal("22.50"),
    13: Decimal("28.00"), 14: Decimal("18.00"), 15: Decimal("16.50"),
}
REVENUE_RATE = {1: Decimal("49.00"), 2: Decimal("95.00"),
                5: Decimal("42.00"), 6: Decimal("38.00")}

# Daily conversion range per advertiser and the affiliate mix.
DAILY_CONVERSIONS = {1: (300, 600), 2: (20, 50), 5: (4, 12), 6: (2, 8)}
MIX = {
    1: [(1, 0.34), (2, 0.15), (3, 0.11), (4, 0.06), (5, 0.06), (11, 0.09),
        (12, 0.07), (13, 0.05), (14, 0.04), (15, 0.03)],
    2: [(1, 0.60), (12, 0.25), (15, 0.15)],
    5: [(13, 0.60), (11, 0.40)],
    6: [(15, 0.50), (14, 0.50)],
}
# Monday..Sunday activity, 0..1.
WEEKDAY = [0.9, 1.0, 0.95, 0.85, 0.7, 0.3, 0.4]

# Redtrack sources: the 18 of data/clients/713/mappings/internal-affiliates.csv
# (names as Redtrack reports them: trimmed, "Google Ads CCW" without the
# CSV's suffix) plus unmapped ones.  link = (everflow affiliate id,
# advertiser id, share of that affiliate's conversions); kind drives the
# made-up volumes of the unlinked ones.
RT_SOURCES = [
    # name, alias, id, link, special
    ("Facebook CCW", "facebook", "66c79f91be26fd4634569658", (1, 1, 0.75), None),
    ("Meta CCW AWF2 Stephanie", "facebook", "6807d9120ee9ffc623c1d7e5", (3, 1, 0.60), None),
    ("Meta CCW SB Political", "facebook", "68b87e99882b48e6620a3116", (3, 1, 0.40), None),
    ("Facebook EXP", "facebook", "67c097f0aee15ff71f3f99aa", (1, 2, 1.00), None),
    ("Google Ads CCW", "google", "62b29551c6880d00014d8c73", (2, 1, 0.35), None),
    ("Facebook CTI", "facebook", "68ae2e73d5616519ce48e5e3", None, "cti"),
    ("Facebook CCW BHS", "facebook", "68a3991afcfc495698310fee", (5, 1, 1.00), None),
    ("Google Ads AWF2 SB", "google", "6883b1f8b5c72b423a7543a8", (4, 1, 0.60), None),
    ("Google Ads (No-redirect tracking) Acc #2", "google", "677c764c35168400c81bf749", (2, 1, 0.20), None),
    ("Google Ads (No-redirect tracking) Banned", "google", "677c268947eb81ff2afea98a", None, "banned"),
    ("Google Ads (No-redirect tracking) AWF SB", "google", "68431fb5900bfbd41432a4ea", (4, 1, 0.40), None),
    ("Facebook AWF CCW", "facebook", "628fd466f765760001f37209", (1, 1, 0.25), None),
    ("Google Ads (unitedstatesofpatriots.com)", "google", "682f621d013e261d51c0672f", None, "usop"),
    ("Google Ads Auto Insurance Stephanie", "google", "6807cdb766fd1829467446e8", None, "auto"),
    ("Google Ads (No-redirect tracking) #4", "google", "678eaa16ca6db9b0860d79a8", (2, 1, 0.15), None),
    ("Google Ads (No-redirect tracking) Acc #15", "google", "682b7a019c1661a163355975", (2, 1, 0.15), None),
    ("Google Ads (No-redirect tracking) Acc #5", "google", "6793c67b2d6085c55930df20", (2, 1, 0.10), None),
    ("713 Meta", "facebook", "684af9a4e05c3dc4f599c32e", None, "713"),
    # not in the mapping CSV
    ("Tigresh Facebook CCW", "facebook", "6901c4e27a9b3d5f81e0a6c2", None, "tigresh"),
    ("Meta 12-12 SB", "facebook", "693b7f20c1d84e6a95f2b0d7", None, "meta1212"),
    ("(none)", "", "", None, "none"),
]

# Unlinked sources: (conversions lo, hi, CPA lo, hi, probability present,
# probability that "conversions" is null that day).
RT_UNLINKED = {
    "cti": (2, 10, 30, 50, 0.7, 0.10),
    "usop": (0, 3, 25, 45, 0.6, 0.0),
    "auto": (1, 6, 25, 45, 0.8, 0.0),
    "713": (2, 12, 30, 48, 0.9, 0.15),
    "tigresh": (8, 25, 28, 40, 1.0, 0.0),
    "meta1212": (5, 18, 28, 40, 1.0, 0.0),
}


@functools.lru_cache(maxsize=4096)
def everflow_demo_day(seed, day):
    """Everflow rows (normalised form) of one date; a pure function.
    Cached: callers must not modify the rows."""
    rows = []
    wk = WEEKDAY[day.weekday()]
    iso = day.isoformat()
    for adv, (lo, hi) in DAILY_CONVERSIONS.items():
        # the day's total, kept inside [lo, hi] whatever the noise below
        level = 0.5 * unit(seed, iso, "volume", adv) + 0.5 * wk
        total = lo + 0.04 * (hi - lo) + 0.92 * (hi - lo) * level
        weights = [share * between(seed, 0.85, 1.15, iso, "cv", adv, aff)
                   for aff, share in MIX[adv]]
        scale = total / sum(weights)
        for (aff, _), weight in zip(MIX[adv], weights):
            expected = weight * scale
            if expected < 10 and unit(seed, iso, "present", adv, aff) < 0.25:
                continue
            rows.append(_everflow_row(seed, day, adv, aff, int(round(expected))))
        if adv == 1 and unit(seed, iso, "present", adv, 17) < 0.3:
            rows.append(_everflow_row(seed, day, adv, 17,
                                      int(3 * unit(seed, iso, "cv", adv, 17))))
    return rows


def _everflow_row(seed, day, adv, aff, cv):
    iso = day.isoformat()
    if cv > 0:
        clicks = int(round(cv * between(seed, 20, 40, iso, "clicks", adv, aff)))
    else:
        clicks = int(round(between(seed, 5, 60, iso, "clicks", adv, aff)))
    unique = int(round(clicks * between(seed, 0.85, 0.95, iso, "uniq", adv, aff)))
    invalid = int(round(clicks * 0.02 * unit(seed, iso, "invalid", adv, aff)))
    rate = REVENUE_RATE[adv]
    revenue = q2(cv * rate * Decimal(1 + 0.03 * unit(seed, iso, "upsell", adv, aff)))
    payout = q2(cv * PAYOUT_RATE.get(aff, ZERO))
    return {
        "date": day, "affiliate_id": aff, "affiliate_label": AFFILIATES[aff],
        "advertiser_id": adv, "advertiser_label": ADVERTISERS[adv],
        "clicks": clicks, "unique_clicks": unique, "invalid_clicks": invalid,
        "conversions": cv, "total_conversions": cv,
        "revenue": revenue, "payout": payout,
    }


@functools.lru_cache(maxsize=4096)
def redtrack_demo_day(seed, day):
    """Redtrack rows (normalised form) of one date; a pure function (cached:
    callers must not modify the rows).

    Linked sources get their conversions from the same day's Everflow
    conversions of the affiliate/advertiser they map to, so both upstreams
    stay in the same ballpark."""
    iso = day.isoformat()
    ef = {(r["affiliate_id"], r["advertiser_id"]): r["conversions"]
          for r in everflow_demo_day(seed, day)}
    rows = []
    for name, alias, sid, link, special in RT_SOURCES:
        def rnd(lo, hi, what):
            return between(seed, lo, hi, iso, "rt", sid or name, what)

        conv_null = False
        if link is not None:
            aff, adv, share = link
            conv = int(round(ef.get((aff, adv), 0) * share * rnd(0.88, 1.05, "cv")))
            cpa = rnd(30, 42, "cpa") if alias == "facebook" else rnd(25, 40, "cpa")
            total_conv = conv + int(round(conv * rnd(0.05, 0.25, "events")))
            cost = q2(Decimal(str(round(max(conv, 1) * cpa, 2))))
            clicks = int(round(max(conv, 2) * rnd(25, 45, "clicks")))
            rev_rate = REVENUE_RATE[adv]
        elif special == "banned":
            # Never a primary conversion, but other event types: the old
            # "conversions or total_conversions" fallback shows here.
            if rnd(0, 1, "present") >= 0.6:
                continue
            conv = 0
            total_conv = int(rnd(1, 7, "events"))
            clicks = int(rnd(40, 300, "clicks"))
            cost = q2(Decimal(str(round(rnd(60, 400, "cost"), 2))))
            rev_rate = REVENUE_RATE[1]
        elif special == "none":
            conv = 0
            total_conv = 0
            clicks = int(rnd(5, 41, "clicks"))
            cost = ZERO
            rev_rate = ZERO
        else:
            clo, chi, plo, phi, present, p_null = RT_UNLINKED[special]
            if rnd(0, 1, "present") >= present:
                continue
            conv = int(rnd(clo, chi + 1, "cv"))
            if special == "usop" and rnd(0, 1, "zero") < 0.5:
                conv = 0
            total_conv = conv + int(round(conv * rnd(0.05, 0.25, "events")))
            if conv == 0:
                total_conv = int(rnd(1, 5, "events"))
            cost = q2(Decimal(str(round(max(conv, 1) * rnd(plo, phi, "cpa"), 2))))
            clicks = int(round(max(conv, 2) * rnd(25, 45, "clicks")))
            conv_null = rnd(0, 1, "null") < p_null
            rev_rate = REVENUE_RATE[1]
        unique = int(round(clicks * rnd(0.80, 0.95, "uniq")))
        revenue = q2(conv * rev_rate * Decimal(1 + 0.03 * rnd(0, 1, "upsell")))
        rows.append({
            "date": day, "source_id": sid, "source": name, "source_alias": alias,
            "clicks": clicks, "unique_clicks": unique,
            "conversions": None if conv_null else conv,
            "total_conversions": total_conv, "cost": cost,
            "revenue": ZERO if conv_null else revenue,
        })
    return rows


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadRequest(Exception):
    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


def parse_date(value, what):
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise BadRequest("%s must be a YYYY-MM-DD string" % what)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadRequest("%s is not a valid date" % what) from None


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def as_money(v, what):
    if is_int(v):
        return Decimal(v)
    if isinstance(v, Decimal):
        return v
    if isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except decimal.InvalidOperation:
            raise BadRequest("%s: %r is not a decimal" % (what, v)) from None
        if d.is_finite():
            return d
    raise BadRequest("%s must be a decimal string or number" % what)


def need_int(row, key, what, default=None, minimum=None):
    if key not in row:
        if default is not None:
            return default
        raise BadRequest("%s: %s is required" % (what, key))
    v = row[key]
    if not is_int(v):
        raise BadRequest("%s: %s must be an integer" % (what, key))
    if minimum is not None and v < minimum:
        raise BadRequest("%s: %s must be >= %d" % (what, key, minimum))
    return v


def need_str(row, key, what, default=None):
    if key not in row:
        if default is not None:
            return default
        raise BadRequest("%s: %s is required" % (what, key))
    if not isinstance(row[key], str):
        raise BadRequest("%s: %s must be a string" % (what, key))
    return row[key]


def daterange(first, last):
    d = first
    while d <= last:
        yield d
        d += datetime.timedelta(days=1)


# ---------------------------------------------------------------------------
# Shared service state: config, faults, request log, data, rate limit
# ---------------------------------------------------------------------------

FAULT_KEYS = {"status", "body", "retry_after", "delay_ms", "truncate",
              "short_body", "malformed", "wrong_types", "missing_fields",
              "count"}
BODY_FAULTS = ("truncate", "short_body", "malformed", "wrong_types",
               "missing_fields")


def validate_fault(f):
    if not isinstance(f, dict):
        raise BadRequest("each fault must be an object")
    unknown = set(f) - FAULT_KEYS
    if unknown:
        raise BadRequest("unknown fault field(s): %s" % ", ".join(sorted(unknown)))
    out = {}
    if "status" in f:
        if not is_int(f["status"]) or not 100 <= f["status"] <= 599:
            raise BadRequest("status must be an integer 100..599")
        out["status"] = f["status"]
    if "body" in f:
        if not isinstance(f["body"], str):
            raise BadRequest("body must be a string")
        if "status" not in f:
            raise BadRequest("body needs status")
        out["body"] = f["body"]
    for key in ("retry_after", "delay_ms"):
        if key in f:
            if not is_int(f[key]) or f[key] < 0:
                raise BadRequest("%s must be an integer >= 0" % key)
            out[key] = f[key]
    for key in BODY_FAULTS:
        if key in f:
            if not isinstance(f[key], bool):
                raise BadRequest("%s must be a boolean" % key)
            if f[key]:
                out[key] = True
    if "status" in out and any(k in out for k in BODY_FAULTS):
        raise BadRequest("status cannot be combined with %s" % "/".join(BODY_FAULTS))
    if "malformed" in out and ("wrong_types" in out or "missing_fields" in out):
        raise BadRequest("malformed cannot be combined with wrong_types/missing_fields")
    if "truncate" in out and "short_body" in out:
        raise BadRequest("truncate and short_body exclude each other")
    count = f.get("count", 1)
    if not is_int(count) or count < 1:
        raise BadRequest("count must be an integer >= 1")
    out["count"] = count
    return out


class Service:
    """State of one upstream (each port has its own)."""

    name = "?"
    DEFAULTS = {}

    def __init__(self, key, seed, data_mode):
        self.key = key
        self.seed = seed
        self.data_mode = data_mode
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.cache = {}
            self.config = dict(self.DEFAULTS)
            self.faults = collections.deque()
            self.requests = []
            self.custom = None if self.data_mode == "demo" else []
            self.window_start = None
            self.window_count = 0

    # ---- config ----
    def set_config(self, obj):
        if not isinstance(obj, dict):
            raise BadRequest("config must be a JSON object")
        new = {}
        for k, v in obj.items():
            if k in ("row_cap", "per_max"):
                if not is_int(v) or v < 1:
                    raise BadRequest("%s must be an integer >= 1" % k)
            elif k == "rate_limit":
                if not is_int(v) or v < 0:
                    raise BadRequest("rate_limit must be an integer >= 0 (0: unlimited)")
            elif k == "rate_window_s":
                if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or v <= 0:
                    raise BadRequest("rate_window_s must be a number > 0")
                v = float(v)
            elif k == "retry_after_header":
                if not isinstance(v, bool):
                    raise BadRequest("retry_after_header must be a boolean")
            else:
                raise BadRequest("unknown config key %r" % k)
            new[k] = v
        with self.lock:
            self.cache = {}
            self.config.update(new)
            if "rate_limit" in new or "rate_window_s" in new:
                self.window_start = None
                self.window_count = 0
            return dict(self.config)

    def get_config(self):
        with self.lock:
            return dict(self.config)

    # ---- faults ----
    def add_faults(self, obj):
        if not isinstance(obj, dict) or not isinstance(obj.get("faults"), list):
            raise BadRequest('expected {"faults": [...]}')
        faults = [validate_fault(f) for f in obj["faults"]]
        with self.lock:
            self.faults.extend(faults)
            return len(self.faults)

    def take_fault(self):
        with self.lock:
            if not self.faults:
                return None
            head = self.faults[0]
            head["count"] -= 1
            if head["count"] <= 0:
                self.faults.popleft()
            taken = dict(head)
            taken.pop("count", None)
            return taken

    def list_faults(self):
        with self.lock:
            return [dict(f) for f in self.faults]

    # ---- request log ----
    def record(self, entry):
        with self.lock:
            self.requests.append(entry)

    def request_log(self):
        with self.lock:
            return {"count": len(self.requests), "requests": list(self.requests)}

    # ---- rate limit (fixed window opened by the first counted request) ----
    def rate_take(self):
        """Count one request.  -> (allowed, limit, remaining, retry_after)."""
        with self.lock:
            limit = self.config["rate_limit"]
            window = self.config["rate_window_s"]
            if limit <= 0:
                return True, 0, 0, None
            now = time.monotonic()
            if self.window_start is None or now >= self.window_start + window:
                self.window_start = now
                self.window_count = 0
            if self.window_count >= limit:
                wait = max(1, int(math.ceil(self.window_start + window - now)))
                return False, limit, 0, wait
            self.window_count += 1
            return True, limit, limit - self.window_count, None

    def rate_peek(self):
        with self.lock:
            limit = self.config["rate_limit"]
            if limit <= 0:
                return 0, 0
            now = time.monotonic()
            if (self.window_start is None
                    or now >= self.window_start + self.config["rate_window_s"]):
                return limit, limit
            return limit, max(0, limit - self.window_count)

    # ---- data ----
    def set_data(self, obj):
        if not isinstance(obj, dict) or not isinstance(obj.get("rows"), list):
            raise BadRequest('expected {"rows": [...]}')
        rows = [self.normalise_row(r, i) for i, r in enumerate(obj["rows"])]
        with self.lock:
            self.custom = rows
            self.cache = {}
        return len(rows)

    # A report is a pure function of the data, the config and the request,
    # so its encoded body is kept until one of those changes: a benchmark
    # then measures signalroom, not this program's JSON encoder.
    def cached(self, key, build):
        with self.lock:
            hit = self.cache.get(key)
        if hit is not None:
            return hit
        body = Serialised(dumps(build()).encode("utf-8"))
        with self.lock:
            if len(self.cache) > 64:
                self.cache = {}
            self.cache[key] = body
        return body

    def rows_between(self, first, last):
        with self.lock:
            custom = self.custom
        if custom is not None:
            return [r for r in custom if first <= r["date"] <= last]
        rows = []
        for day in daterange(first, last):
            rows.extend(self.demo_day(day))
        return rows

    # subclass hooks
    def normalise_row(self, row, index):
        raise NotImplementedError

    def demo_day(self, day):
        raise NotImplementedError

    def api(self, handler):
        """Answer a real API request -> (status, object, headers)."""
        raise NotImplementedError

    def corrupt(self, obj, fault):
        raise NotImplementedError

    malformed_body = b""


# ---------------------------------------------------------------------------
# Everflow
# ---------------------------------------------------------------------------

EF_PATH = "/v1/networks/reporting/entity/table"
EF_TIMEZONES = {80: "America/New_York", 67: "UTC"}
EF_TIME_COLUMNS = {"hour", "date", "week", "month", "year"}
EF_COLUMNS = (
    ["offer", "affiliate", "advertiser", "offer_group", "campaign", "creative",
     "event_name", "offer_url", "country", "country_code", "region", "city",
     "dma", "carrier", "platform", "os_version", "isp", "browser",
     "device_type", "device_make", "model", "language", "connection_type"]
    + ["sub%d" % i for i in range(1, 6)] + ["source_id"]
    + ["adv%d" % i for i in range(1, 6)]
    + ["coupon_code", "tracking_domain", "referer", "offer_status",
       "affiliate_manager", "account_manager", "category", "project_id",
       "payout_type", "payout_amount", "revenue_type", "revenue_amount",
       "unix_timestamp"]
    + sorted(EF_TIME_COLUMNS))
EF_SUPPORTED_COLUMNS = {"date", "affiliate", "advertiser"}
EF_FILTER_TYPES = {"offer", "affiliate", "advertiser", "country", "status",
                   "transaction_id", "sub1", "sub2", "sub3", "sub4", "sub5",
                   "offer_group", "campaign", "creative", "source_id",
                   "region", "city", "platform", "device_type", "browser"}
EF_SUPPORTED_FILTERS = {"affiliate": "affiliate_id", "advertiser": "advertiser_id"}


def ef_invalid(detail):
    return 400, {"error": "Invalid parameters.", "detail": detail}, []


class Everflow(Service):
    name = "everflow"
    DEFAULTS = {"row_cap": 10000, "rate_limit": 20, "rate_window_s": 30.0,
                "per_max": 1000, "retry_after_header": True}
    malformed_body = b'{"table": [ {oops'

    def demo_day(self, day):
        return everflow_demo_day(self.seed, day)

    def normalise_row(self, row, i):
        what = "rows[%d]" % i
        if not isinstance(row, dict):
            raise BadRequest("%s must be an object" % what)
        clicks = need_int(row, "clicks", what, 0, 0)
        conv = need_int(row, "conversions", what, 0, 0)
        return {
            "date": parse_date(row.get("date"), what + ".date"),
            "affiliate_id": need_int(row, "affiliate_id", what),
            "affiliate_label": need_str(row, "affiliate_label", what, ""),
            "advertiser_id": need_int(row, "advertiser_id", what),
            "advertiser_label": need_str(row, "advertiser_label", what, ""),
            "clicks": clicks,
            "unique_clicks": need_int(row, "unique_clicks", what, clicks, 0),
            "invalid_clicks": need_int(row, "invalid_clicks", what, 0, 0),
            "conversions": conv,
            "total_conversions": need_int(row, "total_conversions", what, conv, 0),
            "revenue": as_money(row.get("revenue", 0), what + ".revenue"),
            "payout": as_money(row.get("payout", 0), what + ".payout"),
        }

    # ---- request validation ----
    def parse_request(self, body):
        try:
            req = loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("body is not valid JSON") from None
        if not isinstance(req, dict):
            raise BadRequest("body must be a JSON object")
        first = parse_date(req.get("from"), "from")
        last = parse_date(req.get("to"), "to")
        if last < first:
            raise BadRequest("to is before from")
        if (last - first).days + 1 > 367:
            raise BadRequest("the interval is longer than 367 days")
        tz = req.get("timezone_id")
        if tz is None:
            raise BadRequest("timezone_id is required")
        if not is_int(tz):
            raise BadRequest("timezone_id must be an integer")
        if tz not in EF_TIMEZONES:
            raise BadRequest("timezone_id %d is not known to the simulator "
                             "(80 = America/New_York, 67 = UTC)" % tz)
        cur = req.get("currency_id")
        if cur is None:
            raise BadRequest("currency_id is required")
        if not isinstance(cur, str) or not cur:
            raise BadRequest("currency_id must be a non-empty string")
        cols = req.get("columns")
        if not isinstance(cols, list) or not 1 <= len(cols) <= 10:
            raise BadRequest("columns must be an array of 1 to 10 objects")
        names = []
        for c in cols:
            if not isinstance(c, dict) or not isinstance(c.get("column"), str):
                raise BadRequest('each column must be an object {"column": name}')
            if c["column"] not in EF_COLUMNS:
                raise BadRequest("unknown column %r" % c["column"])
            if c["column"] in names:
                raise BadRequest("column %r given twice" % c["column"])
            names.append(c["column"])
        if len([n for n in names if n in EF_TIME_COLUMNS]) > 1:
            raise BadRequest("only one time column (hour, date, week, month, "
                             "year) per request")
        for n in names:
            if n not in EF_SUPPORTED_COLUMNS:
                raise BadRequest("column %r is unsupported by the simulator "
                                 "(date, affiliate, advertiser)" % n)
        for key in ("page", "page_size"):
            if key in req and (not is_int(req[key]) or req[key] < 1):
                raise BadRequest("%s must be a positive integer" % key)
        filters, exclusions = [], []
        query = req.get("query", {})
        if query is None:
            query = {}
        if not isinstance(query, dict):
            raise BadRequest("query must be an object")
        for key, dest in (("filters", filters), ("exclusions", exclusions)):
            items = query.get(key, [])
            if items is None:
                items = []
            if not isinstance(items, list):
                raise BadRequest("query.%s must be an array" % key)
            for f in items:
                dest.append(self.parse_filter(f, key))
        if not isinstance(query.get("metric_filters", []), (list, type(None))):
            raise BadRequest("query.metric_filters must be an array")
        if not isinstance(query.get("settings", {}), (dict, type(None))):
            raise BadRequest("query.settings must be an object")
        return first, last, tz, names, filters, exclusions

    @staticmethod
    def parse_filter(f, where):
        if (not isinstance(f, dict) or not isinstance(f.get("resource_type"), str)
                or "filter_id_value" not in f):
            raise BadRequest('query.%s items must be {"resource_type": ..., '
                             '"filter_id_value": ...}' % where)
        rtype, value = f["resource_type"], f["filter_id_value"]
        if rtype not in EF_FILTER_TYPES:
            raise BadRequest("unknown resource_type %r" % rtype)
        if rtype not in EF_SUPPORTED_FILTERS:
            raise BadRequest("resource_type %r is unsupported by the simulator "
                             "(affiliate, advertiser)" % rtype)
        if is_int(value):
            ident = value
        elif isinstance(value, str) and re.fullmatch(r"\d{1,18}", value.strip()):
            ident = int(value.strip())
        else:
            raise BadRequest("filter_id_value must be an id (string or integer)")
        return EF_SUPPORTED_FILTERS[rtype], ident

    # ---- the endpoint ----
    def api(self, h):
        if h.path_only != EF_PATH:
            return 404, {"error": "Not found"}, []
        if h.command != "POST":
            return 405, {"error": "Method not allowed"}, [("Allow", "POST")]
        key = h.headers.get("X-Eflow-API-Key")
        if not key or not hmac.compare_digest(key.encode(), self.key.encode()):
            return 401, {"error": "Unauthorized"}, []
        allowed, limit, remaining, _ = self.rate_take()
        if not allowed:
            return 429, {"error": "Too many requests"}, []
        try:
            first, last, tz, names, filters, exclusions = self.parse_request(h.body)
        except BadRequest as e:
            return ef_invalid(e.detail)
        if h.want_object:
            return 200, self.table(first, last, tz, names, filters, exclusions), []
        key = (first, last, tz, tuple(names), tuple(filters), tuple(exclusions))
        return 200, self.cached(key, lambda: self.table(
            first, last, tz, names, filters, exclusions)), []

    def table(self, first, last, tz_id, names, filters, exclusions):
        zone = ZoneInfo(EF_TIMEZONES[tz_id])
        groups = {}
        for r in self.rows_between(first, last):
            if any(r[field] != ident for field, ident in filters):
                continue
            if any(r[field] == ident for field, ident in exclusions):
                continue
            key = (r["date"] if "date" in names else None,
                   r["advertiser_id"] if "advertiser" in names else None,
                   r["affiliate_id"] if "affiliate" in names else None)
            g = groups.get(key)
            if g is None:
                g = groups[key] = {
                    "affiliate_label": r["affiliate_label"],
                    "advertiser_label": r["advertiser_label"],
                    "clicks": 0, "unique_clicks": 0, "invalid_clicks": 0,
                    "conversions": 0, "total_conversions": 0,
                    "revenue": ZERO, "payout": ZERO}
            for f in ("clicks", "unique_clicks", "invalid_clicks", "conversions",
                      "total_conversions", "revenue", "payout"):
                g[f] += r[f]
        keys = sorted(groups, key=lambda k: (k[0] or datetime.date.min,
                                             k[1] or 0, k[2] or 0))
        cap = self.get_config()["row_cap"]
        incomplete = len(keys) > cap
        table = []
        for key in keys[:cap]:
            g = groups[key]
            columns = []
            for n in names:
                if n == "date":
                    midnight = datetime.datetime(key[0].year, key[0].month,
                                                 key[0].day, tzinfo=zone)
                    columns.append({"column_type": "date",
                                    "id": str(int(midnight.timestamp())),
                                    "label": ""})
                elif n == "advertiser":
                    columns.append({"column_type": "advertiser", "id": str(key[1]),
                                    "label": g["advertiser_label"]})
                else:
                    columns.append({"column_type": "affiliate", "id": str(key[2]),
                                    "label": g["affiliate_label"]})
            table.append({"columns": columns, "reporting": self.reporting(g)})
        return {"table": table, "incomplete_results": incomplete}

    @staticmethod
    def reporting(g):
        clicks, cv = g["clicks"], g["conversions"]
        revenue, payout = g["revenue"], g["payout"]
        profit = revenue - payout
        return {
            "imp": 0, "total_click": clicks, "unique_click": g["unique_clicks"],
            "invalid_click": g["invalid_clicks"],
            "duplicate_click": max(0, clicks - g["unique_clicks"]),
            "gross_click": clicks + g["invalid_clicks"], "ctr": 0,
            "cv": cv, "view_through_cv": 0, "total_cv": g["total_conversions"],
            "invalid_cv_scrub": 0, "event": 0,
            "cvr": ratio(cv, clicks, 100), "evr": 0,
            "cpc": ratio(payout, clicks), "cpm": 0, "cpa": ratio(payout, cv),
            "epc": ratio(revenue, clicks), "rpc": ratio(revenue, clicks),
            "rpa": ratio(revenue, cv), "rpm": 0,
            "payout": payout, "revenue": revenue, "event_revenue": 0,
            "gross_sales": 0, "profit": profit,
            "margin": ratio(profit, revenue, 100), "roas": 0,
            "avg_sale_value": 0, "media_buying_cost": 0,
            "on_hold_potential_revenue": 0, "on_hold_potential_payout": 0,
            "on_hold_conversion_count": 0, "public_events": 0,
        }

    def corrupt(self, obj, fault):
        table = obj["table"]
        if not table:
            table.append({"columns": [{"column_type": "affiliate", "id": "1",
                                       "label": "G2 - Meta"}],
                          "reporting": self.reporting({
                              "clicks": 10, "unique_clicks": 10,
                              "invalid_clicks": 0, "conversions": 1,
                              "total_conversions": 1, "revenue": ZERO,
                              "payout": ZERO})})
        if fault.get("wrong_types"):
            table[0]["reporting"]["cv"] = "many"
            table[0]["reporting"]["revenue"] = "lots"
        if fault.get("missing_fields"):
            table[0].pop("reporting", None)
            if len(table) > 1:
                table[1].pop("columns", None)
        return obj


# ---------------------------------------------------------------------------
# Redtrack
# ---------------------------------------------------------------------------

RT_GROUPS = ({"date", "month", "week", "day_of_week", "hour_of_day", "campaign",
              "source", "offer", "landing", "prelanding", "network", "country",
              "city", "region", "language", "os", "browser", "device",
              "device_brand", "connection_type", "isp"}
             | {"sub%d" % i for i in range(1, 21)}
             | {"rt_source", "rt_medium", "rt_campaign", "rt_adgroup", "rt_ad",
                "rt_placement", "rt_keyword"})
RT_SORT = {"clicks", "unique_clicks", "conversions", "total_conversions",
           "cost", "revenue", "profit"}


class Redtrack(Service):
    name = "redtrack"
    DEFAULTS = {"row_cap": 10000, "rate_limit": 20, "rate_window_s": 60.0,
                "per_max": 1000, "retry_after_header": True}
    malformed_body = b'[{"source": oops'

    def demo_day(self, day):
        return redtrack_demo_day(self.seed, day)

    def normalise_row(self, row, i):
        what = "rows[%d]" % i
        if not isinstance(row, dict):
            raise BadRequest("%s must be an object" % what)
        clicks = need_int(row, "clicks", what, 0, 0)
        out = {
            "date": parse_date(row.get("date"), what + ".date"),
            "source_id": need_str(row, "source_id", what),
            "source": need_str(row, "source", what, ""),
            "source_alias": need_str(row, "source_alias", what, ""),
            "clicks": clicks,
            "unique_clicks": need_int(row, "unique_clicks", what, clicks, 0),
            "cost": as_money(row.get("cost", 0), what + ".cost"),
            "revenue": as_money(row.get("revenue", 0), what + ".revenue"),
        }
        if "conversions" in row:
            if row["conversions"] is not None:
                need_int(row, "conversions", what, None, 0)
            out["conversions"] = row["conversions"]
        out["total_conversions"] = need_int(
            row, "total_conversions", what, out.get("conversions") or 0, 0)
        return out

    def api(self, h):
        if h.path_only != "/report":
            return 404, {"error": "not found"}, []
        if h.command != "GET":
            # what signalroom observed for POST /report
            return 404, {"error": "not found"}, []
        q = h.query
        key = q.get("api_key", [""])[0]
        if not key or not hmac.compare_digest(key.encode(), self.key.encode()):
            return 401, {"error": "unauthorized"}, []
        allowed, _, _, wait = self.rate_take()
        if not allowed:
            headers = []
            if self.get_config()["retry_after_header"]:
                headers.append(("Retry-After", str(wait)))
            return 429, {"error": "rate limit exceeded"}, headers
        try:
            return 200, self.report(q), []
        except BadRequest as e:
            return 400, {"error": e.detail}, []

    def report(self, q):
        def one(name, default=None):
            vals = q.get(name)
            if not vals:
                return default
            if len(vals) > 1:
                raise BadRequest("%s given more than once" % name)
            return vals[0]

        groups = q.get("group", []) + q.get("group[]", [])
        groups = [g for v in groups for g in v.split(",") if g]
        if not groups:
            raise BadRequest("group is required")
        for g in groups:
            if g not in RT_GROUPS:
                raise BadRequest("invalid group %r" % g)
        if groups != ["source"]:
            raise BadRequest("only group=source is supported by the simulator")
        if one("date_from") is None or one("date_to") is None:
            raise BadRequest("date_from and date_to are required")
        first = parse_date(one("date_from"), "date_from")
        last = parse_date(one("date_to"), "date_to")
        if last < first:
            raise BadRequest("date_from is after date_to")
        tz = one("timezone")
        if tz is not None:
            try:
                if not tz or tz.startswith("/") or ".." in tz:
                    raise ValueError(tz)
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise BadRequest("invalid timezone %r" % tz) from None
        per_max = self.get_config()["per_max"]
        page = self.positive(one("page", "1"), "page")
        per = self.positive(one("per", str(per_max)), "per")
        if per > per_max:
            raise BadRequest("per must be at most %d" % per_max)
        total = one("total", "false")
        if total not in ("true", "false", "1", "0"):
            raise BadRequest("total must be true or false")
        sortby = one("sortby", "clicks").split(",")
        if len(sortby) > 3 or any(s not in RT_SORT for s in sortby):
            raise BadRequest("invalid sortby (simulator supports %s)"
                             % ", ".join(sorted(RT_SORT)))
        direction = one("direction", "desc")
        if direction not in ("asc", "desc"):
            raise BadRequest("direction must be asc or desc")
        wanted = None
        if one("source_id") is not None:
            wanted = {s for s in one("source_id").split(",") if s}

        agg = {}
        order = []
        for r in self.rows_between(first, last):
            if wanted is not None and r["source_id"] not in wanted:
                continue
            a = agg.get(r["source_id"])
            if a is None:
                a = agg[r["source_id"]] = {
                    "source": r["source"], "source_id": r["source_id"],
                    "source_alias": r["source_alias"], "clicks": 0,
                    "unique_clicks": 0, "total_conversions": 0,
                    "cost": ZERO, "revenue": ZERO}
                order.append(r["source_id"])
            for f in ("clicks", "unique_clicks", "total_conversions", "cost",
                      "revenue"):
                a[f] += r[f]
            if "conversions" in r:
                c = r["conversions"]
                if c is not None:
                    a["conversions"] = (a.get("conversions") or 0) + c
                elif "conversions" not in a:
                    a["conversions"] = None
        rows = [self.finish(agg[s]) for s in order]

        def sort_key(row):
            vals = []
            for s in sortby:
                v = row.get(s)
                v = -1 if v is None else v
                vals.append(-v if direction == "desc" else v)
            return vals + [row["source_id"], row["source"]]

        rows.sort(key=sort_key)
        items = rows[(page - 1) * per: page * per]
        if total in ("true", "1"):
            tot = {"clicks": 0, "unique_clicks": 0, "conversions": 0,
                   "total_conversions": 0, "cost": ZERO, "revenue": ZERO}
            for r in rows:
                for f in tot:
                    tot[f] += r.get(f) or 0
            return {"items": items, "total": self.finish(tot)}
        return items

    @staticmethod
    def positive(text, what):
        if not re.fullmatch(r"\d{1,9}", text or "") or int(text) < 1:
            raise BadRequest("%s must be a positive integer" % what)
        return int(text)

    @staticmethod
    def finish(a):
        """Aggregated row -> output row in Redtrack's field order."""
        out = {}
        for f in ("source", "source_id", "source_alias"):
            if f in a:
                out[f] = a[f]
        clicks, cost, revenue = a["clicks"], a["cost"], a["revenue"]
        conv = a.get("conversions")
        profit = revenue - cost
        out["clicks"] = clicks
        out["unique_clicks"] = a["unique_clicks"]
        if "conversions" in a:
            out["conversions"] = conv
        out["total_conversions"] = a["total_conversions"]
        out["cost"] = cost
        out["revenue"] = revenue
        out["profit"] = profit
        out["roi"] = ratio(profit, cost, 100)
        out["cr"] = ratio(conv or 0, clicks, 100)
        out["epc"] = ratio(revenue, clicks)
        out["cpc"] = ratio(cost, clicks)
        out["cpa"] = ratio(cost, conv or 0)
        return out

    def corrupt(self, obj, fault):
        items = obj["items"] if isinstance(obj, dict) else obj
        if not items:
            items.append(self.finish({
                "source": "Facebook CCW", "source_id": "66c79f91be26fd4634569658",
                "source_alias": "facebook", "clicks": 10, "unique_clicks": 10,
                "conversions": 1, "total_conversions": 1, "cost": ZERO,
                "revenue": ZERO}))
        if fault.get("wrong_types"):
            items[0]["source_id"] = {"$oid": items[0]["source_id"]}
            items[0]["clicks"] = "many"
        if fault.get("missing_fields"):
            items[0].pop("clicks", None)
            if len(items) > 1:
                items[1].pop("source_id", None)
        return obj


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

KEY_RE = re.compile(r"(api_key=)[^&\s]*", re.IGNORECASE)


def mask(text):
    return KEY_RE.sub(r"\1***", text)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle on, the body waits
    # for the client's delayed ACK (40 ms a response), which no real
    # upstream does.
    disable_nagle_algorithm = True
    timeout = 60

    def version_string(self):
        return "upstream-simulator"

    def log_request(self, code="-", size="-"):
        pass  # one masked line per request is written by dispatch()

    def log_message(self, fmt, *args):
        try:
            sys.stderr.write("%s %s\n" % (self.server.service.name,
                                          mask(fmt % args)))
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # nobody is reading stderr any more

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                if len(data) + size > MAX_BODY:
                    raise BadRequest("body too large")
                data += self.rfile.read(size)
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        if not length.isdigit() or int(length) > MAX_BODY:
            raise BadRequest("bad or too large Content-Length")
        return self.rfile.read(int(length))

    def respond(self, status, body, headers=(), truncate=False):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[:len(body) // 2] if truncate else body)
        self.wfile.flush()

    def dispatch(self):
        t0 = self.arrived = time.monotonic()
        svc = self.server.service
        split = urllib.parse.urlsplit(self.path)
        self.path_only = split.path
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        status = 500
        try:
            try:
                self.body = self.read_body()
            except (BadRequest, ValueError) as e:
                self.close_connection = True
                status = 400
                self.respond(400, dumps({"error": str(e)}))
                return
            if self.path_only.startswith("/_sim/") or self.path_only == "/_sim":
                status = self.control(svc)
            else:
                status = self.real(svc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a simulator bug: say so loudly, keep serving
            traceback.print_exc(file=sys.stderr)
            status = 500
            try:
                self.respond(500, dumps({"error": "simulator bug"}))
            except OSError:
                self.close_connection = True
        finally:
            self.log_message("%s %s %s %.1fms", self.command,
                             self.path, status, (time.monotonic() - t0) * 1000)

    # ---- the real API, with faults applied ----
    def real(self, svc):
        fault = svc.take_fault() or {}
        if fault.get("delay_ms"):
            time.sleep(fault["delay_ms"] / 1000.0)
        extra = []
        if "retry_after" in fault:
            extra.append(("Retry-After", str(fault["retry_after"])))
        if "status" in fault:
            status = fault["status"]
            body = fault.get("body")
            if body is None:
                body = dumps({"error": "simulated %d" % status})
            headers = list(extra)
        else:
            # Faults that edit the report need it as an object, not cached.
            self.want_object = bool(fault.get("wrong_types")
                                    or fault.get("missing_fields"))
            status, obj, headers = svc.api(self)
            headers = headers + extra
            body = obj if isinstance(obj, Serialised) else None
            if status == 200 and fault.get("malformed"):
                body = svc.malformed_body
            elif status == 200 and (fault.get("wrong_types")
                                    or fault.get("missing_fields")):
                obj = svc.corrupt(obj, fault)
            if body is None:
                body = dumps(obj)
            if status == 200 and fault.get("short_body"):
                body = body.encode("utf-8") if isinstance(body, str) else body
                body = body[:len(body) // 2]
        if isinstance(svc, Everflow) and svc.get_config()["rate_limit"] > 0:
            limit, remaining = svc.rate_peek()
            headers = headers + [("X-RateLimit-Limit", str(limit)),
                                 ("X-RateLimit-Remaining", str(remaining))]
        truncate = status == 200 and bool(fault.get("truncate"))
        self.respond(status, body, headers, truncate=truncate)
        svc.record(self.log_entry(status))
        return status

    def log_entry(self, status):
        query = {}
        for k, vals in self.query.items():
            if k.lower() == "api_key":
                vals = ["***"] * len(vals)
            query[k] = vals[0] if len(vals) == 1 else vals
        try:
            body = loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError):
            body = None
        # t: when the request arrived (monotonic seconds), so tests can
        # measure a client's pacing from the server's side; traceparent:
        # the W3C trace context the client sent (None without one).
        return {"t": self.arrived, "method": self.command,
                "path": self.path_only, "query": query, "body": body,
                "traceparent": self.headers.get("traceparent"),
                "status": status}

    # ---- /_sim ----
    def control(self, svc):
        route = (self.command, self.path_only.rstrip("/"))
        try:
            if route in (("POST", "/_sim/reset"),):
                svc.reset()
                return self.ok({"ok": True})
            if route == ("GET", "/_sim/config"):
                return self.ok(svc.get_config())
            if route == ("GET", "/_sim/requests"):
                return self.ok(svc.request_log())
            if route == ("GET", "/_sim/faults"):
                return self.ok({"faults": svc.list_faults()})
            if route[0] == "POST" and route[1] in ("/_sim/config", "/_sim/data",
                                                   "/_sim/faults"):
                try:
                    obj = loads(self.body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise BadRequest("body is not valid JSON") from None
                if route[1] == "/_sim/config":
                    return self.ok(svc.set_config(obj))
                if route[1] == "/_sim/data":
                    return self.ok({"rows": svc.set_data(obj)})
                return self.ok({"queued": svc.add_faults(obj)})
        except BadRequest as e:
            self.respond(400, dumps({"error": e.detail}))
            return 400
        self.respond(404, dumps({"error": "no such control endpoint"}))
        return 404

    def ok(self, obj):
        self.respond(200, dumps(obj))
        return 200


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port, service):
        self.service = service
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--everflow-port", type=int, default=0)
    ap.add_argument("--redtrack-port", type=int, default=0)
    ap.add_argument("--everflow-key", default=os.environ.get("SR_SIM_EVERFLOW_KEY"))
    ap.add_argument("--redtrack-key", default=os.environ.get("SR_SIM_REDTRACK_KEY"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", choices=("demo", "empty"), default="demo")
    args = ap.parse_args(argv)
    if not args.everflow_key or not args.redtrack_key:
        ap.error("--everflow-key and --redtrack-key are required "
                 "(or SR_SIM_EVERFLOW_KEY / SR_SIM_REDTRACK_KEY)")

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        ef = Server(args.everflow_port,
                    Everflow(args.everflow_key, args.seed, args.data))
        rt = Server(args.redtrack_port,
                    Redtrack(args.redtrack_key, args.seed, args.data))
    except OSError as e:
        sys.stderr.write("simulator: cannot listen: %s\n" % e)
        return 2
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05},
                                daemon=True) for s in (ef, rt)]
    for t in threads:
        t.start()
    sys.stdout.write(json.dumps({"everflow": ef.server_address[1],
                                 "redtrack": rt.server_address[1]}) + "\n")
    sys.stdout.flush()
    sys.stderr.write("simulator: everflow on 127.0.0.1:%d, redtrack on "
                     "127.0.0.1:%d, data=%s seed=%d\n"
                     % (ef.server_address[1], rt.server_address[1],
                        args.data, args.seed))
    while not stop.wait(1.0):
        pass
    stoppers = [threading.Thread(target=s.shutdown) for s in (ef, rt)]
    for t in stoppers:
        t.start()
    for t in stoppers:
        t.join()
    for s in (ef, rt):
        s.server_close()
    sys.stderr.write("simulator: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
