#!/usr/bin/env bash
# Archives against outside tar readers: the same export archived twice gives the same bytes,
# GNU tar and Python's tarfile list and extract it, `sha256sum -c` passes on what they extract,
# and `kb4graph verify` accepts the archive and the extracted copy.
#   archive.sh EXPORT_DIR KB4GRAPH_BINARY
set -euo pipefail
export_dir=$1
kb4graph=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$export_dir")

"$kb4graph" archive "$export_dir" --out "$work/a.tar.gz" -q
"$kb4graph" archive "$export_dir" --out "$work/b.tar.gz" -q
cmp "$work/a.tar.gz" "$work/b.tar.gz"
echo "archive: built twice, byte-identical ($(stat -c %s "$work/a.tar.gz") bytes)"

tar -tzvf "$work/a.tar.gz" >"$work/listing"
if grep -qv '^[d-]rw------- 0/0 \|^drwx------ 0/0 ' "$work/listing"; then
  echo "archive: entries with other owners or modes:" >&2
  grep -v '^[d-]rw------- 0/0 \|^drwx------ 0/0 ' "$work/listing" >&2
  exit 1
fi
mkdir "$work/gnu" && tar -xzf "$work/a.tar.gz" -C "$work/gnu"
(cd "$work/gnu/$name" && sha256sum -c --quiet SHA256SUMS)
"$VENV/bin/python" - "$work/a.tar.gz" "$work/py" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "r:gz") as t:
    members = t.getmembers()
    assert all(m.uid == 0 and m.gid == 0 for m in members), "owners are not 0/0"
    t.extractall(sys.argv[2], filter="data")
print(f"archive: python tarfile read {len(members)} entries")
PY
diff -r "$work/gnu" "$work/py"
"$kb4graph" verify "$work/a.tar.gz" -q
"$kb4graph" verify "$work/gnu/$name" -q
echo "archive: GNU tar and python tarfile agree; verify accepts the archive and its extraction"
