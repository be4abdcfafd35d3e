#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/probe/tales-probe, the real app with a probe on its window, does
what build-aux/bench-library and build-aux/screenshot need (TAP): the bench
prints its figures and quits, the screenshot writes a PNG of the window
and quits. Runs under the display the suite has (Xvfb), on an empty
library, with a feed served from 127.0.0.1; never the internet.

Usage: test-probe.py TALES_PROBE"""

import http.server
import os
import struct
import subprocess
import sys
import tempfile
import threading

PROBE = sys.argv[1]
# Generous: the machine is shared, and the web process starts cold.
RUN_TIMEOUT_S = 150
results = []

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Probed</title><link>http://127.0.0.1/</link><ttl>60</ttl>
<item><title>Kubernetes at night</title><guid>one</guid><description>&lt;p&gt;kubernetes&lt;/p&gt;</description></item>
<item><title>A quiet post</title><guid>two</guid><description>&lt;p&gt;Two.&lt;/p&gt;</description></item>
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


def start_bus():
    """A session bus of our own: (process, address)."""
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True)
    address = bus.stdout.readline().strip()
    if not address:
        sys.exit("Bail out! dbus-daemon gave no address")
    return bus, address


BUS_ADDRESS = None


def library_env(root):
    """An empty library of its own; the default blog left out (no internet)."""
    env = dict(os.environ)
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        env[var] = os.path.join(root, var.lower())
        os.makedirs(env[var])
    settings = os.path.join(env["XDG_CONFIG_HOME"], "glib-2.0", "settings")
    os.makedirs(settings)
    with open(os.path.join(settings, "keyfile"), "w") as f:
        f.write("[io/github/talesreader/Tales]\ndefault-feed-subscribed=true\n"
                "window-width=1024\nwindow-height=700\n")
    # A bus of our own: the probe is the primary instance, never handing
    # over to a Tales that happens to run.
    env.update(GSETTINGS_BACKEND="keyfile", DBUS_SESSION_BUS_ADDRESS=BUS_ADDRESS,
               TALES_BENCH_SEARCH="kubernetes,nothingmatches", TALES_BENCH_CATEGORY="")
    return env


def run(args, env):
    try:
        proc = subprocess.run([PROBE] + args, env=env, capture_output=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("utf-8", "replace"), "timed out"
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def values_of(out):
    values = {}
    for line in out.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            values.setdefault(name.strip(), value.strip())
    return values


def is_number(text):
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def test_usage():
    code, _, err = run([], dict(os.environ))
    check("without a probe named, it says how to call it and exits 2",
          code == 2 and "usage" in err, "exit %s: %s" % (code, err[-300:]))


def test_bench(base):
    with tempfile.TemporaryDirectory() as root:
        code, out, err = run(["bench", base + "/feed.xml"], library_env(root))
        values = values_of(out)
        detail = "exit %s\nstdout: %s\nstderr: %s" % (code, out[-1500:], err[-1500:])
        check("the bench runs to its end and quits the app", code == 0 and values.get("bench-done") == "1"
              and "bench-error" not in values, detail)
        check("the bench times the first rows and reads the memory",
              is_number(values.get("first-rows-ms")) and float(values["first-rows-ms"]) > 0
              and is_number(values.get("rss-kb")) and int(values["rss-kb"]) > 0, detail)
        check("the bench finds the list and its rows through public getters",
              is_number(values.get("n-items")) and int(values["n-items"]) >= 1
              and is_number(values.get("rows-on-screen")) and int(values["rows-on-screen"]) >= 1
              and is_number(values.get("row-widgets")) and int(values["row-widgets"]) >= 1, detail)
        check("the bench searches through the window's search field",
              is_number(values.get("search-kubernetes-ms"))
              and values.get("search-nothingmatches-n-items") == "0"
              and is_number(values.get("search-clear-ms")), detail)
        check("the bench scrolls the list to its end and sees the last row painted",
              is_number(values.get("jump-ms")), detail)


def test_screenshot(base):
    with tempfile.TemporaryDirectory() as root:
        shot = os.path.join(root, "window.png")
        code, out, err = run(["screenshot", shot, "--subscribe", base + "/feed.xml"], library_env(root))
        size = png_size(shot) if os.path.exists(shot) else None
        check("the screenshot probe saves the window as PNG once a post is shown, and quits",
              code == 0 and "Saved " + shot in out and size is not None
              and size[0] >= 360 and size[1] >= 200,
              "exit %s, size %s\nstdout: %s\nstderr: %s" % (code, size, out[-500:], err[-1500:]))


def main():
    global BUS_ADDRESS
    bus, BUS_ADDRESS = start_bus()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        test_usage()
        test_bench(base)
        test_screenshot(base)
    finally:
        server.shutdown()
        bus.terminate()
        bus.wait()

    print("1..%d" % len(results))
    for number, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
        if not ok:
            for line in detail.splitlines():
                print("# " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
