#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
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


def check_options_anywhere(env, post_id):
    """Options may come before, between or after the operands, as GNU tools
    take them; "--" ends the options; an unknown option is a usage error."""
    first = run(env, "show", "--html", post_id)
    last = run(env, "show", post_id, "--html")
    check("show POST --html is accepted", last.returncode == 0, last.stderr)
    check("show POST --html prints what show --html POST prints",
          first.returncode == 0 and "<article" in last.stdout and last.stdout == first.stdout,
          last.stdout[:200] + last.stderr)
    plain = run(env, "show", post_id)
    ended = run(env, "show", "--", post_id)
    check("show -- POST is show POST", ended.returncode == 0 and ended.stdout == plain.stdout, ended.stderr)
    operand = run(env, "show", "--", post_id, "--html")
    check("after --, --html is an operand, so two operands are a usage error",
          operand.returncode == 2 and "Usage: tales-cli show" in operand.stderr, operand.stderr)
    unknown = run(env, "show", post_id, "--bogus")
    check("an unknown option after the operand is a usage error",
          unknown.returncode == 2 and "Usage: tales-cli show [--html] POST" in unknown.stderr,
          unknown.stdout[:200] + unknown.stderr)
    listed_after = run(env, "list", "--json", "--json")
    check("a repeated option is the option once", listed_after.returncode == 0
          and json.loads(listed_after.stdout or "null") == json.loads(run(env, "list", "--json").stdout),
          listed_after.stderr)
    for args, usage in ((("refresh", "extra", "--force"), "refresh [--force]"),
                        (("fetch", "--bogus", "http://127.0.0.1:9/x"), "fetch URL"),
                        (("discover", "http://127.0.0.1:9/", "--json"), "discover URL"),
                        (("unsubscribe", "1", "2"), "unsubscribe FEED"),
                        (("export-opml", "--force"), "export-opml")):
        refused = run(env, *args)
        check("%s is a usage error" % " ".join(args),
              refused.returncode == 2 and ("Usage: tales-cli " + usage) in refused.stderr, refused.stderr)
    fixture = os.path.join(HERE, "data", "jsonfeed-v1.1.json")
    before = run(env, "parse", "--json", fixture)
    after = run(env, "parse", fixture, "--json")
    check("parse FILE --json prints what parse --json FILE prints",
          after.returncode == 0 and after.stdout == before.stdout and '"entries"' in after.stdout,
          after.stderr)


def image_files(home):
    """The files of the image cache, as the store names them (XX/hash)."""
    root = os.path.join(home, "cache", "tales", "images")
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files)


def check_unsubscribe():
    """`unsubscribe FEED` removes a feed and its posts; images another
    feed's posts need (the same bytes under another URL, or the same URL)
    stay on disk and stay recorded as cached."""
    import sqlite3
    same, shared, own = png(30, 20, (1, 2, 3)), png(31, 20, (4, 5, 6)), png(32, 20, (7, 8, 9))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = "http://127.0.0.1:%d" % server.server_address[1]

    def feed(title, images):
        imgs = "".join('<img src="%s%s">' % (base, i) for i in images)
        return ("<?xml version='1.0'?><rss version='2.0'><channel><title>%s</title>"
                "<link>https://example.test/</link><item><title>%s post</title><guid>%s-1</guid>"
                "<description><![CDATA[<p>x</p>%s]]></description></item></channel></rss>"
                % (title, title, title, imgs)).encode("utf-8")
    Handler.routes.update({
        "/u/same-a.png": ("image/png", same), "/u/same-b.png": ("image/png", same),
        "/u/shared.png": ("image/png", shared), "/u/own-a.png": ("image/png", own),
        "/u/a.xml": ("application/rss+xml", feed("Feed A", ["/u/same-a.png", "/u/shared.png", "/u/own-a.png"])),
        "/u/b.xml": ("application/rss+xml", feed("Feed B", ["/u/same-b.png", "/u/shared.png"])),
    })
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_DATA_HOME=home + "/data", XDG_CACHE_HOME=home + "/cache",
                   XDG_CONFIG_HOME=home + "/config", LANG="C.UTF-8")
        for name in ("a", "b"):
            fetched = run(env, "fetch", base + "/u/%s.xml" % name)
            check("unsubscribe: fetch feed %s" % name, fetched.returncode == 0, fetched.stderr)
        server.shutdown()
        server.server_close()
        check("unsubscribe: three image files to start with", len(image_files(home)) == 3, image_files(home))

        gone = run(env, "unsubscribe", base + "/u/a.xml")
        check("unsubscribe by address exits 0", gone.returncode == 0, gone.stderr)
        check("unsubscribe says which feed", "Feed A" in gone.stdout, gone.stdout)
        titles = [p["title"] for p in json.loads(run(env, "list", "--json").stdout or "[]")]
        check("unsubscribe removes the feed's posts", titles == ["Feed B post"], titles)
        check("unsubscribe keeps the images still needed", len(image_files(home)) == 2, image_files(home))
        db = sqlite3.connect(os.path.join(home, "data", "tales", "tales.db"))
        cached = db.execute("SELECT url, path FROM images WHERE state = 1").fetchall()
        feed_b = db.execute("SELECT id FROM feeds WHERE url = ?", (base + "/u/b.xml",)).fetchone()
        db.close()
        check("unsubscribe: the other feed's images stay cached", len(cached) == 2, cached)
        check("unsubscribe: no cached record without its file",
              sorted(p for _, p in cached) == image_files(home), (cached, image_files(home)))

        by_id = run(env, "unsubscribe", str(feed_b[0]) if feed_b else "0")
        check("unsubscribe by number exits 0", by_id.returncode == 0, by_id.stderr)
        check("the last feed takes its images along", image_files(home) == [], image_files(home))

        unknown = run(env, "unsubscribe", base + "/u/a.xml")
        lines = unknown.stderr.strip().splitlines()
        check("unsubscribe from an unknown feed is one sentence",
              unknown.returncode == 1 and len(lines) == 1 and lines[0].startswith("tales-cli: "), unknown.stderr)
        check("unsubscribe without FEED shows the usage", run(env, "unsubscribe").returncode == 2, "")


def check_prune():
    """`prune [--days N]` removes read, unstarred posts older than N days
    (the app's retention-days preference, 90, by default) with the
    pictures only they needed; unread, starred and recent posts stay."""
    import sqlite3
    import time
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = "http://127.0.0.1:%d" % server.server_address[1]
    items = "".join("<item><title>Prune %s</title><guid>prune-%s</guid>"
                    "<description><![CDATA[<p>x</p><img src=\"%s/p/%s.png\">]]></description></item>"
                    % (name, name, base, name) for name in ("old", "unread", "starred", "recent"))
    Handler.routes["/p/feed.xml"] = ("application/rss+xml", (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Prune</title>"
        "<link>https://example.test/</link>%s</channel></rss>" % items).encode("utf-8"))
    for i, name in enumerate(("old", "unread", "starred", "recent")):
        Handler.routes["/p/%s.png" % name] = ("image/png", png(20 + i, 20, (i, 50, 90)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    day = 24 * 3600
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_DATA_HOME=home + "/data", XDG_CACHE_HOME=home + "/cache",
                   XDG_CONFIG_HOME=home + "/config", LANG="C.UTF-8")
        fetched = run(env, "fetch", base + "/p/feed.xml")
        server.shutdown()
        server.server_close()
        check("prune: fetch the feed", fetched.returncode == 0, fetched.stderr)
        check("prune: four pictures to start with", len(image_files(home)) == 4, image_files(home))

        # Age the posts as if seen long ago: all read but "unread", "starred" starred.
        db = sqlite3.connect(os.path.join(home, "data", "tales", "tales.db"))
        now = int(time.time())
        ages = {"old": 200, "unread": 200, "starred": 200, "recent": 95}
        for name, age in ages.items():
            db.execute("UPDATE posts SET first_seen = ?, last_seen = ?, is_read = ?, is_starred = ? "
                       "WHERE title = ?", (now - age * day, now - age * day, int(name != "unread"),
                                          int(name == "starred"), "Prune " + name))
        db.commit()
        db.close()

        def titles():
            return sorted(p["title"] for p in json.loads(run(env, "list", "--json").stdout or "[]"))

        pruned = run(env, "prune", "--days", "100")
        check("prune --days 100 exits 0", pruned.returncode == 0, pruned.stderr)
        check("prune says how many posts and pictures went", ": 1, with 1 pictures" in pruned.stdout,
              pruned.stdout)
        check("prune --days 100 removes only the old read post",
              titles() == ["Prune recent", "Prune starred", "Prune unread"], titles())
        check("prune takes the post's picture along", len(image_files(home)) == 3, image_files(home))

        kept = run(env, "prune", "--days=100")
        check("a second prune finds nothing", kept.returncode == 0 and ": 0, with 0 pictures" in kept.stdout,
              kept.stdout + kept.stderr)

        default = run(env, "prune")
        check("prune defaults to the app's 90 days", default.returncode == 0 and
              titles() == ["Prune starred", "Prune unread"], (default.stdout, default.stderr, titles()))
        check("prune by default also takes the picture", len(image_files(home)) == 2, image_files(home))

        nothing = run(env, "prune", "--days", "0")
        check("prune --days 0 keeps every post", nothing.returncode == 0 and
              titles() == ["Prune starred", "Prune unread"], nothing.stdout + nothing.stderr)

        for bad in ("3651", "ten", "-1"):
            refused = run(env, "prune", "--days", bad)
            lines = refused.stderr.strip().splitlines()
            check("prune --days %s is refused in one sentence" % bad,
                  refused.returncode == 2 and len(lines) == 1 and lines[0].startswith("tales-cli: ")
                  and "3650" in lines[0], refused.stderr)
        check("prune with a stray argument shows the usage",
              run(env, "prune", "--force").returncode == 2, "")
        check("a refused prune loses nothing", titles() == ["Prune starred", "Prune unread"], titles())


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
        check_options_anywhere(env, str(with_images[0]["id"] if with_images else posts[0]["id"]))

    check_unsubscribe()
    check_prune()

    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:10]:
                print("# " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
