"""Checking an output path before any work starts, and making a path from a scenario's name.

Every command that writes (`run --out`, `ensemble`/`sweep`/`merge`/`sensitivity --out`, `report
-o`, `query --csv/--parquet`) checks its target first, so a bad one is refused in one line
before anything is simulated: the target is not a file where a directory is needed (nor a
directory where a file is), its nearest existing folder is writable, its name fits the
filesystem, and it is neither inside an experiment directory nor a symlink into one (an
experiment's files are written only by its own command).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from thermidor.errors import InputError

MANIFEST = "experiment.toml"
NAME_MAX = 200  # bytes of the target's own name: room for the temporary names beside it
PATH_MAX = 4000  # bytes of the whole absolute path


def safe_label(name: str, limit: int = 80) -> str:
    """A scenario name as a file name: letters, digits, `.`, `_`, `-` kept, anything else `-`.

    `../../x` becomes `x`, `/abs/path` becomes `abs-path`; never empty, never hidden.
    """
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-_")
    text = re.sub(r"\.{2,}", ".", text)
    return text[:limit].strip(".-_") or "scenario"


def experiment_of(path: Path) -> Path | None:
    """The experiment directory that `path` is or lies in (symlinks resolved), else None."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return None
    for folder in (real, *real.parents):
        try:
            if (folder / MANIFEST).is_file():
                return folder
        except OSError:
            return None
    return None


def _existing_ancestor(path: Path) -> Path:
    for folder in (path, *path.parents):
        if folder.exists():
            return folder
    return Path("/")


def _check_common(path: Path, option: str) -> Path:
    """Checks shared by files and directories; returns the absolute path."""
    text = str(path)
    if not text or any(not ch.isprintable() for ch in text):
        raise InputError(option, f"{text!r} is not a path (no control characters, no NUL)")
    absolute = Path(os.path.abspath(path))
    if len(os.fsencode(str(absolute))) > PATH_MAX:
        raise InputError(option, f"the path is too long (allowed: up to {PATH_MAX} bytes)")
    long = [p for p in absolute.parts if len(os.fsencode(p)) > 255]
    if long or len(os.fsencode(absolute.name)) > NAME_MAX:
        raise InputError(
            option,
            f"{str(path)[:60]}...: a name in the path is too long (allowed: up to {NAME_MAX} "
            "bytes for the target's own name, 255 for each folder)",
        )
    base = _existing_ancestor(absolute.parent)
    if not base.is_dir():
        raise InputError(option, f"{path}: {base} is not a directory")
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(option, f"{path}: cannot write in {base} (permission or read-only)")
    return absolute


def check_file(path: Path, option: str, force: bool, sources: Iterable[Path] = ()) -> Path:
    """Refuse an output file that cannot or may not be written (see the module's docstring).

    `sources` are the directories the command reads: the file may not be inside one.
    """
    absolute = _check_common(path, option)
    if absolute.is_dir():
        raise InputError(option, f"{path} is a directory; give a file name")
    if not absolute.parent.is_dir():
        raise InputError(option, f"{path}: no such directory {absolute.parent}")
    _not_inside(path, absolute, option, sources)
    if (absolute.exists() or absolute.is_symlink()) and not force:
        raise InputError(option, f"{path} exists (use --force to replace it)")
    if absolute.is_symlink():
        raise InputError(option, f"{path} is a symlink; give the file itself")
    return absolute


def check_dir(
    path: Path, option: str, sources: Iterable[Path] = (), experiment: bool = False
) -> Path:
    """Refuse an output directory that cannot or may not be written.

    `experiment`: the target is itself an experiment directory (it may hold its own manifest,
    but may not lie inside another experiment). `sources`: directories it may not lie in.
    """
    absolute = _check_common(path, option)
    if absolute.exists() and not absolute.is_dir():
        raise InputError(option, f"{path} exists and is not a directory")
    if absolute.is_dir() and not os.access(absolute, os.W_OK | os.X_OK):
        raise InputError(option, f"{path}: cannot write in it (permission or read-only)")
    real = Path(os.path.realpath(absolute))
    inside = experiment_of(real.parent) if experiment else experiment_of(real)
    if inside is not None:
        raise InputError(
            option, f"{path} is inside the experiment directory {inside}; write somewhere else"
        )
    _not_in_sources(path, real, option, sources)
    return absolute


def _not_inside(path: Path, absolute: Path, option: str, sources: Iterable[Path]) -> None:
    """Refuse a file target inside an experiment (symlinks resolved) or inside a source."""
    real = Path(os.path.realpath(absolute))
    inside = experiment_of(real.parent)
    if inside is not None:
        raise InputError(
            option, f"{path} is inside the experiment directory {inside}; write somewhere else"
        )
    _not_in_sources(path, real, option, sources)


def _not_in_sources(path: Path, real: Path, option: str, sources: Iterable[Path]) -> None:
    for src in sources:
        s = Path(os.path.realpath(src))
        if real == s or s in real.parents:
            raise InputError(option, f"{path} is inside {src}, which this command reads")
