#!/usr/bin/env python3
"""A fake GitHub REST API on 127.0.0.1, for the action's publishing tests.

    fake_github.py --port-file FILE --log FILE

Listens on a free loopback port, writes that port to --port-file once it
accepts connections, and answers the few endpoints `portcullis github` uses:

  POST  /repos/O/R/code-scanning/sarifs            202 {"id", "url"}
  GET   /repos/O/R/code-scanning/sarifs/ID         200 {"processing_status": "complete"},
                                                   or "failed" with errors when R
                                                   contains `processing-fails`
  GET   /repos/O/R/issues/N/comments               200 the issue's comments (one
                                                   by someone else is always there)
  POST  /repos/O/R/issues/N/comments               201 the new comment
  PATCH /repos/O/R/issues/comments/ID              200 the updated comment

A request without `Authorization: Bearer …` gets 401, a body that is not JSON
400, any other request 404. Every request is appended to --log as one JSON
line: method, path, query, the headers that matter, the body (parsed JSON, or
the raw text), and the status and JSON the fake answered. Comments live in
memory for the server's lifetime, so a second run against the same server
finds the first run's comment. Stops on SIGTERM.
"""

import argparse
import json
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

REPO = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ROUTES = [
    ("POST", re.compile(REPO + r"/code-scanning/sarifs"), "upload_sarif"),
    ("GET", re.compile(REPO + r"/code-scanning/sarifs/(?P<id>[^/]+)"), "sarif_status"),
    ("GET", re.compile(REPO + r"/issues/(?P<number>[0-9]+)/comments"), "list_comments"),
    ("POST", re.compile(REPO + r"/issues/(?P<number>[0-9]+)/comments"), "create_comment"),
    ("PATCH", re.compile(REPO + r"/issues/comments/(?P<id>[0-9]+)"), "update_comment"),
]
RECORDED_HEADERS = ("Authorization", "Accept", "User-Agent", "Content-Type", "X-GitHub-Api-Version")


class State:
    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.next_id = 1000
        self.sarifs = {}  # id -> repo
        self.comments = {}  # id -> {"id", "issue", "body", "user"}

    def new_id(self):
        self.next_id += 1
        return self.next_id


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-github/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet: the JSON log says it all
        pass

    def handle_one(self, method):
        state = self.server.state
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            body = json.loads(raw) if raw else None
            body_ok = True
        except ValueError:
            body, body_ok = raw, False
        with state.lock:
            status, payload = self.route(state, method, url, body, body_ok)
            with open(state.log_path, "a") as log:
                log.write(json.dumps({
                    "method": method, "path": url.path, "query": url.query,
                    "headers": {name: self.headers.get(name) for name in RECORDED_HEADERS},
                    "body": body, "status": status, "response": payload,
                }) + "\n")
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def route(self, state, method, url, body, body_ok):
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            return 401, {"message": "Requires authentication"}
        if not body_ok:
            return 400, {"message": "Problems parsing JSON"}
        for route_method, pattern, name in ROUTES:
            match = pattern.fullmatch(url.path)
            if match and route_method == method:
                return getattr(self, name)(state, match.groupdict(), body)
        return 404, {"message": "Not Found"}

    # --- endpoints ---

    def upload_sarif(self, state, params, body):
        if not isinstance(body, dict) or not {"commit_sha", "ref", "sarif"} <= set(body):
            return 422, {"message": "Invalid request: commit_sha, ref and sarif are required"}
        sarif_id = f"sarif-{state.new_id()}"
        state.sarifs[sarif_id] = params["repo"]
        base = f"http://{self.headers.get('Host')}"
        return 202, {"id": sarif_id, "url": f"{base}/repos/{params['owner']}/{params['repo']}/code-scanning/sarifs/{sarif_id}"}

    def sarif_status(self, state, params, body):
        if params["id"] not in state.sarifs:
            return 404, {"message": "Not Found"}
        if "processing-fails" in params["repo"]:
            return 200, {"processing_status": "failed", "analyses_url": None,
                         "errors": ["locationFromSarifResult: expected artifact location"]}
        return 200, {"processing_status": "complete", "analyses_url": None, "errors": None}

    def list_comments(self, state, params, body):
        issue = int(params["number"])
        listed = [{"id": 1, "body": "Looks good to me.", "user": {"login": "a-reviewer"}}]
        listed += [comment for comment in state.comments.values() if comment["issue"] == issue]
        return 200, listed

    def create_comment(self, state, params, body):
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            return 422, {"message": "Invalid request: body is required"}
        comment = {"id": state.new_id(), "issue": int(params["number"]), "body": body["body"],
                   "user": {"login": "github-actions[bot]"}}
        state.comments[comment["id"]] = comment
        return 201, comment

    def update_comment(self, state, params, body):
        comment = state.comments.get(int(params["id"]))
        if comment is None:
            return 404, {"message": "Not Found"}
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            return 422, {"message": "Invalid request: body is required"}
        comment["body"] = body["body"]
        return 200, comment

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")

    def do_PATCH(self):
        self.handle_one("PATCH")

    def do_PUT(self):
        self.handle_one("PUT")

    def do_DELETE(self):
        self.handle_one("DELETE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args.log)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    partial = args.port_file + ".partial"
    with open(partial, "w") as file:
        file.write(str(server.server_address[1]))
    os.replace(partial, args.port_file)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
