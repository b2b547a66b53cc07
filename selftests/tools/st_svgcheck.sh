#!/bin/sh
# Check report -i --svg's flame graph in headless Chromium: a script added
# to a copy of the SVG uses it as a user would, through its own controls,
# and writes what it saw into the page, which Chromium dumps:
#  - the title of the leaf frame (what hovering shows);
#  - "Search" for a regular expression: which share of the hits matched;
#  - a click on a frame: it fills the width, a frame beside it goes;
#  - "Reset zoom": the frame beside it is back at its width.
# Also writes a screenshot next to the SVG (.png), to look at.
#
#   st_svgcheck.sh SVG LEAF SEARCH ZOOM BESIDE [FILLS]
# LEAF: the name of the frame whose title is printed; SEARCH: a regular
# expression; ZOOM: the frame clicked; BESIDE: a frame outside ZOOM;
# FILLS: frames (space-separated) whose colour is printed, as drawn.
# Prints one line per check; exits 1 if Chromium gives no result.
set -u
svg=$1 leaf=$2 search=$3 zoom=$4 beside=$5 fills=${6:-}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
browser=$(command -v chromium || command -v chromium-browser) || { echo "no chromium"; exit 2; }

sed '$d' "$svg" >"$tmp/t.svg"	# all but </svg>
cat >>"$tmp/t.svg" <<EOS
<text id="st_result" x="0" y="0"></text>
<script type="text/ecmascript"><![CDATA[
window.addEventListener('load', function () { setTimeout(function () {
  var out = [];
  function frame(name) {
    return all.filter(function (g) {
      return g.querySelector('title').textContent.indexOf(name + ' (') === 0;
    })[0];
  }
  function width(g) {
    return g.style.display === 'none' ? 0 : +g.querySelector('rect').getAttribute('width');
  }
  var leaf = frame('$leaf'), z = frame('$zoom'), b = frame('$beside');
  out.push('title: ' + (leaf ? leaf.querySelector('title').textContent : 'none'));
  '$fills'.split(' ').filter(Boolean).forEach(function (name) {
    var g = frame(name);
    out.push('fill ' + name + ': ' + (g ? getComputedStyle(g.querySelector('rect')).fill : 'none'));
  });
  window.prompt = function () { return '$search'; };
  document.getElementById('search').dispatchEvent(new MouseEvent('click'));
  out.push('search: ' + document.getElementById('matched').textContent);
  out.push('marked: ' + document.querySelectorAll('g.f.m').length);
  var before = b ? width(b) : -1;
  if (z) z.dispatchEvent(new MouseEvent('click'));
  out.push('zoom: ' + (z ? width(z).toFixed(0) : 'none') + ' wide, beside ' + (b ? width(b).toFixed(0) : 'none'));
  document.getElementById('unzoom').dispatchEvent(new MouseEvent('click'));
  out.push('reset: beside ' + (b ? width(b).toFixed(0) : 'none') + ' (before ' + before.toFixed(0) + ')');
  document.getElementById('st_result').textContent = 'ST_' + 'BEGIN' + out.join('|') + 'ST_' + 'END';
}, 0); });
]]></script>
</svg>
EOS
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --dump-dom \
	"file://$tmp/t.svg" 2>/dev/null >"$tmp/dom"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --window-size=1200,400 \
	--screenshot="${svg%.svg}.png" "file://$(cd "$(dirname "$svg")" && pwd)/$(basename "$svg")" >/dev/null 2>&1
result=$(sed -n 's/.*ST_BEGIN\(.*\)ST_END.*/\1/p' "$tmp/dom")
[ -n "$result" ] || { echo "chromium gave no result"; head -c 300 "$tmp/dom"; exit 1; }
echo "$result" | tr '|' '\n'
