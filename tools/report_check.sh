#!/bin/sh
# Opens each report of OUT_DIR (report.html, report.vi.html: those present, at least one) in
# headless Chromium (Debian `chromium`) with the network off and checks what a reader sees:
#   - the page loads and the first screen (1280 × 900) shows the coverage percentages;
#   - no table is wider than the page, at 1280 px and in the A4 print (the rendered DOM measured
#     by a script the check adds to a copy of the page; the report itself has none);
#   - every map shows one view (a data-view attribute each; no two maps of the same view and
#     candidates);
#   - nothing is fetched from the network, no absolute path of the machine is in the page;
#   - the file is under 3 MB.
# Writes screenshots (1280 and 390 px wide) and the A4 PDF beside the report as
# report_check.<file>.{1280,390}.png / .pdf.
#
#   tools/report_check.sh OUT_DIR
#
# The network is off twice over: the browser runs in an empty network namespace when
# `unshare -rn` is allowed, and its proxy and host resolver point nowhere in any case. Exits 1 on
# the first failed check.
set -eu
out=${1:?usage: tools/report_check.sh OUT_DIR}
command -v chromium > /dev/null || { echo "FAIL: chromium not installed (Debian package chromium)"; exit 1; }
max_bytes=3000000

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
netns=""
if unshare -rn true 2> /dev/null; then netns="unshare -rn"; fi
browse() {
    url=$1
    shift
    # shellcheck disable=SC2086
    $netns chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
        --disable-background-networking --disable-component-update --disable-sync \
        --proxy-server=http://127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
        --virtual-time-budget=5000 "$@" "$url" 2> "$work/chromium.log"
}

# The measuring script: writes its findings into the DOM (<pre id="report-check">), which
# --dump-dom prints. For print the page's @media print rules are forced on and the window is the
# A4 text width: 210 mm less the report's @page margins (2 × 12 mm) = 186 mm = 703 CSS px.
measure_js='
(function () {
  function check(width) {
    var bad = [];
    document.querySelectorAll("table").forEach(function (t, i) {
      var r = t.getBoundingClientRect();
      if (r.right > width + 1 || t.scrollWidth > width + 1) bad.push((t.id || ("table " + i)) + " " + Math.round(r.right) + "/" + Math.round(t.scrollWidth) + " px");
    });
    return bad;
  }
  var out = [];
  out.push("screen " + window.innerWidth + ": " + (check(document.documentElement.clientWidth).join("; ") || "ok"));
  var cards = document.querySelectorAll("#headline .card .big");
  var first = 0;
  cards.forEach(function (c) { if (c.getBoundingClientRect().bottom <= 900 && /%/.test(c.textContent)) first++; });
  out.push("first-screen-percentages " + first);
  var views = {};
  var maps = document.querySelectorAll("figure.map");
  var dup = 0, noview = 0;
  maps.forEach(function (m) { var v = m.getAttribute("data-view"), k = v + "|" + m.getAttribute("data-candidates"); if (v === null) noview++; else if (views[k]) dup++; views[k] = 1; });
  out.push("maps " + maps.length + " without-view " + noview + " repeated-view " + dup);
  var pre = document.createElement("pre");
  pre.id = "report-check";
  pre.textContent = out.join("\n");
  document.body.appendChild(pre);
})();'

checked=0
for name in report.html report.vi.html; do
    [ -f "$out/$name" ] || continue
    checked=$((checked + 1))
    report=$(realpath "$out/$name")
    start=$(date +%s.%N)
    size=$(stat -c %s "$report")
    [ "$size" -lt "$max_bytes" ] || { echo "FAIL: $name is $size bytes (≥ $max_bytes)"; exit 1; }
    if grep -Eq '(src|href)="(https?:|file:)?//' "$report"; then
        echo "FAIL: $name refers to something on the network or the file system"; exit 1
    fi
    if grep -Eq '(/home/|/tmp/|/work/|/usr/|/root/|[A-Z]:\\\\)' "$report"; then
        echo "FAIL: $name shows an absolute path: $(grep -Eo '(/home/|/tmp/|/work/|/usr/|/root/)[^ <"]*' "$report" | head -1)"; exit 1
    fi

    # A copy with the measuring script (the report has none of its own).
    probe="$work/probe.$name"
    sed '/<\/body>/,$d' "$report" > "$probe"
    printf '<script>%s</script>\n</body>\n</html>\n' "$measure_js" >> "$probe"
    browse "file://$probe" --window-size=1280,900 --dump-dom > "$work/dom.html" \
        || { cat "$work/chromium.log"; echo "FAIL: chromium could not load $name"; exit 1; }
    sed -n '/<pre id="report-check">/,/<\/pre>/p' "$work/dom.html" > "$work/found.txt"
    [ -s "$work/found.txt" ] || { echo "FAIL: $name: the page did not render (no measurement)"; exit 1; }
    grep -q "<pre id=\"report-check\">screen [0-9]*: ok" "$work/found.txt" \
        || { echo "FAIL: $name: tables wider than the page at 1280 px: $(head -1 "$work/found.txt")"; exit 1; }
    first=$(sed -n 's/^first-screen-percentages //p' "$work/found.txt")
    [ "${first:-0}" -ge 1 ] || { echo "FAIL: $name: no coverage percentage on the first screen"; exit 1; }
    maps=$(sed -n 's/^maps \([0-9]*\) .*/\1/p' "$work/found.txt")
    grep -q "without-view 0 repeated-view 0" "$work/found.txt" \
        || { echo "FAIL: $name: a map without its view or a view mapped twice: $(grep '^maps' "$work/found.txt")"; exit 1; }

    # A4 print: the same measurement with the page's print rules in force, at the A4 text width.
    sed 's/@media print{/@media all{/' "$probe" > "$work/print.$name"
    browse "file://$work/print.$name" --window-size=703,1000 --dump-dom > "$work/dom_print.html" \
        || { cat "$work/chromium.log"; echo "FAIL: chromium could not lay out $name for print"; exit 1; }
    grep -q "<pre id=\"report-check\">screen [0-9]*: ok" "$work/dom_print.html" \
        || { echo "FAIL: $name: tables wider than the A4 page: $(grep -o 'screen [0-9]*: [^<]*' "$work/dom_print.html" | head -1)"; exit 1; }
    base="$out/report_check.${name%.html}"
    browse "file://$report" --print-to-pdf="$base.pdf" --no-pdf-header-footer > /dev/null \
        || { cat "$work/chromium.log"; echo "FAIL: no PDF of $name"; exit 1; }
    pages=$(pdfinfo "$base.pdf" 2> /dev/null | sed -n 's/^Pages: *//p')
    psize=$(pdfinfo "$base.pdf" 2> /dev/null | sed -n 's/^Page size: *//p')
    case "$psize" in *"(A4)"*) ;; *) echo "FAIL: $name prints on '$psize', not A4"; exit 1 ;; esac

    for w in 1280 390; do
        browse "file://$report" --screenshot="$base.$w.png" --window-size=$w,2400 --hide-scrollbars > /dev/null \
            || { cat "$work/chromium.log"; echo "FAIL: no screenshot of $name at $w px"; exit 1; }
        # A blank page would have one colour: the screenshot must vary.
        std=$(gdalinfo -stats "$base.$w.png" 2> /dev/null | sed -n 's/.*STATISTICS_STDDEV=//p' | head -1)
        rm -f "$base.$w.png.aux.xml"
        awk "BEGIN { exit !(${std:-0} > 10) }" || { echo "FAIL: the $w px screenshot of $name looks blank"; exit 1; }
    done
    end=$(date +%s.%N)
    echo "$name opens offline in $(chromium --version 2> /dev/null | head -1)${netns:+ in an empty network namespace}:" \
         "$size bytes, $first coverage percentages on the first screen, $maps maps of one view each," \
         "no table wider than the page at 1280 px or on A4 ($pages pages, $psize);" \
         "screenshots and PDF $base.*; $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
done
[ "$checked" -ge 1 ] || { echo "FAIL: no report.html or report.vi.html in $out"; exit 1; }
