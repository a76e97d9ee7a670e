"""Run every rule over a repository and turn the findings into a report and exit code."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from taskgov.checks.catalog import CYCLE_RULE, UNREADABLE
from taskgov.checks.findings import apply_levels
from taskgov.errors import EXIT_CYCLE, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError
from taskgov.git.activity import Activity
from taskgov.problems import Problem, Severity, sort_problems
from taskgov.repo import Repository


@dataclass(frozen=True)
class Report:
    """The outcome of ``validate``: problems in report order and the exit code they imply."""

    problems: tuple[Problem, ...]
    files: int

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read, else 3 for a cycle, else 1 for other errors."""
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        if any(p.rule in UNREADABLE for p in errors):
            return EXIT_USAGE
        if any(p.rule == CYCLE_RULE for p in errors):
            return EXIT_CYCLE
        return EXIT_PROBLEMS if errors else EXIT_OK

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.as_dict() for p in self.problems],
        }


def validate(
    repo: Repository,
    paths: list[str] | None = None,
    *,
    strict: bool = False,
    cwd: Path | None = None,
    activity: Activity | None = None,
) -> Report:
    """Check every spec of ``repo``; with ``paths``, report only problems in those files or
    directories (files outside the task directories are parsed and checked too). With
    ``activity`` (what history says), specs that history contradicts are reported too."""
    from taskgov.checks.graph import repository_problems

    selected: list[Path] = []
    if paths:
        repo, selected = _with_extra_files(repo, paths, cwd or Path.cwd())
    problems = [*repo.file_problems, *repository_problems(repo, activity)]
    if activity is not None:
        from taskgov.checks.history import history_problems

        problems.extend(history_problems(repo, activity))
    from taskgov.checks.claims import claim_problems

    problems.extend(claim_problems(repo, activity))
    from taskgov.checks.decisions import decision_problems
    from taskgov.decisions.store import load_decisions

    decisions = load_decisions(repo.config)
    problems.extend(decision_problems(repo, decisions, activity))
    problems = apply_levels(repo.config, problems, strict)
    # Specs and decision records alike are files checked.
    checked = [f.path for f in repo.files] + [
        d.path for d in decisions.decisions if d.kind == "yaml"
    ]
    if selected:
        problems = [p for p in problems if _inside(repo.root / p.path, selected)]
        files = sum(1 for path in checked if _inside(repo.root / path, selected))
    else:
        files = len(checked)
    return Report(tuple(sort_problems(problems)), files)


def _inside(path: Path, selected: list[Path]) -> bool:
    resolved = Path(os.path.abspath(path))
    return any(resolved == s or s in resolved.parents for s in selected)


def _with_extra_files(
    repo: Repository, paths: list[str], cwd: Path
) -> tuple[Repository, list[Path]]:
    from taskgov.spec.loader import read_spec

    selected = []
    known = {repo.root / f.path for f in repo.files}
    extra = []
    for raw in paths:
        path = Path(os.path.abspath(cwd / raw))
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{raw}: no such file or directory")
        selected.append(path)
        if path.is_file() and path not in known:
            try:
                path.relative_to(repo.root)
            except ValueError:
                raise UsageError(f"{raw}: outside the repository {repo.root}") from None
            extra.append(read_spec(path, repo.root, repo.config))
    if extra:
        repo = Repository(repo.config, (*repo.files, *extra))
    return repo, selected
