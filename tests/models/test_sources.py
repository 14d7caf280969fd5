from pathlib import Path

from models.sources import source_digest


def test_the_digest_follows_every_byte_and_the_extra_text(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n", encoding="utf-8")
    b.write_text("y = 2\n", encoding="utf-8")
    first = source_digest([a, b], "scipy 1.0")
    assert source_digest([a, b], "scipy 1.0") == first
    assert source_digest([a, b], "scipy 1.1") != first
    assert source_digest([b, a], "scipy 1.0") != first
    a.write_text("x = 3\n", encoding="utf-8")
    assert source_digest([a, b], "scipy 1.0") != first


def test_a_source_that_cannot_be_read_trusts_nothing_kept(tmp_path: Path) -> None:
    gone = tmp_path / "gone.py"
    assert source_digest([gone]) != source_digest([gone])
