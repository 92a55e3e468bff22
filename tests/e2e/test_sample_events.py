"""Every sample in events/ succeeds with `kith-local invoke --in-process` against a new local stack,
and does what it stands for there."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from kith_local.cli import main
from kith_local.stack import open_stack

from tests.sample_effects import EFFECTS, SAMPLES, assert_succeeded, function_for


@pytest.mark.parametrize("event", SAMPLES, ids=[event.stem for event in SAMPLES])
def test_each_sample_event_succeeds_against_a_new_local_stack(
    endpoint: str, event: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When the sample is invoked as the README says, on an endpoint that holds no stack yet
    code = main(["invoke", function_for(event), "-e", str(event), "--in-process", "--endpoint", endpoint])
    out, err = capsys.readouterr()
    # Then the function succeeded: a 2xx, no failed record, no error
    assert code == 0, err
    result = json.loads(out)
    assert_succeeded(result)
    assert "dropped" not in err and "refused" not in err, err
    # And it did what it stands for, on the stack the invoke created and seeded
    assert event.stem in EFFECTS, f"say in tests/sample_effects.py what {event.name} does to the stack"
    EFFECTS[event.stem](open_stack(boto3.session.Session()), result)
