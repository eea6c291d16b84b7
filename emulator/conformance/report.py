"""Reports of a run: a text table for people, JUnit XML and JSON for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from emulator.conformance.runner import FAIL, SKIP, Result

FORMATS = {".xml": "junit", ".json": "json"}


def summary(results: list[Result]) -> dict[str, int]:
    counts = Counter(result.outcome for result in results)
    return {"total": len(results), "passed": counts["pass"], "failed": counts[FAIL], "skipped": counts[SKIP]}


def table(results: list[Result]) -> str:
    """Check, result and (for failures and skips) the first difference or the reason; then how to reproduce."""
    rows = [(f"{r.group}/{r.name}", r.outcome, r.detail.splitlines()[0] if r.detail else "") for r in results]
    width = max([len("check")] + [len(row[0]) for row in rows])
    lines = [f"{'check':<{width}}  result  detail", f"{'-' * width}  ------  ------"]
    lines += [f"{name:<{width}}  {outcome:<6}  {detail}".rstrip() for name, outcome, detail in rows]
    counts = summary(results)
    lines.append(f"\n{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
                 f"of {counts['total']} checks")
    for result in results:
        if result.outcome == FAIL and result.reproduce:
            lines.append(f"\nreproduce {result.group}/{result.name}:\n  {result.reproduce}")
    return "\n".join(lines)


def to_json(results: list[Result], meta: dict[str, Any]) -> dict[str, Any]:
    return {
        **meta,
        "summary": summary(results),
        "results": [{"name": r.name, "group": r.group, "description": r.description, "result": r.outcome,
                     "detail": r.detail, "reproduce": r.reproduce, "seconds": round(r.seconds, 3)} for r in results],
    }


def to_junit(results: list[Result], meta: dict[str, Any]) -> ET.ElementTree:
    counts = summary(results)
    suite = ET.Element("testsuite", name="chat-completions-conformance", tests=str(counts["total"]),
                       failures=str(counts["failed"]), skipped=str(counts["skipped"]), errors="0",
                       time=f"{sum(r.seconds for r in results):.3f}")
    properties = ET.SubElement(suite, "properties")
    for key, value in meta.items():
        ET.SubElement(properties, "property", name=key, value=str(value))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.group, name=r.name, time=f"{r.seconds:.3f}")
        if r.outcome == FAIL:
            failure = ET.SubElement(case, "failure", message=r.detail.splitlines()[0] if r.detail else "failed")
            failure.text = r.detail + (f"\n\nreproduce:\n{r.reproduce}" if r.reproduce else "")
        elif r.outcome == SKIP:
            ET.SubElement(case, "skipped", message=r.detail)
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.ElementTree(suites)


def write(path: Path, results: list[Result], meta: dict[str, Any]) -> None:
    """Write a report whose format follows the file's suffix (.xml → JUnit, .json → JSON)."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "junit":
        tree = to_junit(results, meta)
        ET.indent(tree)
        tree.write(path, encoding="utf-8", xml_declaration=True)
    elif kind == "json":
        path.write_text(json.dumps(to_json(results, meta), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"unknown report format {path.suffix!r}: use .xml (JUnit) or .json")
