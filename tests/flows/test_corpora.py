"""The generators share one list of Kota Malang's units (flows/corpora/malang.py) and stay reproducible:
the same seed gives the same bytes, so the behaviour check and the figures in the README keep meaning."""

import hashlib
from dataclasses import replace

import pytest

from flows.corpora import malang
from flows.corpora.demo import malang_roster, write_roster
from flows.corpora.duplicates import generate_corpus
from flows.corpora.themes import SEED_PATH, write_seed

# Taken at the branch point of issue 16, before the generators moved into flows/corpora/.
FULL_ROSTER_2021 = "f544ab1d7d1034c6adc7deed86be4f4b9abc03ed164e9dbffe9abcbd2443586f"
DUPLICATES_120_400_7 = "1780c6146d71234ff1ee8e6db50bf5080b0b03a20adc97e1407cedc497d4bf98"


def test_the_list_has_the_five_kecamatan_and_57_kelurahan():
    assert malang.KECAMATAN == ("Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun")
    assert len(malang.PLACES) == len(set(malang.PLACES)) == 57
    assert all(malang.KECAMATAN_OF[kel] in malang.KECAMATAN for kel in malang.PLACES)
    assert set(malang.WRITTEN_APART) <= set(malang.PLACES)
    assert set(malang.PUSKESMAS) - set(malang.PLACES) == {"Arjuno", "Cisadea", "Janti", "Kendalkerep", "Kendalsari",
                                                          "Gribig"}


@pytest.mark.parametrize("pick, names", [(malang.kelurahan, ("Sawojajr",)), (malang.puskesmas, ("Sawojajar",)),
                                         (malang.kecamatan, ("Dinoyo",)), (malang.sd, ("Sawojajr 2",)),
                                         (malang.smp, (28,))])
def test_a_unit_not_in_the_list_fails_where_a_generator_names_it(pick, names):
    with pytest.raises(ValueError, match="not a .* of Kota Malang"):
        pick(*names)


def test_a_unit_in_the_list_is_given_back_in_order():
    assert malang.kelurahan("Sawojajar", "Bunulrejo") == ("Sawojajar", "Bunulrejo")
    assert malang.sd("Klojen", "Mergosono 1") == ("Klojen", "Mergosono 1")
    assert malang.smp(21, 1) == (21, 1)


def test_the_full_roster_is_the_list():
    rows = malang_roster("full", 1)
    assert [r.name for r in rows if r.category == "kelurahan"] == [f"Kelurahan {k}" for k in malang.PLACES]
    assert [r.name for r in rows if r.category == "puskesmas"] == [f"UPT Puskesmas {p}" for p in malang.PUSKESMAS]
    assert sum(r.category == "sd" for r in rows) == malang.SD_COUNT


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_full_roster_is_byte_for_byte_what_it_was(tmp_path):
    # Reordering or renaming a place in malang.py changes every generated inbox: append instead.
    write_roster(tmp_path / "roster.csv", malang_roster("full", 2021))
    assert _sha((tmp_path / "roster.csv").read_bytes()) == FULL_ROSTER_2021


def test_the_committed_theme_seed_is_what_the_generator_writes(tmp_path):
    written = write_seed(tmp_path / "theme_seed.csv")
    assert written.read_bytes() == SEED_PATH.read_bytes()


def test_the_duplicates_corpus_is_byte_for_byte_what_it_was():
    c = generate_corpus(120, 400, seed=7)
    # Codes as the plain strings they are in the files (the fingerprint was taken before they were enums).
    plain = [[replace(d, doc_type=d.doc_type and str(d.doc_type), format=d.format and str(d.format)) for d in docs]
             for docs in (c.current, c.prior)]
    key = repr((*plain, sorted(map(sorted, c.truth)), sorted(c.templated),
                sorted(map(sorted, c.title_truth)), sorted(map(sorted, c.title_distinct))))
    assert _sha(key.encode()) == DUPLICATES_120_400_7
