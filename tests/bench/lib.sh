# Shared by the benchmark scripts (sourced, not run).

# Replaces the section of the markdown file $1 that lies between the markers
# "<!-- $2: this section ..." and "<!-- $2: end -->" with the text $3 (which carries both
# markers), or appends it when the file has no such section; the rest of the file is kept.
write_results_section() {
  local path="$1" name="$2" section="$3"
  touch "$path"
  SECTION="$section" NAME="$name" python3 - "$path" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
section = os.environ["SECTION"].rstrip() + "\n"
name = re.escape(os.environ["NAME"])
pattern = re.compile(r"<!-- " + name + r": this section.*?<!-- " + name + r": end -->\n?", re.S)
if pattern.search(text):
    text = pattern.sub(lambda m: section, text)
else:
    text = text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
}

# From wrk --latency output in file $1: requests/s (whole), and the p99 latency in ms.
wrk_rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
wrk_p99_ms() {
  awk '$1 == "99%" {
      v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
      printf "%.2f", v }' "$1"
}

# CPU time (clock ticks) of a process and its children: keel-api's threads, Node's cluster
# workers, PostgreSQL's backends.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(ps -o pid= --ppid "$1"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# npm ci of the peers (this folder's package.json) when node_modules is missing or was
# installed from another lock file.
install_peers() {
  local dir="$1"
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.keel-bench-lock" 2>/dev/null; then
    printf '\n== npm ci (the peers)\n' >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.keel-bench-lock"
  fi
}

# A Release build of keel-api and keel-cron in build/release, unless SKIP_BUILD=1.
build_release_servers() {
  local root="$1"
  [ "${SKIP_BUILD:-0}" = 1 ] && return 0
  printf '\n== building keel (release)\n' >&2
  (cd "$root" && cmake --preset release >/dev/null &&
    cmake --build --preset release -j2 --target keel-api keel-cron >/dev/null)
}

