"""The X API v2 source: resolve the registry, fetch timelines and the replies sent to each
account, land every page as it comes, and advance watermarks only over what was landed.

Streams per account:

* ``timeline``: the account's own tweets (posts, replies, reposts), newest first.
  First run: back to ``as_of - 90 days`` (the timeline endpoint serves at most the
  last 3,200 tweets). Later runs: everything since the watermark, or, when the
  last run is recent, the whole look-back window, so the engagement counts of
  recent posts are fetched again.
* ``to``: replies addressed to the account (search ``to:<username>``): exactly the
  inbound replies of the methodology. Recent search (``basic``) sees 7 days;
  full-archive search (``pro``) goes back to ``as_of - 90 days``.
* conversations: the threads under the account's posts of the look-back window
  (search ``conversation_id:<id> OR ...``, several posts a query), which also
  bring the account's own answers deep in threads when its timeline is capped.

What an access level cannot see is recorded per account in ``raw.load_issues``
(``coverage_gap``) and reported, never silently missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb

from extractors.landing import (
    RawLanding,
    read_watermarks,
    save_account_status,
    save_watermark,
)
from extractors.registry import RegistryAccount
from extractors.x_client import RateLimited, XApi, XBadRequest
from extractors.x_records import extract

SOURCE = "x"
HISTORY_DAYS = 90
RECENT_SEARCH_DAYS = 7
TIMELINE_CAP = 3_200
LOOKUP_BATCH = 100
# Longest query: 512 characters with basic access, 1,024 with pro.
QUERY_LIMIT = {"basic": 512, "pro": 1024}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AccountReport:
    handle: str
    account_id: str | None = None
    status: str = "unresolved"
    reason: str | None = None
    tweets: int = 0
    pages: int = 0
    coverage: list[str] = field(default_factory=list)


@dataclass
class XReport:
    accounts: list[AccountReport] = field(default_factory=list)
    api_calls: int = 0
    tweets_landed: int = 0
    users_landed: int = 0
    stopped: str | None = None

    @property
    def tweets_read(self) -> int:
        return sum(account.tweets for account in self.accounts)

    @property
    def accounts_active(self) -> int:
        return sum(1 for account in self.accounts if account.status == "active")


class XSource:
    def __init__(self, api: XApi, con: duckdb.DuckDBPyConnection, *, run_id: str,
                 as_of: datetime, lookback_days: float,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 progress: Callable[[str], None] | None = None) -> None:
        self.api = api
        self.con = con
        self.run_id = run_id
        self.as_of = as_of
        self.lookback = timedelta(days=lookback_days)
        self.now = now
        self.progress = progress or (lambda message: None)
        self.report = XReport()
        self.landing = RawLanding(con, run_id=run_id, source=SOURCE)

    # -- landing ------------------------------------------------------------------------
    def _land(self, body: dict, endpoint: str) -> tuple[int, list[str]]:
        extracted = extract(body)
        fetched_at = self.now()
        self.landing.add_tweets(extracted.tweets, fetched_at, endpoint, None)
        self.landing.add_users(extracted.users, fetched_at, endpoint, None)
        for problem in extracted.problems:
            self.landing.add_issue(endpoint, None, "skipped_record", problem)
        for error in extracted.api_errors:
            self.landing.add_issue(endpoint, None, "api_error", error)
        counts = self.landing.commit()
        self.report.tweets_landed += counts.tweets
        self.report.users_landed += counts.users
        return len(extracted.tweets), [tweet.tweet_id for tweet in extracted.tweets]

    def _note(self, account: AccountReport, note: str) -> None:
        account.coverage.append(note)
        self.landing.add_issue(f"@{account.handle}", None, "coverage_gap", note)

    # -- resolving the registry --------------------------------------------------------
    def resolve(self, registry: list[RegistryAccount]) -> list[tuple[AccountReport, str]]:
        reports = {account.handle_key: AccountReport(account.handle) for account in registry}
        self.report.accounts = list(reports.values())
        by_name = [account for account in registry
                   if not account.account_id and account.is_valid_username]
        by_id = [account for account in registry if account.account_id]
        for account in registry:
            if not account.account_id and not account.is_valid_username:
                reports[account.handle_key].status = "invalid_handle"
        resolved: dict[str, tuple[str, str]] = {}  # handle_key -> (id, username)
        for start in range(0, len(by_name), LOOKUP_BATCH):
            batch = by_name[start:start + LOOKUP_BATCH]
            page = self.api.users_by_usernames([account.handle for account in batch])
            self._resolve_page(page.body, reports, resolved, "users/by")
        for start in range(0, len(by_id), LOOKUP_BATCH):
            batch = by_id[start:start + LOOKUP_BATCH]
            page = self.api.users_by_ids([account.account_id for account in batch])
            wanted = {account.account_id: account.handle_key for account in batch}
            self._resolve_page(page.body, reports, resolved, "users", wanted)
        statuses = []
        for key, report in reports.items():
            if key in resolved:
                report.account_id, _ = resolved[key]
            statuses.append((report.handle, report.account_id, report.status, report.reason))
        save_account_status(self.con, statuses, self.run_id)
        return [(report, resolved[key][1]) for key, report in reports.items()
                if report.status == "active"]

    def _resolve_page(self, body: dict, reports: dict[str, AccountReport],
                      resolved: dict[str, tuple[str, str]], endpoint: str,
                      wanted_ids: dict[str, str] | None = None) -> None:
        self._land(body, endpoint)
        users = body.get("data")
        for user in users if isinstance(users, list) else []:
            key = wanted_ids.get(str(user.get("id"))) if wanted_ids else \
                str(user.get("username", "")).lower()
            if key in reports:
                resolved[key] = (str(user["id"]), user["username"])
                reports[key].status = "protected" if user.get("protected") else "active"
        errors = body.get("errors")
        for error in errors if isinstance(errors, list) else []:
            value = str(error.get("value") or error.get("resource_id") or "")
            key = wanted_ids.get(value) if wanted_ids else value.lower()
            if key in reports and key not in resolved:
                detail = str(error.get("detail") or error.get("title") or "")
                reports[key].status = "suspended" if "suspend" in detail.lower() else \
                    "not_found" if "not found" in (detail + str(error.get("title"))).lower() \
                    else "unavailable"
                reports[key].reason = detail

    # -- fetching ----------------------------------------------------------------------
    def _paginate(self, account: AccountReport, fetch) -> tuple[str | None, int]:
        """Fetch every page of one stream; return (newest id landed, tweets landed)."""
        token = None
        newest: str | None = None
        count = 0
        while True:
            page = fetch(token)
            tweets, ids = self._land(page.body, page.endpoint)
            account.pages += 1
            account.tweets += tweets
            count += tweets
            meta = page.body.get("meta") or {}
            for tweet_id in [meta.get("newest_id"), *ids]:
                if tweet_id and (newest is None or int(tweet_id) > int(newest)):
                    newest = str(tweet_id)
            token = meta.get("next_token")
            if not token:
                return newest, count

    def _window(self, account: AccountReport, stream: str,
                watermarks: dict) -> tuple[str | None, datetime | None]:
        """(since_id, start_time) for a stream: the watermark, or the look-back/history start."""
        history_start = self.as_of - timedelta(days=HISTORY_DAYS)
        mark = watermarks.get((account.account_id, stream))
        now = self.now()
        if mark is None:
            return None, history_start
        since_id, updated_at = mark
        if stream == "timeline" and self.lookback and updated_at >= now - self.lookback:
            # recent run: fetch the look-back window again for fresh engagement counts
            return None, max(history_start, now - self.lookback)
        return since_id, None

    def _timeline(self, account: AccountReport, watermarks: dict) -> None:
        since_id, start = self._window(account, "timeline", watermarks)
        newest, count = self._paginate(
            account,
            lambda token: self.api.timeline(account.account_id, since_id=since_id,
                                            start_time=_iso(start) if start else None,
                                            pagination_token=token))
        if since_id is None and count >= TIMELINE_CAP:
            self._note(account, f"timeline capped at the last {TIMELINE_CAP:,} tweets: older "
                                "posts in the 90 days are not visible through the API")
        self._advance(account, "timeline", newest, watermarks)

    def _replies(self, account: AccountReport, username: str, watermarks: dict) -> None:
        since_id, start = self._window(account, "to", watermarks)
        now = self.now()
        if self.api.settings.access_level == "basic":
            recent_floor = now - timedelta(days=RECENT_SEARCH_DAYS) + timedelta(minutes=1)
            if start is not None and start < recent_floor:
                self._note(account, f"replies before {_iso(recent_floor)} are not visible with "
                                    "basic access (recent search covers 7 days)")
                start = recent_floor
        query = f"to:{username}"

        def fetch(token, since=since_id, begin=start):
            return self.api.search(query, since_id=since, start_time=_iso(begin) if begin
                                   else None, next_token=token)
        try:
            newest, _ = self._paginate(account, fetch)
        except XBadRequest:
            # a since_id older than recent search allows: take the whole visible window
            floor = now - timedelta(days=RECENT_SEARCH_DAYS) + timedelta(minutes=1)
            self._note(account, f"watermark too old for recent search: replies before "
                                f"{_iso(floor)} may be missing")
            newest, _ = self._paginate(account, lambda token: fetch(token, None, floor))
        self._advance(account, "to", newest, watermarks)

    def _conversations(self, account: AccountReport) -> None:
        """Search the threads under the account's posts of the look-back window."""
        if not self.lookback:
            return
        since = self.now() - min(self.lookback, timedelta(days=RECENT_SEARCH_DAYS))
        posts = [row[0] for row in self.con.execute(
            "select distinct tweet_id from raw.tweets where author_id = ? and created_at >= ? "
            "and payload->>'$.in_reply_to_user_id' is null order by tweet_id",
            [account.account_id, since]).fetchall()]
        limit = QUERY_LIMIT.get(self.api.settings.access_level, 512)
        queries, current = [], ""
        for post in posts:
            term = f"conversation_id:{post}"
            candidate = f"{current} OR {term}" if current else term
            if len(candidate) > limit:
                queries.append(current)
                candidate = term
            current = candidate
        if current:
            queries.append(current)
        for query in queries:
            self._paginate(account,
                           lambda token, query=query: self.api.search(
                               query, since_id=None, start_time=_iso(since), next_token=token))

    def _advance(self, account: AccountReport, stream: str, newest: str | None,
                 watermarks: dict) -> None:
        old = watermarks.get((account.account_id, stream))
        if newest is None and old is None:
            return
        candidates = [value for value in (newest, old[0] if old else None) if value]
        best = max(candidates, key=int)
        save_watermark(self.con, account.account_id, stream, best, self.run_id, self.now())

    def run(self, registry: list[RegistryAccount], *,
            backfill: set[str] | None = None) -> XReport:
        """Fetch for every registry account; accounts in ``backfill`` (handles, any case)
        start again from the full history, ignoring their watermarks."""
        backfill_keys = {handle.lstrip("@").lower() for handle in backfill or ()}
        try:
            active = self.resolve(registry)
            watermarks = {key: value for key, value in read_watermarks(self.con).items()
                          if not any(key[0] == account.account_id
                                     and account.handle.lower() in backfill_keys
                                     for account, _ in active)}
            for number, (account, username) in enumerate(active, start=1):
                self._timeline(account, watermarks)
                self._replies(account, username, watermarks)
                self._conversations(account)
                self.progress(f"@{username}: {account.tweets:,} tweets "
                              f"({number}/{len(active)} accounts, {self.api.calls} API calls)")
        except RateLimited as stop:
            self.report.stopped = str(stop)
        finally:
            self.report.api_calls = self.api.calls
            self.landing.commit()
        return self.report
