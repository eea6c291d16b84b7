"""Which of the user's mentioned values a string property takes, chosen by its name and format:
an email address for `email`, the trip's end for `origin`, a quoted phrase for free text."""

from __future__ import annotations

from typing import AbstractSet, Iterator

from emulator.model.schema_values.mentions import Mentions
from emulator.model.schema_values.plausible import CODE_WORDS, QUERY_WORDS, name_words, place_role

# Properties that hold a person's name, and name-like properties that do not.
_PERSON_WORDS = frozenset({"name", "fullname", "author", "customer", "person", "owner", "recipient", "sender",
                           "contact", "attendee", "assignee", "guest", "patient", "employee", "speaker"})
_NOT_PERSON_WORDS = frozenset({"file", "filename", "domain", "host", "company", "product", "city", "country",
                               "street", "project", "model", "tool", "function", "event", "team", "brand"})
_EMAIL_WORDS = frozenset({"email", "mail", "cc", "bcc"})
_URL_WORDS = frozenset({"url", "uri", "link", "website", "homepage", "href"})
_DATE_WORDS = frozenset({"date", "day", "birthday", "dob", "deadline"})
# Identifiers and machine formats should not swallow a quoted phrase meant for a text field.
_NOT_FOR_QUOTES = frozenset({"id", "uuid", "guid", "identifier", "email", "mail", "url", "uri", "link",
                             "phone", "date", "time", "at", "timestamp", "zip", "postcode"})


def mentioned_strings(mentions: Mentions, used: AbstractSet[object], name: str, fmt: str | None,
                      pattern: str | None) -> Iterator[tuple[str, str]]:
    """(candidate, the mention it uses) for the property `name`, best first, skipping those `used`."""
    words = set(name_words(name))
    pools: list[tuple[str, tuple[str, ...]]] = []
    role = place_role(name)
    if role is not None and not fmt:  # before codes: "JFK" fills `origin` as a place, by its role in the trip
        pools.append(("place", _places_for(mentions, role)))
    if (pattern or words & CODE_WORDS) and not fmt:
        pools.append(("code", mentions.codes))
    if fmt == "email" or words & _EMAIL_WORDS:
        pools.append(("email", mentions.emails))
    if fmt in ("uri", "url") or words & _URL_WORDS:
        pools.append(("url", mentions.urls))
    if fmt == "date" or words & _DATE_WORDS:
        pools.append(("date", mentions.dates))
    if words & _PERSON_WORDS and not words & _NOT_PERSON_WORDS and not fmt:
        pools.append(("name", mentions.names))
    if not fmt and not words & _NOT_FOR_QUOTES:
        pools.append(("quoted", mentions.quoted))
    if words & QUERY_WORDS and not fmt and not pattern and mentions.topic:
        pools.append(("topic", (mentions.topic,)))  # after quotes: 'search "x"' means x
    for _, pool in pools:
        for text in pool:
            if text not in used:
                yield text, text


def _places_for(m: Mentions, role: str) -> tuple[str, ...]:
    """The places (and airport codes) a place-like property takes, best first. In a trip ("from X to
    Y", "X to Y") the property's end of it, then every stop in the order the message gives them."""
    ends = m.origins if role == "origin" else m.destinations if role == "destination" else ()
    if m.origins or m.destinations:
        return ends + m.stops
    return m.places + m.stops
