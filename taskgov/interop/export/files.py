"""Writing an export into a directory: all files or none, never through a symlink.

The files are written into a new directory beside the target and renamed into place, so a
failure leaves nothing behind. The target must be absent, empty, or an earlier export of
the same files (replaced whole); anything else in it, or a symlink, is refused.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from taskgov.errors import UsageError


def write_export(files: Mapping[str, str], out: Path, names: Iterable[str] = ()) -> list[Path]:
    """Write ``files`` (plain file name -> text) as the whole content of directory ``out``.
    ``names``: the files an earlier export may have left there (defaults to ``files``)."""
    allowed = set(names) | set(files)
    for name in files:
        if not name or name != Path(name).name or name in (".", "..") or "\\" in name:
            raise UsageError(f"export file name {name!r} is not a plain file name")
    out = out.absolute()
    if out.is_symlink():
        raise UsageError(f"{out}: is a symbolic link; nothing written")
    previous = out.exists()
    if previous:
        if not out.is_dir():
            raise UsageError(f"{out}: exists and is not a directory; nothing written")
        for entry in out.iterdir():
            if entry.is_symlink() or not entry.is_file() or entry.name not in allowed:
                raise UsageError(
                    f"{out}: holds {entry.name}, which is not a file of this export; "
                    "nothing written (use an empty or new directory)"
                )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out.parent}: cannot create ({exc.strerror or exc})") from None
    staging = out.parent / f".{out.name}.taskgov-export-{os.getpid()}"
    old = out.parent / f".{out.name}.taskgov-old-{os.getpid()}"
    moved = False
    try:
        staging.mkdir()
        for name, text in files.items():
            with (staging / name).open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        if previous:
            out.rename(old)
            moved = True
        staging.rename(out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if moved and not out.exists():
            old.rename(out)
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc}); nothing written") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if moved and not out.exists():
            old.rename(out)
        raise
    if moved:
        shutil.rmtree(old, ignore_errors=True)
    return [out / name for name in files]
