"""Replace a named graph on a remote store: SPARQL 1.1 Graph Store Protocol, HTTP PUT.

Credentials come from the environment only (SERVICEGRAPH_PUSH_USER + SERVICEGRAPH_PUSH_PASSWORD
for Basic, or SERVICEGRAPH_PUSH_TOKEN for Bearer) and never appear in output: every message
names the endpoint with any user:password@ part removed.
"""

from __future__ import annotations

import base64
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Mapping

from pipeline.errors import PipelineError

ENV_USER = "SERVICEGRAPH_PUSH_USER"
ENV_PASSWORD = "SERVICEGRAPH_PUSH_PASSWORD"
ENV_TOKEN = "SERVICEGRAPH_PUSH_TOKEN"


class PushError(PipelineError):
    """The push was refused or could not reach the endpoint (credentials never shown)."""


@dataclass(frozen=True)
class PushResult:
    endpoint: str  # redacted
    graph: str | None
    status: int
    bytes_sent: int


def redact_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        parts = parts._replace(netloc=host)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    safe = [(k, "***" if k.lower() in {"token", "access_token", "password", "key", "apikey"} else v) for k, v in query]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(safe)))


def _redact_text(text: str, secrets: list[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def auth_header(env: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The Authorization header from the environment, and the secrets to scrub from messages."""
    env = os.environ if env is None else env
    token = env.get(ENV_TOKEN)
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if token:
        return {"Authorization": f"Bearer {token}"}, [token]
    if user is not None and password is not None:
        raw = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {raw}"}, [password, raw]
    if user is not None or password is not None:
        raise PushError(f"set both {ENV_USER} and {ENV_PASSWORD} (or {ENV_TOKEN}) for an authenticated push")
    return {}, []


def graph_url(endpoint: str, graph: str | None) -> str:
    sep = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    tail = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    return f"{endpoint}{sep}{tail}"


def push_turtle(
    endpoint: str,
    turtle: bytes,
    graph: str | None,
    *,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 60.0,
    attempts: int = 3,
) -> PushResult:
    """PUT `turtle` as the whole content of `graph` (the default graph when None)."""
    if not endpoint.startswith(("http://", "https://")):
        raise PushError(f"{redact_url(endpoint)}: the endpoint must be an http(s) URL")
    headers, secrets = auth_header(env)
    url = graph_url(endpoint, graph)
    # Credentials inside the URL are moved to a header, never sent in the request line.
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None and "Authorization" not in headers:
        raw = base64.b64encode(
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}".encode()
        ).decode()
        headers["Authorization"] = f"Basic {raw}"
        secrets += [s for s in (parts.password, raw) if s]
    clean = redact_url(url)
    if parts.username is not None:
        url = clean
    request = urllib.request.Request(
        url, data=turtle, method="PUT", headers={"Content-Type": "text/turtle; charset=utf-8", **headers}
    )
    # A store that is restarting or overloaded answers 5xx/429 or refuses the connection for a
    # moment: those are retried with backoff; 4xx (bad credentials, wrong URL) is final at once.
    delays = [min(2.0**n, 10.0) for n in range(max(attempts - 1, 0))]
    while True:
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as resp:
                return PushResult(redact_url(endpoint), graph, resp.status, len(turtle))
        except urllib.error.HTTPError as exc:
            body = exc.read(500).decode("utf-8", "replace") if exc.fp else ""
            if (exc.code >= 500 or exc.code == 429) and delays:
                time.sleep(delays.pop(0))
                continue
            raise PushError(_redact_text(f"{clean}: HTTP {exc.code} {exc.reason} {body}".strip(), secrets)) from None
        except (urllib.error.URLError, OSError) as exc:
            if delays:
                time.sleep(delays.pop(0))
                continue
            reason = getattr(exc, "reason", exc)
            raise PushError(_redact_text(f"{clean}: cannot connect ({reason})", secrets)) from None
