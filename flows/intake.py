"""The intake flow: the steps of flows/pipeline.py, run and observed by Prefect."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import pipeline
from models.ledger import Ledger
from models.settings import Settings


@task(name="extract-new-files", cache_policy=NO_CACHE)
def extract_task(config: pipeline.RunConfig, hashes: dict[str, str]) -> int:
    with Ledger(config.ledger_path) as ledger:
        return pipeline.extract_pending(config, ledger, hashes)


@task(name="classify-themes", cache_policy=NO_CACHE)
def themes_task(config: pipeline.RunConfig, screening):
    with Ledger(config.ledger_path) as ledger:
        return pipeline.assign_themes(config, ledger, screening)


@task(name="flag-duplicates", cache_policy=NO_CACHE)
def duplicates_task(config: pipeline.RunConfig, screening):
    with Ledger(config.ledger_path) as ledger:
        return pipeline.flag_duplicates(config, ledger, screening)


@task(name="write-reports", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def reports_task(config: pipeline.RunConfig, screening):
    with Ledger(config.ledger_path) as ledger:
        ledger.record_outcomes(screening.documents)  # files set aside by themes or duplicates
    return pipeline.report(config, screening)


@flow(name="kipp-intake", log_prints=False)
def intake_flow(
    inbox: str, roster: str, out: str, edition: str, settle_seconds: float | None = None, prior: str | None = None
) -> dict:
    """Screen everything new in the inbox once and rewrite the reports."""
    logger = get_run_logger()
    settings = Settings.from_env()
    if settle_seconds is not None:
        settings = replace(settings, settle_seconds=settle_seconds)
    config = pipeline.RunConfig(Path(inbox), Path(roster), Path(out), edition, settings, Path(prior) if prior else None)
    roster_ = pipeline.check_inputs(config)
    with Ledger(config.ledger_path) as ledger:
        items, hashes = pipeline.record_inbox(config, ledger)
    extracted = extract_task(config, hashes)
    with Ledger(config.ledger_path) as ledger:
        screening = pipeline.decide(config, ledger, roster_, items, hashes)
    screening = themes_task(config, screening)
    screening = duplicates_task(config, screening)
    screening, reports = reports_task(config, screening)
    summary = {
        "files_seen": len(items),
        "files_extracted": extracted,
        "reports": {k: str(v) for k, v in reports.items()},
        "screening": screening,
        "internal_errors": screening.internal_errors,  # > 0: kipp failed on some files; the CLI exits 6
    }
    logger.info("%d files seen, %d extracted", len(items), extracted)
    return summary
