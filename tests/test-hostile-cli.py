#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The terminal shows text, never commands: a feed, a discovery page and an
HTTP reason phrase on 127.0.0.1 carry terminal controls (OSC 0, CSI 2J,
OSC 8, OSC 52, C1 CSI, U+202E) in every field; `fetch`, `refresh`, `list`,
`show`, `parse`, `discover` and the error messages print none of them,
while `--json` still decodes to exactly what the store holds."""

import http.server
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading

CLI = os.environ["TALES_CLI"]
results = []

OSC0 = "\x1b]0;owned\x07"
CSI_CLEAR = "\x1b[2J"
OSC8 = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
C1_CSI = "\u009b31m"
RLO = "\u202e"
HOSTILE = OSC0 + CSI_CLEAR + OSC8 + OSC52 + C1_CSI + RLO


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def unsafe(text):
    """The terminal controls left in @text, if any."""
    return [c for c in text if ord(c) < 0x20 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f
            or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]


def feed(base):
    """A JSON Feed: JSON strings can carry every control XML forbids."""
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Feed " + HOSTILE,
        "home_page_url": base + "/",
        "items": [{
            "id": "1",
            "title": "Post " + HOSTILE + "\nAuthor: forged",
            "url": base + "/post/" + RLO + "1",
            "authors": [{"name": "Author " + HOSTILE}],
            "tags": ["tag " + HOSTILE, "plain"],
            "content_html": "<p>Body</p><p>" + HOSTILE + "</p><p>end</p>",
        }],
    })


def page(base):
    # Raw: libxml2 drops such characters written as references.
    links = "".join('<link rel="alternate" type="application/rss+xml" title="Feed %d %s" '
                    'href="/f%d.xml">\n' % (i, HOSTILE.replace('"', ""), i) for i in range(3))
    return "<html><head>%s<title>t</title></head><body></body></html>" % links


class Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        if self.path == "/reason":
            # The reason phrase is the server's own words, ESC included.
            self.send_response(500, "Oops " + OSC0 + CSI_CLEAR)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        kind, body = route
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run(env, *args):
    return subprocess.run([CLI, *args], env=env, capture_output=True, timeout=60,
                          encoding="utf-8", errors="surrogateescape")


def check_clean(name, result):
    left = unsafe(result.stdout) + unsafe(result.stderr)
    check(name + ": no terminal control in the output", not left and (result.stdout or result.stderr),
          repr(result.stdout[:300]) + repr(result.stderr[:300]))


def stored(home, column, table="posts"):
    db = os.path.join(home, "data", "tales", "tales.db")
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT %s FROM %s" % (column, table)).fetchone()[0]


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = "http://127.0.0.1:%d" % server.server_address[1]
    Handler.routes["/feed.json"] = ("application/feed+json", feed(base).encode("utf-8"))
    Handler.routes["/page.html"] = ("text/html", page(base).encode("utf-8"))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_DATA_HOME=home + "/data", XDG_CACHE_HOME=home + "/cache",
                   XDG_CONFIG_HOME=home + "/config", LANG="C.UTF-8")
        path = os.path.join(home, "feed.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(feed(base))

        fetched = run(env, "fetch", base + "/feed.json")
        check("fetch exits 0", fetched.returncode == 0, fetched.stderr)
        check_clean("fetch", fetched)
        check("fetch shows the control escaped", "\\x1b]0;owned\\x07" in fetched.stdout, fetched.stdout)

        refreshed = run(env, "refresh", "--force")
        check_clean("refresh", refreshed)

        listed = run(env, "list")
        check_clean("list", listed)
        check("list shows C1 and U+202E visibly", "\\u009b31m" in listed.stdout and "\\u202e" in listed.stdout,
              listed.stdout)

        as_json = run(env, "list", "--json")
        check_clean("list --json", as_json)
        posts = json.loads(as_json.stdout or "[]")
        check("list --json has the post", len(posts) == 1, as_json.stdout[:300])
        if posts:
            post = posts[0]
            title = stored(home, "title")
            check("the store kept the controls (the test means something)",
                  "\u009b" in title and RLO in title, repr(title))
            check("list --json title decodes to exactly the stored title", post["title"] == title,
                  repr(post["title"]) + " vs " + repr(title))
            check("list --json author decodes exactly", post["author"] == stored(home, "author"),
                  repr(post["author"]))
            check("list --json link decodes exactly", post["link"] == stored(home, "link"), repr(post["link"]))
            check("list --json categories keep the controls", post["categories"][0].endswith(HOSTILE),
                  repr(post["categories"]))

            shown = run(env, "show", str(post["id"]))
            check_clean("show", shown)
            check("show prints the body, its C1 control escaped", "\\u009b31m\\u202e end" in shown.stdout,
                  shown.stdout)
            document = run(env, "show", "--html", str(post["id"]))
            check_clean("show --html", document)
            check("show --html keeps the body's characters as references",
                  "&#x9b;31m&#x202e;</p>" in document.stdout, document.stdout[-600:])
            check("show keeps a title's line break on its line",
                  "\nAuthor: forged" not in shown.stdout and "\\x0aAuthor: forged" in shown.stdout, shown.stdout)

        parsed = run(env, "parse", path)
        check_clean("parse", parsed)
        check("parse names the feed", parsed.stdout.startswith("Feed "), parsed.stdout)
        parsed_json = run(env, "parse", "--json", path)
        check_clean("parse --json", parsed_json)
        shaped = json.loads(parsed_json.stdout or "{}")
        check("parse --json title decodes exactly", shaped.get("feed", {}).get("title") == "Feed " + HOSTILE,
              repr(shaped.get("feed", {}).get("title")))

        found = run(env, "discover", base + "/page.html")
        check("discover finds the three links", found.returncode == 0 and len(found.stdout.splitlines()) == 3,
              found.stdout + found.stderr)
        check_clean("discover", found)

        reason = run(env, "fetch", base + "/reason")
        check("a 500 is refused", reason.returncode != 0, reason.stderr)
        check_clean("error with a hostile reason phrase", reason)

        opml = os.path.join(home, "list.opml")
        with open(opml, "w", encoding="utf-8") as f:
            f.write('<opml version="2.0"><body><outline text="a" xmlUrl="%s/feed.json"/>'
                    '<outline text="b" xmlUrl="file:///etc/passwd"/>'
                    '<outline text="c" xmlUrl="javascript:alert(1)"/></body></opml>' % base)
        imported = run(env, "import-opml", opml)
        check("import-opml skips and counts what is no web address",
              imported.returncode == 0 and "Skipped 2 feeds" in imported.stdout, imported.stdout + imported.stderr)

        server.shutdown()
        server.server_close()

    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:10]:
                print("# " + "".join(c if c.isprintable() else repr(c) for c in line))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
