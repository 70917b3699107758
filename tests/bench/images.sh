#!/usr/bin/env bash
# Image variants benchmark: keel's images::make_variants (what keel-worker does for each image
# upload: 128 and 512 px WebP, upright, no metadata) against sharp (npm; libvips under Node)
# doing the same two resizes of the same 2000x1500 JPEG, in the same run. Not part of CI.
#
#   tests/bench/images.sh               build keel (Release), measure, update RESULTS.md
#   SKIP_BUILD=1 tests/bench/images.sh  use the existing build/release binary
#
# Each side makes the variants of COUNT images (default 60), INFLIGHT (default 2, the cores) at
# once, three times; the median images/s counts. Both use libvips' own threads as they come.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out/images"
count="${COUNT:-60}"
inflight="${INFLIGHT:-2}"
results="${RESULTS:-$here/RESULTS.md}"

# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

mkdir -p "$out"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  "$root/deploy/local/install-deps.sh"
  cmake --preset release >/dev/null
  cmake --build --preset release --target keel-images-bench
fi
[ -d "$here/node_modules/sharp" ] || npm ci --prefix "$here" --no-audit --no-fund >/dev/null

jpeg="$out/input.jpg"
node "$here/images/sharp.mjs" make "$jpeg"

median() { sort -n | sed -n '2p'; }
keel_runs=() sharp_runs=()
for _ in 1 2 3; do
  keel_runs+=("$("$root/build/release/tests/keel-images-bench" "$jpeg" "$count" "$inflight" 2>/dev/null | awk '{print $2}')")
  sharp_runs+=("$(node "$here/images/sharp.mjs" run "$jpeg" "$count" "$inflight" | awk '{print $2}')")
done
keel="$(printf '%s\n' "${keel_runs[@]}" | median)"
sharp="$(printf '%s\n' "${sharp_runs[@]}" | median)"
ratio="$(python3 -c "print(f'{$keel / $sharp:.2f}')")"
echo "keel $keel images/s (runs: ${keel_runs[*]}); sharp $sharp images/s (runs: ${sharp_runs[*]}); keel/sharp ${ratio}x"

write_results_section "$results" "images" "<!-- images: this section is written by tests/bench/images.sh -->
## Image variants (tests/bench/images.sh)

$(date -u +%Y-%m-%d), $(nproc) cores. One 2000x1500 JPEG, 128 and 512 px WebP (quality 80,
upright, no metadata) per image, $count images with $inflight at once, median of 3 runs.

| | images/s | ratio |
| --- | ---: | ---: |
| keel (images::make_variants, Debian's libvips $(pkg-config --modversion vips)) | $keel | ${ratio}x |
| sharp $(node -e "console.log(require('$here/node_modules/sharp/package.json').version)") (its bundled libvips) | $sharp | 1.00x |

Reproduce: \`tests/bench/images.sh\`.
<!-- images: end -->"
