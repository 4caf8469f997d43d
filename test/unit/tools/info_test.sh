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
        assert m.group(1) in typed, "sample before its TYPE: " + line
        samples += 1
assert samples > 10, samples
assert 'acrypto_up' in typed and 'acrypto_device_broken' in typed
PY
grep -q '^acrypto_up 1$' "$tmp/prom"
grep -q 'acrypto_device_broken{device="cpu"' "$tmp/prom"
"$info" "$@" --no-bench > "$tmp/text"
grep -q "self-test: passed" "$tmp/text"
grep -q "^  cpu " "$tmp/text"
echo "acrypto-info: json, prometheus and text checks passed"
