"""End-to-end level: boto3 over real HTTP to moto's server on 127.0.0.1, requests over HTTP to the local API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def endpoint() -> Iterator[str]:
    from kith_local.aws import local_aws

    with local_aws() as url:
        yield url
