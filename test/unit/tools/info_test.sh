#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# acrypto-info against the build tree: cpu + sim (native) or the provider module; JSON parses and
# names the devices, Prometheus lines are well-formed, text names devices and self-test.
set -eu
info=$1
provider=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$provider" ]; then
    set -- --provider "$provider"
    want='"cpu"'
else
    printf 'devices = cpu, sim, nosuchcard\nsim.mode = compute\n' > "$tmp/conf"
    set -- --config "$tmp/conf"
    want='"sim0"'
fi
"$info" "$@" --json --bench-ms 100 > "$tmp/json"
python3 -m json.tool "$tmp/json" > /dev/null
python3 - "$tmp/json" "$provider" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = [d["name"] for d in r["devices"]]
assert "cpu" in names, names
if not sys.argv[2]:
    assert "sim0" in names, names
    assert any("nosuchcard" in m for m in r["messages"]), r["messages"]
    assert all(d["capabilities"] for d in r["devices"])
assert r["started"] is True
assert r["self_test"]["passed"] is True
assert r["benchmark"]["bytes"] > 0
# The self-test and benchmark ran through acrypto: queued or inline sessions were counted.
assert r["stats"].get("submitted", 0) + r["stats"].get("inline", 0) >= 1, r["stats"]
# Latency histograms (one session in 8 timed): never more samples than completions,
# buckets cumulative and ending at the count, p50 <= p99.
lat = r["latency"]
for p in range(8):
    done = r["stats"].get("prio.%d.completed" % p, 0)
    h = lat.get("prio.%d" % p)
    assert (h["count"] if h else 0) <= done, (p, done, h)
if r["stats"].get("completed", 0) >= 400:
    assert any(k.startswith("prio.") for k in lat), lat
    assert any(k.startswith("dev.") for k in lat), lat
for k, h in lat.items():
    cum = [c for _, c in h["buckets"]]
    bounds = [b for b, _ in h["buckets"]]
    assert cum == sorted(cum) and cum[-1] == h["count"], (k, h)
    assert all(b2 == 2 * b1 for b1, b2 in zip(bounds, bounds[1:])), (k, h)
    assert h["p50_ns"] <= h["p99_ns"] and h["sum_ns"] > 0, (k, h)
PY
grep -q "$want" "$tmp/json"
"$info" "$@" --prometheus --bench-ms 100 > "$tmp/prom"
python3 - "$tmp/prom" <<'PY'
import re, sys
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
lbl = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
sample = re.compile(r'^(%s)(\{%s(?:,%s)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$' % (name, lbl, lbl))
typed = {}
samples = 0
hist = {}
for line in open(sys.argv[1]).read().splitlines():
    if line.startswith('# HELP '):
        assert re.match(r'^# HELP %s .+$' % name, line), line
    elif line.startswith('# TYPE '):
        m = re.match(r'^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$' % name, line)
        assert m, line
        assert m.group(1) not in typed, "duplicate TYPE " + line
        typed[m.group(1)] = m.group(2)
    else:
        m = sample.match(line)
        assert m, "bad line: " + repr(line)
        base = re.sub(r'_(bucket|sum|count)$', '', m.group(1))
        if base != m.group(1) and typed.get(base) == 'histogram':
            series = re.sub(r',?le="[^"]*"', '', m.group(2) or '')
            h = hist.setdefault((base, series), {'le': []})
            if m.group(1).endswith('_bucket'):
                le = re.search(r'le="([^"]*)"', m.group(2)).group(1)
                h['le'].append((float(le), float(m.group(3))))
            else:
                h[m.group(1)[len(base) + 1:]] = float(m.group(3))
        else:
            assert m.group(1) in typed, "sample before its TYPE: " + line
        samples += 1
assert samples > 10, samples
assert 'acrypto_up' in typed and 'acrypto_device_broken' in typed
# Histograms: le ascending ending at +Inf, cumulative counts, +Inf == _count, a _sum.
for (base, series), h in hist.items():
    les = [l for l, _ in h['le']]
    cum = [c for _, c in h['le']]
    assert les == sorted(les) and les[-1] == float('inf'), (base, series, h)
    assert cum == sorted(cum) and cum[-1] == h['count'] and 'sum' in h, (base, series, h)
if any(l.startswith('acrypto_completed_total ') and float(l.split()[1]) >= 400
       for l in open(sys.argv[1]).read().splitlines()):
    assert 'acrypto_priority_latency_seconds' in typed, sorted(typed)
PY
grep -q '^acrypto_up 1$' "$tmp/prom"
grep -q 'acrypto_device_broken{device="cpu"' "$tmp/prom"
"$info" "$@" --no-bench > "$tmp/text"
grep -q "self-test: passed" "$tmp/text"
grep -q "^  cpu " "$tmp/text"
echo "acrypto-info: json, prometheus and text checks passed"
