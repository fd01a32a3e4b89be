#!/usr/bin/env python3
"""Run a composite GitHub Action locally, the way a Linux runner would, for tests.

Reads ACTION_DIR/action.yml, lints it (see `lint`), then runs its steps in
order: each `run:` step with `bash --noprofile --norc -eo pipefail` under a
GitHub-like environment (GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_ENV,
GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...), honouring GITHUB_ENV and
GITHUB_PATH between steps; each `uses:` step is only recorded (with its `with:`
evaluated), and its outputs are the ones given with --step-output.

Only the expression subset the action uses is understood: `${{ }}` in `env:`,
`with:`, `working-directory:` and output values, and bare `if:` conditions,
with `inputs.*`, `github.*`, `runner.*`, `env.*` and `steps.<id>.outputs.*` /
`.outcome` / `.conclusion`, string, number and boolean literals, `==`, `!=`,
`!`, `&&`, `||`, parentheses and success() / failure() / always() /
cancelled(). Anything else is an error, so a new construct in action.yml shows
up here instead of being silently misread.

Prints one JSON object: result (success|failure), outputs, steps (id, name,
kind, outcome, outputs), uses (the recorded `uses:` steps), annotations (the
::error::/::warning::/::notice:: lines the steps printed), summary (the
concatenated step summaries) and log (the path of the combined step log).
Exits 0 on success, 1 on failure, 2 when the action or the invocation is wrong.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

PINNED_USES = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)\s*(?:#\s*(\S+))?\s*$")
TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.S)
STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")
CONTEXTS = ("inputs", "github", "runner", "env", "steps")


class ActionError(Exception):
    """The action (or the harness's invocation) is wrong: exit 2."""


# --- expressions ---------------------------------------------------------------------------

TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|&&|\|\||!|\(|\)|,)
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*)
    )""",
    re.X,
)


def tokenize(text):
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ActionError(f"cannot parse expression {text!r} at {text[position:]!r}")
        position = match.end()
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
    return tokens


def to_number(value):
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        if value.strip() == "":
            return 0.0
        try:
            return float(value)
        except ValueError:
            return float("nan")
    return float("nan")


def loose_equal(left, right):
    """GitHub's `==`: strings compare case-insensitively, other mixes as numbers."""
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) and not isinstance(left, (int, float)):
        return left == right
    return to_number(left) == to_number(right)


def truthy(value):
    return value not in (None, False, 0, 0.0, "")


def stringify(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Evaluator:
    def __init__(self, contexts, status):
        self.contexts = contexts
        self.status = status  # "success" or "failure", for the status functions

    def evaluate(self, text):
        self.tokens = tokenize(text)
        self.position = 0
        value = self.parse_or()
        if self.position != len(self.tokens):
            raise ActionError(f"trailing tokens in expression {text!r}")
        return value

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self, expected=None):
        token = self.peek()
        if token[0] is None or (expected is not None and token[1] != expected):
            raise ActionError(f"expected {expected or 'a token'}, found {token[1]!r}")
        self.position += 1
        return token

    def parse_or(self):
        value = self.parse_and()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.parse_and()
            value = value if truthy(value) else right
        return value

    def parse_and(self):
        value = self.parse_unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.parse_unary()
            value = right if truthy(value) else value
        return value

    def parse_unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.parse_unary())
        return self.parse_comparison()

    def parse_comparison(self):
        value = self.parse_primary()
        if self.peek() in (("op", "=="), ("op", "!=")):
            operator = self.take()[1]
            right = self.parse_primary()
            equal = loose_equal(value, right)
            value = equal if operator == "==" else not equal
        return value

    def parse_primary(self):
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if kind == "op" and text == "(":
            value = self.parse_or()
            self.take(")")
            return value
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take("(")
                self.take(")")
                return self.call(text)
            if text in ("true", "false"):
                return text == "true"
            if text == "null":
                return None
            return self.lookup(text)
        raise ActionError(f"unexpected {text!r} in expression")

    def call(self, name):
        if name == "always":
            return True
        if name == "success":
            return self.status == "success"
        if name == "failure":
            return self.status == "failure"
        if name == "cancelled":
            return False
        raise ActionError(f"the harness does not know the function {name}()")

    def lookup(self, path):
        parts = path.split(".")
        if parts[0] not in CONTEXTS:
            raise ActionError(f"the harness does not provide the context {parts[0]!r} ({path})")
        value = self.contexts
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    def interpolate(self, text):
        if not isinstance(text, str):
            return stringify(text)
        return TEMPLATE.sub(lambda match: stringify(self.evaluate(match.group(1))), text)

    def condition(self, text):
        if text is None:
            return self.status == "success"
        if isinstance(text, bool):
            return text and self.status == "success"
        text = str(text).strip()
        whole = TEMPLATE.fullmatch(text)
        if whole:
            text = whole.group(1)
        if not re.search(r"\b(%s)\s*\(" % "|".join(STATUS_FUNCTIONS), text):
            text = f"success() && ({text})"
        return truthy(self.evaluate(text))


# --- lint ------------------------------------------------------------------------------------


def expressions_in(value):
    if isinstance(value, str):
        return [match.group(1) for match in TEMPLATE.finditer(value)]
    if isinstance(value, dict):
        return [e for item in value.values() for e in expressions_in(item)]
    if isinstance(value, list):
        return [e for item in value for e in expressions_in(item)]
    return []


def names_in(expression):
    return [text for kind, text in tokenize(expression) if kind == "name"]


def lint(action, raw_text):
    """The rules this project holds its action to; returns a list of problems."""
    problems = []
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append("runs.using must be `composite`")
    inputs = action.get("inputs") or {}
    steps = runs.get("steps") or []
    ids = [step.get("id") for step in steps if step.get("id")]
    if len(ids) != len(set(ids)):
        problems.append(f"step ids are not unique: {ids}")

    def check_expression(expression, where, known_steps):
        for name in names_in(expression):
            parts = name.split(".")
            if parts[0] == "inputs" and (len(parts) != 2 or parts[1] not in inputs):
                problems.append(f"{where}: `{name}` is not a declared input")
            if parts[0] == "steps" and (len(parts) < 3 or parts[1] not in known_steps):
                problems.append(f"{where}: `{name}` names no earlier step id")

    seen = []
    for index, step in enumerate(steps):
        where = f"step {index + 1} ({step.get('name') or step.get('id') or '?'})"
        if "run" in step:
            if step.get("shell") != "bash":
                problems.append(f"{where}: a run step needs `shell: bash`")
            if "${{" in str(step["run"]):
                problems.append(f"{where}: `${{{{ }}}}` inside run: (pass it through env: instead)")
        elif "uses" in step:
            if not PINNED_USES.match(str(step["uses"])):
                problems.append(f"{where}: `uses: {step['uses']}` is not pinned to a full commit SHA")
        else:
            problems.append(f"{where}: neither run: nor uses:")
        for key in ("env", "with", "working-directory"):
            for expression in expressions_in(step.get(key)):
                check_expression(expression, where, seen)
        condition = step.get("if")
        if isinstance(condition, str):
            whole = TEMPLATE.fullmatch(condition.strip())
            check_expression(whole.group(1) if whole else condition, where, seen)
        if step.get("id"):
            seen.append(step["id"])
    for name, output in (action.get("outputs") or {}).items():
        for expression in expressions_in((output or {}).get("value")):
            check_expression(expression, f"output {name}", seen)
    for name, spec in inputs.items():
        for expression in expressions_in((spec or {}).get("default")):
            for ref in names_in(expression):
                if ref.split(".")[0] != "github":
                    problems.append(f"input {name}: its default may only use the github context, not `{ref}`")
    for number, line in enumerate(raw_text.splitlines(), 1):
        match = USES_LINE.match(line)
        if match and not match.group(2):
            problems.append(f"action.yml:{number}: `uses: {match.group(1)}` lacks a `# vX.Y.Z` comment naming the pinned release")
    return problems


# --- running -----------------------------------------------------------------------------------


def parse_command_file(path):
    """NAME=VALUE and NAME<<DELIMITER ... DELIMITER lines, as GITHUB_OUTPUT and GITHUB_ENV hold."""
    values = {}
    lines = Path(path).read_text().split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            while index < len(lines) and lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            if index >= len(lines):
                raise ActionError(f"{path}: `{name}` has no closing delimiter {delimiter!r}")
            index += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise ActionError(f"{path}: cannot parse line {line!r}")
    return values


def run_step(script, env, cwd, step_dir, log):
    script_path = step_dir / "script.sh"
    script_path.write_text(script)
    process = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_path)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    annotations = []
    for raw in process.stdout:
        line = raw.decode("utf-8", "replace")
        sys.stderr.write(line)
        log.write(line)
        match = re.match(r"^::(error|warning|notice)[^:]*::(.*)$", line.rstrip("\n"))
        if match:
            annotations.append({"level": match.group(1), "message": match.group(2)})
    return process.wait(), annotations


def key_value(text, option):
    if "=" not in text:
        raise ActionError(f"{option} takes NAME=VALUE, not {text!r}")
    return text.split("=", 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action_dir", type=Path)
    parser.add_argument("-i", "--input", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="job-level environment (also overrides the GITHUB_*/RUNNER_* defaults)")
    parser.add_argument("--step-output", action="append", default=[], metavar="ID.NAME=VALUE",
                        help="an output of a skipped `uses:` step")
    parser.add_argument("--path-prepend", action="append", default=[], metavar="DIR")
    parser.add_argument("--github-token", default="")
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--runner-temp", type=Path)
    parser.add_argument("--state", type=Path, help="folder for the step files and the log (default: a new temp folder)")
    parser.add_argument("--lint-only", action="store_true")
    args = parser.parse_args()

    action_file = args.action_dir / "action.yml"
    raw_text = action_file.read_text()
    action = yaml.safe_load(raw_text)
    problems = lint(action, raw_text)
    if problems:
        raise ActionError("action.yml breaks the rules:\n  " + "\n  ".join(problems))
    if args.lint_only:
        print(json.dumps({"lint": "ok"}))
        return 0

    state = args.state or Path(tempfile.mkdtemp(prefix="run-action-"))
    state.mkdir(parents=True, exist_ok=True)
    state = state.resolve()
    workspace = (args.workspace or state / "workspace").resolve()
    runner_temp = (args.runner_temp or state / "runner-temp").resolve()
    tool_cache = state / "tool-cache"
    for folder in (workspace, runner_temp, tool_cache):
        folder.mkdir(parents=True, exist_ok=True)

    # The runner's environment: the caller's, less anything a real runner sets
    # itself or that would steer portcullis from outside the action.
    base_env = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_", "PORTCULLIS_"))
    }
    base_env.update({
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_SHA": "6b3f1a9c0d2e4f5a6b7c8d9e0f1a2b3c4d5e6f70",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_REF_NAME": "main",
        "GITHUB_REPOSITORY": "portcullis-scanner/example",
        "GITHUB_REPOSITORY_OWNER": "portcullis-scanner",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_JOB": "scan",
        "GITHUB_WORKFLOW": "test",
        "GITHUB_ACTOR": "octocat",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "run-action",
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_TOOL_CACHE": str(tool_cache),
    })
    for item in args.env:
        name, value = key_value(item, "--env")
        base_env[name] = value
    job_env = {}  # what GITHUB_ENV adds, on top of base_env
    path_entries = [str(Path(entry).resolve()) for entry in args.path_prepend]

    declared = action.get("inputs") or {}
    given = dict(key_value(item, "--input") for item in args.input)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ActionError(f"inputs the action does not declare: {unknown}")

    github = {
        "token": args.github_token,
        "action_path": str(args.action_dir.resolve()),
        "workspace": base_env["GITHUB_WORKSPACE"],
        "sha": base_env["GITHUB_SHA"],
        "ref": base_env["GITHUB_REF"],
        "ref_name": base_env["GITHUB_REF_NAME"],
        "repository": base_env["GITHUB_REPOSITORY"],
        "repository_owner": base_env["GITHUB_REPOSITORY_OWNER"],
        "event_name": base_env["GITHUB_EVENT_NAME"],
        "server_url": base_env["GITHUB_SERVER_URL"],
        "api_url": base_env["GITHUB_API_URL"],
        "run_id": base_env["GITHUB_RUN_ID"],
        "job": base_env["GITHUB_JOB"],
        "actor": base_env["GITHUB_ACTOR"],
    }
    runner = {
        "os": base_env["RUNNER_OS"], "arch": base_env["RUNNER_ARCH"], "name": base_env["RUNNER_NAME"],
        "temp": base_env["RUNNER_TEMP"], "tool_cache": base_env["RUNNER_TOOL_CACHE"],
    }
    contexts = {"github": github, "runner": runner, "env": {}, "steps": {}, "inputs": {}}
    evaluator = Evaluator(contexts, "success")
    for name, spec in declared.items():
        spec = spec or {}
        if name in given:
            contexts["inputs"][name] = given[name]
        else:
            contexts["inputs"][name] = evaluator.interpolate(spec.get("default", ""))

    fake_outputs = {}
    for item in args.step_output:
        target, value = key_value(item, "--step-output")
        step_id, _, name = target.partition(".")
        fake_outputs.setdefault(step_id, {})[name] = value

    log_path = state / "steps.log"
    summary_path = state / "step-summary.md"
    summary_path.write_text("")
    results, uses, annotations = [], [], []
    failed = False
    with log_path.open("w") as log:
        for index, step in enumerate(action["runs"]["steps"]):
            step_id = step.get("id") or f"__step{index}"
            name = step.get("name") or step_id
            evaluator.status = "failure" if failed else "success"
            contexts["env"] = {**base_env, **job_env}
            record = {"id": step.get("id"), "name": name, "kind": "run" if "run" in step else "uses", "outputs": {}}
            if not evaluator.condition(step.get("if")):
                record["outcome"] = "skipped"
                contexts["steps"][step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                results.append(record)
                print(f"[run-action] skip: {name}", file=sys.stderr)
                continue
            print(f"[run-action] step: {name}", file=sys.stderr)
            if "uses" in step:
                with_values = {key: evaluator.interpolate(value) for key, value in (step.get("with") or {}).items()}
                uses.append({"id": step.get("id"), "uses": step["uses"], "with": with_values})
                record["outputs"] = dict(fake_outputs.get(step_id, {}))
                record["outcome"] = "success"
            else:
                step_dir = state / f"step-{index:02d}"
                step_dir.mkdir(exist_ok=True)
                files = {}
                for variable, file_name in (("GITHUB_OUTPUT", "output"), ("GITHUB_ENV", "env"),
                                            ("GITHUB_PATH", "path"), ("GITHUB_STEP_SUMMARY", "summary"),
                                            ("GITHUB_STATE", "state")):
                    files[variable] = step_dir / file_name
                    files[variable].write_text("")
                env = {**base_env, **job_env}
                env["PATH"] = os.pathsep.join(path_entries + [base_env.get("PATH", "")])
                env.update({variable: str(path) for variable, path in files.items()})
                env["GITHUB_ACTION_PATH"] = str(args.action_dir.resolve())
                env["GITHUB_STEP"] = step_id
                for key, value in (step.get("env") or {}).items():
                    env[key] = evaluator.interpolate(value)
                cwd = workspace / evaluator.interpolate(step.get("working-directory", "."))
                code, step_annotations = run_step(step["run"], env, cwd, step_dir, log)
                annotations.extend(step_annotations)
                record["outputs"] = parse_command_file(files["GITHUB_OUTPUT"])
                job_env.update(parse_command_file(files["GITHUB_ENV"]))
                added = [line for line in files["GITHUB_PATH"].read_text().splitlines() if line.strip()]
                path_entries = list(reversed(added)) + path_entries
                with summary_path.open("a") as summary:
                    summary.write(files["GITHUB_STEP_SUMMARY"].read_text())
                record["outcome"] = "success" if code == 0 else "failure"
                record["exit_code"] = code
                if code != 0:
                    failed = True
                    print(f"[run-action] step failed with exit code {code}: {name}", file=sys.stderr)
            contexts["steps"][step_id] = {
                "outputs": record["outputs"], "outcome": record["outcome"], "conclusion": record["outcome"],
            }
            results.append(record)

    evaluator.status = "failure" if failed else "success"
    outputs = {
        name: evaluator.interpolate((spec or {}).get("value", ""))
        for name, spec in (action.get("outputs") or {}).items()
    }
    print(json.dumps({
        "result": "failure" if failed else "success",
        "outputs": outputs,
        "steps": results,
        "uses": uses,
        "annotations": annotations,
        "summary": summary_path.read_text(),
        "log": str(log_path),
        "runner_temp": str(runner_temp),
        "workspace": str(workspace),
    }, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ActionError as error:
        print(f"run_action: {error}", file=sys.stderr)
        sys.exit(2)
