"""Server-side SVG charts: no JavaScript, no CDN, readable on an intranet."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
BAR = 26
GAP = 10
LABEL = 220


def bar_chart(title: str, bars: list[tuple[str, Decimal]], unit: str = "") -> Markup:
    """A horizontal bar chart of ``bars`` (label, value), largest value full width."""
    top = 30
    height = top + len(bars) * (BAR + GAP) + 10
    biggest = max((v for _, v in bars), default=Decimal(0)) or Decimal(1)
    room = WIDTH - LABEL - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f'<title>{escape(title)}</title>',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(bars):
        y = top + index * (BAR + GAP)
        width = int(room * value / biggest) if value > 0 else 0
        parts += [
            f'<text x="{LABEL - 8}" y="{y + BAR * 0.7:.0f}" font-size="13" '
            f'text-anchor="end">{escape(_short(label))}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{width}" height="{BAR}" fill="#b22222">'
            f'<title>{escape(label)}: {escape(str(value))}{escape(unit)}</title></rect>',
            f'<text x="{LABEL + width + 6}" y="{y + BAR * 0.7:.0f}" font-size="13">'
            f'{escape(str(value))}{escape(unit)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str) -> str:
    # Org paths get long; the last segments say which one it is.
    return label if len(label) <= 26 else "…" + label[-25:]


def progress_chart(title: str, rows: list[tuple[str, Decimal, Decimal | None]]) -> Markup:
    """Achieved against target per row (label, achieved, target): a grey bar for the target,
    a red one for what is achieved (green once the target is met)."""
    top = 30
    height = top + len(rows) * (BAR + GAP) + 10
    biggest = max([max(a, t or 0) for _, a, t in rows] or [Decimal(0)]) or Decimal(1)
    room = WIDTH - LABEL - 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f'<title>{escape(title)}</title>',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, achieved, target) in enumerate(rows):
        y = top + index * (BAR + GAP)
        done = int(room * achieved / biggest) if achieved > 0 else 0
        goal = int(room * target / biggest) if target else 0
        met = target is not None and achieved >= target
        caption = f"{achieved} / {target}" if target is not None else f"{achieved}（无目标）"
        parts += [
            f'<text x="{LABEL - 8}" y="{y + BAR * 0.7:.0f}" font-size="13" '
            f'text-anchor="end">{escape(_short(label))}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{goal}" height="{BAR}" fill="#ddd"/>',
            f'<rect x="{LABEL}" y="{y + 4}" width="{done}" height="{BAR - 8}" '
            f'fill="{"#2e7d32" if met else "#b22222"}"/>',
            f'<text x="{LABEL + max(done, goal) + 6}" y="{y + BAR * 0.7:.0f}" '
            f'font-size="13">{escape(caption)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
