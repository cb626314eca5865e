"""Adding records by identifier, against a local stand-in for the web services
(tests/services_server.py; the fixtures' sources are in tests/fixtures/services/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf.errors import CiteshelfError, InvalidData, NotFound, UsageError
from citeshelf.sources.cache import ResponseCache
from citeshelf.sources.http import Client, RateLimited, Unreachable

from .services_server import ServiceServer, fixture, standard_routes


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    server = ServiceServer()
    standard_routes(server)
    for var, url in server.env().items():
        monkeypatch.setenv(var, url)
    monkeypatch.setenv("CITESHELF_CACHE_DIR", str(tmp_path / "http-cache"))
    monkeypatch.setenv("CITESHELF_MAILTO", "scholar@example.org")
    monkeypatch.setenv("CITESHELF_HTTP_TIMEOUT", "2")
    yield server
    server.stop()


def lookup(lib: Path, *ids: str, **kw):
    from citeshelf.library import Library
    from citeshelf.ops.importing import commit_import
    from citeshelf.ops.lookup import lookup_identifiers

    library = Library(lib)
    with lookup_identifiers(library, ids, **kw) as result:
        if not result.dry_run and not result.duplicates and not result.invalid:
            commit_import(result)
    return result


def saved(lib: Path, key: str) -> dict:
    return json.loads((lib / f"{key}.json").read_text(encoding="utf-8"))


# -- identifiers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("doi:10.1126/science.169.3946.635", "doi", "10.1126/science.169.3946.635"),
        ("10.1126/science.169.3946.635", "doi", "10.1126/science.169.3946.635"),
        ("https://doi.org/10.1126/SCIENCE.169.3946.635", "doi", "10.1126/SCIENCE.169.3946.635"),
        ("DOI: 10.5281/zenodo.50213", "doi", "10.5281/zenodo.50213"),
        ("isbn:978-1-78195-316-7", "isbn", "9781781953167"),
        ("isbn:0-14-032872-6", "isbn", "9780140328721"),
        ("0140328726", "isbn", "9780140328721"),
        ("arxiv:2101.00001", "arxiv", "2101.00001"),
        ("arXiv:2101.00001v2", "arxiv", "2101.00001v2"),
        ("https://arxiv.org/abs/hep-th/9901001", "arxiv", "hep-th/9901001"),
        ("pmid:31209238", "pmid", "31209238"),
        ("PMID: 31209238", "pmid", "31209238"),
    ],
)
def test_identifiers_are_recognised(text: str, kind: str, value: str) -> None:
    from citeshelf.sources.identifiers import parse_identifier

    ident = parse_identifier(text)
    assert (ident.kind, ident.value) == (kind, value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("isbn:9781781953168", "not a valid ISBN"),
        ("doi:11.1/x", "not a DOI"),
        ("arxiv:abc", "not an arXiv identifier"),
        ("pmid:12a", "not a PubMed identifier"),
        ("book-ish", "not an identifier"),
    ],
)
def test_bad_identifiers_say_what_is_wrong(text: str, says: str) -> None:
    from citeshelf.sources.identifiers import parse_identifier

    with pytest.raises(UsageError, match=says):
        parse_identifier(text)


# -- each service ----------------------------------------------------------------


def test_journal_article_by_doi(services: ServiceServer, empty_lib: Path) -> None:
    result = lookup(empty_lib, "doi:10.1126/science.169.3946.635")
    assert result.created == ["frank1970structure"]
    data = saved(empty_lib, "frank1970structure")
    assert data["type"] == "article"
    assert data["title"] == "The Structure of Ordinary Water"
    assert data["journal"] == "Science"
    assert (data["volume"], data["issue"], data["pages"]) == ("169", "3946", "635–641")
    assert data["issn"] == "0036-8075, 1095-9203"  # print and electronic
    assert data["doi"] == "10.1126/science.169.3946.635"
    assert data["authors"] == [{"family": "Frank", "given": "Henry S."}]
    # Crossref's bookkeeping is not kept as data
    assert not {"indexed", "reference-count", "score", "link"} & set(data.get("extra", {}))
    path, headers = services.requests[0]
    assert path == "/doi/10.1126/science.169.3946.635"
    assert headers["Accept"] == "application/vnd.citationstyles.csl+json"
    assert "mailto:scholar@example.org" in headers["User-Agent"]
    assert headers["User-Agent"].startswith("citeshelf/")


def test_sentence_case_keeps_acronyms_and_proper_nouns(
    services: ServiceServer, empty_lib: Path
) -> None:
    result = lookup(
        empty_lib,
        "doi:10.1126/science.169.3946.635",
        "doi:10.4337/9781781953174.00042",
        sentence_case=True,
    )
    assert saved(empty_lib, "frank1970structure")["title"] == "The structure of ordinary water"
    chapter = saved(empty_lib, result.imported[-1])
    assert (
        chapter["title"] == "Organization for security and co-operation in Europe (OSCE): A review"
    )


def test_book_chapter_brings_its_book(services: ServiceServer, empty_lib: Path) -> None:
    result = lookup(empty_lib, "doi:10.4337/9781781953174.00037")
    assert result.books_created == ["sperling2014handbook"]
    assert result.imported == ["aris2014collective"]
    book = saved(empty_lib, "sperling2014handbook")
    assert book["isbn"] == ["9781781953167"]
    assert book["editors"] == [{"family": "Sperling", "given": "James"}]
    assert book["publisher"] == "Edward Elgar Publishing"
    chapter = saved(empty_lib, "aris2014collective")
    assert chapter["parent"] == "sperling2014handbook"
    assert chapter["pages"] == "561–579"
    # what the book says is not repeated in the chapter
    assert not {"container_title", "editors", "publisher", "isbn", "issued"} & set(chapter)
    asked = [p for p, _ in services.requests]
    assert "/crossref/works/10.4337/9781781953174.00037?mailto=scholar@example.org" in asked


def test_book_by_isbn_then_three_chapters_give_one_book(
    services: ServiceServer, empty_lib: Path
) -> None:
    doi = "10.4337/9781781953174.00050"
    services.route(f"/doi/{doi}", fixture("doi_chapter_37.json").replace("00037", "00050"))
    services.route(
        f"/crossref/works/{doi}?mailto=scholar@example.org",
        fixture("crossref_chapter_37.json").replace("00037", "00050"),
    )
    assert lookup(empty_lib, "isbn:9781781953167").created == ["sperling2014handbook"]
    result = lookup(
        empty_lib,
        "doi:10.4337/9781781953174.00037",
        "doi:10.4337/9781781953174.00042",
        "https://doi.org/10.4337/9781781953174.00050",
    )
    assert result.books_created == []
    assert sorted(result.created) == [
        "aris2014collective",
        "aris2014collectivea",
        "galbreath2014organization",
    ]
    books = [p for p in empty_lib.glob("*.json") if saved(empty_lib, p.stem)["type"] == "book"]
    assert [b.stem for b in books] == ["sperling2014handbook"]
    for key in result.created:
        assert saved(empty_lib, key)["parent"] == "sperling2014handbook"


@pytest.mark.parametrize("isbn", ["isbn:9780140328721", "isbn:0-14-032872-6"])
def test_book_by_isbn13_and_isbn10(services: ServiceServer, empty_lib: Path, isbn: str) -> None:
    assert lookup(empty_lib, isbn).created == ["dahl1988fantastic"]
    book = saved(empty_lib, "dahl1988fantastic")
    assert book["title"] == "Fantastic Mr. Fox"
    assert book["authors"] == [{"family": "Dahl", "given": "Roald"}]
    assert (book["issued"], book["publisher"], book["number_of_pages"]) == (
        "1988-10-01",
        "Puffin",
        "96",
    )
    assert book["isbn"] == ["9780140328721"]


def test_google_books_when_open_library_does_not_know_the_isbn(
    services: ServiceServer, empty_lib: Path
) -> None:
    assert lookup(empty_lib, "isbn:0-306-40615-2").created == ["hiemenz1986principles"]
    book = saved(empty_lib, "hiemenz1986principles")
    assert (book["title"], book["subtitle"]) == (
        "Principles of Colloid and Surface Chemistry",
        "A Survey",
    )
    assert book["issued"] == "1986-05"


def test_arxiv_preprint_without_doi(services: ServiceServer, empty_lib: Path) -> None:
    result = lookup(empty_lib, "arxiv:2101.00001")
    data = saved(empty_lib, result.created[0])
    assert data["type"] == "misc"
    assert data["publisher"] == "arXiv"
    assert data["url"] == "https://arxiv.org/abs/2101.00001"
    assert data["extra"] == {
        "eprint": "2101.00001",
        "eprinttype": "arxiv",
        "eprintclass": "cs.LG",
        "version": "2",
    }
    assert "doi" not in data


def test_arxiv_paper_with_journal_doi(services: ServiceServer, empty_lib: Path) -> None:
    result = lookup(empty_lib, "arxiv:1706.03762")
    data = saved(empty_lib, result.created[0])
    assert result.created == ["vaswani2017attention"]
    assert data["type"] == "article"
    assert data["title"] == "Attention Is All You Need"
    assert data["doi"] == "10.5555/3295222.3295349"
    assert data["journal"] == "Advances in Neural Information Processing Systems 30 (2017)"
    assert data["extra"]["eprintclass"] == "cs.CL" and data["extra"]["version"] == "7"


def test_pubmed_record(services: ServiceServer, empty_lib: Path) -> None:
    result = lookup(empty_lib, "pmid:31209238")
    data = saved(empty_lib, result.created[0])
    assert data["type"] == "article"
    assert data["doi"] == "10.1038/s41598-019-45236-6"
    assert data["journal"] == "Scientific reports"
    assert data["pmid"] == "31209238" and data["pmcid"] == "PMC6613236"
    assert data["authors"][0] == {"family": "Smith", "given": "Jane A"}


def test_datacite_dataset_doi(services: ServiceServer, empty_lib: Path) -> None:
    result = lookup(empty_lib, "10.5281/zenodo.50213")
    data = saved(empty_lib, result.created[0])
    assert result.created == ["chamberlain2016rnoaa"]
    assert data["type"] == "dataset"
    assert data["publisher"] == "Zenodo"
    assert data["doi"] == "10.5281/zenodo.50213"
    assert "csl_type" not in data.get("extra", {})


# -- failures --------------------------------------------------------------------


def test_unknown_doi_is_not_found(services: ServiceServer, empty_lib: Path) -> None:
    with pytest.raises(NotFound, match=r"^doi:10.1000/nothing: not found at doi.org \(404\)"):
        lookup(empty_lib, "doi:10.1000/nothing")
    assert list(empty_lib.iterdir()) == []


def test_unknown_arxiv_id_is_not_found(services: ServiceServer, empty_lib: Path) -> None:
    with pytest.raises(NotFound, match="arxiv:2101.99999: not found at arXiv"):
        lookup(empty_lib, "arxiv:2101.99999")


def test_429_then_success_honours_retry_after(services: ServiceServer, tmp_path: Path) -> None:
    from citeshelf.sources import services as svc

    services.route(
        "/doi/10.1126/science.169.3946.635",
        (429, "{}", {"Retry-After": "3"}),
        (503, "{}", {}),
        fixture("doi_article.json"),
    )
    waits: list[float] = []
    client = Client(cache=ResponseCache(tmp_path / "c"), sleep=waits.append, backoff=0.5)
    item = svc.doi_csl(client, "10.1126/science.169.3946.635")
    assert item["title"] == "The Structure of Ordinary Water"
    assert waits == [3.0, 1.0]  # Retry-After, then the backoff of the second try
    assert client.sent == 3


def test_429_to_the_end_is_one_line_that_says_rate_limited(
    services: ServiceServer, tmp_path: Path
) -> None:
    from citeshelf.sources import services as svc

    services.route("/doi/10.1126/science.169.3946.635", (429, "{}", {"Retry-After": "20"}))
    client = Client(cache=ResponseCache(tmp_path / "c"), sleep=lambda s: None, retries=2)
    with pytest.raises(RateLimited) as info:
        svc.doi_csl(client, "10.1126/science.169.3946.635")
    assert str(info.value) == (
        "doi:10.1126/science.169.3946.635: doi.org is rate-limiting requests (HTTP 429): "
        "try again in 20 s, and set CITESHELF_MAILTO to your e-mail address"
    )
    assert client.sent == 3


def test_timeout(services: ServiceServer, tmp_path: Path) -> None:
    from citeshelf.sources import services as svc

    services.route("/doi/10.1126/science.169.3946.635", ("sleep", 1.5))
    client = Client(cache=ResponseCache(tmp_path / "c"), timeout=0.3)
    with pytest.raises(Unreachable, match=r"doi.org did not answer within 0.3 s: try again later"):
        svc.doi_csl(client, "10.1126/science.169.3946.635")


def test_malformed_json_is_invalid_data_and_not_cached(
    services: ServiceServer, tmp_path: Path
) -> None:
    from citeshelf.sources import services as svc

    services.route(
        "/doi/10.1126/science.169.3946.635",
        '{"type": "article-journal", "title": ',
        fixture("doi_article.json"),
    )
    client = Client(cache=ResponseCache(tmp_path / "c"))
    with pytest.raises(InvalidData, match="doi.org answered with malformed JSON"):
        svc.doi_csl(client, "10.1126/science.169.3946.635")
    assert svc.doi_csl(client, "10.1126/science.169.3946.635")["type"] == "article-journal"


def test_cache_answers_a_second_call_with_the_server_stopped(
    services: ServiceServer, tmp_path: Path
) -> None:
    lib1, lib2 = tmp_path / "one", tmp_path / "two"
    lib1.mkdir()
    lib2.mkdir()
    lookup(lib1, "doi:10.4337/9781781953174.00037")
    sent = len(services.requests)
    services.stop()
    result = lookup(lib2, "doi:10.4337/9781781953174.00037")
    assert result.created == ["sperling2014handbook", "aris2014collective"]
    assert len(services.requests) == sent
    with pytest.raises(Unreachable, match="cannot reach doi.org .*you may be offline"):
        lookup(lib2, "doi:10.1126/science.169.3946.635")
    with pytest.raises(Unreachable):  # --no-cache asks the service
        lookup(tmp_path / "one", "doi:10.4337/9781781953174.00037", cache_mode="off")


def test_refresh_asks_again(services: ServiceServer, empty_lib: Path) -> None:
    lookup(empty_lib, "doi:10.1126/science.169.3946.635", dry_run=True)
    lookup(empty_lib, "doi:10.1126/science.169.3946.635", dry_run=True)
    assert len(services.requests) == 1
    lookup(empty_lib, "doi:10.1126/science.169.3946.635", dry_run=True, cache_mode="refresh")
    assert len(services.requests) == 2
    assert list(empty_lib.iterdir()) == []  # a dry run writes nothing


def test_a_failed_fetch_stages_nothing(services: ServiceServer, empty_lib: Path) -> None:
    with pytest.raises(CiteshelfError):
        lookup(empty_lib, "isbn:9781781953167", "doi:10.1000/nothing")
    assert list(empty_lib.iterdir()) == []


# -- the command line ------------------------------------------------------------


def test_acceptance_book_two_chapters_duplicate_and_offline(
    cs, services: ServiceServer, empty_lib: Path
) -> None:
    r = cs(empty_lib, "add", "isbn:9781781953167")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "sperling2014handbook\n", "")
    r = cs(empty_lib, "add", "doi:10.4337/9781781953174.00037", "10.4337/9781781953174.00042")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["aris2014collective", "galbreath2014organization"]
    listing = cs(empty_lib, "chapters", "sperling2014handbook").stdout
    assert "2 chapters in the library" in listing
    assert "Collective Security Treaty Organization" in listing
    assert "656–670" in listing

    r = cs(empty_lib, "add", "doi:10.4337/9781781953174.00037")
    assert r.exit_code == 5
    assert r.stderr == (
        "citeshelf: error: doi:10.4337/9781781953174.00037 is already in the library as "
        "'aris2014collective' (same DOI 10.4337/9781781953174.00037): nothing was added; "
        "use --on-duplicate skip, rename or update\n"
    )

    services.stop()
    other = empty_lib.parent / "other"
    other.mkdir()
    r = cs(other, "add", "doi:10.4337/9781781953174.00042")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["sperling2014handbook", "galbreath2014organization"]
    r = cs(other, "add", "doi:10.1126/science.169.3946.635")
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(
        "citeshelf: error: doi:10.1126/science.169.3946.635: cannot reach doi.org ("
    )
    assert "you may be offline" in r.stderr


def test_cli_not_found_exit_code_and_json(cs, services: ServiceServer, empty_lib: Path) -> None:
    r = cs(empty_lib, "add", "doi:10.1000/nothing")
    assert r.exit_code == 3
    assert r.stderr == (
        "citeshelf: error: doi:10.1000/nothing: not found at doi.org (404): check the identifier\n"
    )
    r = cs(empty_lib, "add", "pmid:31209238", "--json", "--dry-run")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["imported"] == ["smith2019example"]
    assert list(empty_lib.iterdir()) == []


def test_cli_on_duplicate_skip(cs, services: ServiceServer, empty_lib: Path) -> None:
    assert cs(empty_lib, "add", "arxiv:2101.00001").exit_code == 0
    r = cs(empty_lib, "add", "arxiv:2101.00001", "--on-duplicate", "skip")
    assert r.exit_code == 0
    assert r.stdout == ""
    assert "skipped: already in the library as 'bouneffouf2021etat'" in r.stderr


def test_cli_add_type_is_unchanged_and_options_do_not_mix(cs, empty_lib: Path) -> None:
    r = cs(empty_lib, "add", "book", "--title", "A book", "--year", "2020", "--no-input")
    assert (r.exit_code, r.stdout) == (0, "anon2020book\n")
    r = cs(empty_lib, "add", "doi:10.1/x", "--title", "T")
    assert r.exit_code == 2 and "--title: only with add TYPE" in r.stderr
    r = cs(empty_lib, "add", "book", "--title", "T", "--dry-run")
    assert r.exit_code == 2 and "--dry-run: only for adding by IDENTIFIER" in r.stderr
    r = cs(empty_lib, "add", "novel", "--title", "T")
    assert r.exit_code == 2 and "'novel' is neither a record TYPE" in r.stderr


def test_import_identifiers_file(
    cs, services: ServiceServer, empty_lib: Path, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(
        "# my reading list\n"
        "isbn:9781781953167\n"
        "doi:10.4337/9781781953174.00037\n"
        "\n"
        "arxiv:2101.00001   # a preprint\n"
        "doi:10.1000/nothing\n"
        "isbn:9781781953167\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", "--identifiers", str(ids))
    assert r.exit_code == 4
    assert "doi:10.1000/nothing: not found at doi.org (404)" in r.stderr
    assert list(empty_lib.iterdir()) == []
    r = cs(empty_lib, "import", "--identifiers", str(ids), "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 3, skipped as duplicate 1, skipped as invalid 1\n"
    assert "'sperling2014handbook'" in r.stderr  # the repeated ISBN
    assert len(list(empty_lib.glob("*.json"))) == 3


def test_configured_contact_address_and_key_formula_are_used(
    services: ServiceServer, empty_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the library's configuration gives the contact address and the key formula
    monkeypatch.delenv("CITESHELF_MAILTO")
    (empty_lib / "citeshelf.toml").write_text(
        '[lookup]\nmailto = "team@example.org"\n\n[keys]\nformula = "[auth:lower]_[year]"\n',
        encoding="utf-8",
    )
    result = lookup(empty_lib, "doi:10.1126/science.169.3946.635")
    assert result.created == ["frank_1970"]
    _path, headers = services.requests[0]
    assert "mailto:team@example.org" in headers["User-Agent"]
    crossref = [p for p, _h in services.requests if p.startswith("/works/")]
    assert all("mailto=team%40example.org" in p for p in crossref)
