"""A small, deterministic YAML writer for recorded scenario files, with end-of-line comments.

PyYAML cannot write comments, and a recording is read by people: a long text pinned by its
digest carries a preview of what it said (`{sha256: …, chars: 5234}  # "Summarize the …"`).
Keys keep the order they were built in; small mappings and lists of scalars, and lists of numbers
of any length (an embedding), go on one line;
multi-line texts become `|-` blocks. Every document is parsed back before it is written, so the
writer can never produce a file that loads as something else.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

_PLAIN = re.compile(r"[A-Za-z0-9_(][A-Za-z0-9_ .,/()'!?+-]*")
_FLOW_WIDTH = 100


@dataclass(frozen=True)
class Commented:
    """A value written with `# comment` at the end of its line."""

    value: Any
    comment: str


def dump(document: dict[str, Any]) -> str:
    """The document as YAML text; raises ValueError if it would not read back the same."""
    text = "".join(_block(document, 0))
    _check(yaml.safe_load(text), document)
    return text


def dump_items(items: list[Any], indent: int) -> str:
    """List items to append to a block list indented by `indent` (a file's `scenarios:`)."""
    text = "".join(_block(items, indent))
    _check(yaml.safe_load("items:\n" + text)["items"], items)
    return text


def _check(read: Any, written: Any) -> None:
    if read != plain(written):
        raise ValueError("the recorded document does not read back the same")  # a writer bug, never data


def plain(value: Any) -> Any:
    """`value` without its comments (what the text must read back as)."""
    if isinstance(value, Commented):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _float(value: float) -> str:
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:  # YAML 1.1 reads `1e-05` as a string; `1.0e-05` as a float
        text = f"{mantissa}.0e{exponent}"
    return text


def _comment(text: str) -> str:
    return "  # " + " ".join(text.split())


def _flow(value: Any) -> str | None:
    """One-line form of a small mapping or list of scalars, or None when it needs a block."""
    if isinstance(value, dict) and all(_is_scalar(v) for v in value.values()):
        text = "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"
    elif isinstance(value, list) and all(_is_scalar(v) for v in value):
        text = "[" + ", ".join(scalar(v) for v in value) + "]"
    else:
        return None
    numbers = isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return text if len(text) <= _FLOW_WIDTH or numbers else None  # a vector: one line, not 1,536


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _literal(text: str, indent: int) -> str | None:
    """A `|-` block for a multi-line text that reads back exactly, else None."""
    lines = text.split("\n")
    if (len(lines) < 2 or text.endswith("\n") or text.startswith((" ", "\t")) or "\r" in text
            or any(line != line.rstrip() for line in lines)
            or any(ord(c) < 32 and c not in "\n\t" for c in text) or not lines[0]):
        return None
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line if line else "" for line in lines)


def _inline(value: Any, indent: int) -> str | None:
    """The text that follows `key: ` or `- ` on the same line, or None when a block follows."""
    comment = ""
    if isinstance(value, Commented):
        value, comment = value.value, _comment(value.comment)
    if isinstance(value, str) and "\n" in value:
        literal = _literal(value, indent)
        if literal is not None:
            head, _, rest = literal.partition("\n")
            return head + comment + "\n" + rest
    if _is_scalar(value):
        return scalar(value) + comment
    if not value:
        return ("{}" if isinstance(value, dict) else "[]") + comment
    flow = _flow(value)
    return None if flow is None else flow + comment


def _block(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            inline = _inline(item, indent + 2)
            if inline is not None:
                out.append(f"{pad}{scalar(key)}: {inline}\n")
                continue
            comment = _comment(item.comment) if isinstance(item, Commented) else ""
            out.append(f"{pad}{scalar(key)}:{comment}\n")
            out += _block(item.value if isinstance(item, Commented) else item, indent + 2)
    else:
        for item in value:
            one_key = isinstance(item, dict) and len(item) == 1  # `- user: text` reads better than `- {user: text}`
            inline = None if one_key else _inline(item, indent + 2)
            if inline is not None:
                out.append(f"{pad}- {inline}\n")
                continue
            lines = _block(item.value if isinstance(item, Commented) else item, indent + 2)
            out.append(f"{pad}- {lines[0][indent + 2:]}")
            out += lines[1:]
    return out
