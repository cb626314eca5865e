"""add TYPE with the type's own options, add TYPE --edit, the thesis degree
vocabulary through the formats and styles, and made-up import keys."""

from __future__ import annotations

import json
from pathlib import Path


def test_made_up_ris_and_csl_keys_follow_the_key_formula(cs, empty_lib: Path) -> None:
    (empty_lib / "citeshelf.toml").write_text('[keys]\nformula = "[auth:lower]_[year]"\n')
    ris = empty_lib.parent / "in.ris"
    ris.write_text(
        "TY  - BOOK\nAU  - Aris, Stephen\nTI  - Eurasian regionalism\nPY  - 2011\nER  - \n"
    )
    csl = empty_lib.parent / "in.json"
    csl.write_text(
        json.dumps(
            [
                {
                    "type": "book",
                    "title": "Regional security",
                    "author": [{"family": "Kay", "given": "Sean"}],
                    "issued": {"date-parts": [[2015]]},
                }
            ]
        )
    )
    r = cs(empty_lib, "import", str(ris), str(csl))
    assert r.exit_code == 0, r.stderr
    assert sorted(p.stem for p in empty_lib.glob("*.json")) == ["aris_2011", "kay_2015"]
