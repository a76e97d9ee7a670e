"""``taskgov review BASE HEAD`` on real repositories, and the sticky comment against a real
local HTTP server speaking the subset of GitHub's REST API it uses."""

from __future__ import annotations

import json
import random
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import GitRepo, spec_yaml

ACTIVE = "docs/tasks/active"


def _spec(task_id: str, title: str = "Implement the feature", **kw: Any) -> dict[str, str]:
    return {f"{ACTIVE}/{task_id}.yaml": spec_yaml(task_id, title, **kw)}


@pytest.fixture
def cycle_pr(repo: GitRepo) -> tuple[GitRepo, str, str]:
    """Base: 001 <- 002. The pull request adds 003 (needs 002) and makes 001 need 003."""
    base = repo.commit(
        "base",
        {
            **_spec("TASK-2026-001", "Implement the parser", blocks=("TASK-2026-002",)),
            **_spec("TASK-2026-002", "Write the guide", blocked_by=("TASK-2026-001",)),
        },
    )
    head = repo.commit(
        "add the exporter",
        {
            **_spec(
                "TASK-2026-001",
                "Implement the parser",
                blocks=("TASK-2026-002",),
                blocked_by=("TASK-2026-003",),
            ),
            **_spec(
                "TASK-2026-003",
                "Add the exporter",
                blocked_by=("TASK-2026-002",),
                blocks=("TASK-2026-001",),
            ),
        },
    )
    return repo, base, head


def test_a_pr_that_adds_edits_and_closes_a_cycle_is_reported_and_fails(run, cycle_pr) -> None:  # type: ignore[no-untyped-def]
    repo, base, head = cycle_pr
    result = run(repo.path, "review", base, head, "--json")
    assert result.code == 1, result.err
    report = result.json()
    assert [t["id"] for t in report["added"]] == ["TASK-2026-003"]
    assert report["removed"] == []
    assert [c["id"] for c in report["changed"]] == ["TASK-2026-001"]
    assert report["changed"][0]["fields"] == [
        {"path": "state.blocked_by", "before": [], "after": ["TASK-2026-003"]}
    ]
    assert {"task": "TASK-2026-001", "depends_on": "TASK-2026-003"} in report["edges"]["added"]
    assert report["cycles"] == [
        ["TASK-2026-001", "TASK-2026-003", "TASK-2026-002", "TASK-2026-001"]
    ]
    assert report["critical_path"]["before"] == ["TASK-2026-001", "TASK-2026-002"]
    assert report["critical_path"]["after"] is None  # no plan on a cycle
    assert report["expected_duration"]["before"] == 8.0
    # single-number estimates (4h each) get the default spread: P80 above the expected 8 h
    assert 8.0 < report["p80"]["before"] < 8.0 * 1.75
    assert report["frontier"] == {"before": ["TASK-2026-001"], "after": []}
    assert report["ok"] is False
    assert report["errors"] >= 1
    rules = {p["rule"] for p in report["problems"]}
    assert "TG301" in rules
    assert "TG130" not in rules

    # The annotation sits on the line of 001's blocked_by, the dependency that closes it.
    spec_lines = repo.spec("TASK-2026-001").read_text().splitlines()
    line = next(n for n, text in enumerate(spec_lines, 1) if "blocked_by" in text)
    github = run(repo.path, "review", base, head, "--format", "github")
    assert github.code == 1
    assert f"::error file={ACTIVE}/TASK-2026-001.yaml,line={line},title=TG301::" in github.out, (
        github.out
    )

    md = run(repo.path, "review", base, head, "--format", "md")
    assert md.code == 1
    first = md.out.splitlines()[0]
    assert first.startswith("**taskgov review** ❌ fails")
    assert "1 cycle introduced" in first
    assert "```mermaid" in md.out
    assert "graph LR" in md.out
    assert "| added | TASK-2026-003 | Add the exporter |" in md.out
    assert "<details><summary>Field changes (1)</summary>" in md.out
    assert md.out.rstrip().endswith("<!-- taskgov-review -->")


def test_a_pr_that_changes_nothing_in_the_plan_passes_quietly(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit("base", _spec("TASK-2026-001", "Implement the parser"))
    head = repo.commit("docs", {"README.md": "# hello\n"})
    result = run(repo.path, "review", base, head, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert (report["added"], report["removed"], report["changed"]) == ([], [], [])
    assert report["problems"] == []
    assert report["cycles"] == []
    assert report["verdict"] == "no change to the plan"
    md = run(repo.path, "review", base, head, "--format", "md")
    assert md.code == 0
    assert md.out.splitlines()[0] == "**taskgov review** ✅ no change to the plan"
    assert len(md.out) < 300
    assert run(repo.path, "review", base, head, "--format", "github").code == 0


def test_fail_on_warning_fails_on_a_quality_warning(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit("base", _spec("TASK-2026-001", "Implement the parser"))
    head = repo.commit("add", _spec("TASK-2026-002", "Parser for the config"))  # not verb first
    assert run(repo.path, "review", base, head).code == 0
    result = run(repo.path, "review", base, head, "--json", "--fail-on", "warning")
    assert result.code == 1
    rules = {p["rule"] for p in result.json()["problems"]}
    assert {"TG140", "TG303"} <= rules


def test_a_near_duplicate_and_a_removed_dependency_are_found(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit(
        "base",
        {
            **_spec("TASK-2026-001", "Add the login endpoint to the API"),
            **_spec("TASK-2026-002", "Write the guide", blocked_by=("TASK-2026-003",)),
            **_spec("TASK-2026-003", "Implement storage"),
        },
    )
    (repo.spec("TASK-2026-003")).unlink()
    head = repo.commit("restate", _spec("TASK-2026-004", "Add a login endpoint to the API"))
    report = run(repo.path, "review", base, head, "--json").json()
    assert [t["id"] for t in report["removed"]] == ["TASK-2026-003"]
    duplicates = [p for p in report["problems"] if p["rule"] == "TG305"]
    assert len(duplicates) == 1
    assert "TASK-2026-001" in duplicates[0]["message"]
    # The removal leaves 002 pointing at nothing: a new finding in a file the PR did not touch.
    dangling = [p for p in report["problems"] if p["rule"] == "TG120"]
    assert dangling
    assert dangling[0]["path"] == f"{ACTIVE}/TASK-2026-002.yaml"
    assert dangling[0]["line"] is not None


def test_decision_records_added_are_listed(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit("base", _spec("TASK-2026-001", "Implement the parser"))
    record = (
        'decision_id: "DECISION-2026-01-02-001"\nstatus: "proposed"\n'
        'summary: "Use the <b>fast</b> parser"\ntimestamp: "2026-01-02T00:00:00Z"\n'
        "alternatives:\n  - option: a\n    selected: true\n  - option: b\n"
    )
    head = repo.commit("decide", {".claude/decisions/DECISION-2026-01-02-001.yaml": record})
    report = run(repo.path, "review", base, head, "--json").json()
    assert [d["id"] for d in report["decisions"]["added"]] == ["DECISION-2026-01-02-001"]
    md = run(repo.path, "review", base, head, "--format", "md").out
    assert "DECISION-2026-01-02-001" in md
    assert "<b>" not in md


def test_user_text_renders_inert(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit("base", _spec("TASK-2026-001", "Implement the parser"))
    title = "Add <script>alert(1)</script> | @org/team [x](javascript:alert(1))"
    head = repo.commit("evil", _spec("TASK-2026-002", title.replace('"', "'")))
    md = run(repo.path, "review", base, head, "--format", "md").out
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "@org/team" not in md
    assert "@&#8203;org/team" in md
    assert re.search(r"(?<!\\)\]\(javascript:", md) is None
    assert "\\](javascript:" in md
    row = next(line for line in md.splitlines() if line.startswith("| added |"))
    unescaped = re.findall(r"(?<!\\)\|", row)
    assert len(unescaped) == 5  # four cells: the title's | did not open a fifth
    # Outside code blocks, the only HTML is ours: the marker and <details>/<summary>.
    tags = set(re.findall(r"<(/?[a-z!][^ >]*)", md))
    assert tags <= {"details", "/details", "summary", "/summary", "!--"}, tags


def test_workflow_command_values_are_escaped_as_github_reads_them() -> None:
    from taskgov.output import workflow_command

    line = workflow_command("error", "50% done\r\nnext", file="a:b,c%.yaml", line=3, title="T:1")
    assert line == "::error file=a%3Ab%2Cc%25.yaml,line=3,title=T%3A1::50%25 done%0D%0Anext"


def test_a_missing_revision_is_one_line_and_exit_2(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    repo.commit("base", _spec("TASK-2026-001"))
    for args in (("no-such-branch",), ("HEAD", "0" * 40), ("HEAD", "HEAD~5")):
        result = run(repo.path, "review", *args)
        assert result.code == 2, args
        assert result.out == ""
        assert len(result.err.strip().splitlines()) == 1
        assert result.err.startswith("taskgov: error: no commit"), result.err


def test_review_works_on_a_shallow_fetch_of_both_commits(run, cycle_pr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, base, head = cycle_pr
    repo.git("branch", "pr-base", base)
    shallow = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "--quiet",
            "--depth=1",
            "--branch=main",
            f"file://{repo.path}",
            str(shallow),
        ],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(shallow), "fetch", "--quiet", "--depth=1", "origin", "pr-base"],
        check=True,
    )
    assert (shallow / ".git" / "shallow").is_file()
    assert (
        subprocess.run(
            ["git", "-C", str(shallow), "rev-list", "--count", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        == "1"
    )
    shallow_report = run(shallow, "review", "FETCH_HEAD", "HEAD", "--json")
    full_report = run(repo.path, "review", base, head, "--json")
    assert shallow_report.code == full_report.code == 1, shallow_report.err
    mine, theirs = shallow_report.json(), full_report.json()
    for key in ("added", "changed", "removed", "cycles", "problems", "critical_path", "p80"):
        assert mine[key] == theirs[key], key


def test_a_3000_task_pr_stays_under_the_comment_limit(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit("base", _spec("TASK-2026-0001", "Implement the parser"))
    rng = random.Random(7)
    words = [f"{a}{b}" for a in ("par", "lex", "gen", "map", "sto", "net") for b in range(60)]
    files: dict[str, str | bytes] = {}
    for n in range(2, 3002):
        task_id = f"TASK-2026-{n:04d}"
        title = "Implement " + " ".join(rng.sample(words, 4)) + " <b>|@team"
        after = (f"TASK-2026-{rng.randrange(1, n):04d}",)
        files[f"{ACTIVE}/{task_id}.yaml"] = spec_yaml(task_id, title, blocked_by=after)
    head = repo.commit("generated plan", files)
    started = time.perf_counter()
    md = run(repo.path, "review", base, head, "--format", "md", "--summary-url", "https://x.test/s")
    elapsed = time.perf_counter() - started
    assert md.code == 0, md.err  # warnings only (no scope, blocks/blocked_by one-sided)
    assert len(md.out) < 65_536
    assert md.out.splitlines()[0].startswith("**taskgov review** ⚠️ passes")
    assert "3000 added" in md.out.splitlines()[0]
    assert "more; the whole report is in the [job summary](https://x.test/s)" in md.out
    assert "too many to draw" in md.out  # a table instead of an unreadable graph
    assert "<b>" not in md.out
    assert md.out.rstrip().endswith("<!-- taskgov-review -->")
    assert elapsed < 30, elapsed


# --------------------------------------------------------------------------- the comment


class FakeGitHub:
    """The REST API subset: GET /user, list (paginated), create and update comments."""

    def __init__(self, login: str | None = "taskgov-bot") -> None:
        self.login = login
        self.comments: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self.next_id = 1000

    def add(self, body: str, login: str) -> dict[str, Any]:
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "user": {"login": login}}
        self.comments.append(comment)
        return comment


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, str]]:
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != "Bearer secret-token":
                self._send(401, {"message": "Bad credentials"})
                return False
            return True

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path))
            if not self._authorised():
                return
            url = urlparse(self.path)
            if url.path == "/user":
                if state.login is None:
                    self._send(403, {"message": "Resource not accessible by integration"})
                else:
                    self._send(200, {"login": state.login})
                return
            if url.path == "/repos/o/r/issues/7/comments":
                query = parse_qs(url.query)
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                items = state.comments[(page - 1) * per_page : page * per_page]
                headers = {}
                if page * per_page < len(state.comments):
                    base = f"http://127.0.0.1:{self.server.server_port}"
                    headers["Link"] = (
                        f"<{base}/repos/o/r/issues/7/comments?per_page={per_page}&page={page + 1}>"
                        f'; rel="next", <{base}/x?page=99>; rel="last"'
                    )
                self._send(200, items, headers)
                return
            self._send(404, {"message": "Not Found"})

        def _payload(self) -> Any:
            length = int(self.headers.get("Content-Length", "0"))
            return json.loads(self.rfile.read(length))

        def do_POST(self) -> None:
            state.requests.append(("POST", self.path))
            if not self._authorised():
                return
            if self.path == "/repos/o/r/issues/7/comments":
                login = state.login or "github-actions[bot]"
                self._send(201, state.add(self._payload()["body"], login))
                return
            self._send(404, {"message": "Not Found"})

        def do_PATCH(self) -> None:
            state.requests.append(("PATCH", self.path))
            if not self._authorised():
                return
            match = re.fullmatch(r"/repos/o/r/issues/comments/(\d+)", self.path)
            found = [c for c in state.comments if match and c["id"] == int(match.group(1))]
            if not found:
                self._send(404, {"message": "Not Found"})
                return
            found[0]["body"] = self._payload()["body"]
            self._send(200, found[0])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_comment_is_created_updated_in_place_and_not_reposted(github) -> None:  # type: ignore[no-untyped-def]
    from taskgov.review.comment import GitHub, upsert_comment
    from taskgov.review.markdown import MARKER

    state, url = github
    for n in range(150):  # two pages of other people's comments first
        state.add(f"comment {n}", "someone")
    state.add(f"quoting the marker {MARKER}", "another-bot")  # never ours to edit
    api = GitHub(url, "secret-token")
    first = upsert_comment(api, "o/r", 7, "**taskgov review** ✅ one\n")
    assert first.action == "created"
    assert state.requests.count(("POST", "/repos/o/r/issues/7/comments")) == 1
    for n in range(120):  # our comment is now on page 2; more comments push past it
        state.add(f"later {n}", "someone")
    same = upsert_comment(api, "o/r", 7, "**taskgov review** ✅ one\n")
    assert same.action == "unchanged"
    assert same.comment_id == first.comment_id
    assert not [r for r in state.requests if r[0] == "PATCH"]
    pages = [r for r in state.requests if r[0] == "GET" and "comments" in r[1]]
    assert any("page=3" in path for _, path in pages)  # every page was read
    changed = upsert_comment(api, "o/r", 7, "**taskgov review** ❌ two\n")
    assert changed.action == "updated"
    assert changed.comment_id == first.comment_id
    ours = [
        c for c in state.comments if MARKER in c["body"] and c["user"]["login"] == "taskgov-bot"
    ]
    assert len(ours) == 1
    assert "two" in ours[0]["body"]
    assert state.comments[150]["body"].startswith("quoting the marker")


def test_ci_comment_command_with_an_actions_token(run, github, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    state, url = github
    state.login = None  # GET /user answers 403 for an installation token
    state.add("<!-- taskgov-review -->\nold", "github-actions[bot]")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    body = tmp_path / "review.md"
    body.write_text("**taskgov review** ✅ no change to the plan\n\n<!-- taskgov-review -->\n")
    monkeypatch.setenv("GITHUB_API_URL", url)
    monkeypatch.setenv("GITHUB_TOKEN", "secret-token")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    result = run(tmp_path, "ci", "comment", "--body-file", "review.md")
    assert result.code == 0, result.err
    assert result.out.startswith("updated comment 1001 on o/r#7")
    assert len(state.comments) == 1
    assert "no change" in state.comments[0]["body"]
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    refused = run(tmp_path, "ci", "comment", "--body-file", "review.md")
    assert refused.code == 2
    assert "HTTP 401" in refused.err


def test_a_value_that_changed_shape_or_a_new_item_is_one_change() -> None:
    from taskgov.review.diff import field_changes

    before = {"acceptance_criteria": [], "state": {"status": "ready"}, "progress": [{"note": "a"}]}
    after = {
        "acceptance_criteria": [{"criterion": "x", "verification": "y"}],
        "state": {"status": "in_progress"},
        "progress": [{"note": "a"}, {"date": "2026-12-02", "note": "b"}],
    }
    found = [(c.path, c.before, c.after) for c in field_changes(before, after)]
    assert found == [
        ("acceptance_criteria", [], after["acceptance_criteria"]),
        ("state.status", "ready", "in_progress"),
        ("progress[1]", None, {"date": "2026-12-02", "note": "b"}),
    ]
    removed = field_changes(after, before)
    assert [c.path for c in removed] == ["acceptance_criteria", "state.status", "progress[1]"]
