#!/bin/sh
# docs/screenshot.sh — `make screenshot`: regenerates docs/report.png, the
# README's picture of `sockscope report` on samples/incident: the page
# rendered by headless chromium (tests/tools/cdp_page.py) at 1280 px, its
# top 1500 px. Installs chromium as root when it is missing.
#   sh docs/screenshot.sh BUILD_DIR
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
S=$BUILD/sockscope
command -v chromium >/dev/null 2>&1 || sh "$ROOT/packaging/debian-deps.sh" chromium
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-shot.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
"$S" import -q -d "$dir/i.db" "$ROOT/samples/incident" 2>/dev/null
"$S" report -d "$dir/i.db" -o "$dir/report.html"
python3 "$ROOT/tests/tools/cdp_page.py" chromium "$dir" --clip 1500 "report=file://$dir/report.html" \
	-- 1280 > /dev/null
cp "$dir/report-1280.png" "$ROOT/docs/report.png"
echo "docs/report.png: $(wc -c < "$ROOT/docs/report.png") bytes"
