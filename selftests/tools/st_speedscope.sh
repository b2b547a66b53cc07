#!/bin/sh
# Read a profile (perf-script text or folded stacks) with speedscope, a
# real tool, in headless Chromium: it fetches the profile from a local
# HTTP server and opens its sandwich view, a table of every function with
# its total share, which Chromium dumps from the DOM.  Prints the page's
# title, then one "NAME TOTAL" line per function, as speedscope shows them.
# speedscope (npm, MIT) is fetched once into the download cache.
#
#   st_speedscope.sh PROFILE
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/cache.sh"
profile=${1:?usage: st_speedscope.sh PROFILE}
ver=1.25.0
sum=2831f1e0d26df914b477e522d78b8485511495a6af81a0b88158f8b48f9e0d03
dir=$DL/speedscope-$ver
browser=$(command -v chromium || command -v chromium-browser) || { echo "no chromium"; exit 2; }

www=
srv=
fetch=
trap '[ -z "$srv" ] || kill "$srv" 2>/dev/null; rm -rf "$www" $fetch' EXIT
trap 'exit 2' INT TERM HUP
# Two guest lanes may fetch at once: each into its own directory, the
# first to finish renames it into place.
if [ ! -s "$dir/package/dist/release/index.html" ]; then
	fetch=$(mktemp -d "$DL/speedscope.XXXXXX") || exit 2
	curl -sSfo "$fetch/s.tgz" "https://registry.npmjs.org/speedscope/-/speedscope-$ver.tgz" ||
		{ echo "could not fetch speedscope $ver from registry.npmjs.org"; exit 2; }
	echo "$sum  $fetch/s.tgz" | sha256sum -c --quiet >/dev/null 2>&1 ||
		{ echo "speedscope $ver: checksum mismatch"; exit 2; }
	tar xzf "$fetch/s.tgz" -C "$fetch" && rm "$fetch/s.tgz" || exit 2
	mv -T "$fetch" "$dir" 2>/dev/null || [ -s "$dir/package/dist/release/index.html" ] || exit 2
fi

www=$(mktemp -d) || exit 2
cp -r "$dir/package/dist/release/." "$www/" && cp "$profile" "$www/profile.txt" || exit 2
# Port 0: the server says which port it got.
(cd "$www" && exec /usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1) >"$www/.log" 2>&1 &
srv=$!
port=
for _ in $(seq 300); do
	port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$www/.log" 2>/dev/null)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "no HTTP server"; cat "$www/.log"; exit 2; }
url="http://127.0.0.1:$port"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 --dump-dom \
	"$url/index.html#profileURL=$url/profile.txt&view=sandwich" 2>/dev/null >"$www/dom"
# The sandwich table: after its header, cells of Total, Self and Symbol Name.
/usr/bin/python3 - "$www/dom" <<'PY' || exit 1
import html, re, sys
dom = open(sys.argv[1], encoding='utf-8').read()
title = re.search(r'<title>([^<]*)</title>', dom)
body = re.sub(r'<(script|style)\b.*?</\1>', '', dom, flags=re.S)
cells = [html.unescape(c).strip() for c in re.split(r'<[^>]+>', body)]
cells = [c for c in cells if c]
if 'Symbol Name' not in cells:
    print('speedscope showed no sandwich table:', ' '.join(cells)[:300])
    sys.exit(1)
rows = cells[cells.index('Symbol Name') + 1:]
print('title:', html.unescape(title.group(1)) if title else 'none')
for total, _self, name in zip(rows[0::3], rows[1::3], rows[2::3]):
    print(name, re.sub(r'.*\((.*)\)', r'\1', total))
PY
