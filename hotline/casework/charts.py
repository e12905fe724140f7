"""Charts as SVG markup, drawn on the server: no script, no library, a few kilobytes per chart.

Every piece of text (labels, series names, titles) goes through ``escape``: category and place
names reach these functions from data, and the page inserts the result as trusted markup.
Colours are SVG presentation attributes (``fill=``), which the Content-Security-Policy allows;
a ``style=`` attribute would be refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

# Okabe-Ito: distinguishable by people with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
OTHER_COLOUR = "#9aa4ae"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'
WIDTH = 720
LEGEND_ITEM = 236  # px per legend entry (three a row); names are shortened to fit
LEGEND_ROW = 16
Series = Sequence[tuple[str, Sequence[int]]]


def colours(series: Series, other: str | None, fixed: dict[str, str] | None) -> list[str]:
    """A colour per series: ``fixed`` ones first (green for success...), grey for ``other``."""
    chosen = []
    for i, (name, _values) in enumerate(series):
        default = OTHER_COLOUR if name == other else PALETTE[i % len(PALETTE)]
        chosen.append((fixed or {}).get(name, default))
    return chosen


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is >= value (at least 1): axis tops."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label={quoteattr(title)} {FONT}><title>{escape(title)}</title>'
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _legend(series: Series, fills: list[str], top: float, width: int) -> tuple[str, float]:
    """Swatch and name (with its total) for each series; returns the markup and its height."""
    per_row = max(1, (width - 8) // LEGEND_ITEM)
    parts = []
    for i, (name, values) in enumerate(series):
        x = 8 + (i % per_row) * LEGEND_ITEM
        y = top + (i // per_row) * LEGEND_ROW
        parts.append(
            f'<rect x="{x}" y="{_num(y)}" width="10" height="10" '
            f"fill={quoteattr(fills[i])}/>"
            f'<text x="{x + 14}" y="{_num(y + 9)}">{escape(shorten(name, 26))} '
            f"({sum(values)})<title>{escape(name)}</title></text>"
        )
    rows = -(-len(series) // per_row)
    return "".join(parts), rows * LEGEND_ROW


def _empty(title: str, empty_text: str, width: int) -> str:
    return (
        _open(width, 60, title)
        + f'<text x="{width // 2}" y="34" text-anchor="middle" fill="#5b6672">'
        + f"{escape(empty_text)}</text></svg>"
    )


def stacked_columns(
    labels: Sequence[str],
    series: Series,
    *,
    title: str,
    empty_text: str,
    label_every: int = 1,
    other: str | None = None,
    fixed: dict[str, str] | None = None,
    width: int = WIDTH,
) -> str:
    """One column per label (a day, a week), each stacked by series (a category, a province).

    ``labels`` are shown under every ``label_every``-th column; each segment carries a tooltip
    ("label · series: n"). A chart with nothing to show says ``empty_text`` instead.
    """
    totals = [sum(column) for column in zip(*(v for _, v in series), strict=True)] if series else []
    if not any(totals):
        return _empty(title, empty_text, width)
    left, right, top, plot_h = 34, 8, 10, 160
    top_value = nice_ceiling(max(totals))
    band = (width - left - right) / len(labels)
    scale = plot_h / top_value
    parts = [""]  # the opening tag comes last: its height depends on the legend
    for value in (0, top_value // 2, top_value) if top_value > 1 else (0, 1):
        y = top + plot_h - value * scale
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="#e1e4e8"/><text x="{left - 4}" y="{_num(y + 4)}" '
            f'text-anchor="end" fill="#5b6672">{value}</text>'
        )
    fills = colours(series, other, fixed)
    base = [0] * len(labels)
    for i, (name, values) in enumerate(series):
        parts.append(f"<g fill={quoteattr(fills[i])}>")
        for j, value in enumerate(values):
            if value:
                y = top + plot_h - (base[j] + value) * scale
                parts.append(
                    f'<rect x="{_num(left + j * band + band * 0.1)}" y="{_num(y)}" '
                    f'width="{_num(band * 0.8)}" height="{_num(value * scale)}">'
                    f"<title>{escape(f'{labels[j]} · {name}: {value}')}</title></rect>"
                )
                base[j] += value
        parts.append("</g>")
    axis_y = top + plot_h
    for j, label in enumerate(labels):
        if j % label_every == 0:
            parts.append(
                f'<text x="{_num(left + (j + 0.5) * band)}" y="{axis_y + 14}" '
                f'text-anchor="middle" fill="#3b4650">{escape(label)}</text>'
            )
    legend, legend_h = _legend(series, fills, axis_y + 26, width)
    parts.append(legend + "</svg>")
    height = axis_y + 30 + legend_h
    parts[0] = _open(width, round(height), title)
    return "".join(parts)


def stacked_rows(
    labels: Sequence[str],
    series: Series,
    *,
    title: str,
    empty_text: str,
    other: str | None = None,
    fixed: dict[str, str] | None = None,
    width: int = WIDTH,
) -> str:
    """One horizontal bar per label (a USSD screen, an outcome), stacked by series, its total
    written at the end of the bar."""
    totals = [sum(row) for row in zip(*(v for _, v in series), strict=True)] if series else []
    if not any(totals):
        return _empty(title, empty_text, width)
    left, right, top, row_h = 150, 40, 6, 22
    scale = (width - left - right) / max(totals)
    parts = [""]  # the opening tag comes last: its height depends on the legend
    for j, label in enumerate(labels):
        y = top + j * row_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" fill="#3b4650">'
            f"{escape(shorten(label, 24))}<title>{escape(label)}</title></text>"
        )
    fills = colours(series, other, fixed)
    base = [0.0] * len(labels)
    for i, (name, values) in enumerate(series):
        parts.append(f"<g fill={quoteattr(fills[i])}>")
        for j, value in enumerate(values):
            if value:
                parts.append(
                    f'<rect x="{_num(left + base[j])}" y="{top + j * row_h + 3}" '
                    f'width="{_num(max(value * scale, 1))}" height="{row_h - 6}">'
                    f"<title>{escape(f'{labels[j]} · {name}: {value}')}</title></rect>"
                )
                base[j] += value * scale
        parts.append("</g>")
    for j, total in enumerate(totals):
        parts.append(
            f'<text x="{_num(left + base[j] + 4)}" y="{top + j * row_h + 15}" fill="#3b4650">{total}</text>'
        )
    legend_top = top + len(labels) * row_h + 8
    legend, legend_h = _legend(series, fills, legend_top, width)
    parts.append(legend + "</svg>")
    parts[0] = _open(width, round(legend_top + legend_h + 4), title)
    return "".join(parts)
