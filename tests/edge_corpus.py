"""A small random corpus in twarc2's page shape built to land on METRICS.md's edges, in two
runs: the first, at ``EARLY_AS_OF``, lands the tweets created up to a day later; the next, at
``AS_OF``, lands the rest and fetches a third of the last week's tweets and two profiles again.

Times fall on whole hours, so rows land exactly on a trailing window's start, a month's
first instant, either run's ``as_of`` and a response exactly ``response_window_hours`` after
its reply; some are created after ``as_of``. Between the runs a pending reply gets answered,
an old one gets a late answer, and replies landed before become visible. Responses match by
``replied_to`` or by conversation and author only, or miss by one of the two; two come at the
same instant; one comes at the reply's own instant (not after it). Accounts reply to each
other; two departments are each other's copy, so they tie; one account has no followers, one
registered account is never seen. Texts sit on the tone rules' bounds (ten cased letters, 70%
upper case, full-width '!', scripts without case).
"""

from __future__ import annotations

import csv
import json
import random
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.metrics_reference import WINDOW_HOURS, moment

AS_OF = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EARLY_AS_OF = AS_OF - timedelta(days=2)
EARLY_FILES_UNTIL = AS_OF - timedelta(days=1)  # the first run's files: tweets created up to here

TEXTS = [
    "Vaccination camp schedule for the week",
    "ABCDEFGHIJ",                          # ten cased letters, all upper: caps
    "ABCDEFGHI",                           # nine: too few to be caps
    "ABCDEFGhij",                          # 70% upper: caps
    "ABCDEFghij",                          # 60%: not caps
    "ROADS CLOSED https://t.co/ABCDEFGHIJKL @CityDesk #TRAFFIC",
    "@MINISTRYOFWATER #ANNOUNCEMENT read this",
    "سیلاب کی وارننگ جاری کر دی گئی ہے!!",  # no case; two '!': exclaim
    "Flood warning issued！！",             # full-width
    "Water supply restored!",              # one '!'
    "WATER SUPPLY RESTORED IN THE CITY!!",  # caps and exclaim, counted once
    "",
]
# Pieces of random texts: words in scripts with and without case, a titlecase letter (Lt),
# circled letters (symbols, not letters, though Python calls them upper case), a ligature,
# combining accents, URLs, mentions and hashtags (some with marks), digits and both '!'.
PIECES = ["ROAD", "road", "Road", "ΟΔΟΣ", "οδός", "ДОРОГА", "дорога", "ǅ", "ǲebel", "ⒶⒷⒸ",
          "ß", "ÀÉÎÕ", "àéîõ", "ﬁle", "E\u0301TE\u0301", "https://t.co/AbCdEf12",
          "http://gov.example/NEWS?id=7", "@CityDesk", "@road_dept", "#FLOODS", "#Selab_2026",
          "#تعلیم", "#ΝΕΑ", "#नमस्ते", "سیلاب", "洪水警報", "!", "！", "!!", "123", "A", "b"]
# What separates them: spaces, an ideographic and a no-break one (which end a URL), or nothing.
SEPARATORS = [" ", " ", " ", "\u3000", "\u00a0", ""]
CITIZEN_TEXTS = ["When will the road be fixed?", "No water for three days!!", "Thank you"]
# Either run's as_of, the start of each trailing window and of the one before it, month
# starts and an hour after as_of: each account posts and is replied to at each of them.
EDGES = [datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC),
         datetime(2026, 9, 1, tzinfo=UTC), AS_OF + timedelta(hours=1)] + [
    as_of - timedelta(days=days) for as_of in (EARLY_AS_OF, AS_OF)
    for days in (0, 7, 14, 28, 56, 90)]
# Delays of a response after the reply it answers, in hours (0: the same instant, no response).
DELAYS = [0, 1, 2, 5, 24, 47, WINDOW_HOURS, WINDOW_HOURS, 49, 72, 200, 2000]


@dataclass(frozen=True)
class EdgeAccount:
    user_id: str
    handle: str
    department: str
    followers: int | None


ACCOUNTS = [
    EdgeAccount("11", "HealthDesk", "Health", 1200),
    EdgeAccount("12", "HealthMinister", "Health", 90000),
    EdgeAccount("13", "VaccineCell", "Health", 0),
    EdgeAccount("21", "WaterBoard", "Water", 5000),
    EdgeAccount("22", "FloodCell", "Water", 700),
    EdgeAccount("31", "RoadsDept", "Roads", 3000),
    EdgeAccount("41", "NorthOffice", "North", 800),
    EdgeAccount("51", "SouthOffice", "South", 800),   # NorthOffice's copy
]
NEVER_SEEN = EdgeAccount("61", "SilentOffice", "Roads", None)
CITIZENS = [str(9000 + number) for number in range(1, 25)]


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tweets: list[dict] = []
        self.sequence = 0

    def hour(self, spread_days: int = 125) -> datetime:
        """A whole hour from ``spread_days`` before ``as_of`` to a day after, some of them
        exactly on a period's edge."""
        if self.rng.random() < 0.15:
            return self.rng.choice(EDGES)
        return AS_OF - timedelta(hours=self.rng.randint(-24, spread_days * 24))

    def text(self) -> str:
        """One of TEXTS, or as often a random string of PIECES."""
        if self.rng.random() < 0.5:
            return self.rng.choice(TEXTS)
        words = self.rng.choices(PIECES, k=self.rng.randint(1, 12))
        return "".join(word + self.rng.choice(SEPARATORS) for word in words)

    def tweet(self, author: str, created: datetime, text: str, *, conversation: str | None = None,
              reply_to_user: str | None = None, replied_to: str | None = None,
              retweeted: str | None = None, quoted: str | None = None) -> dict:
        self.sequence += 1
        tweet_id = f"{int(created.timestamp()):011d}{self.sequence:05d}"
        references = [{"type": kind, "id": target} for kind, target in (
            ("replied_to", replied_to), ("retweeted", retweeted), ("quoted", quoted)) if target]
        body = {"id": tweet_id, "author_id": author, "text": text,
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "conversation_id": conversation or tweet_id,
                "public_metrics": {name: self.rng.choice([0, 0, 1, 3, 40]) for name in (
                    "like_count", "retweet_count", "reply_count", "quote_count")}}
        if reply_to_user:
            body["in_reply_to_user_id"] = reply_to_user
        if references:
            body["referenced_tweets"] = references
        self.tweets.append(body)
        return body

    def account_activity(self, account: EdgeAccount, peers: list[EdgeAccount]) -> None:
        rng, own = self.rng, account.user_id
        originals = [self.tweet(own, self.hour(), self.text())
                     for _ in range(rng.randint(8, 30))]
        for _ in range(rng.randint(2, 6)):
            self.tweet(own, self.hour(), "", retweeted=rng.choice(originals)["id"])
        for _ in range(rng.randint(1, 4)):  # a quote and a thread's next post are originals
            self.tweet(own, self.hour(), self.text(), quoted=rng.choice(originals)["id"])
            thread = rng.choice(originals)
            self.tweet(own, self.hour(), self.text(), conversation=thread["id"],
                       reply_to_user=own, replied_to=thread["id"])
        for peer in rng.sample(peers, k=min(2, len(peers))):  # official to official
            self.tweet(peer.user_id, self.hour(), "Coordinating with you", reply_to_user=own,
                       conversation=rng.choice(originals)["id"],
                       replied_to=rng.choice(originals)["id"])
        for _ in range(rng.randint(10, 60)):
            self.inbound_and_answers(own, rng.choice(originals))
        for when in EDGES:
            self.inbound_and_answers(own, self.tweet(own, when, self.text()), when)
        self.replies_on_the_window(own, originals[0])

    def replies_on_the_window(self, own: str, post: dict) -> None:
        """Replies that chance may miss: one sent exactly the window before either run's
        ``as_of`` and not answered (eligible), one answered exactly at the window's end, one
        answered at its own instant (which is not after it: no response), one pending at the
        first run and answered before the next, one answered late between the runs."""
        window = timedelta(hours=WINDOW_HOURS)
        for created, delay in ((AS_OF - window, None), (EARLY_AS_OF - window, None),
                               (AS_OF - 3 * window, window), (AS_OF - 4 * window, timedelta(0)),
                               (EARLY_AS_OF - timedelta(hours=22), timedelta(hours=47)),
                               (AS_OF - timedelta(days=60), timedelta(days=60, hours=-3))):
            citizen = self.rng.choice(CITIZENS)
            inbound = self.tweet(citizen, created, "Any update?",
                                 conversation=post["conversation_id"], reply_to_user=own,
                                 replied_to=post["id"])
            if delay is not None:
                self.tweet(own, created + delay, "Done", conversation=post["conversation_id"],
                           reply_to_user=citizen, replied_to=inbound["id"])

    def inbound_and_answers(self, own: str, post: dict, created: datetime | None = None
                            ) -> None:
        """A citizen's reply to ``post`` (at ``created``, else a random hour), and the
        account's responses to it, some matching and some not."""
        rng = self.rng
        citizen = rng.choice(CITIZENS)
        inbound = self.tweet(citizen, created or self.hour(), rng.choice(CITIZEN_TEXTS),
                             conversation=post["conversation_id"], reply_to_user=own,
                             replied_to=post["id"])
        created = _created(inbound)
        if rng.random() < 0.2:  # a citizen answering the citizen: not inbound to anyone
            self.tweet(rng.choice(CITIZENS), created + timedelta(hours=1), "Same here",
                       conversation=inbound["conversation_id"], reply_to_user=citizen,
                       replied_to=inbound["id"])
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3])):
            at = created + timedelta(hours=rng.choice(DELAYS))
            how = rng.choice(["replied_to", "conversation", "other_conversation",
                              "other_person"])
            if how == "replied_to":
                self.tweet(own, at, "We are on it", conversation="9" + inbound["id"],
                           reply_to_user=citizen, replied_to=inbound["id"])
            elif how == "conversation":
                self.tweet(own, at, "We are on it", conversation=inbound["conversation_id"],
                           reply_to_user=citizen, replied_to=post["id"])
            elif how == "other_conversation":
                self.tweet(own, at, "We are on it", conversation="8" + inbound["id"],
                           reply_to_user=citizen, replied_to=post["id"])
            else:
                self.tweet(own, at, "We are on it", conversation=inbound["conversation_id"],
                           reply_to_user=rng.choice(CITIZENS), replied_to=post["id"])
            if rng.random() < 0.2:  # a second response at the same instant
                self.tweet(own, at, "Team dispatched", conversation=inbound["conversation_id"],
                           reply_to_user=citizen, replied_to=inbound["id"])


def _user(user_id: str, username: str, followers: int | None) -> dict:
    metrics = {"following_count": 10, "tweet_count": 100, "listed_count": 1}
    if followers is not None:
        metrics["followers_count"] = followers
    return {"id": user_id, "username": username, "name": username, "public_metrics": metrics}


def _page(tweets: list[dict], users: list[dict], fetched: datetime) -> str:
    return json.dumps({"data": tweets, "includes": {"users": users},
                       "meta": {"result_count": len(tweets)},
                       "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all",
                                   "version": "2.14.0",
                                   "retrieved_at": fetched.isoformat()}})


def _created(tweet: dict) -> datetime:
    return moment(tweet["created_at"])


def _write_pages(path: Path, fetches: list[tuple[list[dict], dict[str, dict], datetime]]
                 ) -> None:
    """Pages of 100 tweets, each with its authors' profiles, for each (tweets, profiles by
    id, fetch time) in turn."""
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8") as handle:
        for tweets, users, fetched in fetches:
            for start in range(0, len(tweets), 100):
                page = tweets[start:start + 100]
                authors = sorted({tweet["author_id"] for tweet in page})
                handle.write(_page(page, [users[author] for author in authors], fetched) + "\n")


def write_edge_corpus(folder: Path, seed: int) -> Path:
    """The registry (its path returned) and the two runs' files under ``folder``: ``early``,
    read by the first run, and ``later``, added for the next."""
    rng = random.Random(seed)
    writer = _Writer(rng)
    twins = ("41", "51")
    for account in ACCOUNTS[:-1]:
        peers = [other for other in ACCOUNTS
                 if other is not account and other.user_id not in twins]
        writer.account_activity(account, peers)
    # SouthOffice: NorthOffice's every tweet again, with its own ids
    north = [tweet for tweet in writer.tweets if twins[0] in (
        tweet["author_id"], tweet.get("in_reply_to_user_id"))]
    north_ids = {tweet["id"] for tweet in north}
    for tweet in north:
        twin = deepcopy(tweet)
        for user_field in ("author_id", "in_reply_to_user_id"):
            if twin.get(user_field) == twins[0]:
                twin[user_field] = twins[1]
        twin["id"] = "5" + tweet["id"]
        for reference in twin.get("referenced_tweets", []):
            if reference["id"] in north_ids:
                reference["id"] = "5" + reference["id"]
        if twin["conversation_id"] in north_ids:
            twin["conversation_id"] = "5" + twin["conversation_id"]
        writer.tweets.append(twin)

    users = {account.user_id: _user(account.user_id, account.handle, account.followers)
             for account in ACCOUNTS}
    users.update({citizen: _user(citizen, f"citizen{citizen}", 10) for citizen in CITIZENS})
    tweets = writer.tweets
    rng.shuffle(tweets)
    early = [tweet for tweet in tweets if _created(tweet) <= EARLY_FILES_UNTIL]
    _write_pages(folder / "early" / "pages.jsonl", [
        (early, users, EARLY_FILES_UNTIL + timedelta(hours=6))])
    # the last week's tweets fetched again with newer counts (but the twins', which would
    # then differ), as a daily collector would; older ones, refetched, would have the next
    # run recompute every reply since the oldest of them, not only what the day changed
    others = [tweet for tweet in tweets if _created(tweet) > AS_OF - timedelta(days=7)
              and not {tweet["author_id"], tweet.get("in_reply_to_user_id")} & set(twins)]
    again = [json.loads(json.dumps(tweet)) for tweet in rng.sample(others, len(others) // 3)]
    for tweet in again:
        tweet["public_metrics"]["like_count"] += rng.randint(0, 50)
    refreshed = {"12": _user("12", "HealthMinister", 91000), "22": _user("22", "floodcell", 650)}
    _write_pages(folder / "later" / "pages.jsonl", [
        ([tweet for tweet in tweets if _created(tweet) > EARLY_FILES_UNTIL], users,
         AS_OF + timedelta(hours=6)),
        (again, {**users, **refreshed}, AS_OF + timedelta(hours=7))])

    registry = folder / "registry.csv"
    with registry.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["handle", "department", "account_id"])
        for number, account in enumerate([*ACCOUNTS, NEVER_SEEN]):
            handle_typed = ("@" if number % 2 else "") + (
                account.handle.lower() if number % 3 == 0 else account.handle)
            out.writerow([handle_typed, account.department,
                          account.user_id if number == 4 else ""])
    return registry
