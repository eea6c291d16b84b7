"""String formats: how we check them and how we make plausible examples.

jsonschema only checks `date-time`, `time`, `uri`, `hostname` and `duration`
when optional packages are installed; we do not depend on those, so the checks
below fill the gap with regular expressions close to the RFCs.  Without them a
value such as "2024-01-01 10:00" would pass as a date-time and then break a
client that parses it (pydantic's `datetime` does not accept every variant).
"""

from __future__ import annotations

import ipaddress
import random
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

from faker import Faker
from jsonschema import Draft202012Validator, FormatChecker

from emulator.contract.linear_regex import PatternError, linear_pattern

_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
_DATE_TIME_RE = re.compile(rf"{_DATE}[Tt ]{_TIME}")
_TIME_RE = re.compile(_TIME)
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")
_HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_DURATION_RE = re.compile(
    r"P(?:\d+W|(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?)"
)


def _copy_base_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    return checker


FORMAT_CHECKER = _copy_base_checker()


def _rfc3339(shape: re.Pattern[str], parse: Callable[[str], object]) -> Callable[[object], bool]:
    """A check for an RFC 3339 `date-time` or `time`: the shape, then a real date and clock time
    (`parse`; "2024-02-30T25:00:00Z" has the shape but is no time)."""

    def check(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not shape.fullmatch(value):
            return False
        try:
            parse(value.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            return False
        return True

    return check


FORMAT_CHECKER.checks("date-time")(_rfc3339(_DATE_TIME_RE, datetime.fromisoformat))
FORMAT_CHECKER.checks("time")(_rfc3339(_TIME_RE, time.fromisoformat))


@FORMAT_CHECKER.checks("uri")
@FORMAT_CHECKER.checks("url")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_RE.fullmatch(value))


@FORMAT_CHECKER.checks("hostname")
def _is_hostname(value: object) -> bool:
    if not isinstance(value, str):
        return True
    labels = value.rstrip(".").split(".")
    return 0 < len(value) <= 253 and all(_HOSTNAME_LABEL.fullmatch(label) for label in labels)


@FORMAT_CHECKER.checks("duration")
def _is_duration(value: object) -> bool:
    return not isinstance(value, str) or bool(_DURATION_RE.fullmatch(value))


@FORMAT_CHECKER.checks("regex")
def _is_regex(value: object) -> bool:
    """Parsed, never compiled: compiling `a{99999999999}` overflows, deep nesting recurses."""
    if not isinstance(value, str):
        return True
    try:
        linear_pattern(value)
    except PatternError:
        return False
    return True


KNOWN_FORMATS = frozenset(FORMAT_CHECKER.checkers)


def format_example(fmt: str, rng: random.Random, fake: Faker) -> str | None:
    """A plausible value of a string `format`, or None for a format we do not know."""
    maker = _EXAMPLES.get(fmt)
    return maker(rng, fake) if maker else None


def _a_date(rng: random.Random) -> date:
    return date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))


def _a_time(rng: random.Random) -> time:
    return time(rng.randint(7, 20), rng.choice((0, 15, 30, 45)), 0)


def _date_time(rng: random.Random, fake: Faker) -> str:
    moment = datetime.combine(_a_date(rng), _a_time(rng), tzinfo=timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


def _ipv6(rng: random.Random, fake: Faker) -> str:
    return str(ipaddress.IPv6Address(rng.getrandbits(128) | (0x2001 << 112)))


_EXAMPLES = {
    "date": lambda rng, fake: _a_date(rng).isoformat(),
    "date-time": _date_time,
    "time": lambda rng, fake: _a_time(rng).isoformat() + "Z",
    "email": lambda rng, fake: fake.email(),
    "idn-email": lambda rng, fake: fake.email(),
    "uri": lambda rng, fake: fake.url() + fake.uri_path(),
    "url": lambda rng, fake: fake.url() + fake.uri_path(),
    "uri-reference": lambda rng, fake: "/" + fake.uri_path(),
    "iri": lambda rng, fake: fake.url(),
    "uuid": lambda rng, fake: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "hostname": lambda rng, fake: fake.domain_name(),
    "idn-hostname": lambda rng, fake: fake.domain_name(),
    "ipv4": lambda rng, fake: fake.ipv4_public(),
    "ipv6": _ipv6,
    "duration": lambda rng, fake: rng.choice(("PT30M", "PT1H", "PT1H30M", "P1D", "P2W", "PT45S")),
    "regex": lambda rng, fake: "^[a-z]+$",
}
