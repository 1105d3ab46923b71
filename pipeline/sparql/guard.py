"""What a public query endpoint refuses beyond updates: federated queries (SERVICE).

Why: Oxigraph's engine answers `SERVICE <http://…>` by sending an HTTP request from the server,
so anyone who can query could make the server call addresses only it can reach. The check is
lexical: comments, string literals and IRIs are blanked first, so `?service`, `sg:service` or a
literal "SERVICE" pass; only the keyword is refused. A false alarm refuses a query, never the
other way round.
"""

from __future__ import annotations

import re

_BLANKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long literals first
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs (a `<` comparison has whitespace after it)
    r"|#[^\n]*",  # comments
    re.DOTALL,
)
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(sparql: str) -> bool:
    """True when the query holds the SERVICE keyword (a federated query)."""
    return bool(_SERVICE.search(_BLANKED.sub(" ", sparql)))
