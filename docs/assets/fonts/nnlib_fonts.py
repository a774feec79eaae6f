"""Chinese labels in the course's matplotlib figures: register the site's CJK font (nnlib-cjk-sc.otf, beside this file).

The font is a subset of Noto Sans CJK SC (SIL Open Font License 1.1, OFL.txt) made by scripts/make_cjk_font.py.
It becomes a fallback after the figure's own font family (DejaVu Sans by default): Latin text looks as before,
Chinese characters find their glyphs (matplotlib >= 3.6 falls back glyph by glyph along ``font.family``). Called where lessons run: the site build's kernel (an IPython start-up file written by
site_hooks/nnlib_site.py) and the browser's Pyodide (web/runner.py, which fetches this file and the font).
"""

from __future__ import annotations

FAMILY = "nnlib Noto Sans CJK SC subset"  # the font's family name (scripts/make_cjk_font.py)
FILE = "nnlib-cjk-sc.otf"


def register(path: str) -> None:
    """Add the font file at ``path`` to matplotlib and append its family to ``font.family`` as the last fallback."""
    from matplotlib import font_manager, rcParams

    font_manager.fontManager.addfont(path)
    families = [name for name in rcParams["font.family"] if name != FAMILY]
    rcParams["font.family"] = [*families, FAMILY]
