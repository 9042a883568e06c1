#!/bin/sh
# Opens OUT_DIR/report.html in headless Chromium (Debian `chromium`) with the network off and
# checks what a reader sees: the KPI table, the maps (inlined PNGs) and no request leaving the
# file; writes a screenshot.
#
#   tools/report_check.sh OUT_DIR [SCREENSHOT.png]
#
# The network is off twice over: the browser runs in an empty network namespace when
# `unshare -rn` is allowed, and its proxy and host resolver point nowhere in any case. Exits 1 on
# the first failed check.
set -eu
out=${1:?usage: tools/report_check.sh OUT_DIR [SCREENSHOT.png]}
shot=${2:-$out/report_screenshot.png}
report=$(realpath "$out/report.html")
[ -f "$report" ] || { echo "FAIL: no $out/report.html"; exit 1; }
command -v chromium > /dev/null || { echo "FAIL: chromium not installed (Debian package chromium)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
netns=""
if unshare -rn true 2> /dev/null; then netns="unshare -rn"; fi
browse() {
    # shellcheck disable=SC2086
    $netns chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
        --disable-background-networking --disable-component-update --disable-sync \
        --proxy-server=http://127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
        --virtual-time-budget=5000 "$@" "file://$report" 2> "$work/chromium.log"
}

start=$(date +%s.%N)
browse --dump-dom > "$work/dom.html" || { cat "$work/chromium.log"; echo "FAIL: chromium could not load the report"; exit 1; }
grep -q '<table id="kpi"' "$work/dom.html" || { echo "FAIL: no KPI table in the rendered page"; exit 1; }
kpi_rows=$(sed -n '/<table id="kpi"/,/<\/table>/p' "$work/dom.html" | grep -c '<tr>' || true)
[ "$kpi_rows" -ge 3 ] || { echo "FAIL: KPI table has $kpi_rows rows"; exit 1; }
maps=$(grep -o '<img[^>]*src="data:image/png;base64,' "$work/dom.html" | wc -l)
[ "$maps" -ge 1 ] || { echo "FAIL: no inlined map"; exit 1; }
if grep -Eq '(src|href)="(https?:)?//' "$work/dom.html"; then
    echo "FAIL: the report refers to something on the network"; exit 1
fi
tables=$(grep -o '<table' "$work/dom.html" | wc -l)

browse --screenshot="$work/shot.png" --window-size=1280,4200 --hide-scrollbars > /dev/null \
    || { cat "$work/chromium.log"; echo "FAIL: no screenshot"; exit 1; }
cp "$work/shot.png" "$shot"
# A blank page would have one colour: the screenshot must vary.
std=$(gdalinfo -stats "$shot" 2> /dev/null | sed -n 's/.*STATISTICS_STDDEV=//p' | head -1)
rm -f "$shot.aux.xml"
awk "BEGIN { exit !(${std:-0} > 10) }" || { echo "FAIL: the screenshot looks blank (stddev ${std:-?})"; exit 1; }
end=$(date +%s.%N)
echo "report.html opens offline in $(chromium --version 2> /dev/null | head -1)${netns:+ in an empty network namespace}:" \
     "KPI table with $kpi_rows rows, $tables tables, $maps inlined maps; screenshot $shot;" \
     "$(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
