#!/usr/bin/env python3
"""Checks the TeamCity meta-runner and Kotlin DSL example, then runs them.

Static checks (always):
  * teamcity/portcullis-scan.xml has the meta-runner shape TeamCity writes when
    it extracts one: <meta-runner name> → <description>, <settings> →
    <parameters> (each <param> with name, value and spec), <build-runners> →
    one <runner type="simpleRunner"> with script.content, teamcity.step.mode
    and use.custom.script=true, and <requirements/>;
  * every spec parses as a typed-parameter spec (`text|select|checkbox|password`
    then key='value' pairs, values `|`-escaped), with only the keys its type
    takes, and each default value is one the spec allows;
  * the script references every declared parameter as %name%, every %name% in
    it is declared or a TeamCity parameter, and no `%` stands alone (TeamCity
    reads `%%` as a literal `%`); rendered, it passes `bash -n` and shellcheck;
  * teamcity/settings.kts parses as Kotlin (tree-sitter-kotlin), its meta-runner
    step names the runner's ID and only declared parameters with allowed
    values, its script steps hold no Kotlin `$` templates but `${'$'}`, and the
    JUnit report rule and artifact rules name files its script step writes.

Runs (always): the rendered meta-runner script, executed as TeamCity would,
against teamcity/tests/fake-portcullis through every exit status and
fail-mode, with parameter values full of quotes, `$`, brackets and spaces: the
binary's arguments, the exit status, the service messages (checked by
check_service_messages), the buildProblems and the published artifacts; and
that the binary's messages stream through while it runs. The settings.kts
script step runs against the fake too.

Runs with --bin (the real binary), --fixtures and --db: a real scan of
debian-app.oci.tar through the meta-runner script: the gate fails (exit 1, the
binary's one buildProblem, SARIF, JUnit and JSON published), passes with
fail-on none, is downgraded with fail-mode report, and (with --mirror) updates
the DB first; and the errors: a missing target (exit 2) and a missing DB (exit
3, under fail-mode report too) each end with the binary's one buildProblem
(portcullis_exit_N) and none from the script, while an argument the binary's
parser refuses (exit 2 before it prints anything) gets the script's one.

Prints one `ok`/`FAIL`/`skip` line per check and `N passed, N failed` last.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import check_service_messages as tcsm  # noqa: E402

REPO = HERE.parents[1]
META_RUNNER_ID = "PortcullisScan"
PARAM_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
REF_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
# Parameters TeamCity itself provides, which the script may reference.
TEAMCITY_PARAMS = {
    "teamcity.build.checkoutDir", "system.teamcity.build.checkoutDir", "teamcity.build.workingDir",
    "system.teamcity.build.tempDir", "teamcity.build.id", "build.number", "build.counter",
    "teamcity.agent.work.dir", "teamcity.project.id", "system.teamcity.projectName",
}
RUNNER_PARAMS = {"script.content", "teamcity.step.mode", "use.custom.script", "teamcity.build.workingDir"}
SPEC_COMMON = {"label", "description", "display", "readOnly"}
SPEC_KEYS = {
    "text": SPEC_COMMON | {"validationMode", "regexp", "validationMessage"},
    "select": SPEC_COMMON | {"multiple", "valueSeparator"},
    "checkbox": SPEC_COMMON | {"checkedValue", "uncheckedValue"},
    "password": SPEC_COMMON,
}
SPEC_ENUMS = {"display": {"normal", "hidden", "prompt"}, "validationMode": {"any", "not_empty", "regex"},
              "readOnly": {"true", "false"}, "multiple": {"true", "false"}}


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, label: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok - {label}")
        else:
            self.failed += 1
            print(f"FAIL - {label}" + (f"\n    {detail}" if detail else ""))
        return ok

    def errors(self, errors: list[str], label: str) -> bool:
        return self.check(not errors, label, "\n    ".join(errors))

    @staticmethod
    def skip(label: str, why: str) -> None:
        print(f"skip - {label} ({why})")


# ---------------------------------------------------------------------------
# Typed-parameter specs and %references%

@dataclass
class Spec:
    kind: str
    attrs: dict[str, str]


def parse_spec(text: str) -> Spec:
    """`type key='value' …`, values escaped like service-message values."""
    match = re.match(r"(text|select|checkbox|password)(?=[ \t]|$)", text)
    if not match:
        raise ValueError(f"spec must start with text, select, checkbox or password: `{text[:30]}`")
    attrs: dict[str, str] = {}
    i = match.end()
    while True:
        j = tcsm.skip_space(text, i)
        if j >= len(text):
            break
        if j == i:
            raise ValueError(f"expected a space at column {i + 1}")
        key = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, j)
        if not key or text[key.end():key.end() + 2] != "='":
            raise ValueError(f"expected key='value' at column {j + 1}")
        if key.group() in attrs:
            raise ValueError(f"key `{key.group()}` given twice")
        try:
            attrs[key.group()], i = tcsm.parse_value(text, key.end() + 1)
        except tcsm.GrammarError as e:
            raise ValueError(f"{e.message} (column {e.column})") from None
    return Spec(match.group(1), attrs)


def check_spec(name: str, value: str, spec: Spec) -> list[str]:
    errors = []
    for key, val in spec.attrs.items():
        allowed = SPEC_KEYS[spec.kind]
        if key not in allowed and not (spec.kind == "select" and re.fullmatch(r"(data|label)_[1-9][0-9]*", key)):
            errors.append(f"{name}: `{spec.kind}` spec has an unknown key `{key}`")
        if key in SPEC_ENUMS and val not in SPEC_ENUMS[key]:
            errors.append(f"{name}: {key}='{val}' is not one of {', '.join(sorted(SPEC_ENUMS[key]))}")
        if "%" in val:
            errors.append(f"{name}: spec {key} holds `%`, which TeamCity would read as a reference")
    if not spec.attrs.get("label"):
        errors.append(f"{name}: spec has no label")
    if not spec.attrs.get("description"):
        errors.append(f"{name}: spec has no description")
    if spec.kind == "text":
        mode = spec.attrs.get("validationMode", "any")
        if mode == "regex":
            if "regexp" not in spec.attrs:
                errors.append(f"{name}: validationMode='regex' without regexp")
            elif value and not re.fullmatch(spec.attrs["regexp"], value):
                errors.append(f"{name}: default `{value}` does not match its regexp")
    if spec.kind == "select":
        options = {}
        for key, val in spec.attrs.items():
            number = re.fullmatch(r"data_([1-9][0-9]*)", key)
            if number:
                options[int(number.group(1))] = val
        labels = {int(k[6:]) for k in spec.attrs if k.startswith("label_")}
        if not options:
            errors.append(f"{name}: select spec without data_N options")
        elif sorted(options) != list(range(1, len(options) + 1)):
            errors.append(f"{name}: select options are not numbered data_1…data_{len(options)}")
        if labels - set(options):
            errors.append(f"{name}: label_N without a data_N: {sorted(labels - set(options))}")
        if len(set(options.values())) != len(options):
            errors.append(f"{name}: select options repeat a value")
        if value not in options.values():
            errors.append(f"{name}: default `{value}` is not one of the options {sorted(options.values())}")
    if spec.kind == "checkbox":
        checked = spec.attrs.get("checkedValue", "true")
        unchecked = spec.attrs.get("uncheckedValue", "")
        if value not in (checked, unchecked):
            errors.append(f"{name}: default `{value}` is neither `{checked}` nor `{unchecked}`")
    return errors


def references(text: str) -> tuple[list[str], list[str]]:
    """TeamCity %name% references in `text`, and errors for stray `%`."""
    refs, errors = [], []
    i = 0
    while i < len(text):
        if text[i] != "%":
            i += 1
            continue
        if text[i + 1:i + 2] == "%":
            i += 2
            continue
        end = text.find("%", i + 1)
        name = text[i + 1:end] if end > 0 else ""
        if end < 0 or not REF_NAME_RE.fullmatch(name):
            line = text.count("\n", 0, i) + 1
            source = text[text.rfind("\n", 0, i) + 1:].split("\n", 1)[0].strip()
            errors.append(f"line {line}: stray `%` (write `%%` for a literal percent): `{source}`")
            i += 1
            continue
        refs.append(name)
        i = end + 1
    return refs, errors


def render(text: str, values: dict[str, str]) -> str:
    """Resolves references the way TeamCity does before the step runs."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "%":
            out.append(ch)
            i += 1
        elif text[i + 1:i + 2] == "%":
            out.append("%")
            i += 2
        else:
            end = text.index("%", i + 1)
            out.append(values[text[i + 1:end]])
            i = end + 1
    return "".join(out)


# ---------------------------------------------------------------------------
# The meta-runner XML

@dataclass
class MetaRunner:
    params: dict[str, tuple[str, Spec]] = field(default_factory=dict)
    script: str = ""


def element_children(element: ET.Element, expected: list[str], where: str, errors: list[str]) -> dict[str, ET.Element]:
    tags = [child.tag for child in element]
    if tags != expected:
        errors.append(f"{where}: children are {tags}, expected {expected}")
    if (element.text or "").strip():
        errors.append(f"{where}: holds stray text")
    return {child.tag: child for child in element}


def check_meta_runner_xml(path: Path, results: Results) -> MetaRunner | None:
    raw = path.read_bytes()
    errors: list[str] = []
    if not raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'):
        errors.append('must start with <?xml version="1.0" encoding="UTF-8"?>')
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        results.check(False, f"{path.name} is well-formed XML", str(e))
        return None
    meta = MetaRunner()
    if root.tag != "meta-runner":
        errors.append(f"root element is <{root.tag}>, expected <meta-runner>")
    if set(root.attrib) != {"name"} or not root.attrib.get("name", "").strip():
        errors.append(f"<meta-runner> must have exactly a non-empty name attribute, has {root.attrib}")
    top = element_children(root, ["description", "settings"], "<meta-runner>", errors)
    description = top.get("description")
    if description is None or not (description.text or "").strip() or len(description):
        errors.append("<description> must hold text only")
    settings = top.get("settings")
    if settings is None:
        results.errors(errors, f"{path.name}: meta-runner structure")
        return None
    parts = element_children(settings, ["parameters", "build-runners", "requirements"], "<settings>", errors)
    parameters = parts.get("parameters")
    for param in parameters if parameters is not None else []:
        name = param.attrib.get("name", "")
        where = f"<param name='{name}'>"
        if param.tag != "param":
            errors.append(f"<parameters> holds <{param.tag}>")
            continue
        if set(param.attrib) != {"name", "value", "spec"}:
            errors.append(f"{where}: attributes are {sorted(param.attrib)}, expected name, value, spec")
        if not PARAM_NAME_RE.fullmatch(name):
            errors.append(f"{where}: not a valid TeamCity parameter name")
        if name in meta.params:
            errors.append(f"{where}: declared twice")
        if len(param) or (param.text or "").strip():
            errors.append(f"{where}: must be empty (the value goes in value=)")
        try:
            spec = parse_spec(param.attrib.get("spec", ""))
        except ValueError as e:
            errors.append(f"{where}: spec does not parse: {e}")
            continue
        value = param.attrib.get("value", "")
        if "%" in value:
            errors.append(f"{where}: default value holds `%`")
        errors.extend(check_spec(name, value, spec))
        meta.params[name] = (value, spec)
    runners = parts.get("build-runners")
    runner_list = list(runners) if runners is not None else []
    if len(runner_list) != 1 or runner_list[0].tag != "runner":
        errors.append(f"<build-runners> must hold one <runner>, holds {[r.tag for r in runner_list]}")
    else:
        runner = runner_list[0]
        if set(runner.attrib) != {"name", "type"} or runner.attrib.get("type") != "simpleRunner":
            errors.append(f"<runner> must have name and type='simpleRunner', has {runner.attrib}")
        inner = element_children(runner, ["parameters"], "<runner>", errors)
        runner_params: dict[str, str] = {}
        for param in inner.get("parameters", []):
            name = param.attrib.get("name", "")
            if param.tag != "param" or name in runner_params:
                errors.append(f"<runner> <parameters>: bad or repeated <{param.tag} name='{name}'>")
                continue
            if name not in RUNNER_PARAMS:
                errors.append(f"<runner>: unknown simpleRunner parameter `{name}`")
            if name == "script.content":
                if "value" in param.attrib or len(param):
                    errors.append("script.content must be the element's text (CDATA), not value=")
                runner_params[name] = param.text or ""
            else:
                if set(param.attrib) != {"name", "value"} or (param.text or "").strip():
                    errors.append(f"<param name='{name}'> must have name and value only")
                runner_params[name] = param.attrib.get("value", "")
        if runner_params.get("use.custom.script") != "true":
            errors.append("use.custom.script must be `true` (run script.content)")
        if runner_params.get("teamcity.step.mode") != "default":
            errors.append("teamcity.step.mode must be `default`")
        meta.script = runner_params.get("script.content", "")
        if not meta.script.startswith("#!/usr/bin/env bash\n"):
            errors.append("script.content must start with #!/usr/bin/env bash on its first line "
                          "(the agent runs the script file directly)")
    requirements = parts.get("requirements")
    if requirements is not None and (len(requirements) or (requirements.text or "").strip()):
        errors.append("<requirements> must be empty")
    if b"<![CDATA[" not in raw:
        errors.append("script.content should be a CDATA section")
    results.errors(errors, f"{path.name}: meta-runner structure, parameters and specs")

    refs, ref_errors = references(meta.script)
    for name in sorted(set(refs)):
        if name not in meta.params and name not in TEAMCITY_PARAMS and not name.startswith("env."):
            ref_errors.append(f"%{name}% is neither declared nor a TeamCity parameter")
    for name in meta.params:
        if name not in refs:
            ref_errors.append(f"declared parameter {name} is never referenced as %{name}%")
    results.errors(ref_errors, f"{path.name}: script references match the declared parameters")
    return meta


def lint_script(script: str, label: str, results: Results, tmp: Path) -> None:
    file = tmp / "lint.sh"
    file.write_text(script)
    syntax = subprocess.run(["bash", "-n", str(file)], capture_output=True, text=True)
    results.check(syntax.returncode == 0, f"{label}: bash -n", syntax.stderr.strip())
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        results.check(False, f"{label}: shellcheck", "shellcheck is not installed (run setup.sh)")
        return
    lint = subprocess.run([shellcheck, "--shell=bash", "--severity=style", str(file)],
                          capture_output=True, text=True)
    results.check(lint.returncode == 0, f"{label}: shellcheck", lint.stdout.strip())


# ---------------------------------------------------------------------------
# settings.kts

def kotlin_blocks(text: str, opener: str) -> list[str]:
    """Bodies of `opener {…}` blocks, braces matched outside string literals."""
    bodies = []
    for match in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(opener)}\s*\{{", text):
        depth, i = 1, match.end()
        while i < len(text) and depth:
            if text.startswith('"""', i):
                i = text.index('"""', i + 3) + 3
                continue
            if text[i] == '"':
                i += 1
                while text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
                i += 1
                continue
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bodies.append(text[match.end():i - 1])
    return bodies


def raw_string(value: str) -> str:
    """A Kotlin raw string with `.trimIndent()` applied and `${'$'}` resolved."""
    lines = value.split("\n")
    if lines and not lines[0].strip():
        lines = lines[1:]
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    return "\n".join(l[indent:] for l in lines).replace("${'$'}", "$")


def kotlin_templates(value: str) -> list[str]:
    """Kotlin string templates other than ${'$'} (bash `$x` would become Kotlin's)."""
    return [m.group() for m in re.finditer(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)", value)
            if m.group() != "${'$'}"]


@dataclass
class KtsScriptStep:
    build_type: str
    script: str
    params: dict[str, str]
    junit_rules: list[str]
    artifact_rules: list[str]


def check_settings_kts(path: Path, meta: MetaRunner | None, results: Results) -> list[KtsScriptStep]:
    text = path.read_text()
    try:
        import tree_sitter
        import tree_sitter_kotlin
    except ImportError:
        results.check(False, f"{path.name}: parses as Kotlin", "tree-sitter-kotlin is not installed (run setup.sh)")
    else:
        parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_kotlin.language()))
        tree = parser.parse(text.encode())
        bad = []

        def walk(node) -> None:
            if node.type == "ERROR" or node.is_missing:
                bad.append(f"line {node.start_point[0] + 1}, column {node.start_point[1] + 1}: "
                           f"{'missing ' + node.type if node.is_missing else 'syntax error'}")
            for child in node.children:
                walk(child)
        walk(tree.root_node)
        results.errors(bad, f"{path.name}: parses as Kotlin (tree-sitter-kotlin)")

    errors = []
    if not re.search(r'^version = "20\d\d\.\d\d"$', text, re.M):
        errors.append('no `version = "YYYY.NN"` line')
    for imported in re.findall(r"^import (\S+)", text, re.M):
        if not imported.startswith("jetbrains.buildServer.configs.kotlin."):
            errors.append(f"import outside the TeamCity DSL: {imported}")
    registered = re.findall(r"buildType\((\w+)\)", "".join(kotlin_blocks(text, "project")))
    objects = re.findall(r"^object (\w+) : BuildType\(\{", text, re.M)
    if sorted(registered) != sorted(objects) or not objects:
        errors.append(f"project registers {registered}, file defines {objects}")

    script_steps: list[KtsScriptStep] = []
    meta_steps = 0
    for match in re.finditer(r"^object (\w+) : BuildType\(\{\n(.*?)^\}\)", text, re.M | re.S):
        name, body = match.group(1), match.group(2)
        params = dict(re.findall(r'param\("([^"]+)", "([^"]*)"\)', "".join(kotlin_blocks(body, "params"))))
        for value in re.findall(r'"""(.*?)"""', body, re.S) + re.findall(r'(?<!")"((?:[^"\\\n]|\\.)*)"(?!")', body):
            for template in kotlin_templates(value):
                errors.append(f"{name}: Kotlin string template `{template}` (write ${{'$'}} for a literal $)")
        for step in kotlin_blocks("".join(kotlin_blocks(body, "steps")), "step"):
            meta_steps += 1
            step_type = re.search(r'type = "([^"]*)"', step)
            if not step_type or step_type.group(1) != META_RUNNER_ID:
                errors.append(f"{name}: step type is not the meta-runner ID {META_RUNNER_ID}")
                continue
            given = dict(re.findall(r'param\("([^"]+)", "([^"]*)"\)', step))
            if meta is None:
                continue
            for key, value in given.items():
                if key not in meta.params:
                    errors.append(f"{name}: step sets {key}, which the meta-runner does not declare")
                    continue
                default, spec = meta.params[key]
                errors.extend(f"{name}: {e}" for e in check_spec(key, value, spec) if "default" in e)
            for key, (default, spec) in meta.params.items():
                if spec.attrs.get("validationMode") == "not_empty" and not default and not given.get(key):
                    errors.append(f"{name}: step leaves the required {key} empty")
        junit_rules = []
        for feature in kotlin_blocks("".join(kotlin_blocks(body, "features")), "xmlReport"):
            if "XmlReport.XmlReportType.JUNIT" in feature:
                rules = re.search(r'rules = "([^"]*)"', feature)
                junit_rules += [r.removeprefix("+:") for r in (rules.group(1).split("\n") if rules else [])]
        artifacts = re.search(r'artifactRules = """(.*?)"""', body, re.S)
        artifact_rules = [r.split("=>")[0].strip() for r in raw_string(artifacts.group(1)).split("\n")] if artifacts else []
        for step in kotlin_blocks("".join(kotlin_blocks(body, "steps")), "script"):
            content = re.search(r'scriptContent = """(.*?)"""', step, re.S)
            if content and "portcullis" in content.group(1):
                script_steps.append(KtsScriptStep(name, raw_string(content.group(1)), params,
                                                  junit_rules, artifact_rules))
        if junit_rules and any(f'type = "{META_RUNNER_ID}"' in s for s in kotlin_blocks(body, "step")):
            errors.append(f"{name}: imports JUnit and uses the meta-runner: tests would be counted twice")
    if meta_steps == 0:
        errors.append(f"no step uses the meta-runner ({META_RUNNER_ID})")
    if not script_steps:
        errors.append("no script step runs portcullis")
    for step in script_steps:
        refs, ref_errors = references(step.script)
        errors.extend(f"{step.build_type}: {e}" for e in ref_errors)
        for ref in refs:
            if ref not in step.params and ref not in TEAMCITY_PARAMS:
                errors.append(f"{step.build_type}: %{ref}% is not in its params")
        if not step.junit_rules:
            errors.append(f"{step.build_type}: no xmlReport JUNIT feature for its JUnit file")
        if not any(rule.endswith(".sarif") for rule in step.artifact_rules):
            errors.append(f"{step.build_type}: artifactRules keep no SARIF file")
    results.errors(errors, f"{path.name}: build types, meta-runner step, report and artifact rules")
    return script_steps


# ---------------------------------------------------------------------------
# Running the script

@dataclass
class Run:
    status: int
    stdout: bytes
    stderr: str
    report: tcsm.Report
    messages: list[tcsm.Message]
    calls: list[list[str]]

    def problems(self) -> list[dict[str, str]]:
        return [m.attrs for m in self.messages if m.name == "buildProblem"]

    def warnings(self) -> list[str]:
        return [m.attrs["text"] for m in self.messages
                if m.name == "message" and m.attrs.get("status") == "WARNING"]

    def published(self) -> list[str]:
        return [m.value or "" for m in self.messages if m.name == "publishArtifacts"]

    def singles(self, name: str) -> list[str]:
        return [m.value or "" for m in self.messages if m.name == name]


def run_script(script: str, cwd: Path, env: dict[str, str], log: Path | None = None) -> Run:
    step = cwd.parent / f"{cwd.name}.step.sh"
    step.write_text(script)
    step.chmod(step.stat().st_mode | stat.S_IXUSR)
    if log is not None:
        shutil.rmtree(log, ignore_errors=True)
        log.mkdir(parents=True)
    full_env = {**os.environ, **env}
    done = subprocess.run([str(step)], cwd=cwd, env=full_env, capture_output=True, timeout=600)
    report = tcsm.check_bytes(done.stdout)
    messages = []
    for number, line in enumerate(done.stdout.decode("utf-8", "replace").split("\n"), start=1):
        if line.startswith(tcsm.PREFIX):
            try:
                messages.append(tcsm.parse_message(line, number))
            except tcsm.GrammarError:
                pass
    calls = []
    if log is not None:
        for file in sorted(log.glob("call.*"), key=lambda p: int(p.suffix[1:])):
            calls.append(file.read_bytes().split(b"\0")[:-1])
    return Run(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"), report, messages,
               [[a.decode() for a in call] for call in calls])


def service_message_errors(run: Run) -> list[str]:
    return [f"stdout line {line}:{column}: {text}" for line, column, text in run.report.errors]


def describe(run: Run) -> str:
    return (f"exit {run.status}\n    stdout:\n      "
            + "\n      ".join(run.stdout.decode("utf-8", "replace").splitlines()[-25:])
            + "\n    stderr:\n      " + "\n      ".join(run.stderr.splitlines()[-15:]))


@dataclass
class Scenario:
    label: str
    params: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    status: int = 0
    problems: list[str] | None = None  # identities of the expected buildProblems, in order
    warning: bool = False
    tagged: bool = False
    artifacts: bool = True
    unbalanced: bool = False  # the binary died mid-report: tests or suites left open
    extra: Callable[[Run, Path], list[str]] | None = None


def expect(run: Run, scenario: Scenario, reports: Path) -> list[str]:
    errors = service_message_errors(run)
    if scenario.unbalanced:
        left_open = [e for e in errors if "never finished" in e]
        errors = [e for e in errors if "never finished" not in e]
        if not left_open:
            errors.append("expected the half report to leave a test or suite open")
    if run.status != scenario.status:
        errors.append(f"exit status {run.status}, expected {scenario.status}")
    if scenario.problems is not None:
        identities = [p.get("identity", "") for p in run.problems()]
        if identities != scenario.problems:
            errors.append(f"buildProblem identities {identities}, expected {scenario.problems}")
    if bool(run.warnings()) != scenario.warning:
        errors.append(f"warnings {run.warnings()}, expected {'some' if scenario.warning else 'none'}")
    tags = run.singles("addBuildTag")
    if bool(tags) != scenario.tagged:
        errors.append(f"build tags {tags}, expected {'one' if scenario.tagged else 'none'}")
    published = run.published()
    if scenario.artifacts:
        wanted = [f"{reports}/{name} => portcullis"
                  for name in ("portcullis.sarif", "portcullis-junit.xml", "portcullis.json")]
        if published != wanted:
            errors.append(f"publishArtifacts {published}, expected {wanted}")
        for value in published:
            source = Path(value.split(" => ")[0])
            if not source.is_file() or source.stat().st_size == 0:
                errors.append(f"published {source} is missing or empty")
    elif published:
        errors.append(f"publishArtifacts {published}, expected none")
    if scenario.extra is not None:
        errors.extend(scenario.extra(run, reports))
    return errors


# The script's own buildProblems say "portcullis: …" (its problem() helper);
# the binary's say "Portcullis failed …" or "Portcullis could not finish …".
def script_problems(run: Run) -> list[dict[str, str]]:
    return [p for p in run.problems() if p.get("description", "").startswith("portcullis: ")]


def only_the_binarys_problem(run: Run, reports: Path) -> list[str]:
    problems = run.problems()
    if len(problems) != 1 or script_problems(run):
        return [f"expected exactly the binary's one buildProblem, got {problems}"]
    return []


def only_the_scripts_problem(run: Run, reports: Path) -> list[str]:
    problems = run.problems()
    if len(problems) != 1 or not script_problems(run):
        return [f"expected exactly one buildProblem, the script's, got {problems}"]
    return []


GATE_IDENTITY = re.compile(r"portcullis_[0-9a-f]+")
TRICKY_IMAGE = "oci-archive:/images/it's a \"quoted\" $HOME `id` [1] é.tar"
TRICKY_ARGS = ("--set 'max-high=0' --set \"note=it's \"'\"q\"'\" $HOME\" --set x=a\\ b"
               " --vex 'vex file.json' --platform\tlinux/amd64")
TRICKY_REPORTS = "reports dir/it's [x] é"


def fake_scenarios(meta: MetaRunner, tmp: Path, results: Results) -> None:
    fake = HERE / "fake-portcullis"
    base = {name: default for name, (default, _) in meta.params.items()}
    base.update({
        "portcullis.image": TRICKY_IMAGE,
        "portcullis.policy": "builtin:fixable-only, policies/p.wasm,,\tbuiltin:known-exploited",
        "portcullis.config": "conf dir/portcullis.toml",
        "portcullis.args": TRICKY_ARGS,
        "portcullis.db": "db dir/it's.db",
        "portcullis.reports.dir": TRICKY_REPORTS,
        "portcullis.binary": str(fake),
    })

    def scan_args(reports: Path) -> list[str]:
        return ["scan", "--format", "teamcity",
                "--output", f"sarif={reports}/portcullis.sarif",
                "--output", f"junit={reports}/portcullis-junit.xml",
                "--output", f"json={reports}/portcullis.json",
                "--db", "db dir/it's.db", "--fail-on", "critical", "--config", "conf dir/portcullis.toml",
                "--policy", "builtin:fixable-only", "--policy", "policies/p.wasm",
                "--policy", "builtin:known-exploited",
                "--set", "max-high=0", "--set", "note=it's \"q\" $HOME", "--set", "x=a b",
                "--vex", "vex file.json",
                "--platform", "linux/amd64", "--", TRICKY_IMAGE]

    def argv_is_exact(run: Run, reports: Path) -> list[str]:
        want = [scan_args(reports)]
        return [] if run.calls == want else [f"binary called with {run.calls}\n    expected {want}"]

    def db_update_first(run: Run, reports: Path) -> list[str]:
        want = [["db", "--db", "db dir/it's.db", "update"], scan_args(reports)]
        return [] if run.calls == want else [f"binary called with {run.calls}\n    expected {want}"]

    def minimal_argv(run: Run, reports: Path) -> list[str]:
        want = [["scan", "--format", "teamcity", "--output", f"sarif={reports}/portcullis.sarif",
                 "--output", f"junit={reports}/portcullis-junit.xml", "--output", f"json={reports}/portcullis.json",
                 "--fail-on", "critical", "--", "app.tar"]]
        return [] if run.calls == want else [f"binary called with {run.calls}\n    expected {want}"]

    def names_the_binary(run: Run, reports: Path) -> list[str]:
        descriptions = " ".join(p["description"] for p in run.problems())
        return [] if "not found or not executable" in descriptions else [f"problem says {descriptions!r}"]

    def tests_ignored_not_failed(run: Run, reports: Path) -> list[str]:
        names = [m.name for m in run.messages]
        if "testFailed" in names or "testIgnored" not in names:
            return [f"expected the failed test reported as ignored, got {names}"]
        return []

    def keeps_the_description(run: Run, reports: Path) -> list[str]:
        texts = run.warnings()
        ok = texts and "builtin:severity failed the target" in texts[0] and "it's [x]" in texts[0]
        return ([] if ok else [f"warning {texts} lost the binary's problem text"]) + tests_ignored_not_failed(run, reports)

    scenarios = [
        Scenario("pass: arguments reach the binary intact", status=0, problems=[], extra=argv_is_exact),
        Scenario("gate fails, fail-mode fail: exit 1, the binary's buildProblem only",
                 env={"FAKE_SCAN_EXIT": "1"}, status=1, problems=["portcullis_5e1f0c2a9b3d4e6f"],
                 extra=lambda run, reports: only_the_binarys_problem(run, reports) + (
                     [] if "testFailed" in [m.name for m in run.messages]
                     else ["the failed test was not passed through"])),
        Scenario("gate fails, fail-mode report: exit 0, a warning instead of the problem",
                 {"portcullis.fail-mode": "report"}, {"FAKE_SCAN_EXIT": "1"}, status=0, problems=[],
                 warning=True, extra=keeps_the_description),
        Scenario("gate fails, fail-mode unstable: exit 0, a warning and the portcullis-gate-failed tag",
                 {"portcullis.fail-mode": "unstable"}, {"FAKE_SCAN_EXIT": "1"}, status=0, problems=[],
                 warning=True, tagged=True,
                 extra=lambda run, reports: tests_ignored_not_failed(run, reports)
                 + ([] if run.singles("addBuildTag") == ["portcullis-gate-failed"]
                    else [f"tags {run.singles('addBuildTag')}"])),
        Scenario("gate fails without a buildProblem (fail-mode report): a generic warning",
                 {"portcullis.fail-mode": "report"}, {"FAKE_SCAN_EXIT": "1", "FAKE_SCAN_PROBLEM": "0"},
                 status=0, problems=[], warning=True),
        Scenario("usage error: exit 2, the binary's buildProblem only",
                 env={"FAKE_SCAN_EXIT": "2"}, status=2, problems=["portcullis_exit_2"],
                 extra=only_the_binarys_problem),
        Scenario("undecided with fail-mode report: still exit 3, the binary's buildProblem only",
                 {"portcullis.fail-mode": "report"}, {"FAKE_SCAN_EXIT": "3"}, status=3,
                 problems=["portcullis_exit_3"], extra=only_the_binarys_problem),
        Scenario("exit 2 without a buildProblem: the script reports one",
                 env={"FAKE_SCAN_EXIT": "2", "FAKE_SCAN_PROBLEM": "0"}, status=2, problems=["portcullis_exit_2"],
                 extra=only_the_scripts_problem),
        Scenario("exit 1 without a buildProblem: the script reports one",
                 env={"FAKE_SCAN_EXIT": "1", "FAKE_SCAN_PROBLEM": "0"}, status=1, problems=["portcullis_exit_1"],
                 extra=only_the_scripts_problem),
        Scenario("binary killed mid-report: exit 137 and a buildProblem (report left unbalanced)",
                 env={"FAKE_SCAN_KILL": "1"}, status=137, problems=["portcullis_exit_137"], unbalanced=True),
        Scenario("binary missing: exit 127 and a buildProblem naming it",
                 {"portcullis.binary": str(tmp / "no such dir" / "portcullis")}, status=127,
                 problems=["portcullis_exit_127"], artifacts=False, extra=names_the_binary),
        Scenario("db update first, with the same --db",
                 {"portcullis.db.update": "true"}, status=0, problems=[], extra=db_update_first),
        Scenario("db update fails: a warning, and the scan still runs",
                 {"portcullis.db.update": "true"}, {"FAKE_DB_UPDATE_EXIT": "1"}, status=0, problems=[],
                 warning=True, extra=db_update_first),
        Scenario("unknown fail-mode: exit 2 before running anything",
                 {"portcullis.fail-mode": "lenient"}, status=2, problems=["portcullis_usage"], artifacts=False,
                 extra=lambda run, reports: [] if not run.calls else [f"binary ran: {run.calls}"]),
        Scenario("unbalanced quote in additional arguments: exit 2",
                 {"portcullis.args": "--set 'oops"}, status=2, problems=["portcullis_usage"], artifacts=False,
                 extra=lambda run, reports: [] if not run.calls else [f"binary ran: {run.calls}"]),
        Scenario("defaults only: no empty arguments slip in",
                 {"portcullis.image": "app.tar", "portcullis.policy": "", "portcullis.config": "",
                  "portcullis.args": "  ", "portcullis.db": "", "portcullis.reports.dir": "portcullis-reports"},
                 status=0, problems=[], extra=minimal_argv),
    ]
    for number, scenario in enumerate(scenarios, start=1):
        cwd = tmp / f"fake-{number}"
        cwd.mkdir()
        params = {**base, **scenario.params}
        log = tmp / f"fake-{number}.calls"
        run = run_script(render(meta.script, params), cwd,
                         {"FAKE_PORTCULLIS_LOG": str(log), **scenario.env}, log)
        reports = (cwd / params["portcullis.reports.dir"]).resolve()
        errors = expect(run, scenario, reports)
        results.errors(errors + ([describe(run)] if errors else []), f"meta-runner script, fake binary: {scenario.label}")


def streaming_check(meta: MetaRunner, tmp: Path, results: Results) -> None:
    """The binary's messages reach TeamCity while it runs, not when it ends."""
    cwd = tmp / "fake-stream"
    cwd.mkdir()
    params = {name: default for name, (default, _) in meta.params.items()}
    params.update({"portcullis.image": "app.tar", "portcullis.binary": str(HERE / "fake-portcullis")})
    step = tmp / "fake-stream.step.sh"
    step.write_text(render(meta.script, params))
    step.chmod(0o755)
    seen, log = tmp / "fake-stream.seen", tmp / "fake-stream.calls"
    log.mkdir()
    env = {**os.environ, "FAKE_PORTCULLIS_LOG": str(log), "FAKE_SCAN_WAIT_FOR": str(seen)}
    with subprocess.Popen([str(step)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(b"##teamcity[testSuiteStarted "):
                seen.touch()
        status = process.wait(timeout=60)
    results.check(status == 0, "meta-runner script, fake binary: service messages stream while the scan runs",
                  f"exit {status}: the suite's first line came only after the binary waited 10 s for it")


def kts_script_runs(steps: list[KtsScriptStep], tmp: Path, results: Results) -> None:
    bin_dir = tmp / "kts-bin"
    bin_dir.mkdir()
    (bin_dir / "portcullis").symlink_to(HERE / "fake-portcullis")
    for step in steps:
        values = {**step.params, **{p: p for p in TEAMCITY_PARAMS}}
        script = render(step.script, values)
        lint_script(script, f"settings.kts {step.build_type} script step", results, tmp)
        for status in (0, 1):
            cwd = tmp / f"kts-{step.build_type}-{status}"
            cwd.mkdir()
            log = tmp / f"kts-{step.build_type}-{status}.calls"
            run = run_script(script, cwd, {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_PORTCULLIS_LOG": str(log),
                                           "FAKE_SCAN_EXIT": str(status)}, log)
            errors = [] if run.status == status else [f"exit {run.status}, expected {status}"]
            for rule in step.junit_rules + step.artifact_rules:
                if not (cwd / rule).is_file():
                    errors.append(f"report rule `{rule}` matches no file the step wrote")
            if len(run.calls) != 1 or run.calls[0][-2:] != ["--", step.params.get("portcullis.image", "")]:
                errors.append(f"binary called with {run.calls}")
            results.errors(errors + ([describe(run)] if errors else []),
                           f"settings.kts {step.build_type} script step, fake binary, scan exits {status}")


# ---------------------------------------------------------------------------
# The real binary

def real_scenarios(meta: MetaRunner, args: argparse.Namespace, tmp: Path, results: Results) -> None:
    image = Path(args.fixtures) / "debian-app.oci.tar"
    base = {name: default for name, (default, _) in meta.params.items()}
    base.update({"portcullis.image": str(image), "portcullis.db": args.db, "portcullis.binary": args.bin,
                 "portcullis.reports.dir": TRICKY_REPORTS})
    env = {"PORTCULLIS_CACHE_DIR": str(tmp / "cache")}

    def reports_parse(run: Run, reports: Path) -> list[str]:
        errors = []
        try:
            sarif = json.loads((reports / "portcullis.sarif").read_text())
            if sarif.get("version") != "2.1.0" or not sarif.get("runs"):
                errors.append("SARIF is not a 2.1.0 log with runs")
        except (OSError, ValueError) as e:
            errors.append(f"SARIF: {e}")
        try:
            junit = ET.parse(reports / "portcullis-junit.xml").getroot()
            if junit.tag not in ("testsuites", "testsuite") or not junit.iter("testcase"):
                errors.append(f"JUnit root is <{junit.tag}>")
        except (OSError, ET.ParseError) as e:
            errors.append(f"JUnit: {e}")
        try:
            report = json.loads((reports / "portcullis.json").read_text())
            if report.get("schemaVersion") != 1:
                errors.append("JSON report has no schemaVersion 1")
        except (OSError, ValueError) as e:
            errors.append(f"JSON: {e}")
        if run.report.messages == 0 or not any(m.name.startswith("test") for m in run.messages):
            errors.append("the binary reported no tests as service messages")
        if script_problems(run):
            errors.append(f"the script reported a problem: {script_problems(run)}")
        return errors

    def gate_problem(run: Run, reports: Path) -> list[str]:
        errors = only_the_binarys_problem(run, reports)
        identities = [p.get("identity", "") for p in run.problems()]
        if not all(GATE_IDENTITY.fullmatch(i) for i in identities):
            errors.append(f"buildProblem identities {identities}, expected portcullis_<hex>")
        if "testFailed" not in [m.name for m in run.messages]:
            errors.append("no failed test for the failing policy")
        return errors

    scenarios = [
        Scenario("real binary: debian-app fails the default gate (exit 1, the binary's one buildProblem, reports)",
                 status=1, problems=None, extra=lambda run, reports: gate_problem(run, reports) + reports_parse(run, reports)),
        Scenario("real binary: fail-on none passes (exit 0, no buildProblem)",
                 {"portcullis.fail-on": "none"}, status=0, problems=[], extra=reports_parse),
        Scenario("real binary: fail-mode report keeps the build green (a warning, failed tests ignored)",
                 {"portcullis.fail-mode": "report"}, status=0, problems=[], warning=True,
                 extra=lambda run, reports: reports_parse(run, reports) + (
                     [] if "testIgnored" in [m.name for m in run.messages]
                     and "testFailed" not in [m.name for m in run.messages]
                     else ["expected failed tests reported as ignored"])),
    ]
    if args.mirror:
        scenarios.append(Scenario(
            "real binary: db update from a mirror folder, then the scan",
            {"portcullis.db.update": "true", "portcullis.db": str(tmp / "updated db" / "portcullis.db")},
            {"PORTCULLIS_MIRROR": args.mirror}, status=1, problems=None, extra=gate_problem))
    scenarios += [
        Scenario("real binary: a missing target (exit 2, the binary's one buildProblem, none from the script)",
                 {"portcullis.image": str(tmp / "no such image.tar")}, status=2,
                 problems=["portcullis_exit_2"], artifacts=False, extra=only_the_binarys_problem),
        Scenario("real binary: no DB, fail-mode report (exit 3, the binary's one buildProblem, none from the script)",
                 {"portcullis.db": str(tmp / "no such.db"), "portcullis.fail-mode": "report"}, status=3,
                 problems=["portcullis_exit_3"], artifacts=False, extra=only_the_binarys_problem),
        Scenario("real binary: an argument its parser refuses (exit 2, no buildProblem from it: the script's one)",
                 {"portcullis.args": "--no-such-option"}, status=2,
                 problems=["portcullis_exit_2"], artifacts=False, extra=only_the_scripts_problem),
    ]
    for number, scenario in enumerate(scenarios, start=1):
        cwd = tmp / f"real-{number}"
        cwd.mkdir()
        params = {**base, **scenario.params}
        if scenario.params.get("portcullis.db.update") == "true":
            Path(params["portcullis.db"]).parent.mkdir(parents=True, exist_ok=True)
        run = run_script(render(meta.script, params), cwd, {**env, **scenario.env})
        errors = expect(run, scenario, (cwd / params["portcullis.reports.dir"]).resolve())
        results.errors(errors + ([describe(run)] if errors else []), f"meta-runner script, {scenario.label}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meta-runner", default=str(REPO / "teamcity" / "portcullis-scan.xml"))
    parser.add_argument("--settings", default=str(REPO / "teamcity" / "settings.kts"))
    parser.add_argument("--readme", default=str(REPO / "teamcity" / "README.md"))
    parser.add_argument("--bin", help="the real portcullis binary")
    parser.add_argument("--fixtures", help="folder with debian-app.oci.tar")
    parser.add_argument("--db", help="a built vulnerability DB")
    parser.add_argument("--mirror", help="an OSV mirror folder for the db-update run")
    args = parser.parse_args(argv)
    if args.bin and not (args.fixtures and args.db):
        parser.error("--bin needs --fixtures and --db")
    results = Results()
    with tempfile.TemporaryDirectory(prefix="portcullis-teamcity-") as name:
        tmp = Path(name)
        meta = check_meta_runner_xml(Path(args.meta_runner), results)
        runnable = meta is not None and results.failed == 0
        if runnable:
            sample = {p: default or "x" for p, (default, _) in meta.params.items()}
            sample.update({p: p for p in TEAMCITY_PARAMS})
            lint_script(render(meta.script, sample), "meta-runner script", results, tmp)
        if meta is not None:
            readme = Path(args.readme).read_text()
            missing = [f"`{name}`" for name in [META_RUNNER_ID, *meta.params] if f"`{name}`" not in readme]
            results.errors([f"README.md never names {name}" for name in missing],
                           "README.md documents the meta-runner ID and every parameter")
        before = results.failed
        steps = check_settings_kts(Path(args.settings), meta, results)
        settings_ok = results.failed == before
        if runnable:
            fake_scenarios(meta, tmp, results)
            streaming_check(meta, tmp, results)
            if args.bin:
                real_scenarios(meta, args, tmp, results)
        else:
            Results.skip("runs of the meta-runner script", "its static checks failed")
        if settings_ok:
            kts_script_runs(steps, tmp, results)
        else:
            Results.skip("runs of the settings.kts script step", "its static checks failed")
    print(f"check_meta_runner: {results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
