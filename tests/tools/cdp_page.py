#!/usr/bin/env python3
"""Opens a page in headless Chromium and measures it from outside the page,
over the DevTools protocol on --remote-debugging-pipe (no JavaScript in the
page; the expressions below run in DevTools' own context). One browser for
all: for each NAME=URL and each WIDTH, the viewport set to WIDTH x 900, the
page loaded, then one JSON line on stdout: {"name", "width", "scroll_width"
(documentElement), "body_scroll_width",
"inner_width", "scripts" (script elements in the DOM), "text" (the body's
innerText), "errors" (console messages, exceptions, CSP and other log
entries of level warning or error)}; a full-page screenshot is saved as
OUTDIR/NAME-WIDTH.png. With --clip H the screenshot is the top H pixels only.
Exit 0, or 1 (no browser, a timeout: said on stderr). Bounded: 60 s.

usage: cdp_page.py CHROMIUM OUTDIR [--clip H] NAME=URL... -- WIDTH...
"""
import base64
import json
import os
import select
import subprocess
import sys
import tempfile
import time

DEADLINE = time.monotonic() + 60


class Browser:
    def __init__(self, exe, profile):
        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()
        # high numbers first, so that the dup2 to 3 and 4 below cannot
        # clobber each other in the child
        self.cmd_r, self.res_w = os.dup(cmd_r) + 100, os.dup(res_w) + 100
        os.dup2(cmd_r, self.cmd_r)
        os.dup2(res_w, self.res_w)

        def child():
            os.dup2(self.cmd_r, 3)
            os.dup2(self.res_w, 4)

        args = [exe, "--headless", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                "--user-data-dir=" + profile]
        if os.geteuid() == 0:
            args.append("--no-sandbox")   # Chromium refuses root otherwise
        self.proc = subprocess.Popen(args, preexec_fn=child, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (cmd_r, res_w, self.cmd_r, self.res_w):
            os.close(fd)
        self.w, self.r = cmd_w, res_r
        self.buf = b""
        self.next_id = 0
        self.events = []

    def read_msg(self):
        while b"\0" not in self.buf:
            left = DEADLINE - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the browser in time")
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise EOFError("the browser closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self.read_msg()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name):
        for i, m in enumerate(self.events):
            if m.get("method") == name:
                del self.events[i]
                return m
        while True:
            m = self.read_msg()
            if m.get("method") == name:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def errors(events):
    out = []
    for m in events:
        p = m.get("params", {})
        if m.get("method") == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
        elif m.get("method") == "Runtime.consoleAPICalled":
            out.append("console: " + json.dumps(p.get("args", []))[:300])
        elif m.get("method") == "Log.entryAdded":
            e = p.get("entry", {})
            if e.get("level") in ("error", "warning"):
                out.append(f"log {e.get('source')}: {e.get('text', '')[:300]}")
    return out


MEASURE = ("JSON.stringify({scroll_width: document.documentElement.scrollWidth,"
           " body_scroll_width: document.body.scrollWidth, inner_width: window.innerWidth,"
           " scripts: document.scripts.length, text: document.body.innerText,"
           " height: document.documentElement.scrollHeight})")


def main():
    argv = sys.argv[1:]
    if len(argv) < 4:
        sys.exit(__doc__)
    exe, outdir = argv[:2]
    rest = argv[2:]
    clip = None
    if rest[0] == "--clip":
        clip, rest = int(rest[1]), rest[2:]
    if "--" not in rest:
        sys.exit(__doc__)
    pages = [a.split("=", 1) for a in rest[:rest.index("--")]]
    widths = [int(w) for w in rest[rest.index("--") + 1:]]
    with tempfile.TemporaryDirectory(prefix="sst-chromium-") as profile:
        b = Browser(exe, profile)
        try:
            t = b.call("Target.createTarget", {"url": "about:blank"})
            s = b.call("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True})
            sid = s["sessionId"]
            for m in ("Page.enable", "Runtime.enable", "Log.enable"):
                b.call(m, session=sid)
            for (name, url), width in [(p, w) for p in pages for w in widths]:
                b.call("Emulation.setDeviceMetricsOverride",
                       {"width": width, "height": 900, "deviceScaleFactor": 1,
                        "mobile": False}, session=sid)
                b.events = [m for m in b.events if m.get("method") != "Page.loadEventFired"]
                b.call("Page.navigate", {"url": url}, session=sid)
                b.wait_event("Page.loadEventFired")
                r = b.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
                           session=sid)
                res = json.loads(r["result"]["value"])
                height = min(res["height"], clip) if clip else res["height"]
                b.call("Emulation.setDeviceMetricsOverride",
                       {"width": width, "height": height, "deviceScaleFactor": 1,
                        "mobile": False}, session=sid)
                shot = b.call("Page.captureScreenshot", {"format": "png"}, session=sid)
                with open(os.path.join(outdir, f"{name}-{width}.png"), "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
                res["name"] = name
                res["width"] = width
                res["errors"] = errors(b.events)
                b.events = []
                print(json.dumps(res))
        except (TimeoutError, EOFError, RuntimeError, OSError) as e:
            print(f"cdp_page.py: {e}", file=sys.stderr)
            b.close()
            return 1
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
