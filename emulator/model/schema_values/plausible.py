"""Plausible values chosen by a property's name: `city`, `email`, `price`, `created_at`...

`plausible_string` / `plausible_number` map a property name to a Faker value
(or a human-sized number) of that kind; the name helpers split and singularise
property names for the walk.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Callable

from faker import Faker

from emulator.model.schema_values.formats import format_example
from emulator.model.schema_values.mentions import KNOWN_CITIES

_US_STATE = {
    "New York": "NY", "San Francisco": "CA", "Boston": "MA", "Chicago": "IL",
    "Seattle": "WA", "Los Angeles": "CA", "Miami": "FL", "Austin": "TX", "Denver": "CO",
}
_COUNTRY = {
    "Paris": "France", "London": "UK", "Tokyo": "Japan", "Berlin": "Germany",
    "Madrid": "Spain", "Rome": "Italy", "Sydney": "Australia", "Toronto": "Canada",
    "Amsterdam": "Netherlands", "Barcelona": "Spain", "Lisbon": "Portugal",
}


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
LOCATION_WORDS = frozenset({"location", "city", "town", "place", "destination", "origin", "venue", "where",
                            "airport", "departure", "arrival"})
# A trip's two ends: `origin`, `departure_airport`, a property named `from`; `destination`, `to`, `arrival_city`.
ORIGIN_WORDS = frozenset({"origin", "departure", "departing"})
DESTINATION_WORDS = frozenset({"destination", "arrival", "arriving"})
_WHEN_WORDS = frozenset({"time", "date", "datetime", "timestamp", "at", "on", "day", "hour", "minute", "delay"})


def place_role(name: str) -> str | None:
    """"origin", "destination" or "any" for a place-like property name; None for other names."""
    words = set(name_words(name))
    if words & _WHEN_WORDS:  # `departure_time` is a time, not a place
        return None
    if words & ORIGIN_WORDS or words == {"from"}:
        return "origin"
    if words & DESTINATION_WORDS or words == {"to"}:
        return "destination"
    return "any" if words & LOCATION_WORDS else None


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
