"""A careful client for the X API v2, built on ``tweepy.Client``.

What it adds to tweepy: a configurable base URL (tweepy hard-codes its host),
retries with backoff on 5xx and dropped connections, rate-limit handling that
either waits for the reset or stops cleanly, a count of calls, and errors whose
messages never carry the bearer token. Pages come back as the API's own JSON.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import tweepy
from requests.adapters import HTTPAdapter

TOKEN_ENV = "X_BEARER_TOKEN"
BASE_URL_ENV = "GOVPULSE_X_API_BASE_URL"
ACCESS_LEVEL_ENV = "GOVPULSE_X_ACCESS_LEVEL"
RATE_LIMIT_ENV = "GOVPULSE_X_RATE_LIMIT"  # wait | stop
MAX_WAIT_ENV = "GOVPULSE_X_MAX_WAIT_SECONDS"
OFFICIAL_BASE_URL = "https://api.twitter.com"
ACCESS_LEVELS = ("basic", "pro")

# tweepy logs request headers, bearer token included, at DEBUG: never let it.
logging.getLogger("tweepy").setLevel(logging.INFO)


class XApiError(RuntimeError):
    """The X API could not be used; the message says what to do, never the token."""


class XAuthError(XApiError):
    pass


class XBadRequest(XApiError):
    """The API rejected a parameter (400), e.g. a since_id older than recent search allows."""


class RateLimited(XApiError):
    """Stopped at a rate limit; what was fetched so far is landed, the next run resumes."""

    def __init__(self, endpoint: str, reset_at: float | None) -> None:
        when = time.strftime("%H:%M:%S UTC", time.gmtime(reset_at)) if reset_at else "unknown"
        super().__init__(f"rate limit reached on {endpoint} (resets at {when}); "
                         "stopped cleanly, the next run resumes from here")
        self.endpoint = endpoint
        self.reset_at = reset_at


@dataclass(frozen=True)
class XApiSettings:
    bearer_token: str
    base_url: str = OFFICIAL_BASE_URL
    access_level: str = "basic"
    on_rate_limit: str = "wait"
    max_wait_seconds: float = 900.0
    max_retries: int = 4
    backoff_seconds: float = 2.0

    def __repr__(self) -> str:  # the token never shows, whatever prints this
        return (f"XApiSettings(base_url={self.base_url!r}, access_level={self.access_level!r}, "
                f"on_rate_limit={self.on_rate_limit!r})")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> XApiSettings:
        env = os.environ if environ is None else environ
        token = (env.get(TOKEN_ENV) or "").strip()
        if not token:
            raise XAuthError(f"{TOKEN_ENV} is not set: put the X API bearer token of your "
                             "project in the environment (or .env) to use --source x")
        access = (env.get(ACCESS_LEVEL_ENV) or "basic").strip().lower()
        if access not in ACCESS_LEVELS:
            raise XApiError(f"{ACCESS_LEVEL_ENV}={access!r}: expected basic or pro")
        on_limit = (env.get(RATE_LIMIT_ENV) or "wait").strip().lower()
        if on_limit not in ("wait", "stop"):
            raise XApiError(f"{RATE_LIMIT_ENV}={on_limit!r}: expected wait or stop")
        return cls(bearer_token=token,
                   base_url=(env.get(BASE_URL_ENV) or OFFICIAL_BASE_URL).rstrip("/"),
                   access_level=access, on_rate_limit=on_limit,
                   max_wait_seconds=float(env.get(MAX_WAIT_ENV) or 900))


class _RewriteHost(HTTPAdapter):
    """Sends tweepy's requests for api.twitter.com to another base URL (proxy, stand-in)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base = urlsplit(base_url)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        path = self.base.path.rstrip("/") + parts.path
        request.url = urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, ""))
        return super().send(request, **kwargs)


@dataclass
class Page:
    """One API answer: its JSON body and what its headers said about the rate limit."""

    body: dict[str, Any]
    endpoint: str
    remaining: int | None
    reset_at: float | None


class XApi:
    """The calls govpulse makes, each returning a ``Page``."""

    TWEET_FIELDS = ["id", "text", "author_id", "created_at", "conversation_id",
                    "in_reply_to_user_id", "referenced_tweets", "public_metrics", "lang",
                    "edit_history_tweet_ids"]
    USER_FIELDS = ["id", "username", "name", "created_at", "protected", "verified",
                   "public_metrics"]
    EXPANSIONS = ["author_id", "in_reply_to_user_id", "referenced_tweets.id"]

    def __init__(self, settings: XApiSettings,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self.calls = 0
        self.client = tweepy.Client(bearer_token=settings.bearer_token,
                                    return_type=requests.Response, wait_on_rate_limit=False)
        if settings.base_url != OFFICIAL_BASE_URL:
            self.client.session.mount(OFFICIAL_BASE_URL, _RewriteHost(settings.base_url))
        self._exhausted_until: dict[str, float] = {}

    # -- the endpoints -------------------------------------------------------------------
    def users_by_usernames(self, usernames: list[str]) -> Page:
        return self._call("users/by", self.client.get_users, usernames=usernames,
                          user_fields=self.USER_FIELDS)

    def users_by_ids(self, ids: list[str]) -> Page:
        return self._call("users", self.client.get_users, ids=ids,
                          user_fields=self.USER_FIELDS)

    def timeline(self, user_id: str, *, since_id: str | None, start_time: str | None,
                 pagination_token: str | None) -> Page:
        return self._call("users/:id/tweets", self.client.get_users_tweets, id=user_id,
                          since_id=since_id, start_time=None if since_id else start_time,
                          pagination_token=pagination_token, max_results=100,
                          tweet_fields=self.TWEET_FIELDS, expansions=self.EXPANSIONS,
                          user_fields=self.USER_FIELDS)

    def search(self, query: str, *, since_id: str | None, start_time: str | None,
               next_token: str | None) -> Page:
        full_archive = self.settings.access_level == "pro"
        method = self.client.search_all_tweets if full_archive else \
            self.client.search_recent_tweets
        endpoint = "tweets/search/all" if full_archive else "tweets/search/recent"
        return self._call(endpoint, method, query=query, since_id=since_id,
                          start_time=None if since_id else start_time, next_token=next_token,
                          max_results=100, tweet_fields=self.TWEET_FIELDS,
                          expansions=self.EXPANSIONS, user_fields=self.USER_FIELDS)

    # -- the careful part ----------------------------------------------------------------
    def _wait_or_stop(self, endpoint: str, reset_at: float | None) -> None:
        wait = (reset_at - self.clock() + 1) if reset_at else self.settings.backoff_seconds * 30
        if self.settings.on_rate_limit == "stop" or wait > self.settings.max_wait_seconds:
            raise RateLimited(endpoint, reset_at)
        self.sleep(max(wait, 0))

    def _call(self, endpoint: str, method: Callable[..., requests.Response],
              **params: Any) -> Page:
        params = {key: value for key, value in params.items() if value is not None}
        exhausted = self._exhausted_until.pop(endpoint, None)
        if exhausted and exhausted > self.clock():
            self._wait_or_stop(endpoint, exhausted)
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                response = method(**params)
            except tweepy.TooManyRequests as error:
                if attempt > self.settings.max_retries + 2:
                    raise RateLimited(endpoint, error.reset_time) from None
                self._wait_or_stop(endpoint, error.reset_time)
                continue
            except tweepy.BadRequest as error:
                raise XBadRequest(f"X API 400 on {endpoint}: "
                                  f"{'; '.join(error.api_messages) or 'bad request'}") from None
            except (tweepy.Unauthorized, tweepy.Forbidden) as error:
                status = error.response.status_code
                advice = ("the bearer token was refused: check X_BEARER_TOKEN"
                          if status == 401 else
                          "this endpoint is not allowed for the token's access level: check "
                          f"{ACCESS_LEVEL_ENV} (basic allows recent search only)")
                raise XAuthError(f"X API {status} on {endpoint}: {advice}") from None
            except tweepy.TwitterServerError as error:
                problem = f"X API {error.response.status_code} on {endpoint}"
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = f"connection to the X API failed on {endpoint} ({type(error).__name__})"
            except tweepy.HTTPException as error:
                raise XApiError(f"X API {error.response.status_code} on {endpoint}: "
                                f"{'; '.join(error.api_messages) or 'request refused'}") from None
            else:
                return self._page(endpoint, response)
            if attempt > self.settings.max_retries:
                raise XApiError(f"{problem}, {attempt} attempts; what was fetched is "
                                "landed") from None
            self.sleep(self.settings.backoff_seconds * 2 ** (attempt - 1))

    def _page(self, endpoint: str, response: requests.Response) -> Page:
        headers = response.headers
        remaining = int(headers["x-rate-limit-remaining"]) \
            if "x-rate-limit-remaining" in headers else None
        reset_at = float(headers["x-rate-limit-reset"]) if "x-rate-limit-reset" in headers \
            else None
        if remaining == 0 and reset_at:
            self._exhausted_until[endpoint] = reset_at
        try:
            body = response.json()
        except ValueError:
            raise XApiError(f"X API answered {endpoint} with something that is not JSON") \
                from None
        return Page(body=body, endpoint=endpoint, remaining=remaining, reset_at=reset_at)
