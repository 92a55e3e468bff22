"""A build's compiled extensions are for the processor it was built for.

`make build` is what `sam deploy` ships: the template's default architecture
(arm64), whatever machine builds it. `make build-local` is for this machine, so
the sandbox (`kith-local invoke`) can load it. Each ELF file's e_machine is read
from its header: 183 is aarch64, 62 is x86-64.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest
from kith_local.architecture import ARCHITECTURES, compiled_extensions, elf_machine, this_machine
from kith_local.cli import main
from kith_local.sandbox import BuiltForAnotherMachine, BuiltFunction, run
from kith_local.template import REPOSITORY

AARCH64, X86_64 = 183, 62
MACHINE_OF = {name: machine for machine, name in ARCHITECTURES.items()}


def _layer_extensions(build_dir: Path) -> dict[str, int]:
    layer = build_dir / "KithLayer"
    return {str(path.relative_to(layer)): machine for path, machine in compiled_extensions(layer).items()}


def _elf_header(machine: int) -> bytes:
    """The first 20 bytes of a little-endian 64-bit ELF shared object for the given e_machine."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + (3).to_bytes(2, "little") + machine.to_bytes(2, "little")


def test_the_template_deploys_arm64_by_default(template: dict[str, Any]) -> None:
    assert template["Parameters"]["Architecture"]["Default"] == "arm64"


def test_make_build_ships_aarch64_extensions_only(deploy_build_dir: Path) -> None:
    extensions = _layer_extensions(deploy_build_dir)

    assert any(path.startswith("python/pydantic_core/") for path in extensions), extensions
    assert {path: machine for path, machine in extensions.items() if machine != AARCH64} == {}


def test_make_build_local_ships_extensions_for_this_machine(build_dir: Path) -> None:
    extensions = _layer_extensions(build_dir)

    assert any(path.startswith("python/pydantic_core/") for path in extensions), extensions
    expected = MACHINE_OF[this_machine()]
    assert {path: machine for path, machine in extensions.items() if machine != expected} == {}


def test_the_elf_reader_tells_the_two_architectures_and_other_files_apart(tmp_path: Path) -> None:
    arm, intel, text = tmp_path / "arm.so", tmp_path / "intel.so", tmp_path / "notes.so"
    arm.write_bytes(_elf_header(AARCH64) + bytes(44))
    intel.write_bytes(_elf_header(X86_64) + bytes(44))
    text.write_text("not an ELF file", encoding="utf-8")

    assert (elf_machine(arm), elf_machine(intel), elf_machine(text)) == (AARCH64, X86_64, None)
    assert elf_machine(Path(sys.executable).resolve()) == MACHINE_OF[this_machine()]


def test_the_sandbox_refuses_a_layer_built_for_another_processor(tmp_path: Path, python313: Path) -> None:
    task_root, layer = tmp_path / "Function", tmp_path / "Layer" / "python"
    (layer / "pydantic_core").mkdir(parents=True)
    task_root.mkdir()
    (task_root / "app.py").write_text("def handler(event, context):\n    return 'ran'\n", encoding="utf-8")
    other = X86_64 if this_machine() == "arm64" else AARCH64
    (layer / "pydantic_core" / "_pydantic_core.so").write_bytes(_elf_header(other) + bytes(44))
    function = BuiltFunction("Probe", "app.handler", "python3.13", task_root, (layer,), 128, 10)

    with pytest.raises(BuiltForAnotherMachine) as refused:
        run(function, {}, {}, python313)

    assert f"built for {ARCHITECTURES[other]} (_pydantic_core.so)" in str(refused.value)
    assert "make build-local" in str(refused.value)
    assert run(dataclasses.replace(function, layers=()), {}, {}, python313).result == "ran"


@pytest.mark.skipif(this_machine() == "arm64", reason="make build's arm64 output runs on this machine")
def test_kith_local_invoke_of_the_deploy_build_says_to_build_for_this_machine(
    deploy_build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = REPOSITORY / "events" / "scheduler-tick.json"

    status = main(["invoke", "SchedulerFunction", "-e", str(event), "--build-dir", str(deploy_build_dir)])

    assert status == 1
    error = capsys.readouterr().err
    assert "was built for arm64" in error
    assert "this machine is x86_64: build for it with `make build-local`" in error
