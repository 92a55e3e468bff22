"""Which Lambda architecture a build is for, read from the ELF headers of its compiled extensions.

A build for the wrong processor imports fine until the first compiled extension
(pydantic_core) loads, so the extensions themselves are what decides.
"""

from __future__ import annotations

import platform
from pathlib import Path

_ELF_MAGIC = b"\x7fELF"
_HEADER_BYTES = 20
# e_machine values (ELF specification: EM_X86_64, EM_AARCH64) of Lambda's two architectures.
ARCHITECTURES = {62: "x86_64", 183: "arm64"}
_MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def elf_machine(path: Path) -> int | None:
    """The ELF header's e_machine of a file, or None when the file is not ELF."""
    with path.open("rb") as file:
        header = file.read(_HEADER_BYTES)
    if len(header) < _HEADER_BYTES or header[:4] != _ELF_MAGIC:
        return None
    # EI_DATA: 2 is big-endian; Lambda's processors are both little-endian (1).
    return int.from_bytes(header[18:20], "big" if header[5] == 2 else "little")


def compiled_extensions(folder: Path) -> dict[Path, int]:
    """Every ELF file under a folder (whatever its name), with its e_machine."""
    found: dict[Path, int] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            machine = elf_machine(path)
            if machine is not None:
                found[path] = machine
    return found


def architecture_name(machine: int) -> str:
    return ARCHITECTURES.get(machine, f"ELF machine {machine}")


def this_machine() -> str:
    """This machine's processor in Lambda's words (x86_64 or arm64)."""
    machine = platform.machine().lower()
    return _MACHINES.get(machine, machine)


def foreign_extensions(folders: list[Path], architecture: str) -> dict[Path, str]:
    """The compiled extensions under the folders that are not for the given architecture."""
    return {
        path: architecture_name(machine)
        for folder in folders
        for path, machine in compiled_extensions(folder).items()
        if architecture_name(machine) != architecture
    }
