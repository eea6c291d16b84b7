"""`data:<media type>;base64,<data>` URLs as content parts carry them."""
from __future__ import annotations

import base64
import binascii


class DataUrlError(ValueError):
    """What was wrong, phrased to follow "but got" in the live error (e.g. `empty base64-encoded bytes`)."""


def parse_data_url(url: str, accepted: tuple[str, ...]) -> tuple[str, bytes]:
    """The media type and decoded bytes of a base64 data URL whose media type is in `accepted`."""
    if not url.startswith("data:"):
        raise DataUrlError("a value without the 'data:' prefix")
    header, comma, data = url[5:].partition(",")
    if not comma:
        raise DataUrlError("a value without the 'data:' prefix")
    params = header.split(";")
    media_type = params[0].strip().lower()
    if media_type not in accepted:
        raise DataUrlError(f"unsupported MIME type '{params[0].strip()}'")
    if "base64" not in (p.strip().lower() for p in params[1:]):
        raise DataUrlError("an invalid base64-encoded value")
    return media_type, decode_base64(data)


def decode_base64(data: str) -> bytes:
    """Standard base64 (padding required, no whitespace), or `DataUrlError`."""
    if not data:
        raise DataUrlError("empty base64-encoded bytes")
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DataUrlError("an invalid base64-encoded value") from None
    if not decoded:
        raise DataUrlError("empty base64-encoded bytes")
    return decoded
