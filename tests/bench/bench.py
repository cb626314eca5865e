#!/usr/bin/env python3
"""Benchmark citeshelf (and pubs and papis, where installed) at 1k, 10k, 100k records.

Run by hand, not by pytest (this file defines no tests)::

    python tests/bench/bench.py                       # 1k and 10k, 5 runs each
    python tests/bench/bench.py --sizes 1000,10000,100000 --runs 5
    python tests/bench/bench.py --sizes 1000 --pubs /path/to/pubs --papis /path/to/papis

It generates, with a fixed seed, a synthetic library of each size (books
authored and edited, chapters with their parent books, articles, reports,
theses, conference papers, web pages; names with accents and particles;
abstracts; tags; DOIs and valid ISBNs) both as record files and as a matching
.bib file, then times whole processes -- several runs each, the median
reported, with the peak memory (maximum resident set size) of the slowest
run:

* ``--help``; ``list`` of the 20 records by one author (``author:merand``);
  ``show`` of a chapter; ``chapters`` of a book;
* ``import`` of the .bib into an empty library; ``export`` of everything to
  BibTeX; ``bibliography`` of 1,000 records;
* the first ``list`` after 100 record files changed on disk (edited in place,
  as an editor that does not rename would);
* formatting 10,000 references per style through the styles' Python API.

Before timing, each tool's Python modules are compiled to bytecode
(:func:`compile_bytecode`), as an installed tool has them, whatever
``PYTHONDONTWRITEBYTECODE`` says. A command citeshelf does not have (yet) is
reported as n/a. The record files
for list/show/chapters are written directly (as citeshelf writes them), so
those timings do not depend on the speed of import.

Other tools, side by side, as ratios (their time / citeshelf's):

* pubs: ``--pubs PATH`` or ``$CITESHELF_BENCH_PUBS`` (the ``pubs`` executable;
  pubs 0.9 needs bibtexparser 1.x in its environment);
* papis: ``--papis PATH`` or ``$CITESHELF_BENCH_PAPIS``.

Either is skipped when absent. papis imports one entry at a time (about
0.14 s each), so its import is timed only up to ``--papis-import-max``
entries (default 1000) and once.

Results go to ``tests/bench/out/`` (git-ignored): ``results.json`` and
``results.md``; the Markdown table is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20140829
AUTHOR_QUERY = "merand"  # exactly 20 records at every size have Frédéric Mérand as an author

# --------------------------------------------------------------------------
# Synthetic library

FAMILIES = [
    ("Smith", None),
    ("Müller", None),
    ("García", None),
    ("Nguyễn", None),
    ("Kowalski", None),
    ("Sørensen", None),
    ("Dvořák", None),
    ("Šimić", None),
    ("Ødegaard", None),
    ("Łukasiewicz", None),
    ("Berg", "van der"),
    ("Cruz", "de la"),
    ("Gaulle", "de"),
    ("Beethoven", "van"),
    ("Núñez", None),
    ("O'Brien", None),
    ("Johnson", None),
    ("Chen", None),
    ("Wang", None),
    ("Kim", None),
    ("Rossi", None),
    ("Dubois", None),
    ("Jensen", None),
    ("Ivanova", None),
    ("Yılmaz", None),
    ("Andersson", None),
    ("Fernández", None),
    ("Schäfer", None),
    ("Björk", None),
    ("Żukowski", None),
    ("Eilstrup-Sangiovanni", None),
    ("Galbreath", None),
    ("Cottey", None),
    ("Sperling", None),
    ("Boin", None),
    ("Rhinard", None),
    ("Tavares", None),
    ("Occhipinti", None),
    ("Harnisch", None),
    ("Jasper", None),
    ("Okafor", None),
    ("Mensah", None),
    ("Haddad", None),
    ("Takahashi", None),
    ("Novák", None),
    ("Horváth", None),
    ("Popescu", None),
    ("Papadopoulos", None),
    ("Costa", None),
]
GIVENS = [
    "James",
    "Anna",
    "José",
    "Zoë",
    "Björn",
    "Chloé",
    "Łucja",
    "Søren",
    "Jürgen",
    "Renée",
    "Mohammed",
    "Mei",
    "Hiroshi",
    "Amara",
    "Olga",
    "Pierre",
    "Ingrid",
    "Tomáš",
    "Ana María",
    "Jean-Paul",
    "Stephen",
    "Emil",
    "Fatma",
    "Kwame",
    "Nadia",
    "Liam",
    "Elif",
    "Marek",
]
WORDS = [
    "security",
    "governance",
    "regional",
    "cooperation",
    "europe",
    "union",
    "alliance",
    "crisis",
    "transboundary",
    "network",
    "theory",
    "regime",
    "complexity",
    "collective",
    "action",
    "organization",
    "treaty",
    "sovereignty",
    "state",
    "terrorism",
    "counter",
    "nonproliferation",
    "cyberspace",
    "criminality",
    "transnational",
    "integration",
    "policy",
    "institutions",
    "power",
    "norms",
    "identity",
    "conflict",
    "peace",
    "war",
    "diplomacy",
    "economy",
    "trade",
    "energy",
    "migration",
    "environment",
    "climate",
    "health",
    "pandemic",
    "borders",
    "defence",
    "military",
    "strategy",
    "deterrence",
    "nuclear",
    "maritime",
    "arctic",
    "africa",
    "asia",
    "america",
    "gulf",
    "pacific",
    "atlantic",
    "frontier",
    "legitimacy",
    "democracy",
    "authoritarian",
    "reform",
    "law",
    "courts",
    "rights",
    "justice",
    "development",
    "aid",
    "finance",
    "markets",
    "data",
    "digital",
    "privacy",
    "surveillance",
    "intelligence",
    "police",
    "cities",
    "resilience",
    "infrastructure",
    "risk",
    "uncertainty",
]
ACCENTED_WORDS = ["Sécurité", "Gouvernance", "Politik", "Zusammenarbeit", "Región", "Españа"]
PUBLISHERS = [
    "Edward Elgar Publishing",
    "Oxford University Press",
    "Routledge",
    "Cambridge University Press",
    "Palgrave Macmillan",
    "Presses de Sciences Po",
    "Springer",
    "Éditions du Seuil",
    "Suhrkamp",
    "MIT Press",
]
PLACES = [
    "Cheltenham, UK",
    "Oxford",
    "London",
    "Cambridge",
    "Basingstoke",
    "Paris",
    "Berlin",
    "Cambridge, MA",
]
JOURNALS = [
    "Journal of Common Market Studies",
    "International Security",
    "Security Dialogue",
    "European Journal of International Relations",
    "Revue française de science politique",
    "Politische Vierteljahresschrift",
    "Review of International Studies",
    "Cooperation and Conflict",
]
TAGS = ["to-read", "core", "methods", "security", "eu", "theory", "teaching"]

LATEX = {
    "é": "{\\'e}",
    "É": "{\\'E}",
    "á": "{\\'a}",
    "í": "{\\'i}",
    "ó": "{\\'o}",
    "ú": "{\\'u}",
    "ü": '{\\"u}',
    "ö": '{\\"o}',
    "ä": '{\\"a}',
    "ø": "{\\o}",
    "Ø": "{\\O}",
    "ł": "{\\l}",
    "Ł": "{\\L}",
    "ř": "{\\v{r}}",
    "Š": "{\\v{S}}",
    "š": "{\\v{s}}",
    "ć": "{\\'c}",
    "ñ": "{\\~n}",
    "Ñ": "{\\~N}",
    "ễ": "{\\~{\\^e}}",
    "ı": "{\\i}",
    "Ż": "{\\.Z}",
    "ë": '{\\"e}',
    "è": "{\\`e}",
    "ç": "{\\c{c}}",
    "õ": "{\\~o}",
    "ã": "{\\~a}",
    "ą": "{\\k{a}}",
    "ß": "{\\ss}",
    "а": "a",  # a Cyrillic a, as pasted from the web
}


def isbn13(n: int) -> str:
    core = f"978{n % 10**9:09d}"
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core)) % 10) % 10
    return core + str(check)


def _ascii(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L").replace("ı", "i")
    return "".join(c for c in t.lower() if c.isascii() and c.isalnum())


def generate(n: int, seed: int = SEED) -> list[dict]:
    """``n`` records as the JSON data citeshelf writes (field order of the model)."""
    rnd = random.Random(seed + n)
    records: list[dict] = []
    used: set[str] = set()
    merand_left = 20
    merand_every = max(1, n // 20)

    def person() -> dict:
        family, particle = rnd.choice(FAMILIES)
        p = {"family": family, "given": rnd.choice(GIVENS)}
        if particle:
            p["particle"] = particle
        return p

    def title() -> str:
        k = rnd.randint(2, 8)
        words = [rnd.choice(WORDS) for _ in range(k)]
        if rnd.random() < 0.05:
            words.append(rnd.choice(ACCENTED_WORDS).lower())
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def abstract() -> str:
        sentences = []
        for _ in range(rnd.randint(3, 8)):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(8, 20))]
            s = " ".join(words)
            sentences.append(s[0].upper() + s[1:] + ".")
        return " ".join(sentences)

    def key_for(people: list[dict], year: int, t: str) -> str:
        first = (
            people[0].get("family") or people[0].get("literal", "").split()[0] if people else "anon"
        )
        base = f"{_ascii(first)}{year}{_ascii(t.split()[0])}"
        key, i = base, 0
        while key in used:
            i += 1
            key = base + _suffix(i)
        used.add(key)
        return key

    books: list[dict] = []
    i = 0
    while len(records) < n:
        i += 1
        r = rnd.random()
        year = rnd.randint(1950, 2025)
        t = title()
        rec: dict
        if r < 0.12 or (r < 0.5 and not books):
            edited = rnd.random() < 0.6
            people = [person() for _ in range(rnd.randint(1, 3))]
            rec = {"type": "book", "key": "", "title": t}
            rec["editors" if edited else "authors"] = people
            rec["issued"] = f"{year}-{rnd.randint(1, 12):02d}" if rnd.random() < 0.3 else str(year)
            rec["publisher"] = rnd.choice(PUBLISHERS)
            rec["place"] = rnd.choice(PLACES)
            rec["isbn"] = [isbn13(rnd.randrange(10**9))]
            rec["key"] = key_for(people, year, t)
            rec["_chapters"] = 0
            if edited:
                books.append(rec)
        elif r < 0.45 and books:
            book = rnd.choice(books[-50:])
            book["_chapters"] += 1
            people = [person() for _ in range(rnd.randint(1, 3))]
            start = rnd.randint(1, 600)
            byear = int(book["issued"][:4])
            rec = {
                "type": "chapter",
                "key": key_for(people, byear, t),
                "title": t,
                "authors": people,
                "parent": book["key"],
                "chapter": str(book["_chapters"]),
                "pages": f"{start}–{start + rnd.randint(8, 30)}",
            }
        elif r < 0.8:
            people = [person() for _ in range(rnd.randint(1, 5))]
            start = rnd.randint(1, 900)
            rec = {
                "type": "article",
                "key": key_for(people, year, t),
                "title": t,
                "authors": people,
                "issued": str(year),
                "volume": str(rnd.randint(1, 60)),
                "doi": f"10.{5000 + i % 900}/gen.{i}",
                "journal": rnd.choice(JOURNALS),
                "issue": str(rnd.randint(1, 6)),
                "pages": f"{start}–{start + rnd.randint(10, 30)}",
            }
        elif r < 0.86:
            people = (
                [person()] if rnd.random() < 0.6 else [{"literal": "World Health Organization"}]
            )
            rec = {
                "type": "report",
                "key": key_for(people, year, t),
                "title": t,
                "authors": people,
                "issued": str(year),
                "institution": rnd.choice(["RAND Corporation", "SIPRI", "Chatham House"]),
                "number": f"RR-{i}",
            }
        elif r < 0.9:
            people = [person()]
            rec = {
                "type": "thesis",
                "key": key_for(people, year, t),
                "title": t,
                "authors": people,
                "issued": str(year),
                "degree": "PhD",
                "institution": "Université de Montréal",
            }
        elif r < 0.96:
            people = [person() for _ in range(rnd.randint(1, 3))]
            rec = {
                "type": "paper",
                "key": key_for(people, year, t),
                "title": t,
                "authors": people,
                "issued": str(year),
                "container_title": f"Proceedings of the {rnd.choice(WORDS)} conference",
                "event": "Annual Convention",
            }
        else:
            people = [person()]
            rec = {
                "type": "webpage",
                "key": key_for(people, year, t),
                "title": t,
                "authors": people,
                "issued": str(year),
                "url": f"https://example.org/{i}",
                "site": "Example",
            }
        if rec["type"] != "book" and "authors" in rec and merand_left and i % merand_every == 0:
            rec["authors"].insert(0, {"family": "Mérand", "given": "Frédéric"})
            merand_left -= 1
        if rnd.random() < 0.7:
            rec["abstract"] = abstract()
        if rnd.random() < 0.2:
            rec["tags"] = sorted(set(rnd.sample(TAGS, rnd.randint(1, 2))))
        rec["added"] = "2026-01-01T00:00:00Z"
        records.append(rec)
    # Any Mérand records still missing (tiny sizes) go on the first non-book records.
    for rec in records:
        if not merand_left:
            break
        if (
            rec["type"] != "book"
            and "authors" in rec
            and rec["authors"][0].get("family") != "Mérand"
        ):
            rec["authors"].insert(0, {"family": "Mérand", "given": "Frédéric"})
            merand_left -= 1
    for rec in records:
        rec.pop("_chapters", None)
    return records


def _suffix(i: int) -> str:
    s = ""
    m = i - 1
    while True:
        s = chr(ord("a") + m % 26) + s
        m = m // 26 - 1
        if m < 0:
            return s


_ORDER = [
    "type",
    "key",
    "title",
    "subtitle",
    "short_title",
    "authors",
    "editors",
    "translators",
    "issued",
    "publisher",
    "place",
    "edition",
    "volume",
    "series",
    "language",
    "doi",
    "isbn",
    "url",
    "journal",
    "issue",
    "pages",
    "issn",
    "institution",
    "number",
    "degree",
    "site",
    "parent",
    "container_title",
    "chapter",
    "event",
    "abstract",
    "keywords",
    "note",
    "tags",
    "extra",
    "added",
    "modified",
]


def set_aside(path: Path) -> None:
    """Move what an earlier run left at ``path`` to ``trash/`` next to it,
    emptied when the benchmark ends (:func:`main`), not now: see
    :func:`write_records`."""
    if path.exists():
        trash = path.parent / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.time_ns()}")


def write_records(records: list[dict], folder: Path) -> None:
    """The records as files in ``folder``. A folder an earlier run wrote is
    brought back to them (only the files that differ are written, the others
    removed) rather than made again: deleting thousands of files makes the
    next ones created slow for minutes on ext4 (see the import's timing)."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for rec in records:
        data = {k: rec[k] for k in _ORDER if k in rec}
        data.update({k: v for k, v in rec.items() if k not in data})
        path = folder / f"{rec['key']}.json"
        wanted.add(path.name)
        text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        try:
            if path.read_bytes() == text:
                continue
        except OSError:
            pass
        path.write_bytes(text)
    for path in folder.iterdir():
        if path.name not in wanted:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def _latex(text: str, rnd: random.Random) -> str:
    if rnd.random() < 0.5:
        return text  # half the entries keep Unicode, as biber users write them
    return "".join(LATEX.get(c, c) for c in text)


def _bib_names(people: list[dict], rnd: random.Random) -> str:
    out = []
    for p in people:
        if "literal" in p:
            out.append("{" + p["literal"] + "}")
        else:
            last = " ".join(x for x in (p.get("particle"), p["family"]) if x)
            out.append(_latex(f"{last}, {p['given']}", rnd))
    return " and ".join(out)


def write_bib(records: list[dict], path: Path, seed: int = SEED) -> None:
    rnd = random.Random(seed)
    by_key = {r["key"]: r for r in records}
    bibtype = {
        "book": "book",
        "chapter": "incollection",
        "article": "article",
        "report": "techreport",
        "thesis": "phdthesis",
        "paper": "inproceedings",
        "webpage": "misc",
    }
    lines: list[str] = []
    for r in records:
        f: list[tuple[str, str]] = []
        if "authors" in r:
            f.append(("author", _bib_names(r["authors"], rnd)))
        if "editors" in r:
            f.append(("editor", _bib_names(r["editors"], rnd)))
        f.append(("title", "{" + _latex(r["title"], rnd) + "}"))
        if r["type"] == "chapter":
            book = by_key[r["parent"]]
            f += [
                ("booktitle", book["title"]),
                ("editor", _bib_names(book.get("editors", []), rnd)),
                ("publisher", book["publisher"]),
                ("address", book["place"]),
                ("year", book["issued"][:4]),
                ("chapter", r["chapter"]),
                ("pages", r["pages"].replace("–", "--")),
                ("crossref", r["parent"]),
            ]
        if "issued" in r:
            f.append(("year", r["issued"][:4]))
            if len(r["issued"]) > 4:
                f.append(("month", str(int(r["issued"][5:7]))))
        for name, bib in (
            ("publisher", "publisher"),
            ("place", "address"),
            ("journal", "journal"),
            ("volume", "volume"),
            ("issue", "number"),
            ("doi", "doi"),
            ("url", "url"),
            ("institution", "institution" if r["type"] != "thesis" else "school"),
            ("container_title", "booktitle"),
        ):
            if name in r:
                f.append(
                    (bib, _latex(r[name], rnd) if name in ("publisher", "institution") else r[name])
                )
        if r["type"] in ("article", "paper") and "pages" in r:
            f.append(("pages", r["pages"].replace("–", "--")))
        if "isbn" in r:
            f.append(("isbn", ", ".join(r["isbn"])))
        if "abstract" in r:
            f.append(("abstract", r["abstract"]))
        if "tags" in r:
            f.append(("keywords", ", ".join(r["tags"])))
        lines.append(f"@{bibtype[r['type']]}{{{r['key']},")
        lines += [f"  {k} = {{{v}}}," for k, v in f if v]
        lines.append("}\n")
    path.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------
# Timing whole processes


def run(
    argv: list[str],
    *,
    env: dict | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 3600,
) -> tuple[float, int, int]:
    """(seconds, peak RSS of children so far in MB, exit code) of one process."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        input=stdin.encode() if stdin is not None else None,
        timeout=timeout,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(
            f"  ! {' '.join(argv[:6])} ... exited {proc.returncode}: "
            f"{proc.stderr.decode(errors='replace')[-300:]}\n"
        )
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, rss // 1024, proc.returncode


def timed(argv_fn, runs: int, *, prepare=None, warm: bool = False, **kw) -> dict:
    """Median of ``runs`` runs; ``prepare()`` before each run (not timed).
    ``warm``: one run first, not timed (a repeated command's figure must not
    be its first run's, which is all there is when ``runs`` is 1)."""
    times, mems, codes = [], [], []
    if warm:
        run(argv_fn(), **kw)
    for _ in range(runs):
        if prepare is not None:
            prepare()
        t, m, c = run_with_rss(argv_fn(), **kw)
        times.append(t)
        mems.append(m)
        codes.append(c)
    return {
        "median": statistics.median(times),
        "runs": times,
        "rss_mb": max(mems),
        "ok": all(c == 0 for c in codes),
    }


def run_with_rss(argv: list[str], **kw) -> tuple[float, int, int]:
    """Like :func:`run`, peak memory measured by GNU time when present."""
    gnu_time = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
    if gnu_time is None:
        return run(argv, **kw)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-time-{os.getpid()}.txt"
    t, _m, c = run([gnu_time, "-f", "%M", "-o", str(out), *argv], **kw)
    try:
        rss = int(out.read_text().strip().splitlines()[-1]) // 1024
    except (OSError, ValueError, IndexError):
        rss = 0
    return t, rss, c


def interpreter_of(exe: str) -> str:
    """The Python a console script runs (its ``#!`` line), else this one."""
    try:
        with open(exe, "rb") as f:
            first = f.readline(512)
    except OSError:
        return sys.executable
    if first.startswith(b"#!"):
        python = first[2:].decode(errors="replace").strip().split(" ")[0]
        if python and Path(python).exists() and "python" in Path(python).name:
            return python
    return sys.executable


#: compile the installed packages and ``argv[1:]`` (the tool's own package) once
_COMPILE = """
import compileall, importlib.util, os, sys, sysconfig
folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
for name in sys.argv[1:]:
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.origin:
        folders.add(os.path.dirname(spec.origin))
ok = all(compileall.compile_dir(d, quiet=2, workers=0) for d in sorted(folders) if os.path.isdir(d))
sys.exit(0 if ok else 1)
"""


def compile_bytecode(exe: str, package: str) -> bool:
    """Write the bytecode of the tool behind ``exe`` (its environment's
    packages and ``package``, wherever it is imported from) before it is timed.

    An installed tool has it: pip compiles a wheel's modules as it installs
    them, and Python writes the rest on first import -- unless
    ``PYTHONDONTWRITEBYTECODE`` is set, as in some containers; then every
    process compiled again each module whose cache is missing or stale (an
    editable install's changed modules): a repeated ``cite`` at 10,000
    records took 60-65 ms that way against 46-49 ms with the cache written. Every
    tool is compiled alike, so the figures compare the tools, not their
    caches."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(
        [interpreter_of(exe), "-c", _COMPILE, package], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stderr.write(f"  ! bytecode of {exe} not all compiled: {proc.stderr[-300:]}\n")
    return proc.returncode == 0


def help_text(exe: list[str], command: str, env: dict) -> str | None:
    p = subprocess.run([*exe, command, "--help"], capture_output=True, text=True, env=env)
    return p.stdout if p.returncode == 0 else None


def touch_files(folder: Path, keys: list[str], rnd: random.Random) -> None:
    """Edit ``keys``' files in place (no rename), as some editors save."""
    for key in keys:
        path = folder / f"{key}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["note"] = f"edited {rnd.random():.6f}"
        with open(path, "r+", encoding="utf-8") as fh:
            fh.seek(0)
            fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            fh.truncate()


# --------------------------------------------------------------------------
# The benchmark


def bench_citeshelf(
    n: int,
    work: Path,
    runs: int,
    exe: list[str],
    env: dict,
    records: list[dict],
    bib: Path,
    import_max: int,
) -> dict:
    lib = work / f"lib-{n}"
    out: dict = {}
    chapter = next(r for r in records if r["type"] == "chapter")
    book_key = chapter["parent"]
    cs = [*exe, "--library", str(lib)]
    # (warm: the first --help after an install or upgrade keeps the text the
    # next ones print, and a single run would time that one)
    out["help"] = timed(lambda: [*exe, "--help"], runs, env=env, warm=True)
    # First list builds the index (timed once), then warm runs.
    out["index_build"] = timed(lambda: [*cs, "list", f"author:{AUTHOR_QUERY}"], 1, env=env)
    out["list_author"] = timed(lambda: [*cs, "list", f"author:{AUTHOR_QUERY}"], runs, env=env)
    out["list_all"] = timed(lambda: [*cs, "list"], runs, env=env)
    folder_env = {**env, "CITESHELF_INDEX_CHECK": "folder"}
    out["list_author_folder"] = timed(
        lambda: [*cs, "list", f"author:{AUTHOR_QUERY}"], runs, env=folder_env
    )
    out["show"] = timed(lambda: [*cs, "show", chapter["key"]], runs, env=env, warm=True)
    out["cite"] = timed(lambda: [*cs, "cite", chapter["key"]], runs, env=env, warm=True)
    # the first show / cite after the shown record's file changed (edited in place)
    edit = random.Random(SEED + 1)
    out["show_changed"] = timed(
        lambda: [*cs, "show", chapter["key"]],
        runs,
        env=env,
        prepare=lambda: touch_files(lib, [chapter["key"]], edit),
    )
    out["cite_changed"] = timed(
        lambda: [*cs, "cite", chapter["key"]],
        runs,
        env=env,
        prepare=lambda: touch_files(lib, [chapter["key"]], edit),
    )
    out["list_json"] = timed(lambda: [*cs, "list", "--json"], 1 if n >= 100000 else runs, env=env)
    out["check"] = timed(
        lambda: [*cs, "check"], 1 if n >= 100000 else max(1, min(runs, 3)), env=env
    )
    out["chapters"] = timed(lambda: [*cs, "chapters", book_key], runs, env=env)
    rnd = random.Random(SEED)
    keys = [r["key"] for r in records]
    out["after_100_changed"] = timed(
        lambda: [*cs, "list", f"author:{AUTHOR_QUERY}"],
        runs,
        env=env,
        prepare=lambda: touch_files(lib, rnd.sample(keys, min(100, len(keys))), rnd),
    )
    # import / export / bibliography, if citeshelf has them
    imp = help_text(exe, "import", env)
    if imp is None:
        out["import"] = "n/a"
    elif n > import_max:
        out["import"] = "skipped"
    else:
        # Each run imports into a folder of its own, all removed when the
        # benchmark ends (:func:`main`): on ext4, creating files within minutes of deleting many makes
        # the kernel look through the deleted inodes (recently_deleted), up to
        # 20 times the usual cost, which would be charged to whichever tool
        # ran after a deletion. Written data is flushed before each run.
        targets: list[Path] = []

        def fresh() -> None:
            targets.append(work / f"imported-{n}-{len(targets)}")
            shutil.rmtree(targets[-1], ignore_errors=True)
            targets[-1].mkdir(parents=True)
            os.sync()

        out["import"] = timed(
            lambda: [*exe, "--library", str(targets[-1]), "import", str(bib)],
            1 if n >= 100000 else max(1, min(runs, 3)),
            env=env,
            prepare=fresh,
        )
    exp = help_text(exe, "export", env)
    if exp is None:
        out["export"] = "n/a"
    else:
        args = ["export", "--all"] if re.search(r"\s--all\b", exp) else ["export"]
        if "--format" in exp:
            args += ["--format", "bibtex"]
        # The first export fills the index's cache of entries (no other
        # command does); the next ones write kept entries; then 100 files change.
        out["export_first"] = timed(lambda: [*cs, *args], 1, env=env)
        out["export"] = timed(
            lambda: [*cs, *args], 1 if n >= 100000 else max(1, min(runs, 3)), env=env
        )
        out["export_after_100"] = timed(
            lambda: [*cs, *args],
            1 if n >= 100000 else max(1, min(runs, 3)),
            env=env,
            prepare=lambda: touch_files(lib, rnd.sample(keys, min(100, len(keys))), rnd),
        )
    bibl = help_text(exe, "bibliography", env)
    if bibl is None:
        out["bibliography_1000"] = out["bibliography_all"] = "n/a"
    else:
        # The first list of everything keeps each record's part in the index
        # (citeshelf), the next ones print the kept list; then 100 files change.
        out["bibliography_first"] = timed(lambda: [*cs, "bibliography"], 1, env=env)
        out["bibliography_all"] = timed(
            lambda: [*cs, "bibliography"], 1 if n >= 100000 else max(1, min(runs, 3)), env=env
        )
        out["bibliography_after_100"] = timed(
            lambda: [*cs, "bibliography"],
            1 if n >= 100000 else max(1, min(runs, 3)),
            env=env,
            prepare=lambda: touch_files(lib, rnd.sample(keys, min(100, len(keys))), rnd),
        )
        keyfile = work / f"keys-{n}.txt"
        keyfile.write_text("\n".join(keys[:1000]) + "\n", encoding="utf-8")
        if "--keys-from" in bibl:
            args = ["bibliography", "--keys-from", str(keyfile)]
            out["bibliography_1000"] = timed(lambda: [*cs, *args], max(1, min(runs, 3)), env=env)
        else:
            fmt_args = ["--format", "text"] if "--format" in bibl else []
            out["bibliography_1000"] = timed(
                lambda: [*cs, "bibliography", *fmt_args, *keys[:1000]],
                max(1, min(runs, 3)),
                env=env,
            )
    return out


FLOOR_READ = r"""
import os, sys
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as fh:
        fh.read()
"""

FLOOR_FTS5 = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT key FROM t WHERE t MATCH ? ORDER BY key", (sys.argv[2],)).fetchall()
print(len(rows))
"""

FLOOR_PARSE = r"""
import sys, bibtexparser
bibtexparser.parse_file(sys.argv[1])
"""


def fts5_floor_db(records: list[dict], path: Path) -> None:
    """A bare SQLite FTS5 table of the records' authors (the floor of a query)."""
    import sqlite3

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        'CREATE VIRTUAL TABLE t USING fts5(key UNINDEXED, author, tokenize="unicode61 remove_diacritics 2")'
    )
    db.executemany(
        "INSERT INTO t VALUES (?, ?)",
        (
            (r["key"], " ".join(str(p.get("family", "")) for p in r.get("authors", [])))
            for r in records
        ),
    )
    db.commit()
    db.close()


def bench_floors(n: int, work: Path, runs: int, records: list[dict], bib: Path) -> dict:
    """What no tool can beat on this machine: a Python process that does
    nothing; one that reads one record file, or all of them; a bare FTS5
    query; bibtexparser's parse of the .bib."""
    py = sys.executable
    lib = work / f"lib-{n}"
    chapter = next(r for r in records if r["type"] == "chapter")
    one = lib / f"{chapter['key']}.json"
    db = work / f"floor-{n}.sqlite3"
    fts5_floor_db(records, db)
    heavy = 1 if n >= 100000 else max(1, min(runs, 3))
    return {
        "start": timed(lambda: [py, "-c", "pass"], runs),
        "read_one": timed(lambda: [py, "-c", f"open({str(one)!r}, 'rb').read()"], runs),
        "read_all": timed(lambda: [py, "-c", FLOOR_READ, str(lib)], heavy),
        "fts5": timed(lambda: [py, "-c", FLOOR_FTS5, str(db), AUTHOR_QUERY], runs),
        "parse": timed(lambda: [py, "-c", FLOOR_PARSE, str(bib)], heavy),
    }


#: the floor each operation is compared with
FLOOR_OF = {
    "help": "start",
    "index_build": "read_all",
    "list_author": "fts5",
    "list_author_folder": "fts5",
    "show": "read_one",
    "cite": "read_one",
    "show_changed": "read_one",
    "cite_changed": "read_one",
    "chapters": "fts5",
    "list_all": "read_all",
    "list_json": "read_all",
    "after_100_changed": "fts5",
    "import": "parse",
    "export_first": "read_all",
    "export": "read_all",
    "export_after_100": "read_all",
    "check": "read_all",
    "bibliography_first": "read_all",
    "bibliography_all": "read_all",
    "bibliography_after_100": "read_all",
}

FLOOR_NAMES = {
    "start": "python -c pass",
    "read_one": "read one file",
    "read_all": "read every file",
    "fts5": "bare FTS5 query",
    "parse": "bibtexparser parse",
}


STYLE_SCRIPT = r"""
import json, sys, time
from pathlib import Path
try:
    from citeshelf import styles
except ImportError:
    print(json.dumps("n/a")); sys.exit()
from citeshelf.library import Library, resolve
lib = Library(sys.argv[1])
keys = lib.keys()[:10000]
records = [resolve(lib.get(k), lib) for k in keys]
names = getattr(styles, "STYLES", None) or ["apa", "chicago"]
out = {}
fn = getattr(styles, "reference_text", None)
for name in names:
    if fn is None:
        out[name] = "n/a"; continue
    t = time.perf_counter()
    for r in records:
        fn(r, style=name)
    out[name] = {"seconds": time.perf_counter() - t, "count": len(records)}
print(json.dumps(out))
"""


def bench_styles(n: int, work: Path, env: dict, python: str) -> object:
    p = subprocess.run(
        [python, "-c", STYLE_SCRIPT, str(work / f"lib-{n}")],
        capture_output=True,
        text=True,
        env=env,
    )
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_pubs(
    n: int, work: Path, runs: int, pubs: str, bib: Path, records: list[dict], import_max: int
) -> dict:
    home = work / f"pubs-{n}"
    set_aside(home)
    home.mkdir(parents=True)
    conf = home / "pubsrc"
    env = {**os.environ, "HOME": str(home)}
    out: dict = {}
    base = [pubs, "-c", str(conf)]
    out["help"] = timed(lambda: [pubs, "--help"], runs, env=env, warm=True)
    run([*base, "init", "-p", str(home / "repo")], env=env)
    if n > import_max:
        out["import"] = "skipped"
        return out
    out["import"] = timed(lambda: [*base, "import", str(bib)], 1, env=env, prepare=os.sync)
    out["list_author"] = timed(lambda: [*base, "list", "author:Mérand"], runs, env=env)
    out["list_all"] = timed(lambda: [*base, "list"], runs, env=env)
    out["export"] = timed(lambda: [*base, "export"], max(1, min(runs, 3)), env=env)
    return out


def bench_papis(n: int, work: Path, runs: int, papis: str, bib: Path, import_max: int) -> dict:
    home = work / f"papis-{n}"
    set_aside(home)
    (home / "lib").mkdir(parents=True)
    (home / "config" / "papis").mkdir(parents=True)
    (home / "config" / "papis" / "config").write_text(
        f"[settings]\ndefault-library = bench\n\n[bench]\ndir = {home / 'lib'}\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    base = [papis, "--color", "no"]
    out: dict = {"help": timed(lambda: [papis, "--help"], runs, env=env, warm=True)}
    if n > import_max:
        out["import"] = "skipped"
        return out
    out["import"] = timed(
        lambda: [*base, "bibtex", "read", str(bib), "import", "--all"], 1, env=env, timeout=7200
    )
    out["list_author"] = timed(
        lambda: [*base, "list", "--all", "--format", "{doc[ref]}", "author:Mérand"], runs, env=env
    )
    out["list_all"] = timed(
        lambda: [*base, "list", "--all", "--format", "{doc[ref]}"], runs, env=env
    )
    out["export"] = timed(
        lambda: [*base, "export", "--all", "--format", "bibtex"], max(1, min(runs, 3)), env=env
    )
    return out


def machine() -> dict:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "sqlite": __import__("sqlite3").sqlite_version,
        "load_at_start": os.getloadavg(),
    }


def fmt(entry: object) -> str:
    if isinstance(entry, dict) and "median" in entry:
        s = entry["median"]
        text = f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"
        return text + ("" if entry.get("ok", True) else " (failed)")
    return str(entry) if entry is not None else "n/a"


def fastest(entry: object) -> str:
    """The fastest of several runs (a sub-second figure moves with the
    machine's other work; the fastest says what the command itself costs)."""
    if isinstance(entry, dict) and len(entry.get("runs") or ()) > 1:
        return fmt({"median": min(entry["runs"]), "ok": entry.get("ok", True)})
    return ""


def mem(entry: object) -> str:
    return f"{entry['rss_mb']} MB" if isinstance(entry, dict) and "rss_mb" in entry else ""


def ratio(other: object, ours: object) -> str:
    if (
        isinstance(other, dict)
        and isinstance(ours, dict)
        and "median" in other
        and "median" in ours
    ):
        return f"{other['median'] / ours['median']:.1f}×"
    return ""


def _bytecode_line(compiled: dict) -> str:
    if not compiled:
        return "Bytecode: not compiled before timing."
    done = [name for name, ok in compiled.items() if ok]
    failed = [name for name, ok in compiled.items() if not ok]
    line = f"Bytecode compiled before timing for {', '.join(done) or 'none'}"
    return line + (f"; not all of {', '.join(failed)}'s." if failed else ".")


def markdown(results: dict) -> str:
    m = results["machine"]
    load = f"; load average {m['load_at_start'][0]:.1f} at start" if m.get("load_at_start") else ""
    if m.get("load_at_end"):
        load += f", {m['load_at_end'][0]:.1f} at end"
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['system']}; Python {m['python']}, SQLite {m['sqlite']}{load}.",
        f"Median of {results['runs']} runs (import/export: up to 3; index build: 1), and the fastest, whole processes; memory = peak RSS.",
        _bytecode_line(m.get("bytecode_compiled", {})),
        "",
    ]
    ops = [
        ("help", "--help"),
        ("index_build", "first list (builds the index)"),
        ("list_author", "list author:merand (20 records)"),
        ("list_author_folder", "same, CITESHELF_INDEX_CHECK=folder"),
        ("show", "show a chapter"),
        ("cite", "cite a chapter"),
        ("show_changed", "show a chapter, its file just changed"),
        ("cite_changed", "cite a chapter, its file just changed"),
        ("chapters", "chapters of a book"),
        ("list_all", "list everything"),
        ("list_json", "list --json everything"),
        ("after_100_changed", "list after 100 files changed"),
        ("import", "import the .bib"),
        ("export_first", "first export to BibTeX (fills the entry cache)"),
        ("export", "export all to BibTeX"),
        ("export_after_100", "export after 100 files changed"),
        ("check", "check"),
        ("bibliography_1000", "bibliography of 1,000"),
        ("bibliography_first", "first bibliography of everything (fills the cache)"),
        ("bibliography_all", "bibliography of everything"),
        ("bibliography_after_100", "bibliography after 100 files changed"),
    ]
    for n, res in results["sizes"].items():
        lines += [
            f"### {int(n):,} records",
            "",
            "| operation | citeshelf | fastest | memory | × floor | pubs | ratio | papis | ratio |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        cs, pubs, papis = res.get("citeshelf", {}), res.get("pubs") or {}, res.get("papis") or {}
        floors = res.get("floors") or {}
        for key, label in ops:
            ours = cs.get(key)
            if ours is None:
                continue
            floor = floors.get(FLOOR_OF.get(key, ""))
            lines.append(
                f"| {label} | {fmt(ours)} | {fastest(ours)} | {mem(ours)} | {ratio(ours, floor)} | "
                f"{fmt(pubs.get(key)) if pubs else '—'} | "
                f"{ratio(pubs.get(key), ours)} | {fmt(papis.get(key)) if papis else '—'} | {ratio(papis.get(key), ours)} |"
            )
        if floors:
            lines += [
                "",
                "Floors: "
                + "; ".join(
                    f"{FLOOR_NAMES[k]} {fmt(v)}" for k, v in floors.items() if k in FLOOR_NAMES
                )
                + ".",
            ]
        st = res.get("styles")
        if st is not None:
            lines += ["", f"Formatting references through the styles API: {json.dumps(st)}"]
        if res.get("index_size_mb") is not None:
            lines += [
                "",
                f"Index file: {res['index_size_mb']:.1f} MB; record files: {res['records_mb']:.1f} MB.",
            ]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--work", type=Path, default=HERE / "out" / "work", help="where libraries are generated"
    )
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument(
        "--citeshelf", default=None, help="the citeshelf executable (default: beside this Python)"
    )
    ap.add_argument("--pubs", default=os.environ.get("CITESHELF_BENCH_PUBS"))
    ap.add_argument("--papis", default=os.environ.get("CITESHELF_BENCH_PAPIS"))
    ap.add_argument(
        "--import-max", type=int, default=100000, help="largest size to time citeshelf import at"
    )
    ap.add_argument("--pubs-import-max", type=int, default=10000)
    ap.add_argument("--papis-import-max", type=int, default=1000)
    ap.add_argument("--no-styles", action="store_true")
    args = ap.parse_args(argv)

    exe_path = args.citeshelf or str(Path(sys.executable).with_name("citeshelf"))
    exe = [exe_path] if Path(exe_path).exists() else [sys.executable, "-m", "citeshelf"]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CITESHELF_INDEX_DIR": str(work / "index"), "NO_COLOR": "1"}
    env.pop("CITESHELF_LIBRARY", None)
    results: dict = {"machine": machine(), "runs": args.runs, "sizes": {}}
    tools = [(exe[0] if len(exe) == 1 else sys.executable, "citeshelf")]
    tools += [(t, name) for t, name in ((args.pubs, "pubs"), (args.papis, "papis")) if t]
    results["machine"]["bytecode_compiled"] = {
        name: compile_bytecode(t, name) for t, name in tools if Path(t).exists()
    }
    for n in [int(s) for s in args.sizes.split(",") if s]:
        t0 = time.perf_counter()
        records = generate(n)
        write_records(records, work / f"lib-{n}")
        # the first list builds the index: none is left from an earlier run
        for old in (work / "index").glob(f"*lib-{n}-*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        bib = work / f"lib-{n}.bib"
        write_bib(records, bib)
        print(f"[{n}] generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        res: dict = {"floors": bench_floors(n, work, args.runs, records, bib)}
        res["citeshelf"] = bench_citeshelf(
            n, work, args.runs, exe, env, records, bib, args.import_max
        )
        print(
            f"[{n}] citeshelf: {json.dumps({k: fmt(v) for k, v in res['citeshelf'].items()})}",
            file=sys.stderr,
        )
        idx = list((work / "index").glob(f"*lib-{n}-*.sqlite3"))
        res["index_size_mb"] = idx[0].stat().st_size / 2**20 if idx else None
        res["records_mb"] = sum(p.stat().st_size for p in (work / f"lib-{n}").iterdir()) / 2**20
        if not args.no_styles:
            res["styles"] = bench_styles(n, work, env, sys.executable)
        if args.pubs and Path(args.pubs).exists():
            res["pubs"] = bench_pubs(
                n, work, args.runs, args.pubs, bib, records, args.pubs_import_max
            )
            print(
                f"[{n}] pubs: {json.dumps({k: fmt(v) for k, v in res['pubs'].items()})}",
                file=sys.stderr,
            )
        if args.papis and Path(args.papis).exists():
            res["papis"] = bench_papis(n, work, args.runs, args.papis, bib, args.papis_import_max)
            print(
                f"[{n}] papis: {json.dumps({k: fmt(v) for k, v in res['papis'].items()})}",
                file=sys.stderr,
            )
        results["sizes"][str(n)] = res
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
    for target in [*work.glob("imported-*"), work / "trash"]:
        shutil.rmtree(target, ignore_errors=True)
    results["machine"]["load_at_end"] = os.getloadavg()
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
