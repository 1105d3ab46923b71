"""HTTP content negotiation: which of the offered media types an `Accept` header ranks highest."""

from __future__ import annotations


def accept_ranking(accept: str) -> list[tuple[str, float]]:
    """(media range, quality) pairs of an Accept header; a malformed q counts as 0."""
    ranked = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranked.append((fields[0].lower(), q))
    return ranked


def _specificity(pattern: str, media: str) -> int:
    """How exactly `pattern` names `media` (2: exactly, 1: type/*, 0: */*, -1: not at all)."""
    if pattern == media:
        return 2
    if pattern.endswith("/*") and media.startswith(pattern[:-1]):
        return 1
    return 0 if pattern == "*/*" else -1


def preferred(accept: str | None, offered: dict[str, str], default: str | None = None) -> str | None:
    """The value of `offered` (media type -> value) whose media type `accept` ranks highest.

    The most specific matching range gives a type its quality (RFC 9110 12.5.1: `text/html;q=0,
    */*` refuses HTML); on equal quality the first offer wins. No Accept header accepts anything;
    when nothing offered is acceptable the answer is `default`.
    """
    if not accept or not accept.strip():
        return next(iter(offered.values()), default)
    ranked = accept_ranking(accept)
    best, best_q = default, 0.0
    for media, value in offered.items():
        matches = [(_specificity(p, media), q) for p, q in ranked if _specificity(p, media) >= 0]
        if not matches:
            continue
        q = max(matches)[1]
        if q > best_q:
            best, best_q = value, q
    return best
