"""What the user's own words name: places, numbers, quotes, e-mails, URLs, dates, codes.

`read_mentions` reads the user's last message once; a value the user
mentioned ("weather in Paris") is what a real model would put in the
arguments, so the walk tries these before anything invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# Well-known places: found in user text even in lower case, and used for
# location-like properties so values read "Paris" rather than Faker's
# invented towns.
KNOWN_CITIES: tuple[str, ...] = (
    "Paris", "London", "Tokyo", "New York", "Berlin", "Madrid", "Rome", "Sydney",
    "Toronto", "San Francisco", "Boston", "Chicago", "Seattle", "Los Angeles",
    "Amsterdam", "Barcelona", "Lisbon", "Dublin", "Vienna", "Prague", "Stockholm",
    "Oslo", "Copenhagen", "Helsinki", "Zurich", "Munich", "Singapore", "Seoul",
    "Hong Kong", "Mumbai", "Delhi", "Dubai", "Cairo", "Nairobi", "Cape Town",
    "Mexico City", "Buenos Aires", "Rio de Janeiro", "Sao Paulo", "Vancouver",
    "Montreal", "Miami", "Austin", "Denver", "Istanbul", "Athens", "Warsaw",
    "Bangkok", "Shanghai", "Beijing", "Melbourne", "Auckland", "Lima", "Bogota",
)

_CITY_RE = re.compile(r"\b(" + "|".join(re.escape(c) for c in KNOWN_CITIES) + r")\b", re.IGNORECASE)
# "in Springfield", "to Kyoto, Japan": a capitalised phrase after a place preposition.
_PLACE_RE = re.compile(
    r"\b(?:in|at|for|to|from|near|around|visit(?:ing)?)\s+"
    r"((?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+){0,2}(?:,\s*[A-Z][\w'-]+)?)"
)
# A standalone number: not part of "gpt-4o", "v1.2.3" or a clock time "10:30".
_NUMBER_RE = re.compile(r"(?<![\w.:/-])-?\d+(?:\.\d+)?(?![\w:/-]|\.\d)")
_QUOTED_RE = re.compile(r"\"([^\"\n]+)\"|“([^”\n]+)”|(?<!\w)'([^'\n]+)'(?!\w)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"https?://[^\s\"'<>]+")
_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NOT_PLACES = frozenset({"I", "The", "A", "An", "Please", "What", "How", "Is", "My", "Me"})
# An airport code standing for a place ("JFK", "KJFK"): three or four capitals.
_PLACE_CODE_RE = re.compile(r"\b[A-Z]{3,4}\b")
# What joins two stops of a trip, "JFK to LHR", "Paris -> Rome"; and the word before one stop.
_LEG_RE = re.compile(r"\s*(?:to|->|→|–|—)\s*|\s+-\s+", re.IGNORECASE)
_FROM_RE = re.compile(r"\b(?:from|leaving|departing)\s+$", re.IGNORECASE)
_TO_RE = re.compile(r"\b(?:to|into|arriving(?:\s+(?:at|in))?)\s+$", re.IGNORECASE)
# "John", "Ada Lovelace": a capitalised word or two (not the text's first word, which any sentence has).
_NAME_RE = re.compile(r"\b([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)*)\b")
_TOKEN_RE = re.compile(r"[A-Za-z0-9#][\w#-]*")
# The polite or imperative opening of a request, dropped to leave what is asked about.
_REQUEST_OPENING = re.compile(
    r"^(?:(?:please|can you|could you|would you|i want to|i'd like to|help me)\s+)*"
    r"(?:find|search(?:\s+for)?|look\s+(?:up|for)|show(?:\s+me)?|get(?:\s+me)?|give\s+me|"
    r"tell\s+me\s+about|what(?:'s|\s+is|\s+are)|who(?:'s|\s+is|\s+are)|list)?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mentions:
    """Values the user's message names, in the order they appear."""

    places: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()
    quoted: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # "JFK", "A1B2C3", "ORD-42": codes and ids the user typed
    names: tuple[str, ...] = ()  # "John", "Ada Lovelace": capitalised words that are not places
    # Places and airport codes in the order the message gives them ("Book JFK to LHR": JFK, LHR), and
    # which of them a trip leaves from ("from X", "X to Y") and goes to ("to Y").
    stops: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    topic: str = ""  # the request without its opening: "Find red shoes" -> "red shoes"
    lowered: str = field(default="", repr=False)

    def mentions_word(self, value: str) -> bool:
        """True when `value` appears in the text as a whole word (any case)."""
        if not value or not self.lowered:
            return False
        return re.search(rf"(?<!\w){re.escape(value.lower())}(?!\w)", self.lowered) is not None


# Agents resend the same last message with every tool round: short texts are read once. Longer
# ones are read per request, so the cache holds at most 256 x 16 KiB.
_MAX_CACHED_TEXT = 16 * 1024


def read_mentions(text: str) -> Mentions:
    return _read_cached(text) if len(text) <= _MAX_CACHED_TEXT else _read(text)


@lru_cache(maxsize=256)
def _read_cached(text: str) -> Mentions:
    return _read(text)


def _read(text: str) -> Mentions:
    if not text:
        return Mentions()
    places = [_canonical_city(m.group(1)) for m in _CITY_RE.finditer(text)]
    places += [m.group(1) for m in _PLACE_RE.finditer(text) if m.group(1).split()[0] not in _NOT_PLACES]
    emails = _EMAIL_RE.findall(text)
    urls = [u.rstrip(".,;:!?)") for u in _URL_RE.findall(text)]
    scrubbed = _URL_RE.sub(" ", _EMAIL_RE.sub(" ", text))
    dates = _DATE_RE.findall(scrubbed)
    numbers = [float(n) for n in _NUMBER_RE.findall(_DATE_RE.sub(" ", scrubbed))]
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED_RE.finditer(text)]
    codes = [t for t in _TOKEN_RE.findall(_DATE_RE.sub(" ", scrubbed)) if _looks_like_code(t)]
    topic = _REQUEST_OPENING.sub("", text.strip(), count=1).rstrip(" ?.!")
    known = {p.lower() for p in places}
    names = []
    for match in _NAME_RE.finditer(text):
        words = match.group(1).split()
        if _starts_sentence(text, match.start(1)) or words[0] in _NOT_PLACES:
            words = words[1:]  # "Meet Ada Lovelace": the sentence's first word is capitalised anyway
        if words and not any(word.lower() in known for word in words):
            names.append(" ".join(words[:3]))
    stops, origins, destinations = _trip(text)
    return Mentions(
        places=tuple(dict.fromkeys(places)),
        stops=stops, origins=origins, destinations=destinations,
        numbers=tuple(numbers),
        quoted=tuple(quoted),
        emails=tuple(emails),
        urls=tuple(urls),
        dates=tuple(dates),
        codes=tuple(dict.fromkeys(codes)),
        names=tuple(dict.fromkeys(names)),
        topic=topic if 0 < len(topic) <= 120 else "",
        lowered=text.lower(),
    )


def _trip(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(stops, origins, destinations): the places and airport codes in text order, and their roles in a
    trip: after "from" leaves, after "to" arrives, and "X to Y" goes from X to Y."""
    found = [(m.start(1), m.end(1), _canonical_city(m.group(1))) for m in _CITY_RE.finditer(text)]
    found += [(m.start(1), m.end(1), m.group(1)) for m in _PLACE_RE.finditer(text)
              if m.group(1).split()[0] not in _NOT_PLACES]
    found += [(m.start(), m.end(), m.group()) for m in _PLACE_CODE_RE.finditer(text)]
    spans: list[tuple[int, int, str]] = []
    for start, end, value in sorted(found, key=lambda f: (f[0], f[0] - f[1])):  # the longest at each start
        if not spans or start >= spans[-1][1]:
            spans.append((start, end, value))
    origins, destinations = [], []
    for index, (start, _, value) in enumerate(spans):
        before = text[:start]
        joined = index > 0 and _LEG_RE.fullmatch(text[spans[index - 1][1]:start]) is not None
        if _FROM_RE.search(before):
            origins.append(value)
        elif joined or _TO_RE.search(before):
            destinations.append(value)
            if joined and spans[index - 1][2] not in destinations:
                origins.append(spans[index - 1][2])  # "JFK to LHR": the stop before leaves
    unique = tuple(dict.fromkeys(value for _, _, value in spans))
    return unique, tuple(dict.fromkeys(origins)), tuple(dict.fromkeys(destinations))


def _starts_sentence(text: str, position: int) -> bool:
    """Capitals there say nothing: the text's first word, or a word after `.`, `!` or `?`."""
    before = text[:position].rstrip()
    return not before or before[-1] in ".!?"


def _looks_like_code(token: str) -> bool:
    """Letters with digits, an all-caps abbreviation, or a long number: not an everyday word."""
    has_digit = any(ch.isdigit() for ch in token)
    has_alpha = any(ch.isalpha() for ch in token)
    if has_digit and has_alpha:
        return True
    if has_alpha:
        return len(token) >= 2 and token.isupper() and token != "I"
    return len(token.strip("#-")) >= 3


def _canonical_city(found: str) -> str:
    return next(c for c in KNOWN_CITIES if c.lower() == found.lower())

