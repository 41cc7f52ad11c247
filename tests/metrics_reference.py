"""METRICS.md computed a second way: plain Python over the landed records, no SQL.

The tests hold the marts to these figures. Nothing here is read from the dbt project: each
rule below is the contract's sentence (the README's and the methodology page's) written as
Python, so that a model that drifts from the contract, and a contract sentence the models
read differently, both show up as a difference.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

WINDOW_HOURS = 48
HALF_LIFE_MINUTES = 240
BROADCASTER_MIN_POSTS = 5
BROADCASTER_MIN_INBOUND = 10
BROADCASTER_MAX_RESPONSE_RATE = 0.05
CAPS_MIN_CASED = 10
CAPS_MIN_UPPER_SHARE = 0.7
EXCLAIM_MIN = 2
WEIGHTS = {"responsiveness_score": 0.5, "engagement_score": 0.3, "tone_score": 0.2}
TRAILING_DAYS = {"last_7d": 7, "last_28d": 28, "last_90d": 90}

# A URL runs up to white space as Unicode defines it (Python's \S would also stop at \x1c-\x1f)
_URL = re.compile("https?://[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
                  "\u205f\u3000]+")
_MENTION = re.compile(r"@[A-Za-z0-9_]+")  # X usernames: ASCII letters, digits and '_'


def moment(text: str) -> datetime:
    """An X API timestamp (``2026-11-24T17:33:15.000Z``) as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def quantile_cont(values: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _without_hashtags(text: str) -> str:
    """A hashtag: '#' and the letters, marks, digits and '_' after it."""
    kept, position = [], 0
    while position < len(text):
        end = position + 1
        if text[position] == "#":
            while end < len(text) and (text[end] == "_" or unicodedata.category(
                    text[end])[0] in "LMN"):
                end += 1
            if end > position + 1:
                position = end
                continue
        kept.append(text[position])
        position = end
    return "".join(kept)


def is_caps(text: str) -> bool:
    """Cased letters are Unicode's: upper (Lu), lower (Ll) and titlecase (Lt) letters."""
    stripped = _without_hashtags(_MENTION.sub("", _URL.sub("", text)))
    categories = [unicodedata.category(char) for char in stripped]
    cased = sum(category in ("Lu", "Ll", "Lt") for category in categories)
    upper = categories.count("Lu")
    return cased >= CAPS_MIN_CASED and upper >= CAPS_MIN_UPPER_SHARE * cased


def is_exclaim(text: str) -> bool:
    return text.count("!") + text.count("\uff01") >= EXCLAIM_MIN


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Tweet:
    tweet_id: str
    author_id: str
    created_at: datetime
    conversation_id: str | None
    in_reply_to_user_id: str | None
    replied_to: str | None
    retweeted: bool
    text: str
    engagements: int

    @classmethod
    def from_payload(cls, payload: dict) -> Tweet:
        references = payload.get("referenced_tweets") or []
        metrics = payload.get("public_metrics") or {}
        return cls(
            tweet_id=payload["id"], author_id=payload["author_id"],
            created_at=moment(payload["created_at"]),
            conversation_id=payload.get("conversation_id"),
            in_reply_to_user_id=payload.get("in_reply_to_user_id"),
            replied_to=next((ref["id"] for ref in references if ref["type"] == "replied_to"),
                            None),
            retweeted=any(ref["type"] == "retweeted" for ref in references),
            text=payload.get("text") or "",
            engagements=sum(metrics.get(name) or 0 for name in (
                "like_count", "retweet_count", "reply_count", "quote_count")))

    @property
    def kind(self) -> str:
        if self.retweeted:
            return "repost"
        if self.in_reply_to_user_id and self.in_reply_to_user_id != self.author_id:
            return "reply"
        return "original"


@dataclass(frozen=True)
class Account:
    account_id: str
    department: str
    followers_count: int | None


@dataclass(frozen=True)
class Inbound:
    tweet: Tweet
    account_id: str
    first_response: Tweet | None
    response_minutes: float | None
    is_answered: bool
    is_eligible: bool


@dataclass
class Tally:
    """What an account's or a department's figures of one period are computed from."""

    posts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("original", "reply", "repost"), 0))
    engagements: int = 0
    caps: int = 0
    exclaim: int = 0
    flagged: int = 0
    inbound: int = 0
    eligible: int = 0
    answered: int = 0
    minutes: list[float] = field(default_factory=list)
    # a department's engagement rate: its engagements over the sum of posts_original *
    # followers_count, both over its accounts whose followers_count is known and not 0
    reached_engagements: int = 0
    follower_posts: int = 0


def newest_fetches(fetches: Iterable[tuple[dict, datetime]]) -> list[dict]:
    """One payload per id: the most recently fetched."""
    newest: dict[str, tuple[datetime, dict]] = {}
    for payload, fetched_at in fetches:
        kept = newest.get(payload["id"])
        if kept is None or fetched_at > kept[0]:
            newest[payload["id"]] = (fetched_at, payload)
    return [payload for _, payload in newest.values()]


def month_bounds(label: str) -> tuple[datetime, datetime]:
    """A calendar month as [start, end)."""
    year, month = (int(part) for part in label.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def previous_month(label: str) -> str:
    year, month = (int(part) for part in label.split("-"))
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


class Reference:
    """Every scorecard figure of METRICS.md for one ``as_of``, from the accounts and the
    newest fetch of each tweet."""

    def __init__(self, accounts: list[Account], tweets: list[dict], as_of: datetime) -> None:
        self.as_of = as_of
        self.accounts = {account.account_id: account for account in accounts}
        seen = [Tweet.from_payload(payload) for payload in tweets]
        seen = [tweet for tweet in seen if tweet.created_at <= as_of]
        self.posts = [tweet for tweet in seen if tweet.author_id in self.accounts]
        self.inbound = self._inbound(seen)
        created = [tweet.created_at for tweet in self.posts]
        created += [inbound.tweet.created_at for inbound in self.inbound]
        self.months = sorted({f"{when.year:04d}-{when.month:02d}" for when in created})

    def _inbound(self, tweets: list[Tweet]) -> list[Inbound]:
        by_author: dict[str, list[Tweet]] = defaultdict(list)
        for post in self.posts:
            by_author[post.author_id].append(post)
        window = timedelta(hours=WINDOW_HOURS)
        inbound = []
        for tweet in tweets:
            account_id = tweet.in_reply_to_user_id
            if account_id not in self.accounts or tweet.author_id in self.accounts:
                continue
            responses = [
                post for post in by_author[account_id]
                if post.created_at > tweet.created_at and (
                    post.replied_to == tweet.tweet_id
                    or (post.conversation_id == tweet.conversation_id
                        and post.in_reply_to_user_id == tweet.author_id))]
            first = min(responses, key=lambda post: (post.created_at, post.tweet_id),
                        default=None)
            minutes = None
            if first is not None:
                minutes = (first.created_at - tweet.created_at).total_seconds() / 60
            answered = minutes is not None and minutes <= WINDOW_HOURS * 60
            eligible = answered or tweet.created_at + window <= self.as_of
            inbound.append(Inbound(tweet, account_id, first, minutes, answered, eligible))
        return inbound

    def periods(self) -> dict[str, tuple[datetime, datetime]]:
        """Each period as (after, up to and including): trailing windows and months."""
        periods = {name: (self.as_of - timedelta(days=days), self.as_of)
                   for name, days in TRAILING_DAYS.items()}
        for label in self.months:
            start, end = month_bounds(label)
            periods[label] = (start - timedelta(microseconds=1), end - timedelta(microseconds=1))
        return periods

    def previous(self, period: str) -> tuple[datetime, datetime]:
        if period in TRAILING_DAYS:
            days = timedelta(days=TRAILING_DAYS[period])
            return self.as_of - 2 * days, self.as_of - days
        start, end = month_bounds(previous_month(period))
        return start - timedelta(microseconds=1), end - timedelta(microseconds=1)

    def tallies(self, after: datetime, until: datetime,
                key: Callable[[Account], str]) -> dict[str, Tally]:
        """One tally per ``key(account)`` over the rows created in (after, until]."""
        tallies: dict[str, Tally] = defaultdict(Tally)
        for account in self.accounts.values():
            tallies[key(account)]  # every department has a row, even without data
        for post in self.posts:
            if after < post.created_at <= until:
                account = self.accounts[post.author_id]
                tally = tallies[key(account)]
                tally.posts[post.kind] += 1
                if post.kind == "original":
                    tally.engagements += post.engagements
                    caps, exclaim = is_caps(post.text), is_exclaim(post.text)
                    tally.caps += caps
                    tally.exclaim += exclaim
                    tally.flagged += caps or exclaim
                    if account.followers_count:
                        tally.reached_engagements += post.engagements
                        tally.follower_posts += account.followers_count
        for inbound in self.inbound:
            if after < inbound.tweet.created_at <= until:
                tally = tallies[key(self.accounts[inbound.account_id])]
                tally.inbound += 1
                tally.eligible += inbound.is_eligible
                tally.answered += inbound.is_answered
                if inbound.is_answered:
                    tally.minutes.append(inbound.response_minutes)
        return tallies

    @staticmethod
    def figures(tally: Tally, followers: int | None) -> dict:
        original = tally.posts["original"]
        rate = ratio(tally.answered, tally.eligible)
        median = quantile_cont(tally.minutes, 0.5)
        per_post = ratio(tally.engagements, original)
        if followers is None:  # a department: over its accounts with followers
            engagement_rate = ratio(tally.reached_engagements or None, tally.follower_posts)
        else:  # null when engagement_per_post or followers_count is missing or 0
            engagement_rate = ratio(per_post or None, followers)
        flag_share = ratio(tally.flagged, original)
        responsiveness = None
        if tally.eligible:
            speed = 0.0 if median is None else 0.5 ** (median / HALF_LIFE_MINUTES)
            responsiveness = 100 * (0.7 * rate + 0.3 * speed)
        return {
            "posts_original": original, "posts_reply": tally.posts["reply"],
            "posts_repost": tally.posts["repost"], "inbound_replies": tally.inbound,
            "eligible_inbound": tally.eligible, "answered_inbound": tally.answered,
            "response_rate": rate, "median_response_minutes": median,
            "p90_response_minutes": quantile_cont(tally.minutes, 0.9),
            "engagements": tally.engagements, "engagement_per_post": per_post,
            "engagement_rate": engagement_rate,
            "reply_share": ratio(tally.posts["reply"], original + tally.posts["reply"]),
            "caps_posts": tally.caps, "exclaim_posts": tally.exclaim,
            "tone_flag_share": flag_share,
            "responsiveness_score": responsiveness,
            "tone_score": None if flag_share is None else 100 * (1 - flag_share),
        }

    @staticmethod
    def score_engagement_and_composite(rows: dict[str, dict]) -> None:
        rates = [row["engagement_rate"] for row in rows.values()
                 if row["engagement_rate"] is not None]
        for row in rows.values():
            rate = row["engagement_rate"]
            if rate is None:
                row["engagement_score"] = None
            elif len(rates) == 1:
                row["engagement_score"] = 100.0
            else:
                rank = 1 + sum(other < rate for other in rates)
                row["engagement_score"] = 100 * (rank - 1) / (len(rates) - 1)
            present = {name: row[name] for name in WEIGHTS if row[name] is not None}
            row["composite_score"] = (
                sum(WEIGHTS[name] * value for name, value in present.items())
                / sum(WEIGHTS[name] for name in present)) if present else None

    @functools.cache  # noqa: B019 (a Reference lives as long as its test module)
    def account_rows(self, after: datetime, until: datetime) -> dict[str, dict]:
        """Each account's figures for (after, until], computed once per window (the
        department rows count broadcasters from them)."""
        tallies = self.tallies(after, until, key=lambda account: account.account_id)
        rows = {}
        for account_id, account in self.accounts.items():
            row = self.figures(tallies[account_id], account.followers_count)
            row["is_broadcaster"] = (
                row["posts_original"] >= BROADCASTER_MIN_POSTS
                and row["eligible_inbound"] >= BROADCASTER_MIN_INBOUND
                and row["response_rate"] < BROADCASTER_MAX_RESPONSE_RATE)
            rows[account_id] = row
        self.score_engagement_and_composite(rows)
        return rows

    def department_rows(self, after: datetime, until: datetime) -> dict[str, dict]:
        tallies = self.tallies(after, until, key=lambda account: account.department)
        accounts = self.account_rows(after, until)
        rows = {}
        for department, tally in tallies.items():
            row = self.figures(tally, None)
            members = [account_id for account_id, account in self.accounts.items()
                       if account.department == department]
            row["accounts"] = len(members)
            row["broadcaster_accounts"] = sum(accounts[member]["is_broadcaster"]
                                              for member in members)
            rows[department] = row
        self.score_engagement_and_composite(rows)
        scores = [row["composite_score"] for row in rows.values()
                  if row["composite_score"] is not None]
        for row in rows.values():
            score = row["composite_score"]
            row["rank"] = None if score is None else 1 + sum(other > score for other in scores)
        return rows

    def account_scorecard(self) -> dict[tuple[str, str], dict]:
        return {(account_id, period): row
                for period, (after, until) in self.periods().items()
                for account_id, row in self.account_rows(after, until).items()}

    def department_scorecard(self) -> dict[tuple[str, str], dict]:
        scorecard = {}
        for period, (after, until) in self.periods().items():
            previous = self.department_rows(*self.previous(period))
            for department, row in self.department_rows(after, until).items():
                before = previous.get(department, {}).get("rank")
                row["rank_change"] = (None if before is None or row["rank"] is None
                                      else before - row["rank"])
                scorecard[(department, period)] = row
        return scorecard
