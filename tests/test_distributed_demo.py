"""The distributed demo, scaled down: its proof holds end to end (processes, kill, log)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent / "examples" / "distributed_demo.py"


@pytest.mark.timeout(180)
def test_a_killed_worker_neither_loses_nor_duplicates_and_the_rate_holds() -> None:
    """2,000 rows over 4 worker processes, one SIGKILLed and replaced mid-run: every row one
    journal record, no recipient accepted twice, the shared 200/s held (from the fake's log)."""
    done = subprocess.run(  # noqa: S603 - our own example, run by this interpreter
        [sys.executable, str(DEMO), "--rows", "2000", "--rate", "200", "--json"],
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert done.stdout, done.stderr
    proof = json.loads(done.stdout.splitlines()[-1])
    assert proof["checks"] == dict.fromkeys(proof["checks"], True), proof
    assert done.returncode == 0
    assert sum(proof["journal"].values()) == 2000
    # The kill happened mid-run, and its rows in flight were held, not resent.
    assert proof["killed_worker"]["killed_after_s"] > 1
    assert (
        proof["accepted"]
        == proof["journal"]["SENT"] + proof["killed_worker"]["of_which_reached_the_fake"]
    )
    assert proof["faults"]  # the fake did inject faults
    assert proof["pacing_round_trips_per_message"] < 0.2
