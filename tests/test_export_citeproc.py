"""citeproc-js accepts citeshelf's CSL-JSON export. Skips, saying why, where node and the
npm package citeproc are not installed (tests/golden/setup_tools.sh fetches them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_MODULES = Path(os.environ.get("CITEPROC_NODE_MODULES", "/work/tools/node/node_modules"))
STYLES = Path(os.environ.get("CSL_STYLES_DIR", "/work/tools/csl/styles"))
LOCALES = Path(os.environ.get("CSL_LOCALES_DIR", "/work/tools/csl/locales"))

SCRIPT = r"""
import { createRequire } from "node:module";
import fs from "node:fs";
const [nodeModules, style, locale, itemsFile] = process.argv.slice(2);
const require = createRequire(nodeModules + "/");
const CSL = require("citeproc");
const items = JSON.parse(fs.readFileSync(itemsFile, "utf8"));
const byId = Object.fromEntries(items.map((i) => [i.id, i]));
const sys = {
  retrieveLocale: () => fs.readFileSync(locale, "utf8"),
  retrieveItem: (id) => byId[id],
};
const engine = new CSL.Engine(sys, fs.readFileSync(style, "utf8"));
engine.setOutputFormat("text");
engine.updateItems(items.map((i) => i.id));
const [meta, entries] = engine.makeBibliography();
process.stdout.write(JSON.stringify(entries.map((e) => e.trim())));
"""


def test_citeproc_js_formats_the_exported_chapters(cs, handbook_lib, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed: cannot run citeproc-js")
    if not (NODE_MODULES / "citeproc").is_dir():
        pytest.skip(f"npm package citeproc not in {NODE_MODULES} (tests/golden/setup_tools.sh)")
    style, locale = STYLES / "apa.csl", LOCALES / "locales-en-US.xml"
    if not style.is_file() or not locale.is_file():
        pytest.skip(f"apa.csl or locales-en-US.xml missing in {STYLES} / {LOCALES}")
    items = tmp_path / "refs.json"
    r = cs(
        handbook_lib, "export", "aris2014collective", "galbreath2014organization", "-o", str(items)
    )
    assert r.exit_code == 0, r.stderr
    script = tmp_path / "render.mjs"
    script.write_text(SCRIPT, encoding="utf-8")
    out = subprocess.run(
        [node, str(script), str(NODE_MODULES), str(style), str(locale), str(items)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    entries = json.loads(out.stdout)
    assert entries[1] == (
        "Galbreath, D. J., & Seidyusif, A. (2014). Organization for Security and Cooperation in "
        "Europe. In J. Sperling (Ed.), Handbook of governance and security (pp. 656–670). Edward "
        "Elgar Publishing. "
        "https://www.elgaronline.com/view/edcoll/9781781953167/9781781953167.00047.xml"
    )
    assert entries[2].startswith("Sperling, J. (Ed.). (2014). Handbook of governance and security.")
