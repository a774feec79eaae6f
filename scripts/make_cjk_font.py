#!/usr/bin/env python3
"""Make the CJK font the course's figures use for Chinese labels: docs/assets/fonts/nnlib-cjk-sc.otf.

A subset of Noto Sans CJK SC (SIL Open Font License 1.1, docs/assets/fonts/OFL.txt) holding printable ASCII and
every other character of the Chinese pages (docs/zh/), so any label a lesson draws, or a reader writes with the
lessons' words, has its glyphs. matplotlib gets it as a fallback after DejaVu Sans (docs/assets/fonts/nnlib_fonts.py):
natively when the site build runs the lessons, and in the browser's Pyodide (web/runner.py).

Run it again when the Chinese pages use new characters (tests/test_site.py says so):

    python scripts/make_cjk_font.py [--source NotoSansCJK-Regular.ttc]

The source is Debian's fonts-noto-cjk (`apt-get install fonts-noto-cjk`) by default; any Noto Sans CJK SC or
Source Han Sans SC file (.otf, or a .ttc holding it) works. Needs fontTools (a dependency of matplotlib).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "docs" / "assets" / "fonts"
OUTPUT = FONTS / "nnlib-cjk-sc.otf"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC")
#: The subset's family name: not the original's, as the OFL asks of modified versions, so that it never shadows a
#: full Noto Sans CJK SC installed on the machine. docs/assets/fonts/nnlib_fonts.py registers it under this name.
FAMILY = "nnlib Noto Sans CJK SC subset"


def characters() -> str:
    """Printable ASCII and every non-ASCII character of the Chinese pages, sorted."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for path in sorted((ROOT / "docs" / "zh").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".py"):
            chars.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7F and ch.isprintable())
    return "".join(sorted(chars))


def open_source(path: Path):
    """The Simplified Chinese face of ``path`` (a font collection holds several)."""
    from fontTools.ttLib import TTCollection, TTFont

    fonts = TTCollection(str(path)).fonts if path.suffix.lower() == ".ttc" else [TTFont(str(path))]
    for font in fonts:
        if font["name"].getDebugName(1) in SOURCE_FAMILIES:
            return font
    raise SystemExit(f"error: {path} holds no {' or '.join(SOURCE_FAMILIES)} face")


def make_font(source: Path, output: Path = OUTPUT) -> tuple[int, int]:
    """Write the subset of ``source`` to ``output``; return (characters, bytes)."""
    from fontTools import subset

    font = open_source(source)
    text = characters()
    options = subset.Options()
    options.layout_features = ["kern", "liga", "vert", "halt", "palt"]  # no CJK variants or ruby forms needed
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence and its URL
    options.hinting = False  # matplotlib renders with FreeType's auto-hinter anyway
    options.desubroutinize = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    names = font["name"]
    postscript = FAMILY.replace(" ", "")
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (4,):
            names.setName(f"{FAMILY} Regular", record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (3, 6):
            names.setName(f"{postscript}-Regular", record.nameID, record.platformID, record.platEncID, record.langID)
    names.names = [r for r in names.names if r.nameID not in (16, 17) or r.langID in (0, 0x409)]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [f"{postscript}-Regular"]
        top = cff.topDictIndex[0]
        top.FullName = f"{FAMILY} Regular"
        top.FamilyName = FAMILY
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(output))
    return len(text), output.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make docs/assets/fonts/nnlib-cjk-sc.otf from Noto Sans CJK SC.")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help=f"Noto Sans CJK SC / Source Han Sans SC font or collection (default: {DEFAULT_SOURCE})")
    parser.add_argument("--out", type=Path, default=OUTPUT, help=f"output file (default: {OUTPUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        raise SystemExit(f"error: {args.source} not found: install Debian's fonts-noto-cjk or pass --source FILE")
    count, size = make_font(args.source, args.out)
    print(f"{args.out}: {count} characters, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
