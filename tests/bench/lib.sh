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

# CPU time (clock ticks) of a process and its children: keel-api's threads, Node's cluster
# workers, PostgreSQL's backends.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(ps -o pid= --ppid "$1"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
