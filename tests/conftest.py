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
CORPUS = PROJECT.parent / "shared" / "corpus"
GOVERNANCE = CORPUS / "governance-repo"


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
