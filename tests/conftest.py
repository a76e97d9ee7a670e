"""Shared fixtures: real git repositories in temporary directories, isolated from the
user's configuration, and a way to run the CLI in-process with captured output."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DATA = HERE / "data"  # small copies of corpus files, each folder with a SOURCE.md
GOVERNANCE = DATA / "governance-repo"

# What checks each part of the shared corpus's behaviour when the corpus is absent: the
# skip reason names it, so a skipped corpus test says what still guards that behaviour.
CORPUS_COVERED_BY = {
    "governance-repo": "tests/data/governance-repo, a copy of every file",
    "commit-messages.jsonl": "58 real messages with git's parse in tests/data/commit-messages",
    "psplib": "14 j30 instances with their optima in tests/data/psplib and generated instances",
    "tasks-v3": "the schemas and example copied into tests/data/tasks-v3",
    "speckit": "the template copied into tests/data/speckit",
    "taskmaster": "the tasks.json copied into tests/data/taskmaster",
    "beads": "the issues.jsonl copied into tests/data/beads",
    "dottasks": "the .tasks/ directory copied into tests/data/dottasks",
}


def corpus_root() -> Path:
    """The shared corpus: ``$TASKGOV_CORPUS``, else ``../shared/corpus`` beside the project."""
    configured = os.environ.get("TASKGOV_CORPUS", "").strip()
    return Path(configured).resolve() if configured else PROJECT.parent / "shared" / "corpus"


def in_ci() -> bool:
    """True under CI (any ``CI`` value but empty, 0, false, no, off), where no test may skip
    for want of the corpus."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def corpus_path(name: str) -> Path:
    """``name`` (e.g. ``"psplib/j30"``) inside the shared corpus, the one way tests reach it.

    Absent, the calling test skips with a reason that names the self-contained tests covering
    the same behaviour; under CI it fails instead, so CI never skips a corpus test silently.
    Call it inside a test or fixture, never at import time.
    """
    __tracebackhide__ = True  # a skip or failure is reported at the calling test's line
    path = corpus_root() / name
    if path.exists():
        return path
    covered = CORPUS_COVERED_BY.get(Path(name).parts[0], "nothing else")
    reason = (
        f"shared corpus not found at {path} (set TASKGOV_CORPUS): "
        f"the self-contained tests cover {covered}"
    )
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so the corpus must be present", pytrace=False)
    pytest.skip(reason)


def pytest_report_header() -> str:
    """Say in the run's header which corpus the corpus tests use, or that it is absent."""
    root = corpus_root()
    if root.is_dir():
        return f"shared corpus: {root}"
    return f"shared corpus: absent at {root}, its tests {'fail (CI)' if in_ci() else 'skip'}"


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the user's git config, hooks template or identity."""
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test Person\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "SOURCE_DATE_EPOCH",
        "TASKGOV_NO_CACHE",
        "TASKGOV_DEBUG",
    ):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        import json

        return json.loads(self.out)


@dataclass
class GitRepo:
    path: Path

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.path), *args], check=True, capture_output=True, text=True
        ).stdout

    def write(self, files: dict[str, str | bytes]) -> None:
        """Write a tree of files (text is dedented)."""
        for relative, content in files.items():
            target = self.path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content), encoding="utf-8")

    def commit(self, message: str, files: dict[str, str | bytes] | None = None) -> str:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def spec(self, task_id: str) -> Path:
        return self.path / "docs" / "tasks" / "active" / f"{task_id}.yaml"

    def snapshot(self) -> dict[str, bytes]:
        """Every file in the work tree (not .git) and its bytes: to prove nothing changed."""
        result = {}
        for path in sorted(self.path.rglob("*")):
            if ".git" in path.relative_to(self.path).parts:
                continue
            if path.is_symlink():
                result[str(path)] = b"-> " + os.readlink(path).encode()
            elif path.is_file():
                result[str(path)] = path.read_bytes()
        return result


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty git repository with the taskgov layout directories."""
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "--quiet", "--template=", str(path)], check=True)
    (path / "docs" / "tasks" / "active").mkdir(parents=True)
    return GitRepo(path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``taskgov ARGS`` in-process in a directory; returns code and captured output."""
    from taskgov.cli import main

    def invoke(cwd: Path, *args: str) -> Result:
        capsys.readouterr()
        code = main(["-C", str(cwd), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def run_process(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run taskgov as a real subprocess (``python -m taskgov``)."""
    completed = subprocess.run(
        [sys.executable, "-m", "taskgov", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def spec_yaml(
    task_id: str,
    title: str = "Implement the feature",
    *,
    status: str = "ready",
    priority: str = "medium",
    blocked_by: tuple[str, ...] = (),
    blocks: tuple[str, ...] = (),
    effort: str = "4h",
    milestone: str = "M1",
    extra: str = "",
    criteria: int = 1,
) -> str:
    """A small spec in the real template's shape."""
    flow = lambda ids: "[" + ", ".join(f'"{i}"' for i in ids) + "]"  # noqa: E731
    lines = [
        f'task_id: "{task_id}"',
        f'title: "{title}"',
        'version: "1.0"',
        "classification:",
        '  type: "feature"',
        f'  priority: "{priority}"',
        f'  milestone: "{milestone}"',
        f'  estimated_effort: "{effort}"',
        "acceptance_criteria:",
        *(f'  - criterion: "Criterion {n}"\n    verification: "pytest"' for n in range(criteria)),
        "state:",
        f'  status: "{status}"',
        f"  blocked_by: {flow(blocked_by)}",
        f"  blocks: {flow(blocks)}",
    ]
    if not criteria:
        lines[lines.index("acceptance_criteria:")] = "acceptance_criteria: []"
    return "\n".join(lines) + "\n" + textwrap.dedent(extra)


def start_together(
    cwd: Path, runs: list[list[str]], env: dict[str, str] | None = None
) -> list[tuple[int, str, str]]:
    """Start one ``taskgov`` process per argument list at once, as racing users would; returns
    (exit code, stdout, stderr) of each, in the order given."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "taskgov", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in runs
    ]
    return [(p.returncode, out, err) for p in processes for out, err in [p.communicate()]]
