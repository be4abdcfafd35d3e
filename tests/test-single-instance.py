#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two Tales processes at once: the second hands its work to the first
(GApplication uniqueness over D-Bus) and exits; only the first process
writes the library.

Runs the real app under the display the suite has (Xvfb), on a private
session bus of its own, with a feed served from 127.0.0.1."""

import http.server
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

APP = sys.argv[1]  # the tales executable
APP_ID = "io.github.talesreader.Tales"
OBJECT_PATH = "/" + APP_ID.replace(".", "/")
WAIT_S = 30
results = []

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Handed over</title><link>http://127.0.0.1/</link>
<item><title>First of two</title><guid>one</guid><description>&lt;p&gt;One.&lt;/p&gt;</description></item>
<item><title>Second of two</title><guid>two</guid><description>&lt;p&gt;Two.&lt;/p&gt;</description></item>
</channel></rss>"""


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/feed.xml":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args):
        pass


def wait_for(condition, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def start_bus():
    """A session bus of our own: (process, address)."""
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True)
    address = bus.stdout.readline().strip()
    if not address:
        sys.exit("Bail out! dbus-daemon gave no address")
    return bus, address


def app_env(root, address):
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, GSETTINGS_BACKEND="keyfile")
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        env[var] = os.path.join(root, var.lower())
        os.makedirs(env[var])
    # Settings shared by both processes; the built-in blog stays out (offline).
    settings = os.path.join(env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
    os.makedirs(settings)
    with open(os.path.join(settings, "keyfile"), "w") as f:
        f.write("[io/github/talesreader/Tales]\ndefault-feed-subscribed=true\n")
    return env


def name_has_owner(env):
    out = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                          "--object-path", "/org/freedesktop/DBus",
                          "--method", "org.freedesktop.DBus.NameHasOwner", APP_ID],
                         env=env, capture_output=True, text=True)
    return out.returncode == 0 and "true" in out.stdout


def library_counts(root, url):
    """(feeds with @url, posts) in the library, or None while unreadable."""
    path = os.path.join(root, "xdg_data_home", "tales", "tales.db")
    if not os.path.exists(path):
        return None
    try:
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
        try:
            feeds = con.execute("SELECT count(*) FROM feeds WHERE url = ?", (url,)).fetchone()[0]
            posts = con.execute("SELECT count(*) FROM posts p JOIN feeds f ON f.id = p.feed_id "
                                "WHERE f.url = ?", (url,)).fetchone()[0]
            return feeds, posts
        finally:
            con.close()
    except sqlite3.Error:
        return None


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/feed.xml" % server.server_address[1]
    bus, address = start_bus()
    first = None
    with tempfile.TemporaryDirectory(prefix="tales-single-instance-") as root:
        env = app_env(root, address)
        try:
            first = subprocess.Popen([APP], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            check("the first process takes the application's name on the bus",
                  wait_for(lambda: name_has_owner(env)))

            start = time.monotonic()
            second = subprocess.run([APP, "--subscribe", url], env=env, capture_output=True,
                                    timeout=WAIT_S)
            took = time.monotonic() - start
            check("the second process hands over and exits at once", second.returncode == 0 and took < 10,
                  "exit %d after %.1f s: %s" % (second.returncode, took, second.stderr[-300:]))
            check("the first process is still running", first.poll() is None)
            check("the first process subscribes and fetches the posts",
                  wait_for(lambda: library_counts(root, url) == (1, 2)),
                  "library: %s" % (library_counts(root, url),))

            third = subprocess.run([APP, "--subscribe", url], env=env, capture_output=True, timeout=WAIT_S)
            time.sleep(1.5)  # what a second subscription would have added by now
            check("asked again, the feed is not added twice",
                  third.returncode == 0 and library_counts(root, url) == (1, 2),
                  "library: %s" % (library_counts(root, url),))

            subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", OBJECT_PATH,
                            "--method", "org.gtk.Actions.Activate", "quit", "[]", "{}"],
                           env=env, capture_output=True, timeout=WAIT_S)
            try:
                rc = first.wait(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                rc = None
            check("app.quit over the bus ends the first process", rc == 0, "exit %s" % rc)

            con = sqlite3.connect(os.path.join(root, "xdg_data_home", "tales", "tales.db"))
            check("the library is intact", con.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
            con.close()
        finally:
            if first is not None and first.poll() is None:
                first.send_signal(signal.SIGKILL)
                first.wait()
            bus.terminate()
            bus.wait()
            server.shutdown()

    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            print("# " + detail.replace("\n", "\n# "))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
