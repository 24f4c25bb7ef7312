#!/usr/bin/env bash
# test_ops_files.sh -- the shipped operations files under docker/ (make test).
#
#   tests/ops/test_ops_files.sh SOURCE_ROOT
#
# promtool checks the alert rules and the Prometheus configuration and runs
# the rules' unit tests (tests/ops/alerts_test.yml: each alert fires on a
# broken synthetic series, not on a healthy one).  The Grafana dashboard
# must be valid JSON whose every query parses as PromQL.  Every metric name
# the dashboard and the rules use must be one signalroom exposes, as listed
# in tests/ops/metric_names.txt (histograms by their family name; _bucket,
# _sum and _count are the series under it).
set -euo pipefail
ROOT=${1:?usage: test_ops_files.sh SOURCE_ROOT}
cd "$ROOT"

RULES=docker/prometheus/signalroom-alerts.yml
CONFIG=docker/prometheus/prometheus.yml
DASHBOARD=docker/grafana/signalroom-dashboard.json
UNIT=tests/ops/alerts_test.yml
NAMES=tests/ops/metric_names.txt

fail () { echo "test_ops_files: FAIL: $*" >&2; exit 1; }

command -v promtool >/dev/null ||
  fail "promtool not found: install the Debian package prometheus (make install-deps)"
command -v python3 >/dev/null || fail "python3 not found (make install-deps)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== promtool check rules"
promtool check rules "$RULES"
echo "== promtool check config"
promtool check config "$CONFIG"
echo "== promtool test rules"
promtool test rules "$UNIT"

# Each alert: a for, a severity, a summary and a description; and a case in
# the unit tests.
echo "== every alert has for, severity, summary and description, and a unit test"
awk '
  function check() {
    if (name == "") return
    if (!has_for || !has_sev || !has_sum || !has_desc) {
      printf "alert %s lacks:%s%s%s%s\n", name, has_for ? "" : " for",
        has_sev ? "" : " labels.severity", has_sum ? "" : " annotations.summary",
        has_desc ? "" : " annotations.description"
      bad = 1
    }
  }
  /^[[:space:]]*- (alert|record):/ { check(); name = $3; has_for = has_sev = has_sum = has_desc = 0; next }
  /^[[:space:]]*for:/ { has_for = 1 }
  /^[[:space:]]*severity:/ { has_sev = 1 }
  /^[[:space:]]*summary:/ { has_sum = 1 }
  /^[[:space:]]*description:/ { has_desc = 1 }
  END { check(); exit bad }
' "$RULES" || fail "$RULES: an alert misses a required field"
alerts=$(sed -n 's/^[[:space:]]*- alert:[[:space:]]*//p' "$RULES" | sort -u)
[ -n "$alerts" ] || fail "$RULES: no alerts found"
for a in $alerts; do
  grep -Eq "^[[:space:]]*alertname:[[:space:]]*${a}[[:space:]]*\$" "$UNIT" ||
    fail "alert $a has no case in $UNIT"
done

echo "== dashboard JSON"
python3 -m json.tool "$DASHBOARD" >/dev/null || fail "$DASHBOARD is not valid JSON"
# Every panel query, with the dashboard variables given values, as a
# recording rule: promtool check rules then parses each expression.
python3 - "$DASHBOARD" "$TMP/dashboard-rules.yml" <<'PY' || fail "$DASHBOARD: bad panels"
import json, sys
dash = json.load(open(sys.argv[1]))
vars_ = {v["name"] for v in dash.get("templating", {}).get("list", [])}
assert "DS_PROMETHEUS" in vars_ and "source" in vars_ and "instance" in vars_, \
    "variables DS_PROMETHEUS, source and instance wanted, got %s" % sorted(vars_)
ids, rules = set(), []
def walk(panels):
    for p in panels:
        assert p["id"] not in ids, "panel id %s twice" % p["id"]
        ids.add(p["id"])
        walk(p.get("panels", []))
        for t in p.get("targets", []):
            assert t.get("datasource", {}).get("uid") == "${DS_PROMETHEUS}", \
                "panel %r: a query not on ${DS_PROMETHEUS}" % p["title"]
            expr = t["expr"]
            for k, v in (("$__rate_interval", "5m"), ("$instance", ".*"), ("$source", ".*")):
                expr = expr.replace(k, v)
            assert "$" not in expr, "panel %r: unknown variable in %s" % (p["title"], expr)
            rules.append({"record": "dashboard:panel%d:%s" % (p["id"], t["refId"]), "expr": expr})
walk(dash["panels"])
assert len(rules) >= 20, "only %d queries" % len(rules)
json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[2], "w"), indent=1)
print("%d panels, %d queries" % (len(ids), len(rules)))
PY
promtool check rules "$TMP/dashboard-rules.yml" >/dev/null ||
  { promtool check rules "$TMP/dashboard-rules.yml" >&2 || true; fail "$DASHBOARD: a query is not valid PromQL"; }

echo "== metric names against $NAMES"
[ -z "$(sort "$NAMES" | uniq -d)" ] || fail "$NAMES has duplicates"
! grep -Evq '^(signalroom|process)_[a-z_]+$' "$NAMES" || fail "$NAMES: a line is not a metric name"
grep -ohE '\b(signalroom|process)_[a-z_]+' "$DASHBOARD" "$RULES" | sort -u > "$TMP/used"
[ -s "$TMP/used" ] || fail "no metric names found in $DASHBOARD and $RULES"
unknown=""
while read -r m; do
  grep -qxF "$m" "$NAMES" && continue
  base=$(printf '%s\n' "$m" | sed -E 's/_(bucket|sum|count)$//')
  [ "$base" != "$m" ] && grep -qxF "$base" "$NAMES" && continue
  unknown="$unknown $m"
done < "$TMP/used"
[ -z "$unknown" ] || fail "metric names not in $NAMES:$unknown"
echo "$(wc -l < "$TMP/used") names used, all known"

echo "test_ops_files: OK"
