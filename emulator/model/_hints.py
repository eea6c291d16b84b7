"""Where plausible values come from: property names and the user's own words.

Two sources, both cheap and deterministic:

* `Mentions` reads the user's last message once: places ("weather in Paris"),
  numbers, quoted strings, e-mail addresses, URLs and ISO dates.  A value the
  user mentioned is what a real model would put in the arguments.
* `plausible_string` / `plausible_number` map a property name such as
  `city`, `email`, `price` or `created_at` to a Faker value of that kind.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable

from faker import Faker

from emulator.model._formats import format_example

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
_US_STATE = {
    "New York": "NY", "San Francisco": "CA", "Boston": "MA", "Chicago": "IL",
    "Seattle": "WA", "Los Angeles": "CA", "Miami": "FL", "Austin": "TX", "Denver": "CO",
}
_COUNTRY = {
    "Paris": "France", "London": "UK", "Tokyo": "Japan", "Berlin": "Germany",
    "Madrid": "Spain", "Rome": "Italy", "Sydney": "Australia", "Toronto": "Canada",
    "Amsterdam": "Netherlands", "Barcelona": "Spain", "Lisbon": "Portugal",
}

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
    topic: str = ""  # the request without its opening: "Find red shoes" -> "red shoes"
    lowered: str = field(default="", repr=False)

    def mentions_word(self, value: str) -> bool:
        """True when `value` appears in the text as a whole word (any case)."""
        if not value or not self.lowered:
            return False
        return re.search(rf"(?<!\w){re.escape(value.lower())}(?!\w)", self.lowered) is not None


@lru_cache(maxsize=256)
def read_mentions(text: str) -> Mentions:
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
    return Mentions(
        places=tuple(dict.fromkeys(places)),
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


def city_with_region(city: str) -> str:
    """'Boston' -> 'Boston, MA', 'Paris' -> 'Paris, France', like a location field."""
    region = _US_STATE.get(city) or _COUNTRY.get(city)
    return f"{city}, {region}" if region else city


# -- property names -----------------------------------------------------------

def name_words(name: str) -> tuple[str, ...]:
    """'createdAt' / 'created_at' / 'Created-At' -> ('created', 'at')."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return tuple(w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w)


def singular(name: str) -> str:
    """The item name of a list property: 'tags' -> 'tag', 'cities' -> 'city'."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss") and len(name) > 3:
        return name[:-1]
    return name


StringMaker = Callable[[random.Random, Faker], str]


def _location(rng: random.Random, fake: Faker) -> str:
    return city_with_region(rng.choice(KNOWN_CITIES))


def _sentence(rng: random.Random, fake: Faker) -> str:
    return fake.sentence(nb_words=rng.randint(6, 12))


def _title(rng: random.Random, fake: Faker) -> str:
    return fake.sentence(nb_words=rng.randint(3, 5)).rstrip(".")


def _words(rng: random.Random, fake: Faker) -> str:
    return " ".join(fake.words(nb=rng.randint(2, 4)))


def _date(rng: random.Random, fake: Faker) -> str:
    return str(format_example("date", rng, fake))


def _birthday(rng: random.Random, fake: Faker) -> str:
    return (date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000))).isoformat()  # born 1950-2004


def _date_time(rng: random.Random, fake: Faker) -> str:
    # Not Faker's date_time_between: it is relative to today and to the local time zone,
    # and the same request must give the same value on any machine, any day.
    return str(format_example("date-time", rng, fake))


_TIMEZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles",
              "Australia/Sydney", "UTC")

# Ordered: the first rule whose word appears in the property name wins, so the
# specific kinds ("email", "city") come before the broad ones ("name", "id").
_STRING_RULES: tuple[tuple[frozenset[str], StringMaker], ...] = (
    (frozenset({"email", "mail", "cc", "bcc"}), lambda rng, fake: fake.email()),
    (frozenset({"url", "uri", "link", "website", "homepage", "href"}), lambda rng, fake: fake.url()),
    (frozenset({"city", "town"}), lambda rng, fake: rng.choice(KNOWN_CITIES)),
    (frozenset({"location", "place", "destination", "origin", "venue"}), _location),
    (frozenset({"country"}), lambda rng, fake: fake.country()),
    (frozenset({"state", "province", "region"}), lambda rng, fake: fake.state()),
    (frozenset({"zip", "zipcode", "postcode", "postal"}), lambda rng, fake: fake.postcode()),
    (frozenset({"address", "street"}), lambda rng, fake: fake.address().replace("\n", ", ")),
    (frozenset({"phone", "telephone", "mobile", "tel"}), lambda rng, fake: fake.phone_number()),
    (frozenset({"company", "organization", "organisation", "org", "employer", "business"}),
     lambda rng, fake: fake.company()),
    (frozenset({"username", "handle", "login"}), lambda rng, fake: fake.user_name()),
    (frozenset({"firstname", "first", "given"}), lambda rng, fake: fake.first_name()),
    (frozenset({"lastname", "last", "surname", "family"}), lambda rng, fake: fake.last_name()),
    (frozenset({"birthday", "dob", "birth", "born", "birthdate"}), _birthday),
    (frozenset({"date", "day", "deadline"}), _date),
    (frozenset({"at", "timestamp", "datetime", "when"}), _date_time),
    (frozenset({"time"}), lambda rng, fake: f"{rng.randint(7, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}"),
    (frozenset({"uuid", "guid"}), lambda rng, fake: fake.uuid4()),
    (frozenset({"id", "identifier", "key", "ref", "reference"}),
     lambda rng, fake: fake.bothify("??-#####").upper()),
    (frozenset({"timezone", "tz", "zone"}), lambda rng, fake: rng.choice(_TIMEZONES)),
    (frozenset({"currency"}), lambda rng, fake: fake.currency_code()),
    (frozenset({"language", "lang", "locale"}), lambda rng, fake: rng.choice(("English", "French", "Spanish"))),
    (frozenset({"color", "colour"}), lambda rng, fake: fake.color_name()),
    (frozenset({"unit", "units"}), lambda rng, fake: rng.choice(("celsius", "fahrenheit"))),
    (frozenset({"job", "occupation", "role", "position"}), lambda rng, fake: fake.job()),
    (frozenset({"ip"}), lambda rng, fake: fake.ipv4_public()),
    (frozenset({"domain", "hostname", "host"}), lambda rng, fake: fake.domain_name()),
    (frozenset({"filename", "file"}), lambda rng, fake: fake.file_name()),
    (frozenset({"path", "directory", "dir", "folder"}), lambda rng, fake: fake.file_path(depth=2)),
    (frozenset({"password", "secret", "token"}), lambda rng, fake: fake.password(length=12)),
    (frozenset({"name", "author", "customer", "user", "person", "owner", "recipient", "sender", "contact",
                "attendee", "participant", "member", "guest", "passenger", "player", "student", "employee",
                "assignee", "reviewer", "friend", "manager"}),
     lambda rng, fake: fake.name()),
    (frozenset({"title", "subject", "headline", "heading"}), _title),
    (frozenset({"query", "search", "keyword", "keywords", "term", "terms", "q", "topic", "prompt"}), _words),
    (frozenset({"description", "summary", "text", "content", "body", "message", "comment", "note",
                "notes", "reason", "details", "explanation", "answer", "response", "instructions",
                "feedback", "review", "bio", "abstract"}), _sentence),
    (frozenset({"status"}), lambda rng, fake: rng.choice(("active", "pending", "completed"))),
    (frozenset({"category", "type", "kind", "tag", "label", "genre"}), lambda rng, fake: fake.word()),
)

QUERY_WORDS = frozenset({"query", "search", "q", "keywords", "keyword", "term", "terms", "topic", "question",
                         "prompt"})
CODE_WORDS = frozenset({"id", "code", "sku", "ref", "reference", "number", "no", "iata", "symbol", "ticker",
                        "airport", "flight", "order", "ticket", "booking", "confirmation"})
LOCATION_WORDS = frozenset({"location", "city", "town", "place", "destination", "origin", "venue", "where"})


def plausible_string(name: str, rng: random.Random, fake: Faker) -> str:
    words = set(name_words(name))
    for keys, maker in _STRING_RULES:
        if words & keys:
            return maker(rng, fake)
    return fake.word() if rng.random() < 0.5 else _words(rng, fake)


# (name words, low, high, decimals): a range that reads right for the name.
_NUMBER_RULES: tuple[tuple[frozenset[str], float, float, int], ...] = (
    (frozenset({"age"}), 18, 80, 0),
    (frozenset({"year"}), 1990, 2030, 0),
    (frozenset({"month"}), 1, 12, 0),
    (frozenset({"day"}), 1, 28, 0),
    (frozenset({"hour", "hours"}), 0, 23, 0),
    (frozenset({"minute", "minutes"}), 0, 59, 0),
    (frozenset({"rating", "stars", "score"}), 1, 5, 0),
    (frozenset({"percent", "percentage", "pct"}), 0, 100, 0),
    (frozenset({"lat", "latitude"}), -60, 70, 4),
    (frozenset({"lon", "lng", "longitude"}), -170, 170, 4),
    (frozenset({"temperature", "temp"}), 12, 30, 1),
    (frozenset({"price", "amount", "cost", "total", "balance", "salary", "fee", "budget", "subtotal"}),
     5, 500, 2),
    (frozenset({"count", "quantity", "qty", "number", "num", "n", "limit", "size", "guests", "people",
                "nights", "days", "items", "max", "top", "k", "page"}), 1, 10, 0),
)


def plausible_number(name: str, rng: random.Random) -> float | None:
    """A number typical for a property called `name`, or None when the name says nothing."""
    words = set(name_words(name))
    for keys, low, high, decimals in _NUMBER_RULES:
        if words & keys:
            if decimals == 0:
                return float(rng.randint(int(low), int(high)))
            return round(rng.uniform(low, high), decimals)
    return None
