#!/bin/sh
# Lay out templates and static files under $1 (default build/share):
#   $1/views/...            the templates, copied
#   $1/public/assets/NAME.HASH.EXT   fingerprinted copies (immutable)
#     app.css and app.js are bundles: views/assets/css/*.css and
#     views/assets/js/*.js concatenated in name order (one request each);
#     each feature keeps its own part (00-base, 20-media, ...).
#   $1/public/assets.map    "NAME URL" lines read by the workers
#   $1/public/NAME          views/static/* as is (favicon.ico: fixed URLs)
set -eu
out=${1:-build/share}
cd "$(dirname "$0")/.."
rm -rf "$out/views.new" && mkdir -p "$out/views.new" "$out/public/assets"
cp -R views/. "$out/views.new/"
rm -rf "$out/views.new/assets" "$out/views.new/static" "$out/views"
mv "$out/views.new" "$out/views"
map="$out/public/assets.map.new"
: > "$map"
bundles=$(mktemp -d)
trap 'rm -rf "$bundles"' EXIT
cat views/assets/css/*.css > "$bundles/app.css"
cat views/assets/js/*.js > "$bundles/app.js"
for f in "$bundles"/app.css "$bundles"/app.js views/assets/*; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	hash=$(sha256sum "$f" | cut -c1-10)
	fp="${name%.*}.$hash.${name##*.}"
	[ -f "$out/public/assets/$fp" ] || cp "$f" "$out/public/assets/$fp"
	echo "$name /assets/$fp" >> "$map"
done
mv "$map" "$out/public/assets.map"
cp views/static/* "$out/public/"
