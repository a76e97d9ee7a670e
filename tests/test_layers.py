"""Lower layers never import higher ones: read every import statement (lazy ones inside
functions included, ``TYPE_CHECKING`` blocks excluded) and hold the layers to it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "taskgov"
BOTTOM = {"taskgov.config", "taskgov.errors", "taskgov.problems", "taskgov.ownership"}
# What the git layer may use: the bottom layer and the spec cache (git-dir lookup, memo).
GIT_MAY_USE = BOTTOM | {"taskgov.git", "taskgov.spec.cache"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _taskgov(names: set[str]) -> set[str]:
    return {name for name in names if name == "taskgov" or name.startswith("taskgov.")}


def test_the_bottom_layer_imports_nothing_above_it() -> None:
    for name in BOTTOM:
        path = PACKAGE / f"{name.split('.')[1]}.py"
        assert _taskgov(_imports(path)) <= BOTTOM, name


def test_config_and_the_policy_model_form_no_cycle() -> None:
    assert not any(i.startswith("taskgov.policy") for i in _imports(PACKAGE / "config.py"))
    assert "taskgov.config" in _imports(PACKAGE / "policy" / "model.py")


def test_the_git_layer_imports_only_what_lies_below_it() -> None:
    for path in (PACKAGE / "git").glob("*.py"):
        above = {
            i for i in _taskgov(_imports(path)) if not any(i.startswith(m) for m in GIT_MAY_USE)
        }
        assert not above, (path.name, above)


def test_only_the_cli_imports_click() -> None:
    users = {
        _module(path)
        for path in PACKAGE.rglob("*.py")
        if any(i == "click" or i.startswith("click.") for i in _imports(path))
    }
    assert "taskgov.cli.base" in users
    assert all(u == "taskgov.cli" or u.startswith("taskgov.cli.") for u in users), users


def test_planning_reads_no_history_and_estimates_sit_above_it() -> None:
    for path in (PACKAGE / "plan").glob("*.py"):
        assert not any(i.startswith("taskgov.estimates") for i in _imports(path)), path.name
    for path in (PACKAGE / "estimates").glob("*.py"):
        above = {
            i
            for i in _taskgov(_imports(path))
            if i.startswith(("taskgov.cli", "taskgov.commands", "taskgov.dispatch"))
        }
        assert not above, (path.name, above)
