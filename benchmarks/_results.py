"""Write one benchmark's section of benchmarks/RESULTS.md, leaving every other section alone.

Each benchmark owns one section, found by its markers ``<!-- BEGIN key -->`` … ``<!-- END key -->``
(when ``key`` is given) or else by its ``## heading`` line up to the next heading or marker.
"""
from __future__ import annotations

import re
from pathlib import Path


RESULTS = Path(__file__).with_name("RESULTS.md")


def _block_and_pattern(text: str, key: str | None, heading: str | None):
    if key:
        begin, end = f"<!-- BEGIN {key} -->", f"<!-- END {key} -->"
        body = text if text.endswith("\n") else text + "\n"
        block = body if text.startswith(begin) else f"{begin}\n{body}{end}\n"
        return block, re.compile(re.escape(begin) + ".*?" + re.escape(end) + r"\n?", re.S)
    if not heading:
        raise ValueError("write_section needs a marker key or the section's '## ' heading")
    stop = r"(?=^## |^<!-- (?:BEGIN|END) |\Z)"
    return text.rstrip("\n") + "\n\n", re.compile(rf"^{re.escape(heading)}\n.*?{stop}", re.S | re.M)


def write_section(text: str, path: Path = RESULTS, key: str | None = None,
                  heading: str | None = None) -> None:
    """Replace this benchmark's section of ``path`` with ``text`` (or append it)."""
    path = Path(path)
    old = path.read_text() if path.exists() else "# Benchmark results\n\n"
    block, pattern = _block_and_pattern(text, key, heading)
    if pattern.search(old):
        new = pattern.sub(lambda _: block, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new)
