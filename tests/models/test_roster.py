"""Roster CSV: good rows load, bad rows are reported with their line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import RosterError
from models.language import use_language
from models.records import Category
from models.roster import load_roster, parse_roster


def test_roster_loads_with_parents(roster_file: Path) -> None:
    roster = load_roster(roster_file)
    assert len(roster) == 16
    assert roster.get("sd-sawojajar-1").category is Category.SD
    assert roster.ancestors("kel-bunulrejo") == {"kec-blimbing"}


def test_semicolon_csv_from_an_indonesian_spreadsheet_loads() -> None:
    roster = parse_roster("id;name;category;parent_id\nsd-1;SD Negeri 1;sd;\n")
    assert roster.get("sd-1").name == "SD Negeri 1"


BAD_ROWS = {
    "id": ("roster.csv: 4 baris salah", "baris 3: id kosong", "baris 4: b: kategori 'school' tidak dikenal",
           "baris 5: id 'a' ganda (pertama di baris 2)", "baris 6: c: parent_id 'nope' tidak ada di roster"),
    "en": ("roster.csv: 4 bad row(s)", "line 3: empty id", "line 4: b: unknown category 'school'",
           "line 5: duplicate id 'a' (first on line 2)", "line 6: c: parent_id 'nope' is not in the roster"),
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_bad_rows_are_all_reported_with_line_numbers(lang: str) -> None:
    text = (
        "id,name,category,parent_id\n"
        "a,Dinas Kesehatan,perangkat_daerah,\n"
        ",Tanpa Id,sd,\n"
        "b,SD Negeri 2,school,\n"
        "a,Duplikat,sd,\n"
        "c,SD Negeri 3,sd,nope\n"
    )
    with use_language(lang), pytest.raises(RosterError) as err:
        parse_roster(text, source="roster.csv")
    message = str(err.value)
    first, *lines = BAD_ROWS[lang]
    assert message.startswith(first)
    for line in lines:
        assert line in message


def test_missing_column_is_named() -> None:
    with pytest.raises(RosterError, match="baris 1: kolom category tidak ada"):
        parse_roster("id,name\nx,SD 1\n")
    with use_language("en"), pytest.raises(RosterError, match="line 1: missing column\\(s\\) category"):
        parse_roster("id,name\nx,SD 1\n")


def test_missing_roster_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="nope.csv: roster tidak dapat dibaca"):
        load_roster(tmp_path / "nope.csv")
    with use_language("en"), pytest.raises(RosterError, match="nope.csv: cannot read the roster"):
        load_roster(tmp_path / "nope.csv")


def test_an_optional_contact_column_is_kept_as_typed() -> None:
    roster = parse_roster(
        "id;name;category;parent_id;contact\n"
        "sd-1;SD Negeri 1;sd;;  0812-3456  7890 \n"
        "sd-2;SD Negeri 2;sd;;\n"
        "sd-3;SD Negeri 3;sd;;tu@sdn3.sch.id\n"
    )
    assert roster.get("sd-1").contact == "0812-3456 7890"
    assert roster.get("sd-2").contact is None
    assert roster.get("sd-3").contact == "tu@sdn3.sch.id"
    assert parse_roster("id,name,category\nsd-1,SD Negeri 1,sd\n").get("sd-1").contact is None
