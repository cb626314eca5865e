"""Issue acceptance, as a new user tries it: a CSL-JSON file as Zotero exports
it (item URIs as ids, ``citation-key``, years as strings) with a multivolume
set and one of its volumes, a reprint, a book review, a thesis from ProQuest, a
data set, a conference talk over several days, an unsigned newspaper article,
a French title and a group author with its abbreviation is imported, then
formatted. Each line is the form the manuals give for that kind of work (APA 7
9.47, 10.1-10.9; CMOS 18 14.46-14.217, 15.x), checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "zotero-varied-csl.json"
KEYS = [
    "hartmann2015papers",
    "hartmann2015final",
    "darwin2009origin",
    "miller2015fighting",
    "harris2019alliance",
    "sipri2023military",
    "ortega2019regional",
    "nyt2021border",
    "dupont2012securite",
    "who2021world",
]

APA = [
    "Border clash raises fears of wider war. (2021, April 30). New York Times, A6.",
    "Darwin, C. (2009). On the origin of species. Penguin Classics. (Original work published 1859)",
    "Dupont, M. (2012). La sécurité collective en Europe. Presses de Sciences Po.",
    "Harris, E. L. (2019). Alliance politics in the Baltic states (Publication No. 13865421) [Doctoral dissertation, University of Michigan]. ProQuest Dissertations & Theses Global.",
    "Hartmann, P. (Ed.). (2015a). The papers of the Congress of Vienna (Vols. 1–3). Oxford University Press.",
    "Hartmann, P. (Ed.). (2015b). The papers of the Congress of Vienna: Vol. 2. The final act. Oxford University Press.",
    "Miller, R. (2015). Fighting for the future [Review of the book The end of power, by M. Naím]. Journal of Modern History, 87(2), 405–407. https://doi.org/10.1086/680987",
    "Ortega, L. (2019, March 27–30). Regional security organisations after Crimea [Paper presentation]. Annual Convention of the International Studies Association, Toronto, Canada.",
    "Stockholm International Peace Research Institute. (2023). SIPRI military expenditure database (Version 2023) [Data set]. https://www.sipri.org/databases/milex",
    "World Health Organization. (2021). World health statistics 2021.",
]
CHICAGO_NOTES = [
    "Darwin, Charles. On the Origin of Species. 1859. Reprint, Penguin Classics, 2009.",
    "Dupont, Marie. La sécurité collective en Europe. Presses de Sciences Po, 2012.",
    "Harris, Emma L. “Alliance Politics in the Baltic States.” Doctoral dissertation, University of Michigan, 2019. ProQuest Dissertations & Theses Global (13865421).",
    "Hartmann, Paul, ed. The Papers of the Congress of Vienna. 3 vols. Oxford University Press, 2015.",
    "Hartmann, Paul, ed. The Papers of the Congress of Vienna. Vol. 2, The Final Act. Oxford University Press, 2015.",
    "Miller, Rachel. “Fighting for the Future.” Review of The End of Power, by Moisés Naím. Journal of Modern History 87, no. 2 (2015): 405–7. https://doi.org/10.1086/680987.",
    "New York Times. “Border Clash Raises Fears of Wider War.” April 30, 2021.",
    "Ortega, Lucía. “Regional Security Organisations After Crimea.” Paper presentation, Annual Convention of the International Studies Association, Toronto, Canada, March 27–30, 2019.",
    "Stockholm International Peace Research Institute. “SIPRI Military Expenditure Database.” Version 2023. April 24, 2023. https://www.sipri.org/databases/milex.",
    "World Health Organization. World Health Statistics 2021. World Health Organization, 2021.",
]
CHICAGO_AUTHOR_DATE = [
    "Darwin, Charles. (1859) 2009. On the Origin of Species. Penguin Classics.",
    "Dupont, Marie. 2012. La sécurité collective en Europe. Presses de Sciences Po.",
    "Harris, Emma L. 2019. “Alliance Politics in the Baltic States.” Doctoral dissertation, University of Michigan. ProQuest Dissertations & Theses Global (13865421).",
    "Hartmann, Paul, ed. 2015a. The Final Act. Vol. 2 of The Papers of the Congress of Vienna. Oxford University Press.",
    "Hartmann, Paul, ed. 2015b. The Papers of the Congress of Vienna. 3 vols. Oxford University Press.",
    "Miller, Rachel. 2015. “Fighting for the Future.” Review of The End of Power, by Moisés Naím. Journal of Modern History 87, no. 2 (June): 405–7. https://doi.org/10.1086/680987.",
    "New York Times. 2021. “Border Clash Raises Fears of Wider War.” April 30.",
    "Ortega, Lucía. 2019. “Regional Security Organisations After Crimea.” Paper presentation, Annual Convention of the International Studies Association, Toronto, Canada, March 27–30.",
    "Stockholm International Peace Research Institute. 2023. “SIPRI Military Expenditure Database.” Version 2023. April 24. https://www.sipri.org/databases/milex.",
    "World Health Organization. 2021. World Health Statistics 2021. World Health Organization.",
]
NOTES = [
    "Paul Hartmann, ed., The Papers of the Congress of Vienna, 3 vols. (Oxford University Press, 2015).",
    "Paul Hartmann, ed., The Papers of the Congress of Vienna, vol. 2, The Final Act (Oxford University Press, 2015).",
    "Charles Darwin, On the Origin of Species (1859; repr., Penguin Classics, 2009).",
    "Rachel Miller, “Fighting for the Future,” review of The End of Power, by Moisés Naím, Journal of Modern History 87, no. 2 (2015): 405–7, https://doi.org/10.1086/680987.",
    "Emma L. Harris, “Alliance Politics in the Baltic States” (Doctoral dissertation, University of Michigan, 2019), ProQuest Dissertations & Theses Global (13865421).",
    "Stockholm International Peace Research Institute, “SIPRI Military Expenditure Database,” version 2023, April 24, 2023, https://www.sipri.org/databases/milex.",
    "Lucía Ortega, “Regional Security Organisations After Crimea” (paper presentation, Annual Convention of the International Studies Association, Toronto, Canada, March 27–30, 2019).",
    "“Border Clash Raises Fears of Wider War,” New York Times, April 30, 2021.",
    "Marie Dupont, La sécurité collective en Europe (Presses de Sciences Po, 2012).",
    "World Health Organization, World Health Statistics 2021 (World Health Organization, 2021).",
]
APA_CITATIONS = [
    "(Hartmann, 2015a)",
    "(Hartmann, 2015b)",
    "(Darwin, 1859/2009)",
    "(Miller, 2015)",
    "(Harris, 2019)",
    "(Stockholm International Peace Research Institute, 2023)",
    "(Ortega, 2019)",
    "(“Border Clash Raises Fears of Wider War,” 2021)",
    "(Dupont, 2012)",
    "(World Health Organization [WHO], 2021)",
]


@pytest.fixture
def lib(cs, empty_lib: Path) -> Path:
    r = cs(empty_lib, "import", str(FIXTURE))
    assert (r.exit_code, r.stdout) == (
        0,
        "imported 10, skipped as duplicate 0, skipped as invalid 0\n",
    )
    assert r.stderr == ""
    return empty_lib


@pytest.mark.parametrize(
    ("style", "want"),
    [("apa", APA), ("chicago-notes", CHICAGO_NOTES), ("chicago-author-date", CHICAGO_AUTHOR_DATE)],
)
def test_bibliography_of_a_zotero_export_reads_as_the_manual_prints_it(cs, lib, style, want):
    r = cs(lib, "bibliography", "--style", style)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == want


def test_notes_and_citations_of_a_zotero_export(cs, lib):
    notes = [cs(lib, "cite", "-s", "chicago-notes", "--form", "note", k).stdout for k in KEYS]
    assert "".join(notes).splitlines() == NOTES
    cites = [cs(lib, "cite", k).stdout for k in KEYS]
    assert "".join(cites).splitlines() == APA_CITATIONS
    # a group author: spelled out with its abbreviation first, then the abbreviation (APA 8.21)
    assert cs(lib, "cite", "who2021world", "--subsequent").stdout == "(WHO, 2021)\n"


def test_the_set_files_before_its_volume_and_italics_survive_markdown(cs, lib):
    """APA 9.45-9.47: nothing precedes something, so the set (2015a) files
    before its volume (2015b); titles are italic in Markdown, not tags."""
    r = cs(lib, "bibliography", "--style", "apa", "--format", "markdown")
    assert (
        "Hartmann, P. (Ed.). (2015a). *The papers of the Congress of Vienna* (Vols. 1–3)."
        in r.stdout
    )
    assert "(2015b). *The papers of the Congress of Vienna: Vol. 2. The final act*." in r.stdout
    assert "<i>" not in r.stdout
    r = cs(
        lib,
        "cite",
        "-s",
        "chicago-notes",
        "--form",
        "note",
        "miller2015fighting",
        "--format",
        "html",
    )
    assert (
        "review of <i>The End of Power</i>, by Moisés Naím, <i>Journal of Modern History</i>"
        in r.stdout
    )
