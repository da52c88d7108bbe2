#!/bin/sh
# html_report — `sockscope report -o FILE.html` on samples/incident and on
# hostile text, checked in the HTML text and, in a real browser (Debian's
# chromium, headless, installed through packaging/debian-deps.sh as root),
# in the rendered page: both flood subnets, the spike times and the block
# rules in the DOM; no console error, no CSP violation, no script element;
# the body no wider than the viewport at 1280 and 390 px (measured from
# outside the page over the DevTools pipe, tests/tools/cdp_page.py); hostile
# names shown as text. Screenshots are kept in BUILD/test-artifacts/html_report/.
# Controls prove the browser checks can fail: a page with an inline script
# must report a CSP violation, a 3000 px wide page must be measured wider.
# No root needed but for installing chromium (skipped loudly without it).
# run.sh: once (the browser's time dominates; the C that writes the page runs under ASan/UBSan)
. "$(dirname "$0")/lib.sh"
tools_dir "$1"
command -v python3 >/dev/null 2>&1 || skip "needs python3"
sst_tmpdir
T=$SST_TMP
S=$SOCKSCOPE
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=$ROOT/tests/tools
ART=$BUILD/test-artifacts/html_report
rm -rf "$ART" && mkdir -p "$ART" || fail "cannot make $ART"

# ---- the sample incident ---------------------------------------------------
"$S" import -q -d "$T/i.db" "$ROOT/samples/incident" 2>/dev/null || fail "import of the sample"
"$S" report -d "$T/i.db" -o "$T/incident.html" 2>"$T/err" || fail "report: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "report wrote to stderr: $(cat "$T/err")"
cp "$T/incident.html" "$ART/incident.html"
size=$(wc -c < "$T/incident.html")
[ "$size" -lt 300000 ] || fail "the sample's report is $size bytes, the goal is < 300 kB"
python3 - "$T/incident.html" <<'PY' || fail "the sample's HTML text (above)"
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
def need(cond, what):
    if not cond:
        print(what); sys.exit(1)
need(h.startswith("<!DOCTYPE html>"), "no doctype")
need('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
     'style-src \'unsafe-inline\'; img-src data:' in h, "no CSP forbidding scripts")
need(not re.search(r"<script|javascript:|\son[a-z]+=", h, re.I), "script or handler in the page")
need(not re.search(r"\s(src|href|action|srcset)=", h, re.I), "something to fetch")
need(set(re.findall(r"https?://[^\s\"'<>]*", h)) <= {"http://www.w3.org/2000/svg"},
     "a URL other than the SVG namespace")
for s in ("198.51.100.0/24", "203.0.113.0/24", "2026-11-25T20:50:50.854Z",
          "2026-11-25T20:51:01.854Z",
          "elements = { 198.51.100.0/24, 203.0.113.0/24, 198.18.0.5/32",
          "spoofed: a SYN flood of up to 2,000 SYN_RECV", "95139eb7b1ca9b7d",
          "buckets of 1 s", "Verdict"):
    need(s in h, "missing: " + s)
# the charts drew something: 23 one-second buckets of stacked columns, two
# shaded spikes, a point per bucket on the SYN_RECV line, ticks every 5 s
need(len(re.findall(r'<rect class="col"', h)) >= 23 * 3, "too few columns in the state chart")
need(len(re.findall(r'<rect class="band"', h)) == 2, "not two spikes shaded")
need(h.count('<rect class="bar"') >= 10, "no bars for the top subnets and hosts")
ticks = re.findall(r'<line class="tick" data-t="(\d+)"', h)
# 2026-11-25T20:50:45Z is 1795639845: the axis starts there, a tick each 5 s
need(ticks[:5] == ["1795639845", "1795639850", "1795639855", "1795639860", "1795639865"],
     "ticks: %s" % ticks[:6])
PY
# the same page from the segment itself, no database; and to stdout
"$S" report -o - "$ROOT"/samples/incident/*.zst > "$T/nodb.html" 2>"$T/err" ||
	fail "report from the segment: $(cat "$T/err")"
for s in 198.51.100.0/24 203.0.113.0/24 '</html>'; do
	grep -qF "$s" "$T/nodb.html" || fail "report -o - FILE: no $s"
done
"$S" report -d "$T/i.db" > "$T/out" 2>&1 && fail "report without -o succeeded"
grep -q 'required' "$T/out" || fail "report without -o: $(cat "$T/out")"
"$S" report -d "$T/i.db" --host nobody -o "$T/none.html" 2>/dev/null
[ $? = 1 ] || fail "no snapshot matching: exit status not 1"
[ ! -e "$T/none.html" ] || fail "an empty page was left behind"

# ---- a day: under 2 MB, downsampled as timeline does, the gap drawn as one
python3 "$TOOLS/cron_day.py" > "$T/day.log" || fail "cron_day.py"
"$S" import -q -d "$T/day.db" "$T/day.log" 2>/dev/null || fail "import of the day"
"$S" report -d "$T/day.db" -o "$T/day.html" 2>"$T/err" || fail "report of the day: $(cat "$T/err")"
cp "$T/day.html" "$ART/day.html"
day=$(wc -c < "$T/day.html")
[ "$day" -lt 2000000 ] || fail "a day's report is $day bytes, the goal is < 2 MB"
"$S" timeline -d "$T/day.db" -o csv > "$T/day.csv" || fail "timeline of the day"
python3 - "$T/day.html" "$T/day.csv" <<'PY' || fail "the day's charts (above)"
import csv, re, sys
h = open(sys.argv[1], encoding="utf-8").read()
def need(cond, what):
    if not cond:
        print(what); sys.exit(1)
need("buckets of 1800 s" in h, "not timeline's 30-minute buckets")
# the columns are timeline's numbers: for every bucket and series, the
# value drawn is the value `timeline -o csv` prints (the first panel)
states = h.split('<figure class="states">')[1].split("</figure>")[0]
drawn = {(int(t), int(s)): float(v) for s, t, v in
         re.findall(r'<rect class="col" data-s="(\d+)" data-t="(\d+)" data-v="([\d.e+]+)"', states)}
series = re.findall(r'<span><i style="background:[^"]*"></i>([^<]*)</span>', states)
rows = list(csv.DictReader(open(sys.argv[2])))
need(len(rows) == 48 * len(series), "timeline has %d rows for %d series" % (len(rows), len(series)))
import calendar, time
for r in rows:
    t = calendar.timegm(time.strptime(r["time"], "%Y-%m-%dT%H:%M:%SZ"))
    k = series.index(r["series"])
    if r["count"] in ("", "0"):
        need((t, k) not in drawn, "drawn where timeline has no value: %s" % r)
    else:
        need(drawn.get((t, k)) == float(r["count"]), "%s drawn as %s" % (r, drawn.get((t, k))))
# 18:00 .. 20:00 has no snapshot: nothing drawn there, the line broken
gap = range(1795564800 + 18 * 3600, 1795564800 + 20 * 3600)
need(not [k for k in drawn if k[0] in gap], "columns drawn in the gap")
syn = h.split('<figure class="synrecv">')[1].split("</figure>")[0]
need(syn.count("<polyline") == 2, "the SYN_RECV line is not broken at the gap")
PY

# ---- hostile text ----------------------------------------------------------
python3 "$TOOLS/hostile_segment.py" "$T/hostile.seg" || fail "cannot craft the segment"
python3 - "$T/netstat-antp-20261125T205052Z.txt" <<'PY' || fail "cannot write the dump"
import sys
names = [b"<script>alert(1)</script>", b"</svg></table><img/src=x>", b"\"q'uote&amp;",
         "rlo\u202egpj.exe".encode(), b"esc\x1b[2Jbel\x07", b"W" * 255]
rows = [b"Active Internet connections (servers and established)",
        b"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name"]
for i, n in enumerate(names):
    for k in range(3):
        rows.append(b"tcp        0      0 192.0.2.2:80            198.51.100.%d:%d       ESTABLISHED %d/%s"
                    % (10 + i, 40000 + k, 100 + i, n))
open(sys.argv[1], "wb").write(b"\n".join(rows) + b"\n")
PY
# a program name is cut at 255 bytes by the parsers; a host name is not: 10 kB
H10K=$(python3 -c 'print("H" * 9990 + "<b>x</b>")')
"$S" import -q -d "$T/h.db" --max-errors 100 "$T/hostile.seg" >/dev/null 2>&1
"$S" import -q -d "$T/h.db" --host "$H10K" "$T/netstat-antp-20261125T205052Z.txt" >/dev/null 2>&1 ||
	fail "import of the hostile dump"
"$S" report -d "$T/h.db" -o "$T/hostile.html" 2>"$T/err"
[ $? -le 1 ] || fail "report on hostile text: $(cat "$T/err")"
cp "$T/hostile.html" "$ART/hostile.html"
python3 - "$T/hostile.html" <<'PY' || fail "hostile text got through into the HTML (above)"
import re, sys
raw = open(sys.argv[1], "rb").read()
h = raw.decode("utf-8")   # valid UTF-8 whatever the data held
def need(cond, what):
    if not cond:
        print(what); sys.exit(1)
bad = re.findall(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]", h)
need(not bad, "control or bidi characters in the page: %r" % sorted(set(bad)))
need(not re.search(r"<script|<img|javascript:|\son[a-z]+=", h, re.I), "markup from the data")
for s in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;/svg&gt;&lt;/table&gt;&lt;img/src=x&gt;",
          "&quot;q&#39;uote&amp;amp;", "rlo\\u202egpj.exe", "esc\\x1b[2Jbel\\x07", "W" * 255,
          "H" * 9990 + "&lt;b&gt;x&lt;/b&gt;"):
    need(s in h, "not shown escaped: " + s[:60])
need(h.count("<svg") == h.count("</svg>"), "unbalanced <svg>")
need(h.count("<table") == h.count("</table>"), "unbalanced <table>")
PY

# ---- in a browser ----------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	note "installing chromium (packaging/debian-deps.sh)"
	sh "$ROOT/packaging/debian-deps.sh" chromium >&2 || note "chromium could not be installed"
fi
command -v chromium >/dev/null 2>&1 ||
	skip "the HTML text checks passed, but no chromium to render the page (as root: sh packaging/debian-deps.sh chromium)"
NOSB=
[ "$(id -u)" -eq 0 ] && NOSB=--no-sandbox
# --dump-dom: the DOM the page became, and the browser's log
timeout 60 chromium --headless $NOSB --disable-gpu --no-first-run --user-data-dir="$T/profile" \
	--enable-logging=stderr --v=0 --dump-dom "file://$T/incident.html" > "$T/dom.html" 2>"$T/chromium.log" ||
	fail "chromium --dump-dom: $(tail -5 "$T/chromium.log")"
cp "$T/chromium.log" "$ART/chromium.log"
for s in 198.51.100.0/24 203.0.113.0/24 2026-11-25T20:50:50.854Z 2026-11-25T20:51:01.854Z \
	'elements = { 198.51.100.0/24, 203.0.113.0/24' 'no rule was made for them'; do
	grep -qF "$s" "$T/dom.html" || fail "the rendered DOM lacks $s"
done
grep -iE 'Uncaught|Refused to|Content.Security.Policy|CONSOLE\(' "$T/chromium.log" &&
	fail "the browser logged errors loading the page (above)"
# widths, scripts, console: measured from outside the page, one browser
printf '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src %s; style-src %s">%s' \
	"'none'" "'unsafe-inline'" '<div style="width:3000px">wide</div><script>document.title="ran"</script>' > "$T/control.html"
python3 "$TOOLS/cdp_page.py" chromium "$ART" "control=file://$T/control.html" \
	"incident=file://$T/incident.html" "hostile=file://$T/hostile.html" -- 1280 390 \
	> "$T/pages.json" 2>"$T/cdp.err" || fail "cdp_page.py: $(cat "$T/cdp.err")"
python3 - "$T/pages.json" <<'PY' || fail "in the browser (above)"
import json, sys
def need(cond, what):
    if not cond:
        print(what); sys.exit(1)
res = [json.loads(l) for l in open(sys.argv[1])]
need(len(res) == 6, "%d pages measured, not 6" % len(res))
for r in res:
    name, w = r["name"], r["width"]
    if name == "control":   # the checks below can fail
        need(r["scroll_width"] > w, "control: a 3000 px page measured %d wide" % r["scroll_width"])
        need(any("Content Security Policy" in e or "Refused" in e for e in r["errors"]),
             "control: an inline script against the CSP was not reported: %s" % r["errors"])
        continue
    need(r["scroll_width"] <= w and r["body_scroll_width"] <= w,
         "%s at %d px: the page is %d (body %d) wide" % (name, w, r["scroll_width"], r["body_scroll_width"]))
    need(r["scripts"] == 0, "%s: %d script elements" % (name, r["scripts"]))
    need(not r["errors"], "%s at %d px: %s" % (name, w, r["errors"]))
    if name == "incident":
        for s in ("198.51.100.0/24", "203.0.113.0/24", "20:50:50", "20:51:01"):
            need(s in r["text"], "%s: %s not in the rendered text" % (name, s))
    else:
        for s in ("<script>alert(1)</script>", "</svg></table><img/src=x>", "\"q'uote&amp;",
                  "rlo\\u202egpj.exe", "W" * 255, "H" * 9990 + "<b>x</b>"):
            need(s in r["text"], "hostile: %r not shown as text" % s[:40])
PY
pass "sample report $size bytes, a day $day bytes; HTML and rendered DOM hold the subnets, spikes and rules; hostile text escaped; no console errors; no horizontal scroll at 1280 and 390 px (screenshots: $ART)"
