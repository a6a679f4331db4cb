#!/usr/bin/env bash
# Runs every shipped scenario, comparison and sweep, writes each one's report.html, and
# takes a screenshot of each report in headless Chromium:
#   tools/screenshots.sh [OUT_DIR]        (default out/screenshots; needs build/release/aidc)
# Each line printed says how many charts the page has and how many drew.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/screenshots}
aidc=build/release/aidc
chromium=${CHROMIUM:-/usr/bin/chromium}
mkdir -p "$out"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --hide-scrollbars --virtual-time-budget=20000)

shoot() {  # shoot NAME: screenshot of $out/NAME/report.html into $out/NAME.png
  local name=$1 page profile
  page=$(realpath "$out/$1/report.html")
  profile=$(mktemp -d)
  "$chromium" "${flags[@]}" --user-data-dir="$profile" --window-size=1280,4000 \
    --screenshot="$out/$name.png" "file://$page" >/dev/null 2>&1
  "$chromium" "${flags[@]}" --user-data-dir="$profile" --dump-dom "file://$page" \
    2>/dev/null >"$out/$name.dom.html"
  rm -rf "$profile"
  local charts drawn
  charts=$(grep -o 'data-rendered="[a-z]*"' "$out/$name.dom.html" | wc -l || true)
  drawn=$(grep -o 'data-rendered="true"' "$out/$name.dom.html" | wc -l || true)
  echo "$name: $drawn of $charts charts drew -> $out/$name.png"
}

for f in scenarios/*.json; do
  name=$(basename "$f" .json)
  if grep -q '"plans"' "$f"; then
    "$aidc" compare "$f" --out "$out/$name" >/dev/null
  else
    "$aidc" run "$f" --out "$out/$name" >/dev/null
  fi
  "$aidc" report "$out/$name" >/dev/null
  shoot "$name"
done
for f in scenarios/*/*.json; do  # the comparisons and sweeps in subfolders
  name=$(basename "$(dirname "$f")")-$(basename "$f" .json)
  if grep -q '"parameters"' "$f"; then
    rm -rf "${out:?}/$name"
    "$aidc" sweep "$f" --out "$out/$name" --quiet >/dev/null
  elif grep -q '"plans"' "$f"; then
    "$aidc" compare "$f" --out "$out/$name" >/dev/null
  else
    continue
  fi
  "$aidc" report "$out/$name" >/dev/null
  shoot "$name"
done
