"""Moving a file within the work tree: recorded by git when the file is tracked, never over
an existing file, and never out of the work tree or into the git directory."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from taskgov.fsops.files import fsync_dir
from taskgov.fsops.where import contained, display_name, errors, inside, place


def move_file(root: Path, source: Path, target: Path) -> bool:
    """Move ``source`` to ``target`` (both in the work tree at ``root``; the target's
    directory is created). A tracked file moves with ``git mv``, so git shows a rename; an
    untracked one is renamed in place. Returns whether git recorded it.

    Raises ``FileExistsError`` when ``target`` exists (nothing moved), ``InputError`` for a
    path leading outside the work tree or a failed move, ``GitError`` when git refuses."""
    from taskgov.git.index import git_mv, is_tracked

    where = place(root)
    shown_source, shown = display_name(where, source), display_name(where, target)
    inside(where, Path(os.path.realpath(source.parent)), shown_source)
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "File exists", shown)
    real_parent = contained(where, target, shown)
    relative = os.path.relpath(source, root)
    if is_tracked(root, relative):
        git_mv(root, relative, os.path.relpath(target, root))
        fsync_dir(real_parent)
        return True
    destination = real_parent / target.name
    with errors(shown):
        try:
            os.link(source, destination, follow_symlinks=False)  # never replaces a file
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            if os.path.lexists(destination):  # no hard links here: the lock serialises
                raise FileExistsError(errno.EEXIST, "File exists", shown) from None
            os.rename(source, destination)
        else:
            os.unlink(source)
    fsync_dir(real_parent)
    fsync_dir(Path(os.path.realpath(source.parent)))
    return False
