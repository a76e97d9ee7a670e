"""``taskgov log resolve``: settle the conflicts git stops on in the log's month files.

The ``union`` merge driver settles every conflict *inside* a month file, but git never runs a
driver when one side lacks the file. That happens when a commit is cherry-picked (or a branch
rebased) onto a branch that has no record of that month yet, for example a release branch cut
the month before: the commit appends to ``2026-11.jsonl``, the release branch has no such file,
and git stops with "CONFLICT (modify/delete)". Nothing in those files is lost by settling them
either way, since records are derived from history: the next commit's hook logs what the branch
needs and drops records of commits the branch does not contain. This module settles them the
way that keeps the branch's own log: the branch's version when it has the file, the union of
both versions' lines when both have it, no file when only the other side has one.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from taskgov.config import Config
from taskgov.git.context import repo_context
from taskgov.git.objects import blob_bytes
from taskgov.git.process import run_git


class Settled(NamedTuple):
    path: str
    how: str  # "kept", "joined" or "left out"


class ResolveResult(NamedTuple):
    settled: list[Settled]
    others: list[str]  # conflicted paths outside the log, left to the person
    next_step: str  # what to run to carry on ("git cherry-pick --continue")

    def as_dict(self) -> dict[str, object]:
        return {
            "settled": [{"path": s.path, "how": s.how} for s in self.settled],
            "others": self.others,
            "next": self.next_step,
        }


def _unmerged(root: Path) -> dict[str, dict[int, str]]:
    """path -> {stage: blob} of the index entries git left unmerged."""
    found: dict[str, dict[int, str]] = {}
    for item in run_git(root, "ls-files", "-u", "-z").split("\0"):
        if item:
            info, _, path = item.partition("\t")
            _mode, blob, stage = info.split()
            found.setdefault(path, {})[int(stage)] = blob
    return found


def _joined(ours: bytes, theirs: bytes) -> bytes:
    """Every line of ours, then the lines of theirs that ours lacks, in their order."""
    lines = ours.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        lines[-1] += b"\n"
    seen = set(lines)
    for raw in theirs.splitlines(keepends=True):
        line = raw if raw.endswith(b"\n") else raw + b"\n"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return b"".join(lines)


def _next_step(git_dir: Path) -> str:
    if (git_dir / "rebase-merge").is_dir() or (git_dir / "rebase-apply").is_dir():
        return "git rebase --continue"
    if (git_dir / "CHERRY_PICK_HEAD").exists():
        return "git cherry-pick --continue"
    if (git_dir / "REVERT_HEAD").exists():
        return "git revert --continue"
    return "git commit"


def resolve(config: Config) -> ResolveResult:
    """Settle every conflicted month file of the log and stage the result."""
    from taskgov.fsops import Write, write_files
    from taskgov.log.ops import store_for

    root = config.root
    context = repo_context(root)
    store = store_for(config, context)
    store.check_inside()
    ours_dir = f"{store.relative}/"
    everything = _unmerged(root)
    settled = []
    for path, stages in sorted(everything.items()):
        if not path.startswith(ours_dir) or not path.endswith(".jsonl"):
            continue
        ours, theirs = stages.get(2), stages.get(3)
        target = root / path
        if ours is None:
            run_git(root, "rm", "-q", "--cached", "--", path)
            target.unlink(missing_ok=True)
            settled.append(Settled(path, "left out"))
            continue
        content = blob_bytes(root, ours)
        how = "kept"
        if theirs is not None:
            content = _joined(content, blob_bytes(root, theirs))
            how = "joined"
        write_files(root, [Write(target, content, False)])
        run_git(root, "add", "--", path)
        settled.append(Settled(path, how))
    others = sorted(p for p in everything if p not in {s.path for s in settled})
    return ResolveResult(settled, others, _next_step(context.git_dir))
