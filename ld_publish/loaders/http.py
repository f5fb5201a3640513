"""HTTP to a store: timeouts, bounded retries with backoff for idempotent requests, and
error messages that never carry credentials."""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import StoreAuthError, StoreError
from .base import BatchRejected, RequestFailed

#: Statuses worth another attempt: the server or a proxy is briefly unable, not refusing.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 120.0


def redact_url(url: str) -> str:
    """The URL without user info, for messages and the journal."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


#: Decides whether a non-2xx response is the content's fault (True: bisect) - per profile.
RejectionRule = Callable[[httpx.Response], bool]


def default_rejection(response: httpx.Response) -> bool:
    return 400 <= response.status_code < 500 and response.status_code not in RETRY_STATUSES


@dataclass
class HttpTransport:
    client: httpx.Client
    retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    is_rejection: RejectionRule = default_rejection
    secrets: tuple[str, ...] = field(default=(), repr=False)
    sleep: Callable[[float], None] = time.sleep
    attempts_made: int = 0
    retried: int = 0

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        base = min(self.max_backoff, self.backoff * (2 ** attempt))
        return float(base * (0.5 + random.random() / 2))

    def send(self, method: str, url: str, *, idempotent: bool, what: str,
             **kwargs: object) -> httpx.Response:
        """Send one request; retry transport failures and retryable statuses only when the
        request is idempotent. Raise StoreAuthError on 401/403 at once, BatchRejected when the
        profile says the content was refused, StoreError otherwise."""
        shown = redact_url(url)
        attempts = self.retries + 1 if idempotent else 1
        problem = ""
        status = 0
        for attempt in range(attempts):
            self.attempts_made += 1
            if attempt:
                self.retried += 1
            retry_after: float | None = None
            status = 0
            try:
                response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TimeoutException:
                timeout: float | None = self.client.timeout.read
                problem = f"timed out after {timeout}s"
            except httpx.TransportError as e:
                problem = f"connection failed: {type(e).__name__}: {self.scrub(str(e))}"
            else:
                status = response.status_code
                if status < 300:
                    return response
                if status in (401, 403):
                    raise StoreAuthError(
                        f"{what}: the store at {shown} answered {status} "
                        f"{'Unauthorized' if status == 401 else 'Forbidden'}",
                        hint="check --user and the password (--password-env/--password-file) "
                             "and that the user may write to the store")
                detail = self.scrub(_short(response.text))
                if self.is_rejection(response):
                    raise BatchRejected(f"{what}: the store at {shown} refused the request "
                                        f"({status}): {detail}")
                if status not in RETRY_STATUSES:
                    raise StoreError(f"{what}: the store at {shown} answered {status}: {detail}")
                problem = f"answered {status}: {detail}"
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
            if attempt + 1 < attempts:
                self.sleep(self._delay(attempt, retry_after))
        if attempts > 1:
            tries = f"after {attempts} attempts"
        elif idempotent:
            tries = "(not retried: --retries 0)"
        else:
            tries = "(not retried: not idempotent)"
        # A 500 at the last attempt may be the content's doing: the run can find out.
        error = RequestFailed if status == 500 else StoreError
        raise error(f"{what}: the store at {shown} {problem} {tries}",
                    hint="check the store is up and reachable; raise --timeout or "
                         "--retries for a slow store")


def _short(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]{0,200}>", " ", text)).strip()
    return text if len(text) <= limit else text[:limit] + "..."
