"""Deterministic demo corpus in the X API v2 shape, written as twarc2-style JSONL pages.

One account at a time is generated and streamed to disk, so memory stays
bounded whatever ``scale`` is. The same ``seed``, ``scale`` and ``as_of`` give
byte-identical files.

Layout of ``out_dir``::

    registry.csv                 the account registry (handles as people type them)
    timelines/<handle>.jsonl     the account's own tweets, as `twarc2 timeline` writes them
    replies/<handle>.jsonl       citizens' replies to it, as `twarc2 search` writes them
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extractors import demo_texts as texts
from extractors.demo_accounts import ARCHETYPES, DemoAccount, demo_accounts

PAGE_SIZE = 100
DAYS = 90
_ID_EPOCH = datetime(2010, 11, 4, tzinfo=UTC)
_CITIZEN_POOL = 40_000
# UTC hours weighted for office hours in Pakistan (UTC+5): busiest 09:00-18:00 local.
_HOUR_WEIGHTS = [1, 1, 2, 4, 6, 7, 7, 6, 6, 7, 6, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
_CRISIS_DAYS_AGO = range(18, 25)  # a monsoon flood week, 18 to 24 days before as_of
_CRISIS_TOPICS = {"water": 3.5, "disaster": 4.0, "municipal": 2.5, "health": 1.8}


@dataclass
class CorpusSummary:
    out_dir: Path
    as_of: datetime
    accounts: int = 0
    departments: int = 0
    posts: int = 0
    inbound_replies: int = 0
    responses: int = 0
    tweets: int = 0
    files: list[Path] = field(default_factory=list)

    @property
    def registry(self) -> Path:
        return self.out_dir / "registry.csv"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation, never negative
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


class _Ids:
    """Snowflake-like ids: time-ordered like X's, unique per (account slot, second, sequence)."""

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.used: dict[int, int] = {}

    def next(self, moment: datetime) -> str:
        second = int((moment - _ID_EPOCH).total_seconds())
        sequence = self.used.get(second, 0)
        self.used[second] = sequence + 1
        return str((second << 32) | (self.slot << 16) | sequence)


def _user(user_id: str, username: str, name: str, followers: int, created: str) -> dict:
    return {
        "id": user_id,
        "username": username,
        "name": name,
        "created_at": created,
        "protected": False,
        "verified": followers > 50_000,
        "public_metrics": {
            "followers_count": followers,
            "following_count": max(10, followers // 300),
            "tweet_count": max(100, followers // 20),
            "listed_count": followers // 1_000,
        },
    }


def account_user_id(slot: int) -> str:
    return str(1_100_000_000 + slot * 7_919)


def citizen_user(number: int) -> dict:
    name = texts.FIRST_NAMES[number % len(texts.FIRST_NAMES)]
    return _user(
        str(1_500_000_000_000_000_000 + number * 104_729),
        f"{name}_{number:05d}",
        name.capitalize(),
        (number * 37) % 900 + 5,
        "2019-03-01T10:00:00.000Z",
    )


def _tweet(
    tweet_id: str,
    author_id: str,
    created: datetime,
    text: str,
    conversation_id: str | None = None,
    in_reply_to_user_id: str | None = None,
    referenced: list[tuple[str, str]] | None = None,
    metrics: tuple[int, int, int, int] = (0, 0, 0, 0),
    lang: str = "en",
) -> dict:
    tweet: dict = {
        "id": tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "text": text,
        "author_id": author_id,
        "created_at": _iso(created),
        "conversation_id": conversation_id or tweet_id,
        "lang": lang,
        "public_metrics": {
            "retweet_count": metrics[1],
            "reply_count": metrics[2],
            "like_count": metrics[0],
            "quote_count": metrics[3],
            "bookmark_count": metrics[0] // 10,
            "impression_count": metrics[0] * 40 + 100,
        },
    }
    if in_reply_to_user_id:
        tweet["in_reply_to_user_id"] = in_reply_to_user_id
    if referenced:
        tweet["referenced_tweets"] = [{"type": kind, "id": ref} for kind, ref in referenced]
    return tweet


class _AccountGenerator:
    def __init__(
        self,
        account: DemoAccount,
        slot: int,
        seed: int,
        replica: int,
        as_of: datetime,
        peers: list[tuple[DemoAccount, str, list[tuple[str, datetime]]]],
    ) -> None:
        self.account = account
        self.archetype = ARCHETYPES[account.archetype]
        self.user_id = account_user_id(slot)
        self.rng = random.Random(f"govpulse-demo:{seed}:{replica}:{account.handle}")
        self.ids = _Ids(slot % 65_536)
        self.as_of = as_of
        self.peers = peers
        self.own: list[dict] = []
        self.citizens: list[dict] = []
        self.citizen_numbers: dict[str, int] = {}
        self.recent_posts: list[tuple[str, datetime]] = []
        self.posts = self.inbound = self.responses = 0

    def _moment(self, day_start: datetime) -> datetime:
        hour = self.rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        return day_start + timedelta(hours=hour, minutes=self.rng.randrange(60),
                                     seconds=self.rng.randrange(60))

    def _post_text(self) -> tuple[str, str]:
        style = self.archetype.style
        if style == "shouty" and self.rng.random() < 0.6:
            return texts.fill(self.rng.choice(texts.SHOUTY_POSTS), self.rng), "en"
        if style == "urdu" and self.rng.random() < 0.8:
            return texts.fill(self.rng.choice(texts.URDU_POSTS), self.rng), "ur"
        return texts.fill(self.rng.choice(texts.TOPIC_POSTS[self.account.topic]), self.rng), "en"

    def _metrics(self) -> tuple[int, int, int, int]:
        likes = int(self.account.followers * 0.0006 * self.rng.lognormvariate(0, 0.9)) + 1
        return likes, likes // 5, 0, likes // 40

    def generate(self, start: datetime, days: int = DAYS) -> None:
        for day in range(days):
            day_start = start + timedelta(days=day)
            days_ago = (self.as_of - day_start).days
            weekend = day_start.weekday() >= 5
            crisis = (
                _CRISIS_TOPICS.get(self.account.topic, 1.3) if days_ago in _CRISIS_DAYS_AGO else 1.0
            )
            rhythm = 0.45 if weekend else 1.0
            for _ in range(_poisson(self.rng, self.archetype.posts_per_day * rhythm *
                                    min(crisis, 1.6))):
                self._post(self._moment(day_start), crisis)
            for _ in range(_poisson(self.rng, self.archetype.interagency_per_day * rhythm)):
                self._interagency(self._moment(day_start))

    def _post(self, created: datetime, crisis: float) -> None:
        if created > self.as_of:
            return
        roll = self.rng.random()
        if roll < self.archetype.repost_share and self.peers:
            peer, peer_user_id, peer_posts = self.rng.choice(self.peers)
            ref = peer_posts[-1][0] if peer_posts else self.ids.next(created - timedelta(hours=1))
            tweet = _tweet(self.ids.next(created), self.user_id, created,
                           f"RT @{peer.handle}: " + texts.fill(
                               self.rng.choice(texts.TOPIC_POSTS[peer.topic]), self.rng),
                           referenced=[("retweeted", ref)])
            self.own.append(tweet)
            return
        text, lang = self._post_text()
        likes, retweets, _, quotes = self._metrics()
        inbound_count = _poisson(self.rng, self.archetype.inbound_per_post * crisis)
        post_id = self.ids.next(created)
        self.own.append(_tweet(post_id, self.user_id, created, text,
                               metrics=(likes, retweets, inbound_count, quotes), lang=lang))
        self.posts += 1
        self.recent_posts.append((post_id, created))
        del self.recent_posts[:-50]
        if self.rng.random() < self.archetype.thread_share:
            follow = created + timedelta(minutes=self.rng.randrange(1, 6))
            if follow <= self.as_of:
                self.own.append(_tweet(self.ids.next(follow), self.user_id, follow,
                                       "(2/2) More details will follow on this account.",
                                       conversation_id=post_id, in_reply_to_user_id=self.user_id,
                                       referenced=[("replied_to", post_id)]))
        for _ in range(inbound_count):
            self._inbound(post_id, created)

    def _citizen(self) -> tuple[str, int]:
        number = self.rng.randrange(_CITIZEN_POOL)
        user = citizen_user(number)
        if user["id"] not in self.citizen_numbers:
            self.citizen_numbers[user["id"]] = number
        return user["id"], number

    def _inbound(self, post_id: str, post_created: datetime) -> None:
        created = post_created + timedelta(minutes=self.rng.expovariate(1 / 150))
        if created > self.as_of:
            return
        citizen_id, _ = self._citizen()
        text = texts.fill(self.rng.choice(texts.CITIZEN_REPLIES), self.rng)
        reply_id = self.ids.next(created)
        self.citizens.append(_tweet(reply_id, citizen_id, created, text, conversation_id=post_id,
                                    in_reply_to_user_id=self.user_id,
                                    referenced=[("replied_to", post_id)],
                                    metrics=(self.rng.randrange(4), 0, 0, 0)))
        self.inbound += 1
        target_id, target_created = reply_id, created
        if self.rng.random() < 0.12:  # the citizen adds to their own reply: a self-thread
            follow = created + timedelta(minutes=self.rng.randrange(2, 40))
            if follow <= self.as_of:
                target_id, target_created = self.ids.next(follow), follow
                self.citizens.append(_tweet(
                    target_id, citizen_id, follow,
                    texts.fill(self.rng.choice(texts.CITIZEN_FOLLOW_UPS), self.rng),
                    conversation_id=post_id, in_reply_to_user_id=citizen_id,
                    referenced=[("replied_to", reply_id)]))
        if self.rng.random() >= self.archetype.answer_probability:
            return
        delay = self.rng.lognormvariate(math.log(self.archetype.median_delay_minutes), 1.0)
        answered = created + timedelta(minutes=delay)
        if answered <= target_created:  # answer the last thing the citizen said
            answered = target_created + timedelta(minutes=1)
        for extra in range(2 if self.rng.random() < 0.1 else 1):
            moment = answered + timedelta(hours=3 * extra)
            if moment > self.as_of:
                return
            self.own.append(_tweet(self.ids.next(moment), self.user_id, moment,
                                   texts.fill(self.rng.choice(texts.RESPONSES), self.rng),
                                   conversation_id=post_id, in_reply_to_user_id=citizen_id,
                                   referenced=[("replied_to", target_id)]))
            self.responses += 1

    def _interagency(self, created: datetime) -> None:
        candidates = [peer for peer in self.peers if peer[2]]
        if not candidates or created > self.as_of:
            return
        peer, peer_user_id, peer_posts = self.rng.choice(candidates)
        post_id, post_created = self.rng.choice(peer_posts)
        moment = max(created, post_created + timedelta(minutes=5))
        if moment > self.as_of:
            return
        text = texts.fill(self.rng.choice(texts.INTERAGENCY), self.rng, other=peer.handle)
        self.own.append(_tweet(self.ids.next(moment), self.user_id, moment, text,
                               conversation_id=post_id, in_reply_to_user_id=peer_user_id,
                               referenced=[("replied_to", post_id)]))


def _pages(tweets: list[dict], users_for: Callable[[list[dict]], list[dict]],
           retrieved_at: str, url: str) -> Iterable[str]:
    tweets = sorted(tweets, key=lambda tweet: int(tweet["id"]), reverse=True)
    for start in range(0, len(tweets), PAGE_SIZE):
        page = tweets[start:start + PAGE_SIZE]
        meta = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + PAGE_SIZE < len(tweets):
            meta["next_token"] = f"b26v89c19zqg8o3f{start // PAGE_SIZE + 1:06d}"
        yield json.dumps({
            "data": page,
            "includes": {"users": users_for(page)},
            "meta": meta,
            "__twarc": {"url": url, "version": "2.14.0", "retrieved_at": retrieved_at},
        }, ensure_ascii=False, separators=(",", ":"))


def write_registry(path: Path, accounts: list[DemoAccount]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["handle", "department", "display_name", "ministry", "level",
                         "account_type", "timezone"])
        for number, account in enumerate(accounts):
            # People type handles every which way: with '@', in another case.
            typed = account.handle if number % 3 else "@" + account.handle
            if number % 7 == 0:
                typed = typed.lower()
            writer.writerow([typed, account.department, account.display_name, account.ministry,
                             account.level, account.account_type, "Asia/Karachi"])


def generate_corpus(
    out_dir: Path,
    *,
    as_of: datetime,
    seed: int = 7,
    scale: int = 1,
    days: int = DAYS,
    progress: Callable[[str], None] | None = None,
) -> CorpusSummary:
    """Write the demo corpus for ``days`` days (default 90) ending at ``as_of`` into ``out_dir``.

    A corpus of one day ending a day later (another seed) is "the next day" on top of this one:
    its ids are newer and never collide (the benchmark's incremental run uses it).
    """
    if scale < 1:
        raise ValueError("scale must be a whole number of at least 1")
    as_of = as_of.astimezone(UTC).replace(microsecond=0)
    start = (as_of - timedelta(days=days)).replace(hour=0, minute=0, second=0)
    retrieved_at = as_of.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "timelines").mkdir(exist_ok=True)
    (out_dir / "replies").mkdir(exist_ok=True)
    summary = CorpusSummary(out_dir=out_dir, as_of=as_of)
    every_account: list[DemoAccount] = []
    slot = 0
    for replica in range(scale):
        accounts = demo_accounts(replica)
        every_account.extend(accounts)
        peers: list[tuple[DemoAccount, str, list[tuple[str, datetime]]]] = []
        for account in accounts:
            generator = _AccountGenerator(account, slot, seed, replica, as_of, peers)
            generator.generate(start, days)
            user = _user(generator.user_id, account.handle, account.display_name,
                         account.followers, "2014-06-01T09:00:00.000Z")
            timeline = out_dir / "timelines" / f"{account.handle}.jsonl"
            url = f"https://api.twitter.com/2/users/{generator.user_id}/tweets"
            with timeline.open("w", encoding="utf-8") as handle:
                for line in _pages(generator.own, lambda _page, user=user: [user],
                                   retrieved_at, url):
                    handle.write(line + "\n")
            replies = out_dir / "replies" / f"{account.handle}.jsonl"
            numbers = generator.citizen_numbers

            def citizens_of(page: list[dict], numbers: dict[str, int] = numbers) -> list[dict]:
                seen = dict.fromkeys(tweet["author_id"] for tweet in page)
                return [citizen_user(numbers[author]) for author in seen]

            url = "https://api.twitter.com/2/tweets/search/recent"
            with replies.open("w", encoding="utf-8") as handle:
                for line in _pages(generator.citizens, citizens_of, retrieved_at, url):
                    handle.write(line + "\n")
            summary.files += [timeline, replies]
            summary.posts += generator.posts
            summary.inbound_replies += generator.inbound
            summary.responses += generator.responses
            summary.tweets += len(generator.own) + len(generator.citizens)
            peers.append((account, generator.user_id, generator.recent_posts))
            slot += 1
        if progress:
            progress(f"replica {replica + 1}/{scale}: {summary.inbound_replies:,} inbound replies")
    write_registry(summary.registry, every_account)
    summary.accounts = len(every_account)
    summary.departments = len({account.department for account in every_account})
    return summary
