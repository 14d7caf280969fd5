"""How the cluster's run cuts its files into batches and tells a lost batch (flows/batches.py), without a server:
the rules on the clock of the run itself, fed what the server and the ledger would say."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.batches import Batch, Fate, Heartbeats, SpreadOptions, cut

OPTIONS = SpreadOptions(claim_seconds=120, beats=4)
STALL = 240.0
SHAS = tuple(f"{n:064x}" for n in range(6))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=4), unique=True, max_size=200), st.integers(1, 40))
def test_every_file_goes_to_exactly_one_batch_of_at_most_the_size(shas: list[str], size: int) -> None:
    batches = cut(shas, size)
    assert sorted(sha for batch in batches for sha in batch) == sorted(shas)
    assert all(0 < len(batch) <= size for batch in batches)
    assert len(batches) == math.ceil(len(shas) / size)


def test_files_are_dealt_out_in_turn_so_one_folders_scans_spread_over_the_batches() -> None:
    paths = [f"pindaian/scan-{n}" for n in range(4)] + [f"teks/{n}" for n in range(8)]
    batches = cut(paths, 4)
    assert [sum(p.startswith("pindaian") for p in batch) for batch in batches] == [2, 1, 1]


def test_a_worker_is_dead_once_its_heartbeat_stops_changing_whatever_its_clock_says() -> None:
    beats = Heartbeats(beats=4, now=0.0)
    beats.update([("a", "2030-01-01T00:00:00", 5), ("b", "1999-01-01T00:00:00", 5)], now=0.0)  # skewed clocks
    for t in (5.0, 10.0, 15.0, 20.0, 25.0):
        beats.update([("a", f"2030-01-01T00:00:{int(t):02d}", 5), ("b", "1999-01-01T00:00:00", 5)], now=t)
    assert beats.alive("a", 25.0)
    assert beats.alive("b", 20.0) and not beats.alive("b", 20.1)  # four intervals of 5 s without a new one
    assert not beats.alive("never-seen", 1.0)
    assert beats.none_alive_for(25.0) == 0.0


def _batch(state: str, worker: str | None = None, since: float = 0.0) -> Batch:
    batch = Batch(1, SHAS, 1, "run", seen_at=0.0, state_since=since, saved_at=0.0)
    batch.observe(state, worker, left=set(SHAS), now=since)
    return batch


def _alive(*names: str, until: float = 1000.0) -> Heartbeats:
    """Workers whose heartbeats change every 5 s until `until`."""
    beats = Heartbeats(beats=4, now=0.0)
    for t in range(0, int(until) + 1, 5):
        beats.update([(name, t, 5) for name in names], now=float(t))
    return beats


def test_a_completed_batch_is_done_and_one_that_ended_otherwise_is_lost() -> None:
    assert _batch("COMPLETED").fate(10.0, _alive("w"), OPTIONS, STALL)[0] is Fate.DONE
    for state in ("CRASHED", "FAILED", "CANCELLED"):
        assert _batch(state).fate(10.0, _alive("w"), OPTIONS, STALL)[0] is Fate.LOST


def test_a_running_batch_is_lost_when_its_worker_stops_beating() -> None:
    beats = _alive("w", until=100.0)
    batch = _batch("RUNNING", "w", since=50.0)
    assert batch.fate(110.0, beats, OPTIONS, STALL)[0] is Fate.WAITING
    fate, why = batch.fate(121.0, beats, OPTIONS, STALL)
    assert fate is Fate.LOST and "w sent no heartbeat" in why


def test_a_batch_taken_but_never_started_under_a_workers_name_is_lost_after_the_claim_window() -> None:
    beats = _alive("w")
    batch = _batch("PENDING", None, since=10.0)
    assert batch.fate(130.0, beats, OPTIONS, STALL)[0] is Fate.WAITING
    assert batch.fate(130.1, beats, OPTIONS, STALL)[0] is Fate.LOST


def test_a_running_batch_that_saves_nothing_for_the_stall_time_is_lost_even_with_a_live_worker() -> None:
    beats = _alive("w")
    batch = _batch("RUNNING", "w", since=0.0)
    batch.observe("RUNNING", None, left=set(SHAS[1:]), now=200.0)  # one file saved at 200 s
    assert batch.saved == 1 and batch.worker == "w"
    assert batch.fate(440.0, beats, OPTIONS, STALL)[0] is Fate.WAITING
    fate, why = batch.fate(440.1, beats, OPTIONS, STALL)
    assert fate is Fate.LOST and "nothing saved" in why


def test_a_scheduled_batch_waits_while_a_worker_lives_and_is_lost_when_none_has_for_the_claim_window() -> None:
    batch = _batch("SCHEDULED")
    assert batch.fate(900.0, _alive("w", until=900.0), OPTIONS, STALL)[0] is Fate.WAITING
    gone = _alive("w", until=100.0)
    gone.update([("w", 100, 5)], now=300.0)  # still the heartbeat of 100 s
    assert batch.fate(300.0, gone, OPTIONS, STALL)[0] is Fate.LOST


def test_a_flow_run_gone_from_the_server_is_a_lost_batch() -> None:
    batch = _batch("RUNNING", "w")
    batch.observe(None, None, left=set(SHAS), now=1.0)
    assert batch.fate(2.0, _alive("w"), OPTIONS, STALL)[0] is Fate.LOST
