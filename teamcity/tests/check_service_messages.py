#!/usr/bin/env python3
"""Strict validator for TeamCity service messages.

Reads build output (files, or stdin when none is given) and checks every
service message in it against TeamCity's grammar and the meaning of the
messages Portcullis emits. Exits 1, with `LABEL:LINE:COLUMN: error: …` lines on
stderr, on the first pass over the input that finds anything wrong.

Grammar (TeamCity docs, "Service Messages"):

    ##teamcity[messageName 'single value']
    ##teamcity[messageName name1='value1' name2='value2' …]

* names match `[A-Za-z][A-Za-z0-9._-]*`; attributes are separated by spaces or
  tabs, `=` may have spaces or tabs around it, and spaces or tabs may come
  before the closing `]`;
* a value is single-quoted and `|` escapes: `|'` `||` `|n` `|r` `|[` `|]`
  and `|0xNNNN` (four hex digits) are the only escapes; an unescaped `'`,
  `[`, `]`, CR, lone `|`, or a raw control character (other than tab) inside
  a value is an error (raw non-ASCII such as `é` is fine);
* one message per line, at the start of the line, nothing after its `]`
  (TeamCity finds `##teamcity[` anywhere in a line, so one inside other text
  is an error too: it would be parsed).

Meaning: message names are known, each message has its required attributes
and no unknown ones (`flowId` and `timestamp` are allowed everywhere), test
messages nest inside suites with matching names and one running test per
flow, `testFailed`/`testFinished` name the running test, inspections name an
`inspectionType` declared earlier, statistic values are numbers, and
everything opened is closed by the end of the input.

    check_service_messages.py [--expect-build-problem | --expect-no-build-problem] [FILE ...]
    check_service_messages.py --self-test
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

PREFIX = "##teamcity["
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
SPACE = " \t"
SIMPLE_ESCAPES = {"'": "'", "|": "|", "n": "\n", "r": "\r", "[": "[", "]": "]"}
# Characters that a log viewer or a Java reader may treat as line breaks.
LINE_BREAKS = {"\u0085": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


class GrammarError(Exception):
    """A service message that does not parse; `column` is 1-based."""

    def __init__(self, column: int, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


def parse_value(text: str, start: int) -> tuple[str, int]:
    """Parses an escaped value whose opening quote is at `start`.

    Returns the unescaped value and the index just past the closing quote.
    """
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "'":
            return "".join(out), i + 1
        if ch == "|":
            if i + 1 >= len(text):
                raise GrammarError(i + 1, "lone `|` at the end of the line (write `||`)")
            nxt = text[i + 1]
            if nxt in SIMPLE_ESCAPES:
                out.append(SIMPLE_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "0" and text[i + 2:i + 3] == "x":
                digits = text[i + 3:i + 7]
                if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise GrammarError(i + 1, f"`|0x` must be followed by four hex digits, not `{digits}`")
                code = int(digits, 16)
                if 0xD800 <= code <= 0xDFFF:
                    raise GrammarError(i + 1, f"`|0x{digits}` is a lone UTF-16 surrogate")
                out.append(chr(code))
                i += 7
                continue
            raise GrammarError(i + 1, f"invalid escape `|{printable(nxt)}` (valid: |' || |n |r |[ |] |0xNNNN)")
        if ch in "[]":
            raise GrammarError(i + 1, f"unescaped `{ch}` inside a value (write `|{ch}`)")
        if ch == "\r":
            raise GrammarError(i + 1, "raw carriage return inside a value (write `|r`)")
        if ch != "\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F):
            raise GrammarError(i + 1, f"raw control character U+{ord(ch):04X} inside a value "
                                      f"(write `|0x{ord(ch):04X}`)")
        if ch in LINE_BREAKS:
            raise GrammarError(i + 1, f"raw U+{ord(ch):04X} {LINE_BREAKS[ch]} inside a value "
                                      f"(write `|0x{ord(ch):04X}`)")
        out.append(ch)
        i += 1
    raise GrammarError(start + 1, "value is not closed: no unescaped `'` before the end of the line")


def printable(ch: str) -> str:
    return ch if ch.isprintable() else f"\\u{ord(ch):04x}"


def skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in SPACE:
        i += 1
    return i


@dataclass
class Message:
    name: str
    value: str | None  # the single-value form
    attrs: dict[str, str]
    line: int


def parse_message(text: str, line: int = 0) -> Message:
    """Parses one line that starts with `##teamcity[`."""
    if not text.startswith(PREFIX):
        raise GrammarError(1, "a service message must start with `##teamcity[`")
    i = len(PREFIX)
    match = NAME_RE.match(text, i)
    if not match:
        raise GrammarError(i + 1, "message name must start with a letter and hold only letters, "
                                  "digits, `.`, `_` and `-`")
    name = match.group()
    i = match.end()
    value: str | None = None
    attrs: dict[str, str] = {}
    after_space = skip_space(text, i)
    if after_space < len(text) and text[after_space] == "'":
        if after_space == i:
            raise GrammarError(i + 1, "a space must separate the message name from its value")
        value, i = parse_value(text, after_space)
    else:
        while True:
            j = skip_space(text, i)
            if j >= len(text) or text[j] == "]":
                i = j
                break
            if j == i:
                hint = (" (an unescaped `'` inside a value ends it early: write `|'`)"
                        if text[i - 1] == "'" else "")
                raise GrammarError(i + 1, f"expected a space, an attribute or `]`, "
                                          f"found `{printable(text[i])}`{hint}")
            match = NAME_RE.match(text, j)
            if not match:
                raise GrammarError(j + 1, "attribute name must start with a letter and hold only "
                                          "letters, digits, `.`, `_` and `-`")
            key = match.group()
            k = skip_space(text, match.end())
            if k >= len(text) or text[k] != "=":
                raise GrammarError(k + 1, f"expected `=` after attribute `{key}`")
            k = skip_space(text, k + 1)
            if k >= len(text) or text[k] != "'":
                raise GrammarError(k + 1, f"the value of `{key}` must be single-quoted")
            if key in attrs:
                raise GrammarError(j + 1, f"attribute `{key}` given twice")
            attrs[key], i = parse_value(text, k)
    i = skip_space(text, i)
    if i >= len(text) or text[i] != "]":
        raise GrammarError(i + 1, "message is not closed with `]`")
    rest = text[i + 1:]
    if rest:
        raise GrammarError(i + 2, f"text after the closing `]`: `{rest[:40]}`")
    return Message(name, value, attrs, line)


# form: "attrs" (name='value' pairs), "single" ('value'), "none" (no value).
@dataclass(frozen=True)
class Schema:
    form: str
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()


def attrs_schema(required: str = "", optional: str = "") -> Schema:
    return Schema("attrs", frozenset(required.split()), frozenset(optional.split()))


SCHEMAS: dict[str, Schema] = {
    "message": attrs_schema("text", "status errorDetails"),
    "inspectionType": attrs_schema("id name category description"),
    "inspection": attrs_schema("typeId message file", "line SEVERITY"),
    "testSuiteStarted": attrs_schema("name"),
    "testSuiteFinished": attrs_schema("name"),
    "testStarted": attrs_schema("name", "captureStandardOutput"),
    "testFinished": attrs_schema("name", "duration"),
    "testFailed": attrs_schema("name", "message details type expected actual"),
    "testIgnored": attrs_schema("name", "message"),
    "testStdOut": attrs_schema("name out"),
    "testStdErr": attrs_schema("name out"),
    "testMetadata": attrs_schema("value", "testName name type"),
    "buildStatisticValue": attrs_schema("key value"),
    "buildProblem": attrs_schema("description", "identity"),
    "buildStatus": attrs_schema("", "status text"),
    "blockOpened": attrs_schema("name", "description"),
    "blockClosed": attrs_schema("name"),
    "flowStarted": attrs_schema("flowId", "parent"),
    "flowFinished": attrs_schema("flowId"),
    "compilationStarted": attrs_schema("compiler"),
    "compilationFinished": attrs_schema("compiler"),
    "setParameter": attrs_schema("name value"),
    "importData": attrs_schema("type path", "parseOutOfDate whenNoDataPublished verbose tool"),
    "publishArtifacts": Schema("single"),
    "progressMessage": Schema("single"),
    "progressStart": Schema("single"),
    "progressFinish": Schema("single"),
    "buildNumber": Schema("single"),
    "addBuildTag": Schema("single"),
    "removeBuildTag": Schema("single"),
    "enableServiceMessages": Schema("none"),
    "disableServiceMessages": Schema("none"),
}
COMMON_ATTRS = frozenset({"flowId", "timestamp"})
ENUMS = {
    ("message", "status"): {"NORMAL", "WARNING", "FAILURE", "ERROR"},
    ("inspection", "SEVERITY"): {"ERROR", "WARNING", "INFO", "WEAK WARNING"},
    ("testStarted", "captureStandardOutput"): {"true", "false"},
    ("testFailed", "type"): {"comparisonFailure"},
    ("buildStatus", "status"): {"SUCCESS"},
    ("testMetadata", "type"): {"number", "text", "link", "artifact", "image", "video"},
}
NUMBER_RE = re.compile(r"-?\d+(\.\d+)?")
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?([+-]\d{4}|Z)?")
JAVA_ID_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
LIMITS = {("inspectionType", "id"): 255, ("inspectionType", "name"): 255,
          ("inspectionType", "category"): 255, ("inspectionType", "description"): 4000,
          ("buildProblem", "description"): 4000, ("buildProblem", "identity"): 60}


@dataclass
class Flow:
    suites: list[tuple[str, int]] = field(default_factory=list)
    test: tuple[str, int] | None = None
    test_failed: bool = False
    test_ignored: bool = False
    blocks: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Report:
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    messages: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    tests_passed: int = 0
    tests_failed: int = 0
    tests_ignored: int = 0

    def error(self, line: int, column: int, text: str) -> None:
        self.errors.append((line, column, text))


class Checker:
    """Checks a stream of lines; call `feed` per line, then `finish`."""

    def __init__(self) -> None:
        self.report = Report()
        self.flows: dict[str | None, Flow] = {}
        self.inspection_types: dict[str, tuple[dict[str, str], int]] = {}
        self.tests_seen: dict[tuple[tuple[str, ...], str], int] = {}

    def feed(self, line_no: int, text: str) -> None:
        position = text.find(PREFIX)
        if position < 0:
            return
        if position > 0:
            self.report.error(line_no, position + 1,
                              "`##teamcity[` not at the start of the line (TeamCity parses it anyway)")
            return
        try:
            message = parse_message(text, line_no)
        except GrammarError as e:
            self.report.error(line_no, e.column, e.message)
            return
        self.report.messages += 1
        self.report.counts[message.name] = self.report.counts.get(message.name, 0) + 1
        if self.check_shape(message):
            self.check_meaning(message)

    def check_shape(self, m: Message) -> bool:
        """Form, attribute names and attribute values; False stops the semantic check."""
        schema = SCHEMAS.get(m.name)
        if schema is None:
            self.report.error(m.line, 1, f"unknown service message `{m.name}`")
            return False
        if schema.form == "single":
            if m.value is None or m.attrs:
                self.report.error(m.line, 1, f"`{m.name}` takes one quoted value: ##teamcity[{m.name} '…']")
                return False
            if not m.value.strip():
                self.report.error(m.line, 1, f"`{m.name}` has an empty value")
                return False
            return True
        if schema.form == "none":
            if m.value is not None or set(m.attrs) - COMMON_ATTRS:
                self.report.error(m.line, 1, f"`{m.name}` takes no value")
                return False
            return True
        if m.value is not None:
            self.report.error(m.line, 1, f"`{m.name}` takes name='value' attributes, not a single value")
            return False
        ok = True
        for key in sorted(schema.required - set(m.attrs)):
            self.report.error(m.line, 1, f"`{m.name}` lacks its required attribute `{key}`")
            ok = False
        for key in m.attrs:
            if key not in schema.required and key not in schema.optional and key not in COMMON_ATTRS:
                self.report.error(m.line, 1, f"`{m.name}` has an unknown attribute `{key}`")
                ok = False
        for key, value in m.attrs.items():
            allowed = ENUMS.get((m.name, key))
            if allowed is not None and value not in allowed:
                self.report.error(m.line, 1, f"`{m.name}` {key}='{value}' is not one of "
                                             f"{', '.join(sorted(allowed))}")
                ok = False
            limit = LIMITS.get((m.name, key))
            if limit is not None and len(value) > limit:
                self.report.error(m.line, 1, f"`{m.name}` {key} is {len(value)} characters long "
                                             f"(at most {limit})")
                ok = False
        if "timestamp" in m.attrs and not TIMESTAMP_RE.fullmatch(m.attrs["timestamp"]):
            self.report.error(m.line, 1, f"timestamp `{m.attrs['timestamp']}` is not "
                                         "yyyy-MM-ddTHH:mm:ss.SSS+hhmm")
            ok = False
        if "flowId" in m.attrs and not m.attrs["flowId"]:
            self.report.error(m.line, 1, "empty flowId")
            ok = False
        for key in ("name", "id", "typeId", "key", "description", "text", "file"):
            if key in schema.required and key in m.attrs and not m.attrs[key].strip():
                self.report.error(m.line, 1, f"`{m.name}` has an empty {key}")
                ok = False
        return ok

    def flow(self, m: Message) -> Flow:
        return self.flows.setdefault(m.attrs.get("flowId"), Flow())

    def check_meaning(self, m: Message) -> None:
        handler = getattr(self, "on_" + m.name, None)
        if handler is not None:
            handler(m)

    def on_inspectionType(self, m: Message) -> None:
        type_id = m.attrs["id"]
        earlier = self.inspection_types.get(type_id)
        declared = {k: v for k, v in m.attrs.items() if k not in COMMON_ATTRS}
        if earlier is not None and earlier[0] != declared:
            self.report.error(m.line, 1, f"inspectionType `{type_id}` declared again differently "
                                         f"(first at line {earlier[1]})")
        elif earlier is None:
            self.inspection_types[type_id] = (declared, m.line)

    def on_inspection(self, m: Message) -> None:
        if m.attrs["typeId"] not in self.inspection_types:
            self.report.error(m.line, 1, f"inspection typeId `{m.attrs['typeId']}` was not declared "
                                         "by an earlier inspectionType")
        line = m.attrs.get("line")
        if line is not None and not (line.isdigit() and int(line) >= 1):
            self.report.error(m.line, 1, f"inspection line `{line}` is not a positive integer")

    def on_buildStatisticValue(self, m: Message) -> None:
        if not NUMBER_RE.fullmatch(m.attrs["value"]):
            self.report.error(m.line, 1, f"buildStatisticValue `{m.attrs['key']}` has a non-numeric "
                                         f"value `{m.attrs['value']}`")

    def on_buildProblem(self, m: Message) -> None:
        identity = m.attrs.get("identity")
        if identity is not None and not JAVA_ID_RE.fullmatch(identity):
            self.report.error(m.line, 1, f"buildProblem identity `{identity}` is not a Java identifier")

    def on_buildStatus(self, m: Message) -> None:
        if "text" not in m.attrs and "status" not in m.attrs:
            self.report.error(m.line, 1, "buildStatus needs text or status")

    def on_message(self, m: Message) -> None:
        if "errorDetails" in m.attrs and m.attrs.get("status") != "ERROR":
            self.report.error(m.line, 1, "message errorDetails is ignored unless status='ERROR'")

    def on_testSuiteStarted(self, m: Message) -> None:
        flow = self.flow(m)
        if flow.test is not None:
            self.report.error(m.line, 1, f"suite `{m.attrs['name']}` started inside running test "
                                         f"`{flow.test[0]}` (line {flow.test[1]})")
        flow.suites.append((m.attrs["name"], m.line))

    def on_testSuiteFinished(self, m: Message) -> None:
        flow, name = self.flow(m), m.attrs["name"]
        if flow.test is not None:
            self.report.error(m.line, 1, f"suite `{name}` finished while test `{flow.test[0]}` "
                                         f"(line {flow.test[1]}) is still running")
            flow.test = None
        if not flow.suites:
            self.report.error(m.line, 1, f"testSuiteFinished `{name}` without a started suite")
        elif flow.suites[-1][0] != name:
            open_name, open_line = flow.suites[-1]
            self.report.error(m.line, 1, f"testSuiteFinished `{name}` does not match the open suite "
                                         f"`{open_name}` (line {open_line})")
        else:
            flow.suites.pop()

    def on_testStarted(self, m: Message) -> None:
        flow, name = self.flow(m), m.attrs["name"]
        if flow.test is not None:
            self.report.error(m.line, 1, f"test `{name}` started while test `{flow.test[0]}` "
                                         f"(line {flow.test[1]}) is still running in the same flow")
        if not flow.suites:
            self.report.error(m.line, 1, f"test `{name}` started outside any test suite")
        self.note_test(m, flow, name)
        flow.test, flow.test_failed, flow.test_ignored = (name, m.line), False, False

    def note_test(self, m: Message, flow: Flow, name: str) -> None:
        key = (tuple(s for s, _ in flow.suites), name)
        if key in self.tests_seen:
            self.report.error(m.line, 1, f"test `{name}` reported twice in the same suite "
                                         f"(first at line {self.tests_seen[key]})")
        else:
            self.tests_seen[key] = m.line

    def running(self, m: Message, what: str) -> Flow | None:
        flow, name = self.flow(m), m.attrs["name"]
        if flow.test is None or flow.test[0] != name:
            running = f"`{flow.test[0]}` is" if flow.test else "no test is"
            self.report.error(m.line, 1, f"{what} for `{name}`, but {running} running")
            return None
        return flow

    def on_testFailed(self, m: Message) -> None:
        if m.attrs.get("type") == "comparisonFailure":
            for key in ("expected", "actual"):
                if key not in m.attrs:
                    self.report.error(m.line, 1, f"testFailed type='comparisonFailure' needs `{key}`")
        flow = self.running(m, "testFailed")
        if flow is None:
            return
        if flow.test_failed or flow.test_ignored:
            self.report.error(m.line, 1, f"test `{m.attrs['name']}` already reported failed or ignored")
        flow.test_failed = True

    def on_testIgnored(self, m: Message) -> None:
        flow, name = self.flow(m), m.attrs["name"]
        if flow.test is None:  # a test reported only as ignored
            if not flow.suites:
                self.report.error(m.line, 1, f"ignored test `{name}` outside any test suite")
            self.note_test(m, flow, name)
            self.report.tests_ignored += 1
            return
        if self.running(m, "testIgnored") is None:
            return
        if flow.test_failed or flow.test_ignored:
            self.report.error(m.line, 1, f"test `{name}` already reported failed or ignored")
        flow.test_ignored = True

    def on_testStdOut(self, m: Message) -> None:
        self.running(m, "testStdOut")

    def on_testStdErr(self, m: Message) -> None:
        self.running(m, "testStdErr")

    def on_testFinished(self, m: Message) -> None:
        duration = m.attrs.get("duration")
        if duration is not None and not duration.isdigit():
            self.report.error(m.line, 1, f"testFinished duration `{duration}` is not a whole number "
                                         "of milliseconds")
        flow = self.running(m, "testFinished")
        if flow is None:
            return
        if flow.test_failed:
            self.report.tests_failed += 1
        elif flow.test_ignored:
            self.report.tests_ignored += 1
        else:
            self.report.tests_passed += 1
        flow.test = None

    def on_blockOpened(self, m: Message) -> None:
        self.flow(m).blocks.append((m.attrs["name"], m.line))

    def on_blockClosed(self, m: Message) -> None:
        flow, name = self.flow(m), m.attrs["name"]
        if not flow.blocks or flow.blocks[-1][0] != name:
            self.report.error(m.line, 1, f"blockClosed `{name}` does not match an open block")
        else:
            flow.blocks.pop()

    def finish(self) -> Report:
        for flow_id, flow in self.flows.items():
            where = f" in flow `{flow_id}`" if flow_id is not None else ""
            if flow.test is not None:
                self.report.error(flow.test[1], 1, f"test `{flow.test[0]}` never finished{where}")
            for name, line in flow.suites:
                self.report.error(line, 1, f"suite `{name}` never finished{where}")
            for name, line in flow.blocks:
                self.report.error(line, 1, f"block `{name}` never closed{where}")
        self.report.errors.sort()
        return self.report


def check_bytes(data: bytes) -> Report:
    """Checks a whole output; lines split on LF only (a CR is a character)."""
    checker = Checker()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            if PREFIX.encode() in raw:
                checker.report.error(number, e.start + 1, "service message is not valid UTF-8")
            continue
        checker.feed(number, text)
    return checker.finish()


def summary(report: Report) -> str:
    problems = report.counts.get("buildProblem", 0)
    return (f"{report.messages} service messages; tests: {report.tests_passed} passed, "
            f"{report.tests_failed} failed, {report.tests_ignored} ignored; "
            f"inspections: {report.counts.get('inspection', 0)}; build problems: {problems}")


# Self-test samples: (label, text, expected error fragment and line, or None when valid).
GOOD_STREAM = "\n".join([
    "Portcullis 0.1.0: scanning `app:1.0` (plain log lines pass through)",
    "##teamcity[blockOpened name='portcullis scan' description='debian-app']",
    "##teamcity[inspectionType id='CVE-2021-25900' name='smallvec: buffer overflow' category='Vulnerability (critical)' description='Fixed in 0.6.14, 1.6.1 |[see https://osv.dev|]']",
    "##teamcity[inspection typeId='CVE-2021-25900' message='smallvec 1.6.0 in layer 3 (sha256:1a2b…)' file='app/rust-svc/Cargo.lock' line='12' SEVERITY='ERROR']",
    "##teamcity[inspection typeId='CVE-2021-25900' message='weak' file='a' SEVERITY='WEAK WARNING']",
    "##teamcity[testSuiteStarted name='portcullis: debian-app.oci.tar']",
    "##teamcity[testStarted name='CVE-2021-25900 smallvec 1.6.0' captureStandardOutput='false']",
    "##teamcity[testFailed name='CVE-2021-25900 smallvec 1.6.0' message='it|'s critical: || pipes, |[x|] brackets' details='line one|nline two|r|nfixed: 1.6.1 – café |0x00e9 |0x2028']",
    "##teamcity[testFinished name='CVE-2021-25900 smallvec 1.6.0' duration='0']",
    "##teamcity[testStarted name='policy: builtin:severity']",
    "##teamcity[testFinished name='policy: builtin:severity']",
    "##teamcity[testIgnored name='CVE-2018-25091 urllib3 1.23' message='suppressed by .portcullis-ignore.toml']",
    "##teamcity[testSuiteStarted name='nested']",
    "##teamcity[testStarted name='one']",
    "##teamcity[testIgnored name='one' message='VEX: not_affected']",
    "##teamcity[testFinished name='one']",
    "##teamcity[testSuiteFinished name='nested']",
    "##teamcity[testSuiteFinished name='portcullis: debian-app.oci.tar']",
    "##teamcity[testSuiteStarted name='parallel' flowId='a']",
    "##teamcity[testSuiteStarted name='parallel' flowId='b']",
    "##teamcity[testStarted name='x' flowId='a']",
    "##teamcity[testStarted name='y' flowId='b']",
    "##teamcity[testFinished name='y' flowId='b']",
    "##teamcity[testFinished name='x' flowId='a']",
    "##teamcity[testSuiteFinished name='parallel' flowId='b']",
    "##teamcity[testSuiteFinished name='parallel' flowId='a']",
    "##teamcity[buildStatisticValue key='portcullis.findings.critical' value='1']",
    "##teamcity[buildStatisticValue key='portcullis.risk.max' value='-12.5']",
    "##teamcity[message text='DB is 30 h old' status='WARNING' timestamp='2024-01-02T03:04:05.678+0000']",
    "##teamcity[message text='policy trapped' errorDetails='wasm trap: unreachable' status='ERROR']",
    "##teamcity[buildStatus text='{build.status.text}; portcullis: 1 critical']",
    "##teamcity[buildProblem description='portcullis: builtin:severity failed the target: 1 critical finding' identity='portcullis_gate']",
    "##teamcity[publishArtifacts '/tmp/it|'s a dir/portcullis.sarif => portcullis']",
    "##teamcity[addBuildTag 'portcullis-gate-failed']",
    "##teamcity[message\ttext = 'tabs and spaces around =' \t]",
    "##teamcity[blockClosed name='portcullis scan']",
    "plain text with a lone | and ' and [brackets] is not a service message",
    "",
])

BAD_SAMPLES: list[tuple[str, str, str, int]] = [
    ("unescaped apostrophe", "##teamcity[message text='it's']", "write `|'`", 1),
    ("apostrophe ends value early", "##teamcity[message text='a' b']", "expected `=`", 1),
    ("lone pipe", "##teamcity[message text='a | b']", "invalid escape `| `", 1),
    ("pipe at end of line", "##teamcity[message text='a|", "lone `|`", 1),
    ("unknown escape", "##teamcity[message text='a|x']", "invalid escape `|x`", 1),
    ("short unicode escape", "##teamcity[message text='|0x12']", "four hex digits", 1),
    ("surrogate escape", "##teamcity[message text='|0xD800']", "surrogate", 1),
    ("raw open bracket", "##teamcity[message text='[x]']", "unescaped `[`", 1),
    ("raw close bracket", "##teamcity[message text='x]']", "unescaped `]`", 1),
    ("newline splits a message", "##teamcity[message text='line one\nline two']", "not closed", 1),
    ("raw carriage return", "##teamcity[message text='a\rb']", "carriage return", 1),
    ("raw escape character", "##teamcity[message text='\x1b[31mred']", "U+001B", 1),
    ("raw NUL", "##teamcity[message text='a\x00b']", "U+0000", 1),
    ("raw line separator", "##teamcity[message text='a\u2028b']", "U+2028", 1),
    ("unclosed message", "##teamcity[message text='a'", "not closed with `]`", 1),
    ("text after ]", "##teamcity[message text='a'] trailing", "after the closing", 1),
    ("two messages on a line", "##teamcity[message text='a']##teamcity[message text='b']",
     "after the closing", 1),
    ("message mid-line", "log: ##teamcity[message text='a']", "not at the start", 1),
    ("leading space", " ##teamcity[message text='a']", "not at the start", 1),
    ("bad message name", "##teamcity[1message text='a']", "message name", 1),
    ("bad attribute name", "##teamcity[message te:xt='a']", "expected `=`", 1),
    ("unquoted value", "##teamcity[message text=a]", "single-quoted", 1),
    ("double-quoted value", "##teamcity[message text=\"a\"]", "single-quoted", 1),
    ("no space between attributes", "##teamcity[message text='a'status='NORMAL']", "expected a space", 1),
    ("no space before single value", "##teamcity[publishArtifacts'a']", "space must separate", 1),
    ("duplicate attribute", "##teamcity[message text='a' text='b']", "given twice", 1),
    ("unknown message", "##teamcity[mesage text='a']", "unknown service message", 1),
    ("unknown attribute", "##teamcity[message text='a' colour='red']", "unknown attribute `colour`", 1),
    ("missing required", "##teamcity[inspectionType id='x' name='x' category='c']",
     "required attribute `description`", 1),
    ("inspection without file", "##teamcity[inspectionType id='x' name='x' category='c' description='d']\n"
     "##teamcity[inspection typeId='x' message='m']", "required attribute `file`", 2),
    ("undeclared inspection type", "##teamcity[inspection typeId='CVE-1' message='m' file='f']",
     "not declared", 1),
    ("bad SEVERITY", "##teamcity[inspectionType id='x' name='x' category='c' description='d']\n"
     "##teamcity[inspection typeId='x' message='m' file='f' SEVERITY='CRITICAL']", "SEVERITY='CRITICAL'", 2),
    ("inspection line not a number", "##teamcity[inspectionType id='x' name='x' category='c' description='d']\n"
     "##teamcity[inspection typeId='x' message='m' file='f' line='twelve']", "positive integer", 2),
    ("inspection type redeclared", "##teamcity[inspectionType id='x' name='x' category='c' description='d']\n"
     "##teamcity[inspectionType id='x' name='y' category='c' description='d']", "declared again", 2),
    ("statistic not numeric", "##teamcity[buildStatisticValue key='k' value='12 findings']", "non-numeric", 1),
    ("statistic empty", "##teamcity[buildStatisticValue key='k' value='']", "non-numeric", 1),
    ("message status", "##teamcity[message text='a' status='FATAL']", "status='FATAL'", 1),
    ("errorDetails without ERROR", "##teamcity[message text='a' errorDetails='e']", "errorDetails", 1),
    ("buildStatus failure", "##teamcity[buildStatus status='FAILURE' text='x']", "status='FAILURE'", 1),
    ("problem identity", "##teamcity[buildProblem description='d' identity='portcullis-gate']",
     "Java identifier", 1),
    ("problem identity too long", "##teamcity[buildProblem description='d' identity='" + "a" * 61 + "']",
     "at most 60", 1),
    ("problem description too long", "##teamcity[buildProblem description='" + "d" * 4001 + "']",
     "at most 4000", 1),
    ("problem empty description", "##teamcity[buildProblem description=' ']", "empty description", 1),
    ("publishArtifacts with attributes", "##teamcity[publishArtifacts path='a']", "one quoted value", 1),
    ("message with single value", "##teamcity[message 'a']", "not a single value", 1),
    ("bad timestamp", "##teamcity[message text='a' timestamp='yesterday']", "timestamp", 1),
    ("finished without start", "##teamcity[testSuiteStarted name='s']\n##teamcity[testFinished name='t']\n"
     "##teamcity[testSuiteFinished name='s']", "no test is running", 2),
    ("mismatched test names", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']\n"
     "##teamcity[testFinished name='b']\n##teamcity[testFinished name='a']\n##teamcity[testSuiteFinished name='s']",
     "`a` is running", 3),
    ("failed for a test not started", "##teamcity[testSuiteStarted name='s']\n##teamcity[testFailed name='t']\n"
     "##teamcity[testSuiteFinished name='s']", "testFailed for `t`", 2),
    ("failed twice", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='t']\n"
     "##teamcity[testFailed name='t']\n##teamcity[testFailed name='t']\n##teamcity[testFinished name='t']\n"
     "##teamcity[testSuiteFinished name='s']", "already reported", 4),
    ("nested tests in one flow", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']\n"
     "##teamcity[testStarted name='b']\n##teamcity[testFinished name='b']\n##teamcity[testFinished name='a']\n"
     "##teamcity[testSuiteFinished name='s']", "still running in the same flow", 3),
    ("test outside a suite", "##teamcity[testStarted name='a']\n##teamcity[testFinished name='a']",
     "outside any test suite", 1),
    ("suite names do not match", "##teamcity[testSuiteStarted name='s']\n##teamcity[testSuiteFinished name='t']",
     "does not match the open suite", 2),
    ("suite finished with a running test", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']\n"
     "##teamcity[testSuiteFinished name='s']", "still running", 3),
    ("suite never finished", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']\n"
     "##teamcity[testFinished name='a']", "suite `s` never finished", 1),
    ("test never finished", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']",
     "test `a` never finished", 2),
    ("duplicate test", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']\n"
     "##teamcity[testFinished name='a']\n##teamcity[testStarted name='a']\n##teamcity[testFinished name='a']\n"
     "##teamcity[testSuiteFinished name='s']", "reported twice", 4),
    ("flows kept apart", "##teamcity[testSuiteStarted name='s' flowId='1']\n##teamcity[testStarted name='a' flowId='1']\n"
     "##teamcity[testFinished name='a' flowId='2']\n##teamcity[testFinished name='a' flowId='1']\n"
     "##teamcity[testSuiteFinished name='s' flowId='1']", "no test is running", 3),
    ("comparison failure without expected", "##teamcity[testSuiteStarted name='s']\n##teamcity[testStarted name='a']\n"
     "##teamcity[testFailed name='a' type='comparisonFailure' actual='1']\n##teamcity[testFinished name='a']\n"
     "##teamcity[testSuiteFinished name='s']", "needs `expected`", 3),
    ("block not closed", "##teamcity[blockOpened name='b']", "never closed", 1),
]


def self_test() -> int:
    failures = 0
    passed = 0
    report = check_bytes(GOOD_STREAM.encode())
    if report.errors:
        failures += 1
        print("FAIL good stream: expected no errors, got:", file=sys.stderr)
        for line, column, text in report.errors:
            print(f"  {line}:{column}: {text}", file=sys.stderr)
    elif (report.tests_passed, report.tests_failed, report.tests_ignored) != (3, 1, 2):
        failures += 1
        print(f"FAIL good stream: wrong test counts: {summary(report)}", file=sys.stderr)
    else:
        passed += 1
    # the unescaped value round-trips
    message = parse_message("##teamcity[testFailed name='t' details='a|'b||c|nd|[e|]f |0x00e9 é']")
    if message.attrs["details"] != "a'b|c\nd[e]f é é":
        failures += 1
        print(f"FAIL unescaping: got {message.attrs['details']!r}", file=sys.stderr)
    else:
        passed += 1
    for label, text, fragment, line in BAD_SAMPLES:
        report = check_bytes(text.encode())
        hits = [e for e in report.errors if fragment in e[2] and e[0] == line]
        if hits:
            passed += 1
        else:
            failures += 1
            got = "; ".join(f"{ln}:{col}: {msg}" for ln, col, msg in report.errors) or "no error"
            print(f"FAIL {label}: expected line {line} to mention {fragment!r}, got: {got}", file=sys.stderr)
    invalid_utf8 = check_bytes(b"##teamcity[message text='caf\xe9']\n")
    if any("UTF-8" in e[2] for e in invalid_utf8.errors):
        passed += 1
    else:
        failures += 1
        print("FAIL invalid UTF-8 was not reported", file=sys.stderr)
    print(f"check_service_messages self-test: {passed} passed, {failures} failed")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="build output to check (default: stdin)")
    parser.add_argument("--self-test", action="store_true", help="check the checker on built-in samples")
    expect = parser.add_mutually_exclusive_group()
    expect.add_argument("--expect-build-problem", action="store_true",
                        help="also fail unless the output reports at least one buildProblem")
    expect.add_argument("--expect-no-build-problem", action="store_true",
                        help="also fail if the output reports a buildProblem")
    parser.add_argument("--expect-messages", action="store_true",
                        help="also fail if the output holds no service message at all")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    sources = args.files or ["-"]
    status = 0
    for source in sources:
        label = "<stdin>" if source == "-" else source
        data = sys.stdin.buffer.read() if source == "-" else open(source, "rb").read()
        report = check_bytes(data)
        for line, column, text in report.errors:
            print(f"{label}:{line}:{column}: error: {text}", file=sys.stderr)
        problems = report.counts.get("buildProblem", 0)
        if args.expect_build_problem and problems == 0:
            print(f"{label}: error: expected a buildProblem, found none", file=sys.stderr)
            status = 1
        if args.expect_no_build_problem and problems:
            print(f"{label}: error: expected no buildProblem, found {problems}", file=sys.stderr)
            status = 1
        if args.expect_messages and report.messages == 0:
            print(f"{label}: error: no service messages", file=sys.stderr)
            status = 1
        if report.errors:
            status = 1
        print(f"{label}: {'FAILED' if status else 'ok'}: {summary(report)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
