"""The hand-off to judges: judges.csv and conflicts.csv, conflicts of interest, and the assignment."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.errors import ExitCode
from models.judges import (
    JudgesError,
    Plan,
    Proposal,
    assign,
    conflict_reason,
    conflicted_pairs,
    load_conflicts,
    load_judges,
    parse_conflicts,
    parse_judges,
)
from models.judges.assign import decode, encode, solve
from models.records import Blocker, Category, Judge, JudgeAssignment, Participant
from models.roster import Roster, parse_roster
from tests.conftest import ROSTER_CSV

THEMES = ("kesehatan", "pendidikan", "administrasi_kependudukan", "lingkungan_hidup")
HEADER = "id,name,affiliation_id,expertise,capacity,contact\n"


@pytest.fixture(scope="module")
def roster() -> Roster:
    return parse_roster(ROSTER_CSV)


# ------------------------------------------------------------------------------------------ judges.csv

def test_a_good_judges_file_gives_every_field(roster: Roster) -> None:
    judges = parse_judges(HEADER + "akd-1,Prof. Sri Wahyuni,,kesehatan;pendidikan,,sri@ub.ac.id\n"
                                   "pd-1, Agus  Salim ,pd-disdikbud,pendidikan,25,\n", roster, THEMES)
    assert judges == (Judge("akd-1", "Prof. Sri Wahyuni", None, ("kesehatan", "pendidikan"), None, "sri@ub.ac.id"),
                      Judge("pd-1", "Agus Salim", "pd-disdikbud", ("pendidikan",), 25, None))


def test_capacity_and_contact_columns_are_optional(roster: Roster) -> None:
    judges = parse_judges("id,name,affiliation_id,expertise\nj1,Ani,,Kesehatan | pendidikan\n", roster, THEMES)
    assert judges == (Judge("j1", "Ani", None, ("kesehatan", "pendidikan")),)


def test_semicolon_file_takes_expertise_quoted_or_with_bars(roster: Roster) -> None:
    text = ("id;name;affiliation_id;expertise;capacity\n"
            'j1;Ani;kec-blimbing;"kesehatan;pendidikan";3\n'
            "j2;Budi;;lingkungan_hidup|kesehatan;\n"
            "j3;Cici;;kesehatan, pendidikan;\n")
    judges = parse_judges(text, roster, THEMES)
    assert [j.expertise for j in judges] == [("kesehatan", "pendidikan"), ("lingkungan_hidup", "kesehatan"),
                                             ("kesehatan", "pendidikan")]
    assert judges[0].affiliation_id == "kec-blimbing" and judges[0].capacity == 3


def test_unquoted_semicolons_in_a_semicolon_file_are_reported_with_the_fix(roster: Roster) -> None:
    with pytest.raises(JudgesError, match=r"baris 2: j1: 5 kolom, header hanya 4 .*tanda kutip atau pisahkan dengan \|"):
        parse_judges("id;name;affiliation_id;expertise\nj1;Ani;;kesehatan;pendidikan\n", roster, THEMES)


def test_a_byte_order_mark_is_fine_in_text_and_in_a_file(roster: Roster, tmp_path: Path) -> None:
    assert parse_judges("\ufeff" + HEADER + "j1,Ani,,kesehatan,,\n", roster, THEMES)[0].id == "j1"
    path = tmp_path / "judges.csv"
    path.write_bytes(("\ufeff" + HEADER + "j1,Ani,,kesehatan,,\n").encode("utf-8"))
    assert load_judges(path, roster, THEMES)[0].id == "j1"


@pytest.mark.parametrize(("line", "reason"), [
    ("j1,Ani,,kesehatan;astrologi,,", "baris 2: j1: tema tidak dikenal 'astrologi' (dikenal: "),
    ("j1,Ani,pd-nowhere,kesehatan,,", "baris 2: j1: affiliation_id 'pd-nowhere' tidak ada di roster"),
    ("j1,,,kesehatan,,", "baris 2: j1: nama kosong"),
    (",Ani,,kesehatan,,", "baris 2: id kosong"),
    ("j1,Ani,,kesehatan,0,", "baris 2: j1: kapasitas harus bilangan bulat positif, bukan '0'"),
    ("j1,Ani,,kesehatan,-3,", "kapasitas harus bilangan bulat positif, bukan '-3'"),
    ("j1,Ani,,kesehatan,2.5,", "kapasitas harus bilangan bulat positif, bukan '2.5'"),
    ("j1,Ani,,kesehatan,lima,", "kapasitas harus bilangan bulat positif, bukan 'lima'"),
])
def test_each_kind_of_bad_line_is_reported(roster: Roster, line: str, reason: str) -> None:
    with pytest.raises(JudgesError) as err:
        parse_judges(HEADER + line + "\n", roster, THEMES, source="judges.csv")
    assert str(err.value).startswith("judges.csv: 1 baris salah:")
    assert reason in str(err.value)
    assert err.value.exit_code is ExitCode.BAD_INPUT


def test_every_bad_line_is_reported_at_once_and_nothing_is_returned(roster: Roster) -> None:
    text = (HEADER
            + "j1,Ani,,kesehatan,,\n"
            + "j2,Budi,pd-nowhere,astrologi,0,\n"
            + "\n"
            + "j1,Ani lagi,,kesehatan,,\n"
            + "j3,Cici,kec-blimbing,pendidikan,4,\n"
            + "j4,,,,,\n")
    with pytest.raises(JudgesError) as err:
        parse_judges(text, roster, THEMES, source="judges.csv")
    lines = str(err.value).splitlines()
    assert lines[0] == "judges.csv: 3 baris salah:"
    assert lines[1].startswith("  baris 3: j2: affiliation_id 'pd-nowhere' tidak ada di roster; tema tidak dikenal "
                               "'astrologi'")
    assert lines[1].endswith("; kapasitas harus bilangan bulat positif, bukan '0'")
    assert lines[2] == "  baris 5: j1: id 'j1' ganda (pertama di baris 2)"
    assert lines[3] == "  baris 7: j4: nama kosong"


def test_a_header_without_the_columns_or_without_judges_is_refused(roster: Roster) -> None:
    with pytest.raises(JudgesError, match="baris 1: kolom affiliation_id, expertise tidak ada"):
        parse_judges("id,name\nj1,Ani\n", roster, THEMES)
    with pytest.raises(JudgesError, match="belum ada juri"):
        parse_judges(HEADER, roster, THEMES)
    with pytest.raises(JudgesError, match="berkas kosong"):
        parse_judges("", roster, THEMES)


def test_a_workbook_is_refused_by_its_content_whatever_its_name(roster: Roster, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "name", "affiliation_id", "expertise"])
    book.active.append(["j1", "Ani", "", "kesehatan"])
    path = tmp_path / "judges.csv"
    book.save(path)
    with pytest.raises(JudgesError, match="judges.csv: ini berkas spreadsheet"):
        load_judges(path, roster, THEMES)


def test_a_missing_file_or_a_folder_is_named(roster: Roster, tmp_path: Path) -> None:
    with pytest.raises(JudgesError, match="berkas juri tidak dapat dibaca \\(tidak ada"):
        load_judges(tmp_path / "none.csv", roster, THEMES)
    with pytest.raises(JudgesError, match="adalah folder"):
        load_conflicts(tmp_path, (), roster)


# --------------------------------------------------------------------------------------- conflicts.csv

PANEL = (Judge("j1", "Ani", "pd-disdikbud", ("pendidikan",)), Judge("j2", "Budi", None, ("kesehatan",)))


def test_declared_conflicts_are_read_with_bom_and_semicolons(roster: Roster, tmp_path: Path) -> None:
    path = tmp_path / "conflicts.csv"
    path.write_bytes("\ufeffjudge_id;participant_id\nj2;pkm-rampal\n\nj2;kel-bunulrejo\nj2;pkm-rampal\n".encode())
    assert load_conflicts(path, PANEL, roster) == {("j2", "pkm-rampal"), ("j2", "kel-bunulrejo")}


def test_an_empty_conflicts_file_declares_none(roster: Roster) -> None:
    assert parse_conflicts("", PANEL, roster) == frozenset()
    assert parse_conflicts("judge_id,participant_id\n", PANEL, roster) == frozenset()


def test_every_bad_conflict_line_is_reported(roster: Roster) -> None:
    text = "judge_id,participant_id\nj9,pkm-rampal\nj2,sd-nowhere\nj1,smp-05\n,\nj2,\n"
    with pytest.raises(JudgesError) as err:
        parse_conflicts(text, PANEL, roster, source="conflicts.csv")
    assert str(err.value).splitlines() == [
        "conflicts.csv: 3 baris salah:",
        "  baris 2: juri 'j9' tidak ada di berkas juri",
        "  baris 3: peserta 'sd-nowhere' tidak ada di roster",
        "  baris 6: participant_id kosong",
    ]
    with pytest.raises(JudgesError, match="kolom participant_id tidak ada"):
        parse_conflicts("judge_id,peserta\nj1,smp-05\n", PANEL, roster)


# ------------------------------------------------------------------------------------ conflict of interest

# A city with its Pemerintah above the dinas and the kecamatan: conflicts follow parent_id all the way.
DEEP_ROSTER = ROSTER_CSV.replace("pd-disdikbud,Dinas Pendidikan dan Kebudayaan,perangkat_daerah,",
                                 "pd-disdikbud,Dinas Pendidikan dan Kebudayaan,perangkat_daerah,pemkot") \
    .replace("kec-blimbing,Kecamatan Blimbing,perangkat_daerah,", "kec-blimbing,Kecamatan Blimbing,perangkat_daerah,pemkot") \
    + "pemkot,Pemerintah Kota Malang,perangkat_daerah,\n"


@pytest.fixture(scope="module")
def deep() -> Roster:
    return parse_roster(DEEP_ROSTER)


def _official(unit: str | None) -> Judge:
    return Judge(f"juri-{unit}", "Juri", unit, ("pendidikan",))


def test_a_dinas_pendidikan_official_gets_no_school(deep: Roster) -> None:
    judge = _official("pd-disdikbud")
    for school in ("smp-05", "smp-15", "sd-sawojajar-1", "sd-sawojajar-2"):
        assert conflict_reason(judge, school, deep) == "juri dari unit induknya (Dinas Pendidikan dan Kebudayaan)"
    assert conflict_reason(judge, "pd-disdikbud", deep) == "juri dari unit ini"
    assert conflict_reason(judge, "pemkot", deep) == "juri dari unit di bawahnya (Dinas Pendidikan dan Kebudayaan)"
    assert conflict_reason(judge, "pkm-rampal", deep) is None
    assert conflict_reason(judge, "kel-bunulrejo", deep) is None


def test_a_camat_gets_none_of_the_kelurahan_under_the_kecamatan(deep: Roster) -> None:
    camat = _official("kec-blimbing")
    for kelurahan in ("kel-bunulrejo", "kel-arjosari", "kel-balearjosari"):
        assert conflict_reason(camat, kelurahan, deep) is not None
    assert conflict_reason(camat, "kel-kedungkandang", deep) is None  # another kecamatan's


def test_a_kelurahan_official_gets_neither_the_kecamatan_nor_the_pemerintah_above(deep: Roster) -> None:
    lurah = _official("kel-bunulrejo")
    assert conflict_reason(lurah, "kec-blimbing", deep) == "juri dari unit di bawahnya (Kelurahan Bunulrejo)"
    assert conflict_reason(lurah, "pemkot", deep) is not None
    assert conflict_reason(lurah, "kel-arjosari", deep) is None  # a sibling is not above or below
    assert conflict_reason(_official("pemkot"), "sd-sawojajar-1", deep) is not None  # two levels down


def test_an_academic_is_free_unless_a_conflict_is_declared(deep: Roster) -> None:
    academic = _official(None)
    assert all(conflict_reason(academic, p.id, deep) is None for p in deep)
    declared = {(academic.id, "smp-05")}
    assert conflict_reason(academic, "smp-05", deep, declared) == "konflik yang dinyatakan (berkas konflik)"


def test_the_pairs_built_from_the_tree_are_the_pairs_judged_one_by_one(deep: Roster) -> None:
    judges = [_official(p.id) for p in deep] + [_official(None)]
    declared = {("juri-None", "smp-05"), ("juri-pemkot", "kel-arjosari")}
    ids = [p.id for p in deep]
    expected = {(j.id, p) for j in judges for p in ids if conflict_reason(j, p, deep, declared) is not None}
    assert conflicted_pairs(judges, ids, deep, declared) == expected


# ---------------------------------------------------------------------------------------- assignment

def _proposals(roster: Roster) -> list[Proposal]:
    theme = {Category.SD: "pendidikan", Category.SMP: "pendidikan", Category.PUSKESMAS: "kesehatan"}
    return [Proposal(p.id, (theme.get(p.category, "administrasi_kependudukan"),)) for p in roster]


def _by_participant(plan: Plan) -> dict[str, set[str]]:
    got: dict[str, set[str]] = defaultdict(set)
    for a in plan.assignments:
        got[a.participant_id].add(a.judge_id)
    return got


def test_no_judges_leaves_every_proposal_unassigned_with_that_reason(roster: Roster) -> None:
    plan = assign(_proposals(roster), [], roster, k=2)
    assert plan.assignments == () and plan.loads == {}
    assert {u.reason for u in plan.unassigned} == {Blocker.NO_JUDGES}
    assert len(plan.unassigned) == len(roster)


def test_too_few_judges_free_of_conflict_still_gives_the_free_ones(roster: Roster) -> None:
    judges = [_official("pd-disdikbud"), _official("kec-blimbing"), _official(None)]
    plan = assign(_proposals(roster), judges, roster, k=3)
    short = {u.participant_id: u for u in plan.unassigned}
    assert short["sd-sawojajar-1"].reason is Blocker.CONFLICT_OF_INTEREST
    assert short["sd-sawojajar-1"].assigned == 2
    assert short["sd-sawojajar-1"].detail == "2 dari 3 juri bebas konflik kepentingan, 3 per proposal"
    assert _by_participant(plan)["sd-sawojajar-1"] == {"juri-kec-blimbing", "juri-None"}
    assert plan.conflicts_avoided == 5 + 4  # the dinas and its 4 schools; the kecamatan and its 3 kelurahan
    assert all(u.reason is Blocker.CONFLICT_OF_INTEREST for u in plan.unassigned)  # K=3 needs every judge


def test_fewer_judges_than_k_is_said_as_such(roster: Roster) -> None:
    plan = assign(_proposals(roster)[:1], [_official(None)], roster, k=2)
    assert plan.unassigned[0].detail == "hanya 1 juri terdaftar, 2 per proposal"


def test_capacity_used_up_is_the_blocker_with_the_numbers(roster: Roster) -> None:
    judges = [Judge("a", "A", None, (), 3), Judge("b", "B", None, (), 2)]
    plan = assign(_proposals(roster)[:4], judges, roster, k=2)
    assert len(plan.assignments) == 5 and plan.loads == {"a": 3, "b": 2}
    assert [(u.reason, u.assigned) for u in plan.unassigned] == [(Blocker.CAPACITY, 1)] * 3
    assert plan.unassigned[0].detail == "2 juri bebas konflik kepentingan; 1 yang belum menerimanya sudah penuh " \
                                        "sesuai kapasitasnya"


def test_a_duplicate_group_takes_only_judges_free_for_all_its_members(roster: Roster) -> None:
    judges = [_official("pd-disdikbud"), _official(None), Judge("x", "X", None, ())]
    proposals = [Proposal("smp-05"), Proposal("kel-bunulrejo")]
    plan = assign(proposals, judges, roster, k=2, together=[("smp-05", "kel-bunulrejo")])
    got = _by_participant(plan)
    assert got["smp-05"] == got["kel-bunulrejo"] == {"juri-None", "x"}
    plan = assign(proposals, judges[:2], roster, k=2, together=[("smp-05", "kel-bunulrejo")])
    short = {u.participant_id: u for u in plan.unassigned}
    assert short["kel-bunulrejo"].reason is Blocker.DUPLICATE_GROUP  # the dinas official is free for it alone
    assert short["kel-bunulrejo"].detail == ("kelompok duplikat 2 peserta (dengan smp-05): 1 juri bebas konflik "
                                             "untuk semuanya, 2 per proposal")
    assert short["smp-05"].reason is Blocker.CONFLICT_OF_INTEREST


def test_expertise_decides_where_balance_leaves_a_choice(roster: Roster) -> None:
    judges = [Judge("guru", "Guru", None, ("pendidikan",)), Judge("dokter", "Dokter", None, ("kesehatan",))]
    proposals = [Proposal("smp-05", ("pendidikan",)), Proposal("pkm-rampal", ("kesehatan",)),
                 Proposal("smp-15", ("lingkungan_hidup", "pendidikan")), Proposal("pkm-kendalkerep", ("kesehatan",))]
    plan = assign(proposals, judges, roster, k=1)
    assert _by_participant(plan) == {"smp-05": {"guru"}, "smp-15": {"guru"}, "pkm-rampal": {"dokter"},
                                     "pkm-kendalkerep": {"dokter"}}
    assert plan.expertise_match_rate == 1.0
    assert plan.loads == {"dokter": 2, "guru": 2}


def test_balance_comes_before_expertise(roster: Roster) -> None:
    judges = [Judge("guru", "Guru", None, ("pendidikan",)), Judge("dokter", "Dokter", None, ("kesehatan",))]
    proposals = [Proposal(p, ("pendidikan",)) for p in ("smp-05", "smp-15", "sd-sawojajar-1", "sd-sawojajar-2")]
    plan = assign(proposals, judges, roster, k=1)
    assert plan.loads == {"dokter": 2, "guru": 2} and plan.expertise_match_rate == 0.5


def test_frozen_assignments_stay_and_new_proposals_are_added_around_them(roster: Roster) -> None:
    judges = [Judge(j, j, None, ()) for j in ("a", "b", "c")]
    frozen = [JudgeAssignment("a", "smp-05", False, True), JudgeAssignment("b", "smp-05", False, True),
              JudgeAssignment("a", "withdrawn-one", False, True), JudgeAssignment("gone", "smp-15", False, True)]
    plan = assign([Proposal("smp-05"), Proposal("smp-15"), Proposal("sd-sawojajar-1")], judges, roster, k=2,
                  frozen=frozen)
    assert [a for a in plan.assignments if a.frozen] == frozen[:2]
    assert _by_participant(plan)["smp-05"] == {"a", "b"}
    assert plan.loads == {"a": 2, "b": 2, "c": 2}  # the new ones go round the frozen load


def test_a_frozen_assignment_now_in_conflict_is_released(roster: Roster) -> None:
    judges = [Judge("a", "A", None, ()), Judge("b", "B", None, ()), Judge("c", "C", None, ())]
    frozen = [JudgeAssignment("a", "smp-05", False, True), JudgeAssignment("b", "smp-05", False, True)]
    plan = assign([Proposal("smp-05")], judges, roster, k=2, frozen=frozen, declared={("a", "smp-05")})
    assert plan.released == (JudgeAssignment("a", "smp-05", False, True),)
    assert _by_participant(plan)["smp-05"] == {"b", "c"}


def test_a_late_duplicate_of_a_frozen_proposal_goes_to_its_judges(roster: Roster) -> None:
    judges = [Judge(j, j, None, ()) for j in ("a", "b", "c", "d")]
    frozen = [JudgeAssignment("c", "smp-05", False, True), JudgeAssignment("d", "smp-05", False, True)]
    plan = assign([Proposal("smp-05"), Proposal("smp-15")], judges, roster, k=2, frozen=frozen,
                  together=[("smp-15", "smp-05")])
    assert _by_participant(plan)["smp-15"] == {"c", "d"}


def test_the_kota_malang_shape_national_order_gives_the_same_plan(roster: Roster) -> None:
    judges = [_official("pd-disdikbud"), _official("kec-blimbing"), _official("pd-dinkes"),
              Judge("a", "A", None, ("pendidikan",), 6), Judge("b", "B", None, ("kesehatan",))]
    proposals = _proposals(roster)
    together = [("sd-sawojajar-1", "sd-sawojajar-2")]
    first = assign(proposals, judges, roster, k=2, together=together)
    again = assign(proposals[::-1], judges[::-1], roster, k=2, together=[p[::-1] for p in together])
    assert _same(first, again)


def test_the_same_participant_twice_is_a_caller_error(roster: Roster) -> None:
    with pytest.raises(ValueError, match="participant id was given twice"):
        assign([Proposal("smp-05"), Proposal("smp-05", ("kesehatan",))], [_official(None)], roster)


# ------------------------------------------------------------------------------------ property tests

def _same(a: Plan, b: Plan) -> bool:
    return (a.assignments, a.unassigned, a.loads, a.conflicts_avoided, a.released, a.optimal) == \
        (b.assignments, b.unassigned, b.loads, b.conflicts_avoided, b.released, b.optimal)


@st.composite
def editions(draw, capacities: bool = True, together: bool = True, frozen: bool = True, declared: bool = True):
    """A random roster with a parent tree, proposals of part of it, a panel with affiliations, and K."""
    n = draw(st.integers(3, 18))
    parents = [None] + [draw(st.sampled_from([None, *range(i)])) for i in range(1, n)]
    rows = tuple(Participant(f"u{i:02d}", f"Unit {i}", Category.PERANGKAT_DAERAH, None if q is None else f"u{q:02d}")
                 for i, q in enumerate(parents))
    roster = Roster(rows)
    ids = [r.id for r in rows]
    handed = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=n, unique=True))
    proposals = [Proposal(p, tuple(draw(st.lists(st.sampled_from(THEMES), max_size=2, unique=True)))) for p in handed]
    judges = [Judge(f"j{i}", f"Juri {i}", draw(st.one_of(st.none(), st.sampled_from(ids))),
                    tuple(draw(st.lists(st.sampled_from(THEMES), max_size=2, unique=True))),
                    draw(st.one_of(st.none(), st.integers(1, 6))) if capacities else None)
              for i in range(draw(st.integers(1, 7)))]
    judge_ids = [j.id for j in judges]
    pair = st.tuples(st.sampled_from(judge_ids), st.sampled_from(handed))
    return {
        "roster": roster, "proposals": proposals, "judges": judges, "k": draw(st.integers(1, 3)),
        "declared": set(draw(st.lists(pair, max_size=4))) if declared else set(),
        "together": draw(st.lists(st.tuples(st.sampled_from(handed), st.sampled_from(handed)), max_size=3))
        if together else [],
        "frozen": [JudgeAssignment(j, p, False, True) for j, p in set(draw(st.lists(pair, max_size=4)))]
        if frozen else [],
    }


def _plan(e: dict) -> Plan:
    return assign(e["proposals"], e["judges"], e["roster"], k=e["k"], declared=e["declared"],
                  together=e["together"], frozen=e["frozen"])


def _free(e: dict) -> dict[str, list[Judge]]:
    """Judges free of conflict for each proposal, by `conflict_reason` alone."""
    return {p.participant_id: [j for j in e["judges"]
                               if conflict_reason(j, p.participant_id, e["roster"], e["declared"]) is None]
            for p in e["proposals"]}


def _max_flow(e: dict) -> int:
    """The most assignments possible without groups or frozen ones: source -> proposal (K) -> free judge (1)
    -> sink (capacity), by scipy's max-flow, apart from the MILP."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    free = _free(e)
    n_p, n_j = len(e["proposals"]), len(e["judges"])
    sink, big = n_p + n_j + 1, e["k"] * n_p
    edges = [(0, 1 + i, e["k"]) for i in range(n_p)]
    index = {j.id: n_p + 1 + i for i, j in enumerate(e["judges"])}
    edges += [(1 + i, index[j.id], 1) for i, p in enumerate(e["proposals"]) for j in free[p.participant_id]]
    edges += [(index[j.id], sink, j.capacity or big) for j in e["judges"]]
    u, v, c = zip(*edges, strict=True)
    graph = csr_array((np.array(c, dtype=np.int32), (u, v)), shape=(sink + 1, sink + 1))
    return maximum_flow(graph, 0, sink).flow_value


def _balanced_is_possible(e: dict, total: int) -> bool:
    """Whether `total` assignments fit with every load within one (floor or ceil of the mean): a flow
    with lower bounds on the judge -> sink arcs, turned into a max-flow from a super source."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    free = _free(e)
    n_p, n_j = len(e["proposals"]), len(e["judges"])
    low, high = total // n_j, -(-total // n_j)
    source, sink, s2, t2 = 0, n_p + n_j + 1, n_p + n_j + 2, n_p + n_j + 3
    index = {j.id: n_p + 1 + i for i, j in enumerate(e["judges"])}
    edges = [(source, 1 + i, e["k"]) for i in range(n_p)]
    edges += [(1 + i, index[j.id], 1) for i, p in enumerate(e["proposals"]) for j in free[p.participant_id]]
    for j in e["judges"]:  # judge -> sink in [low, high]
        edges += [(index[j.id], sink, high - low), (s2, sink, low), (index[j.id], t2, low)]
    edges += [(s2, source, total), (sink, t2, total)]  # sink -> source carries exactly `total`
    u, v, c = zip(*[x for x in edges if x[2] > 0], strict=True)
    graph = csr_array((np.array(c, dtype=np.int32), (u, v)), shape=(t2 + 1, t2 + 1))
    return maximum_flow(graph, s2, t2).flow_value == n_j * low + total


# Examples per property: the profile's (tests/conftest.py), a dozen everyday and a hundred in `make test`.
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(editions())
def test_never_a_conflict_never_above_capacity_frozen_kept_and_short_explained(e: dict) -> None:
    plan = _plan(e)
    judges = {j.id: j for j in e["judges"]}
    assert not [a for a in plan.assignments
                if conflict_reason(judges[a.judge_id], a.participant_id, e["roster"], e["declared"])]
    frozen = {(a.judge_id, a.participant_id) for a in e["frozen"]}
    free_frozen = {f for f in frozen if conflict_reason(judges[f[0]], f[1], e["roster"], e["declared"]) is None}
    assert {(a.judge_id, a.participant_id) for a in plan.assignments if a.frozen} == free_frozen
    assert {(a.judge_id, a.participant_id) for a in plan.released} == frozen - free_frozen
    frozen_load = Counter(j for j, _ in free_frozen)
    assert plan.loads == {j: n for j, n in sorted(Counter(a.judge_id for a in plan.assignments).items())} | \
        {j: 0 for j in judges if j not in {a.judge_id for a in plan.assignments}}
    for j, judge in judges.items():
        if judge.capacity is not None:
            assert plan.loads[j] <= max(judge.capacity, frozen_load[j])
    got = _by_participant(plan)
    short = {u.participant_id: u for u in plan.unassigned}
    free = _free(e)
    for p in e["proposals"]:
        pid = p.participant_id
        frozen_here = sum(1 for j, q in free_frozen if q == pid)
        assert len(got[pid]) <= max(e["k"], frozen_here)
        if len(got[pid]) < e["k"]:
            assert short[pid].assigned == len(got[pid])
            reason = short[pid].reason
            assert (reason is Blocker.CONFLICT_OF_INTEREST) == (len(free[pid]) < e["k"])
            others = [j for j in free[pid] if j.id not in got[pid]]
            if reason is Blocker.CAPACITY:  # every free judge it lacks is full
                assert all(j.capacity is not None and plan.loads[j.id] >= j.capacity for j in others)
            if reason is Blocker.DUPLICATE_GROUP:  # one of them had room: the group held it back
                assert any(p.participant_id in pair for pair in e["together"])
                assert any(j.capacity is None or plan.loads[j.id] < j.capacity for j in others)
        else:
            assert pid not in short
    for a in plan.assignments:
        assert a.expertise_match == bool(set(judges[a.judge_id].expertise) & set(
            next(p.themes for p in e["proposals"] if p.participant_id == a.participant_id)))


@FAST
@given(editions())
def test_duplicate_groups_share_every_new_judge(e: dict) -> None:
    plan = _plan(e)
    got = _by_participant(plan)
    frozen_pids = {a.participant_id for a in e["frozen"]}
    group: dict[str, set[str]] = {p.participant_id: {p.participant_id} for p in e["proposals"]}
    for a, b in e["together"]:  # transitive closure, apart from the solver's union-find
        merged = group[a] | group[b]
        for m in merged:
            group[m] = merged
    for a in plan.assignments:
        if not a.frozen:
            assert all(a.judge_id in got[m] for m in group[a.participant_id])
    for a, b in e["together"]:
        if not (group[a] & frozen_pids):
            assert got[a] == got[b]


@FAST
@given(editions(together=False, frozen=False))
def test_k_is_met_whenever_a_flow_says_it_can_be(e: dict) -> None:
    plan = _plan(e)
    best = _max_flow(e)
    assert len(plan.assignments) == best
    if best == e["k"] * len(e["proposals"]):
        assert plan.unassigned == ()
    else:
        assert plan.unassigned


@FAST
@given(editions(capacities=False, together=False, frozen=False))
def test_loads_are_within_one_whenever_that_is_possible(e: dict) -> None:
    plan = _plan(e)
    loads = list(plan.loads.values())
    if _balanced_is_possible(e, len(plan.assignments)):
        assert max(loads) - min(loads) <= 1
    # And always: no single assignment can move from a busier judge to one two below it.
    free = _free(e)
    got = _by_participant(plan)
    for a in plan.assignments:
        for j in free[a.participant_id]:
            if j.id not in got[a.participant_id]:
                assert plan.loads[a.judge_id] <= plan.loads[j.id] + 1


@FAST
@given(editions(), st.randoms(use_true_random=False))
def test_the_same_inputs_in_any_order_give_the_same_plan(e: dict, rng: random.Random) -> None:
    shuffled = {**e, "proposals": rng.sample(e["proposals"], len(e["proposals"])),
                "judges": rng.sample(e["judges"], len(e["judges"])),
                "together": [tuple(rng.sample(p, 2)) for p in rng.sample(e["together"], len(e["together"]))],
                "frozen": rng.sample(e["frozen"], len(e["frozen"]))}
    assert _same(_plan(e), _plan(shuffled))


@FAST
@given(editions())
def test_classes_of_interchangeable_proposals_reach_the_same_optimum(e: dict) -> None:
    figures = []
    for interchangeable in (True, False):
        model = encode(e["proposals"], e["judges"], e["roster"], k=e["k"], declared=e["declared"],
                       together=e["together"], frozen=e["frozen"], interchangeable=interchangeable)
        taken, optimal = solve(model)
        plan = decode(model, taken, 0.0, optimal)
        figures.append((len(plan.assignments), sorted(plan.loads.values()),
                        sum(a.expertise_match for a in plan.assignments)))
    assert figures[0][0] == figures[1][0]
    assert sum(n * n for n in figures[0][1]) == sum(n * n for n in figures[1][1])
    assert figures[0][2] == figures[1][2]
