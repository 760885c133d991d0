"""Issue 24, finding 7: bombs in RDF files are refused with an error naming the file, and the store is unchanged.

The bombs are made here: a 1 KB billion-laughs RDF/XML (its expansion would need gigabytes), a long entity used
many times, and JSON-LD nested 5,000 deep (which crashed pyoxigraph's parser). Behind the checks, the parse in a
child process limited in memory and time is tested on its own, with the checks skipped.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.cli.main import main as cli_main
from councilkg.errors import LoadError
from councilkg.store import StoreFolder
from councilkg.store import rdffile as store_rdffile
from councilkg.store.rdffile import check_untrusted

from .conftest import sorted_nquads

RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'


def billion_laughs(levels: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ {" ".join(entities)} ]>\n<rdf:RDF {RDF}>\n'
            f'  <rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description>\n</rdf:RDF>\n')


def long_entity(times: int) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "{"x" * 4000}"> ]>\n<rdf:RDF {RDF}>\n'
            f'  <rdf:Description rdf:about="http://example.org/a"><ex:p>{"&big;" * times}</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


def external_entity() -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<rdf:RDF {RDF}>\n'
            '  <rdf:Description rdf:about="http://example.org/a"><ex:p>&xxe;</ex:p></rdf:Description>\n</rdf:RDF>\n')


def nested_objects(depth: int = 5000) -> str:
    return '{"@id": "http://example.org/a", "http://example.org/p": ' + '{"http://example.org/p": ' * depth + "1" + "}" * depth + "}"


def nested_arrays(depth: int = 5000) -> str:
    return '{"@id": "http://example.org/a", "http://example.org/p": ' + "[" * depth + "1" + "]" * depth + "}"


BOMBS = {
    "billion-laughs.rdf": (billion_laughs(), "defined from other entities"),
    "long-entity.rdf": (long_entity(20_000), "expand to more than 64 MiB"),
    "external-entity.rdf": (external_entity(), "external entity"),
    "nested-objects.jsonld": (nested_objects(), "nested more than 256 deep"),
    "nested-arrays.jsonld": (nested_arrays(), "nested more than 256 deep"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the curated data, to try the bombs against."""
    root = tmp_path_factory.mktemp("bomb-store") / "store"
    assert cli_main(["--store", str(root), "load", "-q"]) == 0
    return root


def _contents(root: Path) -> tuple[Path | None, list[str]]:
    folder = StoreFolder(root)
    current = folder.current_path()
    store = ox.Store.read_only(str(current))
    try:
        return current.resolve(), sorted_nquads(store)
    finally:
        del store


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_is_refused_naming_the_file_and_the_store_is_unchanged(name: str, built: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text, reason = BOMBS[name]
    bomb = tmp_path / name
    bomb.write_text(text, encoding="utf-8")
    before = _contents(built)
    code = cli_main(["--store", str(built), "load", "-q", "--rdf", str(bomb)])
    err = capsys.readouterr().err
    assert code != 0
    assert str(bomb) in err and reason in err, err
    assert _contents(built) == before


@pytest.mark.parametrize("name", ["billion-laughs.rdf", "nested-objects.jsonld"])
def test_validate_refuses_a_bomb_too(name: str, built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / name
    bomb.write_text(BOMBS[name][0], encoding="utf-8")
    assert cli_main(["--store", str(built), "validate", "--rdf", str(bomb)]) != 0
    assert str(bomb) in capsys.readouterr().err


def test_the_limited_parse_stops_a_bomb_the_checks_let_through(tmp_path: Path) -> None:
    """The child's memory limit, the checks skipped: the laughs' gigabytes are never allocated here."""
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    with pytest.raises(LoadError, match="more than 2 GiB of memory") as caught:
        store_rdffile._parse_in_child(bomb, ox.RdfFormat.RDF_XML)
    assert str(bomb) in str(caught.value)


def test_the_limited_parse_survives_a_parser_crash(tmp_path: Path) -> None:
    bomb = tmp_path / "deep.jsonld"
    bomb.write_text(nested_objects(), encoding="utf-8")
    with pytest.raises(LoadError, match=r"crashed|nested too deep|memory") as caught:
        store_rdffile._parse_in_child(bomb, ox.RdfFormat.JSON_LD)
    assert str(bomb) in str(caught.value)


def test_the_limited_parse_has_a_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "slow.rdf"
    slow.write_text(f"<rdf:RDF {RDF}>" + "<rdf:Description><ex:p>" * 20_000 + "</ex:p></rdf:Description>" * 20_000
                    + "</rdf:RDF>", encoding="utf-8")
    monkeypatch.setattr(store_rdffile, "PARSE_SECONDS", 1)
    with pytest.raises(LoadError, match="longer than 1 s"):
        store_rdffile._parse_in_child(slow, ox.RdfFormat.RDF_XML)


def test_ordinary_entities_and_json_ld_still_load(built: Path, tmp_path: Path) -> None:
    owl = tmp_path / "onto.owl"
    owl.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> '
                   f'<!ENTITY owl "http://www.w3.org/2002/07/owl#"> ]>\n<rdf:RDF {RDF}>\n'
                   '  <rdf:Description rdf:about="&ex;a"><ex:p rdf:resource="&owl;Thing"/></rdf:Description>\n</rdf:RDF>\n',
                   encoding="utf-8")
    doc = tmp_path / "doc.jsonld"
    doc.write_text('{"@id": "http://example.org/b", "http://example.org/p": [{"@value": "a \\" [ { quote"}, '
                   + "[" * 20 + '{"@id": "http://example.org/c"}' + "]" * 20 + "]}", encoding="utf-8")
    check_untrusted(owl, ox.RdfFormat.RDF_XML)
    check_untrusted(doc, ox.RdfFormat.JSON_LD)
    assert cli_main(["--store", str(built), "load", "-q", "--rdf", str(owl), "--rdf", str(doc)]) == 0
    _, quads = _contents(built)
    assert any("<http://example.org/a> <http://example.org/p> <http://www.w3.org/2002/07/owl#Thing>" in q for q in quads)
    assert any("<http://example.org/b>" in q for q in quads)
