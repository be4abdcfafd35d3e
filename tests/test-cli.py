#!/usr/bin/env python3
"""tales-cli end to end: fetch from a real HTTP server on 127.0.0.1, then
list, show and show --html from the store with the server gone."""

import http.server
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import zlib

CLI = os.environ["TALES_CLI"]
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "data", "hashnode-feed.xml")
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def png(width, height, rgb):
    """A real PNG in one colour, built with zlib alone."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


class Handler(http.server.BaseHTTPRequestHandler):
    routes = {}
    hits = []

    def do_GET(self):
        self.hits.append(self.path)
        route = self.routes.get(self.path)
        if route is None and self.path.endswith((".png", ".jpg")):
            route = ("image/png", png(40 + len(self.path), 30, (200, len(self.hits) * 40 % 255, 90)))
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
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=60)


def check_json_feed(env, tmp):
    """`parse` reads a JSON Feed as it reads RSS, and refuses other JSON."""
    fixture = os.path.join(HERE, "data", "jsonfeed-v1.1.json")
    plain = run(env, "parse", fixture)
    check("parse reads a JSON Feed", plain.returncode == 0 and plain.stdout.strip() == "Field Notes: 4 posts",
          plain.stdout + plain.stderr)
    shaped = run(env, "parse", "--json", fixture)
    result = json.loads(shaped.stdout or "{}")
    entries = result.get("entries", [])
    check("parse --json names the JSON Feed version", result.get("version") == "json11", shaped.stdout[:300])
    check("parse --json resolves item links",
          len(entries) == 4 and entries[0].get("link") == "https://notes.example.test/notes/3/",
          shaped.stdout[:300])
    other = os.path.join(tmp, "other.json")
    with open(other, "w", encoding="utf-8") as f:
        f.write('{"hello": "world"}')
    refused = run(env, "parse", other)
    check("parse refuses JSON that is no feed",
          refused.returncode == 1 and "not a feed" in refused.stderr, refused.stderr)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = "http://127.0.0.1:%d" % server.server_address[1]
    # Every address in the fixture now points here; any .png/.jpg path is an image.
    feed = (open(FIXTURE, encoding="utf-8").read()
            .replace("https://images.example.test", base)
            .replace("https://lighthouse.example.test", base))
    Handler.routes["/feed.xml"] = ("application/rss+xml", feed.encode("utf-8"))
    Handler.routes["/page.html"] = ("text/html", b"<html><body><p>Not a feed</p></body></html>")
    threading.Thread(target=server.serve_forever, daemon=True).start()

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_DATA_HOME=home + "/data", XDG_CACHE_HOME=home + "/cache",
                   XDG_CONFIG_HOME=home + "/config", LANG="C.UTF-8")

        fetched = run(env, "fetch", base + "/feed.xml")
        check("fetch exits 0", fetched.returncode == 0, fetched.stderr)
        check("fetch reports new posts", re.search(r"\b[1-9]\d* new\b", fetched.stdout), fetched.stdout)
        check("fetch reports no failed image", "0 failed" in fetched.stdout, fetched.stdout)

        again = run(env, "fetch", base + "/feed.xml")
        check("second fetch adds nothing", " 0 new" in again.stdout or "not modified" in again.stdout, again.stdout)

        bad = run(env, "fetch", base + "/page.html")
        check("HTML page is refused", bad.returncode != 0, bad.stdout)
        lines = bad.stderr.strip().splitlines()
        check("error is one sentence", len(lines) == 1 and lines[0].startswith("tales-cli: "), bad.stderr)

        missing = run(env, "fetch", base + "/gone.xml")
        check("404 is refused", missing.returncode != 0 and missing.stderr.strip(), missing.stderr)

        server.shutdown()
        server.server_close()

        listed = run(env, "list", "--json")
        check("list exits 0 offline", listed.returncode == 0, listed.stderr)
        posts = json.loads(listed.stdout or "[]")
        items = feed.count("<item>")
        check("list shows every post", len(posts) == items, "%d vs %d" % (len(posts), items))
        check("posts carry categories", all(p["categories"] for p in posts), listed.stdout[:400])

        with_images = [p for p in posts if "<img" in run(env, "show", "--html", str(p["id"])).stdout]
        check("a post has images", with_images, "")
        for post in with_images[:2]:
            html = run(env, "show", "--html", str(post["id"])).stdout
            check("article has a CSP", "Content-Security-Policy" in html, "")
            body = html.split("<article", 1)[-1]
            check("article loads nothing remote",
                  not re.search(r'<(img|link|script|iframe)[^>]*(src|href)="https?:', body), body[:300])
            check("article images use the cache scheme",
                  all(src.startswith("tales-image:") for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)), "")

        shown = run(env, "show", str(posts[0]["id"]))
        check("show prints the title", posts[0]["title"] in shown.stdout, shown.stdout[:200])

        nope = run(env, "show", "999999")
        check("unknown post is an error", nope.returncode != 0 and nope.stderr.strip(), nope.stderr)

        check_json_feed(env, home)

    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:10]:
                print("# " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
