"""Turn a repository made by gen_specs.py into the same backlog as a Backlog.md project.

Usage::

    python bench/gen_backlog.py SPECS_DIR OUT_DIR --backlog PATH [--reuse]

``SPECS_DIR`` is a repository written by ``bench/gen_specs.py``. ``OUT_DIR`` becomes a git
repository (branch ``main``, one commit) initialised by ``backlog init`` itself (the ``backlog``
executable given by ``--backlog``, non-interactively, without agent files and with the
active-branch and remote checks off), holding one ``backlog/tasks/task-N - Title.md`` per spec in
the format Backlog.md writes: YAML front matter, then Markdown sections between its
``<!-- SECTION:...:BEGIN/END -->`` and ``<!-- AC:BEGIN/END -->`` markers.

The mapping keeps the graph intact:

* id ``TASK-2026-0042`` becomes ``TASK-42`` (file ``task-42 - Title.md``), and every
  ``state.blocked_by`` edge becomes a ``dependencies`` entry;
* status ``completed`` becomes ``Done``, ``in_progress`` ``In Progress``, ``ready`` ``To Do``, and
  ``draft`` Backlog.md's built-in ``Draft`` status (kept in ``backlog/tasks/`` so that its id and
  the edges that point at it survive; Backlog.md's own drafts folder numbers drafts apart);
* priority ``critical`` and ``high`` become ``high`` (Backlog.md has three levels); the milestone,
  the assignee (as ``@name``) and the creation and update times are kept; the labels are the
  spec's area and type;
* the body carries the spec's objective, motivation and constraints as the description, its
  acceptance criteria as Backlog.md checklist items (ticked when the task is done) and, for work
  already started, its deliverables as the implementation plan.

The output is a pure function of the source repository and the Backlog.md version. An existing
non-empty OUT_DIR must hold the marker file written here; with ``--reuse``, one whose marker
records the same source parameters and Backlog.md version is left as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gen_specs import ACTIVE_DIR, GIT_IDENTITY, MARKER, git, prepare_directory

GENERATOR_VERSION = 1
STATUSES = {"completed": "Done", "in_progress": "In Progress", "ready": "To Do", "draft": "Draft"}
PRIORITIES = {"critical": "high", "high": "high", "medium": "medium", "low": "low"}
INIT_OPTIONS = (
    "--defaults",
    "--integration-mode",
    "none",
    "--check-branches",
    "false",
    "--include-remote",
    "false",
    "--auto-open-browser",
    "false",
)
GIT_COMMIT = ("git", *GIT_IDENTITY, "-c", "commit.gpgsign=false")
PLAIN_SCALAR = re.compile(r"[A-Za-z][A-Za-z0-9 ._/-]*")
FrontValue = str | int | list[str]
YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


@dataclass(frozen=True)
class BacklogTask:
    """One task as Backlog.md stores it: front matter fields and Markdown body."""

    number: int
    title: str
    status: str
    front: list[tuple[str, FrontValue]]
    body: str

    @property
    def filename(self) -> str:
        return f"task-{self.number} - {sanitize_filename(self.title)}.md"


def backlog_id(task_id: str) -> str:
    """``TASK-2026-0042`` -> ``TASK-42``."""
    return f"TASK-{int(task_id.rsplit('-', 1)[1])}"


def sanitize_filename(title: str) -> str:
    """The title part of a task file name, as Backlog.md derives it."""
    text = re.sub(r'[<>:"/\\|?*]', "-", title)
    text = re.sub(r"['(),!@#$%^&+=\[\]{};]", "", text)
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"-+", "-", text)
    return text.strip("-")


def scalar(value: str) -> str:
    """A YAML scalar written the way Backlog.md's serializer writes it: plain when it can be,
    single-quoted otherwise."""
    if PLAIN_SCALAR.fullmatch(value) and value.lower() not in YAML_WORDS and value[-1] != " ":
        return value
    return "'" + value.replace("'", "''") + "'"


def backlog_date(stamp: str) -> str:
    """``2026-03-08T21:33:00Z`` -> ``2026-03-08 21:33``."""
    return stamp[:10] + " " + stamp[11:16]


def front_matter(fields: list[tuple[str, FrontValue]]) -> str:
    lines = ["---"]
    for key, value in fields:
        if isinstance(value, list):
            lines.append(f"{key}: []" if not value else f"{key}:")
            lines += [f"  - {scalar(item)}" for item in value]
        elif isinstance(value, int):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {scalar(value)}")
    return "\n".join([*lines, "---"])


def section(title: str, marker: str, text: str) -> str:
    return (
        f"## {title}\n\n<!-- SECTION:{marker}:BEGIN -->\n{text.strip()}\n"
        f"<!-- SECTION:{marker}:END -->"
    )


def convert(spec: dict[str, Any]) -> BacklogTask:
    """The Backlog.md task for one parsed taskgov spec."""
    state, kind = spec["state"], spec["classification"]
    status = STATUSES[state["status"]]
    done = status == "Done"
    assignee = spec["ownership"]["assignee"]
    assignees = [] if assignee == "unassigned" else ["@" + assignee.lstrip("@")]
    front: list[tuple[str, FrontValue]] = [
        ("id", backlog_id(spec["task_id"])),
        ("title", spec["title"]),
        ("status", status),
        ("assignee", assignees),
        ("created_date", backlog_date(spec["created_at"])),
    ]
    if spec["updated_at"] != spec["created_at"]:
        front.append(("updated_date", backlog_date(spec["updated_at"])))
    area = spec["deliverables"][0]["path"].split("/")[2]
    front += [
        ("labels", [area, kind["type"]]),
        ("milestone", kind["milestone"]),
        ("dependencies", [backlog_id(other) for other in state["blocked_by"]]),
        ("priority", PRIORITIES[kind["priority"]]),
    ]
    number = int(spec["task_id"].rsplit("-", 1)[1])
    front.append(("ordinal", number * 1000))
    constraints = "\n".join(f"- {text}" for text in spec["constraints"])
    parts = [
        section(
            "Description",
            "DESCRIPTION",
            f"{spec['objective']}\n{spec['motivation']}\nConstraints:\n{constraints}",
        )
    ]
    tick = "x" if done else " "
    criteria = [
        f"- [{tick}] #{index} {item['criterion']} (verify: {item['verification']})"
        for index, item in enumerate(spec["acceptance_criteria"], 1)
    ]
    parts.append("## Acceptance Criteria\n<!-- AC:BEGIN -->\n" + "\n".join(criteria))
    parts[-1] += "\n<!-- AC:END -->"
    if status in ("In Progress", "Done"):
        plan = "\n".join(
            f"{index}. {item['path']}: {item['description']} ({item['acceptance']})"
            for index, item in enumerate(spec["deliverables"], 1)
        )
        parts.append(section("Implementation Plan", "PLAN", plan))
    body = "\n\n".join(parts)
    return BacklogTask(number, spec["title"], status, front, body)


def render(task: BacklogTask) -> str:
    return front_matter(task.front) + "\n\n" + task.body + "\n"


def load_specs(specs: Path) -> list[dict[str, Any]]:
    """Every spec of a gen_specs repository, parsed (ruamel.yaml, taskgov's own parser)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    return [yaml.load(path.read_bytes()) for path in sorted((specs / ACTIVE_DIR).glob("*.yaml"))]


def source_params(specs: Path) -> dict[str, Any]:
    marker = specs / MARKER
    if not marker.is_file():
        raise SystemExit(f"gen_backlog: {specs} was not made by gen_specs.py (no {MARKER})")
    params: dict[str, Any] = json.loads(marker.read_text(encoding="utf-8"))
    return params


def backlog_version(backlog: str) -> str:
    result = subprocess.run(
        [backlog, "--version"], capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL
    )
    return result.stdout.strip()


def generate(specs: Path, out: Path, backlog: str, reuse: bool = False) -> bool:
    """Write and commit the Backlog.md project; False when an up-to-date one was reused."""
    params: dict[str, object] = {
        "generator": f"gen_backlog {GENERATOR_VERSION}",
        "source": source_params(specs),
        "backlog.md": backlog_version(backlog),
    }
    if not prepare_directory(out, params, reuse):
        return False
    git(out, "init", "-q", "-b", "main")
    init = subprocess.run(
        [backlog, "init", f"bench-{out.name}", *INIT_OPTIONS],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    config = out / "backlog" / "config.yml"
    if init.returncode != 0 or not config.is_file():
        sys.stderr.write(init.stdout + init.stderr)
        raise SystemExit(f"gen_backlog: backlog init exited {init.returncode} in {out}")
    settings = config.read_text(encoding="utf-8")
    for expected in ("remote_operations: false", "check_active_branches: false"):
        if expected not in settings:
            raise SystemExit(f"gen_backlog: backlog init did not write {expected!r} in {config}")
    tasks_dir = out / "backlog" / "tasks"
    tasks_dir.mkdir(parents=True, exist_ok=True)
    for spec in load_specs(specs):
        task = convert(spec)
        (tasks_dir / task.filename).write_text(render(task), encoding="utf-8", newline="\n")
    (out / MARKER).write_text(json.dumps(params, sort_keys=True) + "\n", encoding="utf-8")
    git(out, "add", "-A")
    moment = "2026-03-01T12:00:00Z"
    message = f"bench: Backlog.md project from {specs.name}"
    subprocess.run(
        [*GIT_COMMIT, "-C", str(out), "commit", "-q", "--no-verify", "-m", message],
        check=True,
        env={**os.environ, "GIT_AUTHOR_DATE": moment, "GIT_COMMITTER_DATE": moment},
    )
    return True


def summarize(out: Path) -> str:
    files = sorted((out / "backlog" / "tasks").glob("task-*.md"))
    sizes = [path.stat().st_size for path in files]
    statuses: dict[str, int] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("status: "):
                    status = line[8:].strip()
                    statuses[status] = statuses.get(status, 0) + 1
                    break
    mix = ", ".join(f"{k} {100 * v / len(files):.0f}%" for k, v in sorted(statuses.items()))
    return (
        f"{len(files)} tasks, {sum(sizes) / len(files) / 1024:.1f} KB average "
        f"({min(sizes)}-{max(sizes)} bytes); {mix}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", type=Path, metavar="SPECS_DIR")
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--backlog", required=True, help="the backlog executable (Backlog.md)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep OUT_DIR if it was generated from the same source by the same Backlog.md",
    )
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    made = generate(args.specs, args.out, args.backlog, args.reuse)
    if not args.quiet:
        verb = "generated" if made else "reused"
        print(f"{verb} {args.out} in {time.perf_counter() - start:.1f} s: {summarize(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
