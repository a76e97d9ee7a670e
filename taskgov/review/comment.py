"""The one sticky pull-request comment, through GitHub's REST API (standard library only).

The comment is ours when its body holds the hidden marker and its author is the account
posting (the token's login): another bot's or a person's comment quoting the marker is never
edited. Every page of comments is searched (``Link: <...>; rel="next"``), since a busy pull
request has more than one page. An unchanged body is not posted again, so re-runs do not
notify anyone.

``GITHUB_TOKEN`` in Actions is an installation token, for which ``GET /user`` answers 403:
the login is then ``github-actions[bot]``, the account that token comments as.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskgov.errors import InputError, UsageError
from taskgov.review.markdown import MARKER

ACTIONS_LOGIN = "github-actions[bot]"
PER_PAGE = 100
MAX_PAGES = 100  # 10,000 comments: a bound, not a limit anyone meets
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class ApiError(InputError):
    """The API refused or could not be reached: one line, exit code 2."""


@dataclass(frozen=True)
class Outcome:
    action: str  # created | updated | unchanged
    comment_id: int


class GitHub:
    """A minimal REST client: JSON in and out, the token in the Authorization header."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(
        self, method: str, path_or_url: str, payload: Any = None
    ) -> tuple[int, Any, dict[str, str]]:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        if not url.startswith(self.base_url + "/"):
            raise ApiError(f"GitHub API: refusing to follow {url} outside {self.base_url}")
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "taskgov")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status, json.loads(body) if body else None, headers
        except urllib.error.HTTPError as exc:
            detail = _message(exc.read())
            return exc.code, {"message": detail}, {}
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiError(f"GitHub API: {method} {url}: {reason}") from None

    def call(
        self, method: str, path_or_url: str, payload: Any = None
    ) -> tuple[Any, dict[str, str]]:
        """``request``, raising ``ApiError`` for any status but 2xx."""
        status, body, headers = self.request(method, path_or_url, payload)
        if not 200 <= status < 300:
            message = body.get("message") if isinstance(body, dict) else ""
            raise ApiError(f"GitHub API: {method} {path_or_url}: HTTP {status} {message}".rstrip())
        return body, headers


def _message(raw: bytes) -> str:
    try:
        found = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:200]
    return str(found.get("message", "")) if isinstance(found, dict) else ""


def login_of(api: GitHub) -> str:
    """The token's account, or ``github-actions[bot]`` for an Actions installation token."""
    status, body, _ = api.request("GET", "/user")
    if status in (401, 403) or not isinstance(body, dict):
        return ACTIONS_LOGIN
    if not 200 <= status < 300:
        raise ApiError(f"GitHub API: GET /user: HTTP {status}")
    return str(body.get("login") or ACTIONS_LOGIN)


def comments(api: GitHub, repository: str, number: int) -> list[dict[str, Any]]:
    """Every comment of the pull request, following the Link header page by page."""
    url: str | None = f"/repos/{repository}/issues/{number}/comments?per_page={PER_PAGE}"
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            break
        body, headers = api.call("GET", url)
        if not isinstance(body, list):
            raise ApiError(f"GitHub API: GET {url}: expected a list of comments")
        found.extend(item for item in body if isinstance(item, dict))
        match = _NEXT.search(headers.get("link", ""))
        url = match.group(1) if match else None
    return found


def upsert_comment(
    api: GitHub, repository: str, number: int, body: str, *, login: str | None = None
) -> Outcome:
    """Create the comment, or update ours in place; leave it when the body is the same."""
    if MARKER not in body:
        body = f"{body.rstrip()}\n\n{MARKER}\n"
    login = login or login_of(api)
    ours = [
        c
        for c in comments(api, repository, number)
        if MARKER in str(c.get("body", "")) and (c.get("user") or {}).get("login") == login
    ]
    if ours:
        first = ours[0]  # the oldest: a re-run never adds a second one
        if first.get("body") == body:
            return Outcome("unchanged", int(first["id"]))
        updated, _ = api.call(
            "PATCH", f"/repos/{repository}/issues/comments/{first['id']}", {"body": body}
        )
        return Outcome("updated", int(updated["id"]))
    created, _ = api.call("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    return Outcome("created", int(created["id"]))


def pull_request_number(event_path: str) -> int:
    """The pull request's number from the workflow's event file (``GITHUB_EVENT_PATH``):
    ``pull_request.number``, or the first of ``workflow_run.pull_requests``."""
    if not event_path:
        raise UsageError("--pr N is needed (or GITHUB_EVENT_PATH of a pull_request event)")
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{event_path}: cannot read the event: {exc}") from None
    pull = event.get("pull_request") if isinstance(event, dict) else None
    if isinstance(pull, dict) and isinstance(pull.get("number"), int):
        return int(pull["number"])
    run = event.get("workflow_run") if isinstance(event, dict) else None
    pulls = run.get("pull_requests") if isinstance(run, dict) else None
    if pulls and isinstance(pulls[0], dict) and isinstance(pulls[0].get("number"), int):
        return int(pulls[0]["number"])
    raise UsageError(f"{event_path}: no pull request in this event; pass --pr N")
