"""Writes that stay inside the repository, survive crashes, and wait for each other.

Every file taskgov writes in a work tree goes through ``write_files``:

* the target's directory (and the target, when it is a link) is resolved first and must lie in
  the work tree and outside the git directory; a bare repository is refused;
* the new content goes to a temporary file in ``<git common dir>/taskgov/tmp/`` (git never
  shows it), or beside the target as ``.NAME.PID.taskgov-tmp`` when the git directory is on
  another filesystem (a rename cannot cross filesystems); stale ones are removed later;
* every ``os.write`` is checked (a short write is retried, no progress is an error), the file
  and its directory are fsynced, then it is renamed over the target (linked, for a file that
  must not exist yet), so a reader sees the old file or the new one, never a part;
* several files are written all or none: each is complete in its temporary file before a
  journal naming them is written; the renames follow, and a run interrupted between them is
  completed by the next ``locked`` section;
* any ``OSError`` (no space, read-only, permission) is one ``InputError`` line naming the file.

``locked`` is one ``flock`` per repository, in the git common directory however git found it
(``GIT_DIR``/``GIT_WORK_TREE``, worktrees), held around every read-modify-write of a spec or
a decision record.

``move_file`` moves a spec within the work tree (``git mv`` when it is tracked), never over a
file that exists.
"""

from taskgov.fsops.lock import locked
from taskgov.fsops.move import move_file
from taskgov.fsops.where import BARE, Place, place
from taskgov.fsops.write import Write, write_files

__all__ = ["BARE", "Place", "Write", "locked", "move_file", "place", "write_files"]
