"""A local stand-in of the X API v2 serving a corpus of tweets, for tests (loopback only).

It answers the endpoints govpulse calls with the shapes the real API uses:
``data``/``includes``/``errors``/``meta`` with ``next_token`` pagination,
``x-rate-limit-*`` headers on every answer, 401 without the expected bearer
token, and scripted faults (429 with a reset time, 503, dropped connections).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Corpus:
    def __init__(self, tweets: Iterable[dict], users: Iterable[dict]) -> None:
        self.tweets = {tweet["id"]: tweet for tweet in tweets}
        self.users = {user["id"]: user for user in users}
        self.by_username = {user["username"].lower(): user for user in self.users.values()}

    @classmethod
    def from_folder(cls, folder: Path) -> Corpus:
        tweets, users = [], []
        for path in sorted(folder.rglob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                page = json.loads(line)
                tweets += page.get("data") or []
                users += (page.get("includes") or {}).get("users") or []
        return cls(tweets, users)


class StandIn:
    """Start with ``with StandIn(corpus, token) as api: api.url``."""

    def __init__(self, corpus: Corpus, token: str, *, now: datetime | None = None,
                 suspended: Iterable[str] = (), page_limit: int = 100) -> None:
        self.corpus = corpus
        self.token = token
        self.now = now or datetime.now(UTC)
        self.suspended = {name.lower() for name in suspended}
        self.page_limit = page_limit
        self.faults: list[tuple[str, int]] = []  # (path prefix, status or 0 = drop)
        self.requests: list[str] = []
        self.remaining = 900
        self._lock = threading.Lock()

    def fail_next(self, path_prefix: str, status: int) -> None:
        """Answer the next request under ``path_prefix`` with ``status`` (0: drop the line)."""
        self.faults.append((path_prefix, status))

    # -- the server ----------------------------------------------------------------------
    def __enter__(self) -> StandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                standin._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: dict,
              headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json; charset=utf-8")
        handler.send_header("content-length", str(len(payload)))
        limits = {"x-rate-limit-limit": "900",
                  "x-rate-limit-remaining": str(max(self.remaining, 0)),
                  "x-rate-limit-reset": str(int(self.now.timestamp()) + 900)}
        for name, value in {**limits, **(headers or {})}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        path = parts.path
        with self._lock:
            self.requests.append(handler.path)
            fault = next((item for item in self.faults if path.startswith(item[0])), None)
            if fault:
                self.faults.remove(fault)
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            self._send(handler, 401, {"title": "Unauthorized", "type": "about:blank",
                                      "status": 401, "detail": "Unauthorized"})
            return
        if fault:
            status = fault[1]
            if status == 0:
                handler.close_connection = True
                handler.connection.shutdown(2)
                return
            extra = {"x-rate-limit-reset": str(int(self.now.timestamp()) + 2)} \
                if status == 429 else {}
            self._send(handler, status, {"title": "Too Many Requests" if status == 429
                                         else "Service Unavailable", "status": status,
                                         "detail": "scripted fault"}, extra)
            return
        self.remaining -= 1
        if path == "/2/users/by":
            self._send(handler, 200, self._users([name for name in
                                                  params.get("usernames", "").split(",") if name],
                                                 by="username"))
        elif path == "/2/users":
            self._send(handler, 200, self._users(params.get("ids", "").split(","), by="id"))
        elif path.startswith("/2/users/") and path.endswith("/tweets"):
            user_id = path.split("/")[3]
            tweets = [tweet for tweet in self.corpus.tweets.values()
                      if tweet["author_id"] == user_id]
            self._send(handler, 200, self._page(tweets, params, "pagination_token"))
        elif path in ("/2/tweets/search/recent", "/2/tweets/search/all"):
            self._send(handler, 200, self._search(params, recent=path.endswith("recent")))
        else:
            self._send(handler, 404, {"title": "Not Found", "status": 404})

    def _users(self, keys: list[str], by: str) -> dict:
        data, errors = [], []
        for key in keys:
            user = self.corpus.by_username.get(key.lower()) if by == "username" else \
                self.corpus.users.get(key)
            if by == "username" and key.lower() in self.suspended:
                errors.append({"value": key, "detail": f"User has been suspended: [{key}].",
                               "title": "Forbidden", "resource_type": "user",
                               "parameter": "usernames", "resource_id": key,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
            elif user is None:
                errors.append({"value": key, "detail": f"Could not find user with {by}s: "
                               f"[{key}].", "title": "Not Found Error", "resource_type": "user",
                               "parameter": f"{by}s", "resource_id": key,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"})
            else:
                data.append(user)
        body: dict = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return body

    def _search(self, params: dict[str, str], recent: bool) -> dict:
        query = params.get("query", "")
        if query.startswith("conversation_id:"):
            conversations = {term.split(":", 1)[1] for term in query.split(" OR ")}
            tweets = [tweet for tweet in self.corpus.tweets.values()
                      if tweet.get("conversation_id") in conversations]
            return self._page(tweets, params, "next_token")
        if not query.startswith("to:"):
            return {"meta": {"result_count": 0}}
        user = self.corpus.by_username.get(query[3:].strip().lower())
        if user is None:
            return {"meta": {"result_count": 0}}
        tweets = [tweet for tweet in self.corpus.tweets.values()
                  if tweet.get("in_reply_to_user_id") == user["id"]
                  and tweet["author_id"] != user["id"]]
        if recent:
            floor = self.now - timedelta(days=7)
            tweets = [tweet for tweet in tweets if _time(tweet["created_at"]) >= floor]
        return self._page(tweets, params, "next_token")

    def _page(self, tweets: list[dict], params: dict[str, str], token_name: str) -> dict:
        if params.get("since_id"):
            tweets = [tweet for tweet in tweets if int(tweet["id"]) > int(params["since_id"])]
        if params.get("start_time"):
            start = _time(params["start_time"])
            tweets = [tweet for tweet in tweets if _time(tweet["created_at"]) >= start]
        tweets = sorted(tweets, key=lambda tweet: int(tweet["id"]), reverse=True)
        size = min(int(params.get("max_results", 10)), self.page_limit)
        offset = int(params.get(token_name, "0") or 0)
        page = tweets[offset:offset + size]
        meta: dict = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        if offset + size < len(tweets):
            meta["next_token"] = str(offset + size)
        if not page:
            return {"meta": meta}
        authors = {tweet["author_id"] for tweet in page}
        return {"data": page,
                "includes": {"users": [self.corpus.users[author] for author in sorted(authors)
                                       if author in self.corpus.users]},
                "meta": meta}
