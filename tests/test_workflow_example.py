"""The documented GitHub Actions workflow: valid YAML, and every taskgov command and option
it uses exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ruamel.yaml import YAML

WORKFLOW = Path(__file__).resolve().parent.parent / "examples" / "github" / "dispatch.yml"


def test_the_workflow_uses_real_commands_and_options(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = YAML(typ="safe").load(WORKFLOW.read_text())
    assert set(data["jobs"]) == {"frontier", "task"}
    assert "fromJSON(needs.frontier.outputs.matrix)" in data["jobs"]["task"]["strategy"]["matrix"]
    scripts = [
        step["run"] for job in data["jobs"].values() for step in job["steps"] if "run" in step
    ]
    used: dict[str, set[str]] = {}
    for script in scripts:
        for match in re.finditer(r"taskgov ([a-z-]+)([^;|>&)\n]*)", script):
            words = shlex.split(match.group(2).replace("$", "X"))
            used.setdefault(match.group(1), set()).update(w for w in words if w.startswith("--"))
    assert {"dispatch", "claim", "context", "release", "show"} <= set(used)
    assert "--remote" in used["claim"]
    assert used["dispatch"] >= {"--format"}
    for command, options in used.items():
        shown = run(tmp_path, command, "--help")
        assert shown.code == 0, command
        for option in options:
            assert option in shown.out, (command, option)
    assert "github-matrix" in run(tmp_path, "dispatch", "--help").out
