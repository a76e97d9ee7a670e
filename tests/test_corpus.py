"""The real governance repository's files, read as they are, without conversion; the
copies in tests/data checked against the shared corpus; and ``corpus_path``, the one way a
test reaches that corpus."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

import taskgov
from taskgov.checks.report import validate
from taskgov.checks.text import find_placeholders
from tests.conftest import DATA, GOVERNANCE, GitRepo, corpus_path


@pytest.fixture
def governance(repo: GitRepo) -> GitRepo:
    shutil.copytree(GOVERNANCE / "docs", repo.path / "docs", dirs_exist_ok=True)
    for path in (repo.path / "docs").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    repo.commit("import the governance files")
    return repo


def test_real_specs_parse_without_schema_problems(governance: GitRepo) -> None:
    repository = taskgov.load_repo(governance.path)
    assert sorted(repository.tasks) == ["TASK-2026-006", "TASK-2026-010", "TASK-2026-014"]
    schema_rules = {"TG001", "TG002", "TG006", "TG010", "TG011", "TG100", "TG101", "TG102"}
    assert [p for p in repository.file_problems if p.rule in schema_rules] == []
    task = repository.tasks["TASK-2026-014"]
    assert task.status == "ready"
    assert task.milestone == "M4.5"
    assert task.estimate is not None
    assert task.estimate.likely == 40
    assert task.blocked_by == ("TASK-2026-013",)


def test_real_repository_findings_are_exactly_the_real_disagreements(governance: GitRepo) -> None:
    report = validate(taskgov.load_repo(governance.path))
    found = [(p.rule, Path(p.path).name, p.line, p.field) for p in report.problems]
    assert found == [
        # 006 says it blocks 010; 010's blocked_by is empty.
        ("TG121", "TASK-2026-006.yaml", 130, "state.blocks"),
        # 010 blocks 011, which is not in this copy of the repository.
        ("TG120", "TASK-2026-010.yaml", 126, "state.blocks"),
        ("TG140", "TASK-2026-014.yaml", 3, "title"),
        # 013 and 015 are referenced from four places in 014 and exist nowhere here.
        ("TG120", "TASK-2026-014.yaml", 85, "dependencies"),
        ("TG120", "TASK-2026-014.yaml", 167, "state.blocked_by"),
        ("TG120", "TASK-2026-014.yaml", 168, "state.blocks"),
        ("TG120", "TASK-2026-014.yaml", 188, "references"),
        ("TG120", "TASK-2026-014.yaml", 191, "references"),
    ]
    assert report.exit_code == 1


def test_real_template_is_usable_by_new(run, governance: GitRepo) -> None:  # type: ignore[no-untyped-def]
    result = run(
        governance.path,
        "new",
        "Implement energy coefficient fitting",
        "--id",
        "TASK-2026-008",
        "--depends-on",
        "TASK-2026-006",
        "--json",
    )
    assert result.code == 0, result.err
    text = (governance.path / result.json()["path"]).read_text()
    assert list(find_placeholders(text)) == []  # the template's own header comment may say YYYY
    for placeholder in (
        "src/graphs/module/file.py",
        "Multi-line description",
        "graphs.core.structures",
        "new_function_name",
    ):
        assert placeholder not in text
    assert "# INTERFACE CONTRACTS" in text
    shown = run(governance.path, "show", "TASK-2026-008", "--json").json()
    assert shown["depends_on"] == ["TASK-2026-006"]
    report = run(governance.path, "validate", result.json()["path"], "--json").json()
    assert {p["rule"] for p in report["problems"]} <= {"TG141", "TG121"}


def test_real_repository_plans_its_remaining_work(run, governance: GitRepo) -> None:  # type: ignore[no-untyped-def]
    # 006 and 010 are completed; 014 (1w = 40 h) waits on 013, which exists nowhere here: it
    # is held out of the schedule, as ready leaves it out of the frontier.
    remaining = run(governance.path, "plan", "--json")
    assert remaining.code == 0, remaining.err
    data = remaining.json()
    assert data["tasks"] == []
    assert data["held"] == [
        {"id": "TASK-2026-014", "reason": "depends on TASK-2026-013, which exists nowhere"}
    ]
    everything = run(governance.path, "plan", "--json", "--all").json()
    # 006 -> 010 (declared by 006 only): 8 h + 6 h.
    assert [(e["from"], e["to"]) for e in everything["edges"]] == [
        ("TASK-2026-006", "TASK-2026-010")
    ]
    assert everything["critical_path"] == ["TASK-2026-006", "TASK-2026-010"]
    assert everything["expected_duration"] == 14
    assert [h["id"] for h in everything["held"]] == ["TASK-2026-014"]
    assert run(governance.path, "ready", "--json").json() == {"ready": [], "problems": []}
    stats = run(governance.path, "stats", "--json").json()
    assert stats["by_status"] == {"blocked": 1, "completed": 2}
    assert stats["hours"] == {"total": 54, "completed": 14, "remaining": 40}


# --- the copies in tests/data are the corpus's own bytes ------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "SOURCE.md"
    }


@pytest.mark.parametrize("name", ["governance-repo", "tasks-v3/schemas"])
def test_whole_copies_match_the_corpus(name: str) -> None:
    assert _files(DATA / name) == _files(corpus_path(name))


def test_psplib_copies_and_their_optima_match_the_corpus() -> None:
    j30 = corpus_path("psplib/j30")
    copies = sorted((DATA / "psplib" / "j30").glob("*.sm"))
    assert len(copies) == 14
    for copy in copies:
        assert copy.read_bytes() == (j30 / copy.name).read_bytes(), copy.name

    def optima(path: Path) -> dict[str, str]:
        with path.open(encoding="utf-8") as handle:
            return {row["problem"]: row["optimum"] for row in csv.DictReader(handle)}

    copied = optima(DATA / "psplib" / "j30" / "optimum.csv")
    assert sorted(copied) == [p.name for p in copies]
    every = optima(j30 / "optimum.csv")
    assert {name: every[name] for name in copied} == copied


def test_commit_message_sample_is_verbatim_corpus_lines() -> None:
    corpus = corpus_path("commit-messages.jsonl").read_text(encoding="utf-8").splitlines()
    sample = (DATA / "commit-messages" / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(sample) == 58
    chosen = set(sample)
    assert [line for line in corpus if line in chosen] == sample  # verbatim, in corpus order
    assert {json.loads(line)["source"] for line in sample} == {"git/git", "pypa/pip"}


# --- corpus_path: present, absent, absent under CI -----------------------------------------


@pytest.fixture
def corpus_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory as the corpus, CI unset."""
    monkeypatch.setenv("TASKGOV_CORPUS", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    return tmp_path


def test_corpus_path_finds_what_is_there(corpus_at: Path) -> None:
    (corpus_at / "psplib" / "j30").mkdir(parents=True)
    assert corpus_path("psplib/j30") == corpus_at / "psplib" / "j30"


@pytest.mark.parametrize("ci", [None, "", "0", "false", "False", "no", "off"])
def test_corpus_path_skips_with_a_reason_outside_ci(
    corpus_at: Path, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception) as skipped:
        corpus_path("psplib/j30")
    assert str(skipped.value) == (
        f"shared corpus not found at {corpus_at / 'psplib' / 'j30'} (set TASKGOV_CORPUS): the "
        "self-contained tests cover 14 j30 instances with their optima in tests/data/psplib "
        "and generated instances"
    )


@pytest.mark.parametrize("ci", ["true", "1", "yes", "TRUE", "github-actions"])
def test_corpus_path_fails_under_ci(
    corpus_at: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception) as failed:
        corpus_path("commit-messages.jsonl")
    message = str(failed.value)
    assert message.startswith(f"shared corpus not found at {corpus_at / 'commit-messages.jsonl'}")
    assert message.endswith("; CI is set, so the corpus must be present")


def test_the_default_corpus_sits_beside_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKGOV_CORPUS", raising=False)
    from tests.conftest import PROJECT, corpus_root

    assert corpus_root() == PROJECT.parent / "shared" / "corpus"


def test_no_test_reaches_the_corpus_but_through_corpus_path() -> None:
    """The corpus location is spelled in conftest.py alone: any other path to it would
    skip (or crash) on its own terms instead of corpus_path's."""
    here = Path(__file__).resolve().parent
    spelled = [
        p.name
        for p in sorted(here.glob("*.py"))
        if p.name not in ("conftest.py", Path(__file__).name)
        and any(s in p.read_text(encoding="utf-8") for s in ('"shared"', "shared/corpus", "CORPUS"))
    ]
    assert spelled == []
