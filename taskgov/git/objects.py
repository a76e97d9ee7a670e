"""Questions about objects in the repository's store, one ``git cat-file`` each."""

from __future__ import annotations

from pathlib import Path

from taskgov.git.process import git_bytes


def commits_present(root: Path, shas: list[str]) -> set[str]:
    """Which of the full commit ids ``shas`` the repository has."""
    full = [s for s in shas if len(s) in (40, 64)]
    if not full:
        return set()
    listed = git_bytes(
        root,
        "cat-file",
        "--batch-check=%(objectname) %(objecttype)",
        stdin="\n".join(full).encode() + b"\n",
    )
    found = set()
    for line in listed.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == "commit":
            found.add(parts[0])
    return found


def blob_bytes(root: Path, blob: str) -> bytes:
    """The content of the blob ``blob``."""
    return git_bytes(root, "cat-file", "blob", blob)
