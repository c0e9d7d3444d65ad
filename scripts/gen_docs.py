#!/usr/bin/env python3
"""Regenerates the parts of docs/ that restate a definition in the code, from that definition:
the wire format's topic, header, body and enum tables (engine/bus/schema.cpp, topic.hpp,
messages.hpp), and the configuration reference (engine/ops/config.cpp's reader), through
ztrade._core. Each generated part sits between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``; the text around it is
written by hand.

Usage: python scripts/gen_docs.py          rewrite the generated parts
       python scripts/gen_docs.py --check  fail (exit 1) if any differs (tests run this)
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from ztrade import _core

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n)(?P<body>.*?)"
                    r"(<!-- END GENERATED: (?P=name) -->)", re.S)

_KIND = {"u1": "u8", "u2": "u16", "u4": "u32", "u8": "u64", "i1": "i8", "i8": "i64",
         "f8": "f64"}


def _kind(kind: str, size: int) -> str:
    if kind == "S":
        return f"text[{size}]"
    if kind == "V":
        return f"bytes[{size}]"
    if kind == "f8[]":
        return f"f64[{size // 8}]"
    return _KIND[kind]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def wire_topics() -> str:
    rows = ["| Topic | Body | Published by | Meaning |", "|---|---|---|---|"]
    families = []
    for t in _core.wire_topics():
        if not t["body"]:
            families.append(f"`{t['prefix']}`")
            continue
        rows.append(f"| `{t['prefix']}{t['suffix']}` | {t['body']} | {t['publisher']} | "
                    f"{_cell(t['meaning'])} |")
    return "\n".join(rows) + (f"\n\nFamily prefixes, for subscribing to every topic under them: "
                              f"{', '.join(families)}.\n")


def _fields(spec: dict) -> str:
    rows = ["| Offset | Size | Field | Type | Meaning |", "|---|---|---|---|---|"]
    for name, offset, kind, size, meaning in spec["fields"]:
        rows.append(f"| {offset} | {size} | {name} | {_kind(kind, size)} | {_cell(meaning)} |")
    return "\n".join(rows) + "\n"


def wire_header() -> str:
    return _fields(_core.wire_schema()[0])


def wire_bodies() -> str:
    schema = _core.wire_schema()[1:]
    out = ["| Type | Name | Size | Meaning |", "|---|---|---|---|"]
    out += [f"| {s['type']} | {s['name']} | {s['size']} | {_cell(s['meaning'])} |"
            for s in schema]
    for s in schema:
        title = f"### {s['name']} (type {s['type']}, {s['size']} bytes)"
        out += ["", title, "", _fields(s).rstrip()]
    return "\n".join(out).rstrip() + "\n"


_ENUM_LABELS = [("Side", "side", "u8"), ("OrderType", "order type", "u8"),
                ("TimeInForce", "time in force", "u8"), ("ExecType", "exec type", "u8"),
                ("ExecReject", "exec reject", "u16"),
                ("ComponentState", "component state (heartbeat state)", "u8"),
                ("HeartbeatFlag", "heartbeat flag (bits of a heartbeat's flags)", "u8"),
                ("BarrierKind", "barrier kind", "u8"),
                ("RejectReason", "risk reject reason", "u16")]


def wire_enums() -> str:
    enums = _core.wire_enums()
    rows = ["| Enum | Values |", "|---|---|"]
    for key, label, width in _ENUM_LABELS:
        values = ", ".join(f"{v} {n}" for n, v in sorted(enums[key].items(), key=lambda x: x[1]))
        rows.append(f"| {label} ({width}) | {values} |")
    return "\n".join(rows) + "\n"


def config_reference() -> str:
    """Every setting by table, from the engine's config reader (engine/ops/config.cpp)."""
    out: list[str] = []
    table = None
    for st in _core.config_settings():
        section, _, key = st["key"].rpartition(".")
        if section != table:
            table = section
            out += ["", f"### [{section}]", "", "| Key | Type | Default | Bounds | Meaning |",
                    "|---|---|---|---|---|"]
        out.append(f"| {key} | {st['type']} | `{st['value']}` | {_cell(st['constraint'])} | "
                   f"{_cell(st['doc'])} |")
    return "\n".join(out).lstrip() + "\n"


GENERATORS: dict[str, Callable[[], str]] = {
    "wire-topics": wire_topics, "wire-header": wire_header, "wire-bodies": wire_bodies,
    "wire-enums": wire_enums, "config-reference": config_reference,
}

DOCS = ["docs/wire-format.md", "docs/configuration.md"]


def render(text: str) -> str:
    """``text`` with each generated block replaced by what its generator gives now."""
    def block(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in GENERATORS:
            raise SystemExit(f"unknown generated block {name!r}")
        return m.group(1) + GENERATORS[name]() + m.group(4)
    return _BLOCK.sub(block, text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for rel in DOCS:
        path = ROOT / rel
        text = path.read_text()
        new = render(text)
        if new != text:
            stale.append(rel)
            if not check:
                path.write_text(new)
    if check and stale:
        print(f"generated parts of {', '.join(stale)} are out of date: run "
              "python scripts/gen_docs.py", file=sys.stderr)
        return 1
    print(("checked: " if check else "up to date: " if not stale else "rewrote: ")
          + ", ".join(stale or DOCS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
