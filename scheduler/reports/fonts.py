"""A CJK font for chart labels (店铺, 张芳, 双11): the first installed of a list, else one warning."""

from __future__ import annotations

import warnings
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager, rcParams  # noqa: E402

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans SC", "Source Han Sans SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei",
    "Droid Sans Fallback",
)
# the same list for the browser (CSS font-family), most common first per platform
CSS_FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
                  '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Heiti SC", "SimHei", system-ui, sans-serif')


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Family name of an installed CJK font known to matplotlib, or None."""
    fm = font_manager.fontManager
    installed = {f.name for f in fm.ttflist}
    found = next((name for name in CJK_FAMILIES if name in installed), None)
    if found is None:
        # matplotlib's font cache may predate the font's installation: look at the files once
        known = {f.fname for f in fm.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    fm.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {f.name for f in fm.ttflist}
        found = next((name for name in CJK_FAMILIES if name in installed), None)
    return found


@lru_cache(maxsize=1)
def use_cjk_font() -> str | None:
    """Put the CJK font first in matplotlib's sans-serif list (once); warn once when there is none.

    Without one, Chinese labels render as empty boxes: install e.g. Debian ``fonts-noto-cjk``.
    """
    name = cjk_font()
    if name is None:
        warnings.warn("no CJK font found (tried Noto Sans CJK, WenQuanYi, Microsoft YaHei, PingFang, ...): Chinese "
                      "chart labels will show as boxes; install one, e.g. apt-get install fonts-noto-cjk", stacklevel=2)
        return None
    rcParams["font.sans-serif"] = [name] + [f for f in rcParams["font.sans-serif"] if f != name]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return name
