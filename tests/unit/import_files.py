"""The contact files under tests/fixtures/imports, as an owner would upload them."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def file_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def file_text(name: str) -> str:
    # Decoded from bytes, so CRLF line ends (and CRLF inside quoted cells) stay as the file has them.
    return file_bytes(name).decode("utf-8")
