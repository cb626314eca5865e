"""Derive :mod:`.schema_map` from Zotero's published schema (zotero/zotero-schema).

Run from the top of the clone with a copy of ``schema.json``::

    python -m citeshelf.formats.zotero.derive path/to/schema.json \\
        > src/citeshelf/formats/zotero/schema_map.py
    ruff format src/citeshelf/formats/zotero/schema_map.py

(``schema.json`` itself, about 400 kB, is not kept here: take it from
zotero/zotero-schema; version 41 is what the committed table came from.)

What it takes from the schema, and nothing else:

* ``csl.types``: Zotero item type -> CSL type;
* ``csl.fields.text`` and ``csl.fields.date``: Zotero base field -> CSL
  variable (a field listed under several variables, such as ``shortTitle``
  under ``shortTitle`` and ``title-short``, takes the last one, the standard
  CSL name);
* ``csl.names``: Zotero creator type -> CSL name variable;
* ``itemTypes[].fields[].baseField``: a type's own field -> the base field it
  stands for (``bookTitle`` -> ``publicationTitle`` in a ``bookSection``).
"""

from __future__ import annotations

import json
import pprint
import sys
from typing import Any


def derive(schema: dict[str, Any]) -> str:
    csl = schema["csl"]
    types = {z: c for c, zs in csl["types"].items() for z in zs}
    fields: dict[str, str] = {}
    for var, names in csl["fields"]["text"].items():
        for name in names:
            fields[name] = var
    for var, name in csl["fields"]["date"].items():
        fields[name] = var
    base: dict[str, str] = {}
    for item_type in schema["itemTypes"]:
        for f in item_type["fields"]:
            if "baseField" in f:
                base[f["field"]] = f["baseField"]
    out = [
        '"""Zotero -> CSL mapping, derived from Zotero\'s schema.json (do not edit).',
        "",
        "Made by ``python -m citeshelf.formats.zotero.derive schema.json`` from",
        f"zotero/zotero-schema ``schema.json`` version {schema['version']}.",
        '"""',
        "",
        f"SCHEMA_VERSION = {schema['version']}",
        "",
        "#: Zotero item type -> CSL type",
        f"CSL_TYPES: dict[str, str] = {pprint.pformat(dict(sorted(types.items())), width=96)}",
        "",
        "#: Zotero base field -> CSL variable (text and date fields)",
        f"CSL_FIELDS: dict[str, str] = {pprint.pformat(dict(sorted(fields.items())), width=96)}",
        "",
        "#: a type's own field -> the base field it stands for (the same in every type)",
        f"BASE_FIELDS: dict[str, str] = {pprint.pformat(dict(sorted(base.items())), width=96)}",
        "",
        "#: Zotero creator type -> CSL name variable",
        f"CSL_NAMES: dict[str, str] = {pprint.pformat(dict(sorted(csl['names'].items())), width=96)}",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as fh:
        sys.stdout.write(derive(json.load(fh)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
