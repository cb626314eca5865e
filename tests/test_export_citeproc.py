"""citeproc-js accepts citeshelf's CSL-JSON export. Skips, saying why, where node, the
npm package citeproc or the CSL files are not installed (tests/golden/setup_tools.sh
fetches them into .tools/)."""

from __future__ import annotations

import json
import subprocess

from .conftest import need_citeproc_js, need_csl_locale, need_csl_style

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
    node, node_modules = need_citeproc_js()
    style, locale = need_csl_style("apa"), need_csl_locale("en-US")
    items = tmp_path / "refs.json"
    r = cs(
        handbook_lib, "export", "aris2014collective", "galbreath2014organization", "-o", str(items)
    )
    assert r.exit_code == 0, r.stderr
    script = tmp_path / "render.mjs"
    script.write_text(SCRIPT, encoding="utf-8")
    out = subprocess.run(
        [node, str(script), str(node_modules), str(style), str(locale), str(items)],
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
