#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""feedparser's conformance corpus against tales-cli, as a TAP test.

Runs $TALES_SHARED_DIR/tools/feedparser_expect.py over
$TALES_SHARED_DIR/corpus/feedparser with `$TALES_CLI parse --json`, then
checks the pass rate of each group of folders against the targets below
(skipped files do not count), and checks that no feed of wellformed/sanitize
comes out of tales-cli carrying active content. Prints the figures as TAP
comments. Without TALES_SHARED_DIR it says so and runs nothing.
"""

import concurrent.futures
import html.parser
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Pass-rate targets (percent of the files that ran).
THRESHOLDS = [
    ("wellformed (excluding sanitize)", 90.0,
     lambda f: f.startswith("wellformed/") and not f.startswith("wellformed/sanitize/")),
    ("entities", 85.0, lambda f: f.startswith("entities/")),
    ("encoding", 85.0, lambda f: f.startswith("encoding/")),
    ("illformed", 85.0, lambda f: f.startswith("illformed/")),
]
SANITIZE = "wellformed/sanitize/"
JOBS = 2

# Attributes whose value is a URL something would load or follow.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster",
                  "lowsrc", "dynsrc", "data", "codebase", "xlink:href", "srcset", "cite"}
ACTIVE_SCHEMES = ("javascript:", "vbscript:")
CONTROL = re.compile(r"[\x00-\x20]+")
RAW_SCRIPT = re.compile(r"<\s*script", re.I)
RAW_HANDLER = re.compile(r"<[a-z][^>]*?[\s\"'/]on[a-z]+\s*=", re.I)
RAW_JS_URL = re.compile(r"(href|src)\s*=\s*[\"']?\s*(javascript|vbscript)\s*:", re.I)
STYLE_LOADS = re.compile(r"url\s*\(|expression\s*\(", re.I)


class ActiveContent(html.parser.HTMLParser):
    """Finds what a browser would run or load in an HTML string, after the
    entity decoding a browser does (so &#106;avascript: is caught too)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.problems.append("<script> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append("event handler %s=" % name)
            elif name in URL_ATTRIBUTES and CONTROL.sub("", value).lower().startswith(ACTIVE_SCHEMES):
                self.problems.append("%s=%r" % (name, value[:60]))
            elif name == "style" and STYLE_LOADS.search(CONTROL.sub("", value).replace("\\", "")):
                self.problems.append("style=%r" % value[:60])

    handle_startendtag = handle_starttag


def problems_in(text):
    found = []
    if RAW_SCRIPT.search(text):
        found.append("<script")
    if RAW_HANDLER.search(text):
        found.append("on...= inside a tag")
    if RAW_JS_URL.search(text):
        found.append("javascript: in href/src")
    checker = ActiveContent()
    try:
        checker.feed(text)
        checker.close()
    except Exception as e:  # a string html.parser cannot read is not proof of safety
        found.append("unreadable HTML (%s)" % e)
    return found + checker.problems


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def check_sanitized(cli, path):
    """Returns (status, problems): status is 'ok', 'unsafe' or 'no-output'."""
    try:
        out = subprocess.run([cli, "parse", "--json", path], capture_output=True, timeout=20)
        doc = json.loads(out.stdout.decode("utf-8"))
    except (subprocess.TimeoutExpired, ValueError, UnicodeDecodeError):
        return "no-output", []
    found = [p for s in strings(doc) for p in problems_in(s)]
    return ("unsafe" if found else "ok"), found


def rate(results, select):
    ran = [r for r in results if select(r["file"]) and r["status"] != "skip"]
    passed = sum(1 for r in ran if r["status"] == "pass")
    return passed, len(ran), (100.0 * passed / len(ran) if ran else 0.0)


def main():
    shared = os.environ.get("TALES_SHARED_DIR")
    cli = os.environ.get("TALES_CLI")
    corpus = shared and os.path.join(shared, "corpus", "feedparser")
    tool = shared and os.path.join(shared, "tools", "feedparser_expect.py")
    if not shared or not os.path.isdir(corpus) or not os.path.isfile(tool):
        print("1..0 # SKIP TALES_SHARED_DIR is not set (or has no feedparser corpus)")
        return 0
    if not cli:
        print("1..0 # SKIP TALES_CLI is not set")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        run = subprocess.run(
            [sys.executable, tool, corpus, "--cmd", shlex.join([cli, "parse", "--json"]),
             "--http=headers", "-j", str(JOBS), "--json-report", report],
            capture_output=True, text=True, timeout=540)
        if not os.path.exists(report):
            print("1..1")
            print("not ok 1 - feedparser_expect.py ran (exit %d)" % run.returncode)
            for line in (run.stdout + run.stderr).splitlines()[-20:]:
                print("# " + line)
            return 1
        with open(report, encoding="utf-8") as f:
            results = json.load(f)

    sanitize_files = sorted(os.path.join(corpus, r["file"]) for r in results
                            if r["file"].startswith(SANITIZE))
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        checked = list(pool.map(lambda p: (p, check_sanitized(cli, p)), sanitize_files))

    # The harness's own folder table, as comments, minus its closing count.
    for line in run.stdout.splitlines():
        if not re.match(r"^\d+ passed, \d+ failed", line):
            print("# " + line)

    checks = []
    for name, target, select in THRESHOLDS:
        passed, ran, pct = rate(results, select)
        checks.append((ran > 0 and pct >= target,
                       "%s: %.1f%% (%d/%d), target >= %.0f%%" % (name, pct, passed, ran, target)))

    unsafe = [(p, found) for p, (status, found) in checked if status == "unsafe"]
    silent = sum(1 for _, (status, _) in checked if status == "no-output")
    checks.append((checked and not unsafe,
                   "sanitize: no active content in the JSON of %d feeds (%d unsafe, %d without output)"
                   % (len(checked), len(unsafe), silent)))

    print("1..%d" % len(checks))
    for i, (ok, text) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, text))
    for path, found in unsafe[:40]:
        print("# unsafe: %s: %s" % (os.path.relpath(path, corpus), "; ".join(sorted(set(found)))))
    passed, ran, pct = rate(results, lambda f: f.startswith(SANITIZE))
    print("# sanitize Expect pass rate (not a gate): %.1f%% (%d/%d)" % (pct, passed, ran))
    passed, ran, pct = rate(results, lambda f: True)
    print("# whole corpus: %.1f%% (%d/%d)" % (pct, passed, ran))
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
