#!/usr/bin/env python3
"""Writes vectors.txt: Composer version strings of every form its
VersionParser knows (prefixes, one to five numbers, stabilities with and
without numbers and separators, -dev, build metadata, dates, numeric
branches, aliases, stability flags) and some it refuses. Deterministic.

    python3 vectors.py > vectors.txt
"""
import itertools

out = []
numbers = ["1", "1.0", "1.2", "1.2.3", "1.2.3.4", "1.2.3.4.5", "0.9", "10.0.1",
           "2.0.0", "1.10", "1.9", "01.02", "99999", "123456"]
prefixes = ["", "v", "V"]
stabilities = ["", "alpha", "a", "beta", "b", "RC", "rc", "Rc", "patch", "pl", "p",
               "stable", "STABLE", "dev", "foo"]
seps = ["", "-", ".", "_"]
nums = ["", "1", "2", "10", ".1", "-2", "1.2", "01"]
for n in numbers:
    for p in prefixes:
        out.append(p + n)
for n in ["1.0", "1.0.0", "2.1.3"]:
    for s, st, num in itertools.product(seps, stabilities, nums):
        if not st and num:
            continue
        out.append(n + s + st + num)
        if st and st != "dev":
            out.append(n + s + st + num + "-dev")
for n in ["1.0.0", "v6.0.0", "1.0.0-beta1", "2.3"]:
    for meta in ["+ea2", "+build.5", "+20130313144700", "+exp.sha.5114f85"]:
        out.append(n + meta)
out += ["2010-01-02", "2010.01.02", "20100102", "20100102-203040", "2010-01-02.5",
        "201001021230", "20100102.5-beta1", "2010-01-02-dev", "v20100102"]
out += ["1.x-dev", "1.0.x-dev", "1.0.*-dev", "1.X-dev", "2.1.3.x-dev", "v1.x-dev",
        "1.0-dev", "1.0.0.0-dev", "dev-master", "dev-feature/x", "master", "trunk",
        "default", "feature-dev", "x-dev"]
out += ["1.0 as 2.0", "1.0.0@beta", "1.0.0@dev", "1.0.0-beta2@stable", " 1.0.1 ",
        "1.0.0-", "1..0", ".1", "1.0.0-beta.1.2", "1.0.0-beta-1", "1.0.0beta",
        "1.0.0.RC.1", "1.0.0-RC1-dev", "1.0.0-alpha10", "1.0.0-alpha9", "1.0.0-p10",
        "1.0.0-pl2", "3.0.0-beta", "v3.0", "3.0-beta2", "3.0.0.0-beta1",
        "1.0.0-beta1.2.3", "1.0.0-beta.", "abc", "", "1.0.0 beta", "1,0"]
seen = set()
for v in out:
    if v not in seen:
        seen.add(v)
        print(v)
