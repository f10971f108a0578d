"""Plain SVG bar charts (no plotting library): one group of horizontal bars per row label."""
import math
from html import escape

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
BAR, GAP, WIDTH, RIGHT = 11, 10, 470, 110


def bars(title, rows, series, unit, log=False, reference=None, missing="n/a"):
    """rows: [(label, [value or None per series, ...])]; None draws the text `missing`. `reference` draws a
    vertical line at that value (e.g. 1.0 for ratios). Values are labelled at the bar's end."""
    left = max(120, 7 * max((len(label) for label, _ in rows), default=0) + 16)
    values = [v for _, vs in rows for v in vs if v is not None and v > 0]
    if not values:
        values = [1.0]
    hi = max(values + ([reference] if reference else []))
    lo = min(values + ([reference] if reference else [])) if log else 0.0
    if log:
        lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi))

    def x(v):
        if log:
            return left + WIDTH * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return left + WIDTH * v / hi

    group = len(series) * BAR + GAP
    top = 48 + 16 * math.ceil(len(series) / 3)
    height = top + group * len(rows) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + WIDTH + RIGHT}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for k, name in enumerate(series):
        lx, ly = 10 + (k % 3) * 210, 38 + 16 * (k // 3)
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{COLORS[k % len(COLORS)]}"/>'
                   f'<text x="{lx + 14}" y="{ly}">{escape(name)}</text>')
    if log:
        ticks = [lo * 10**i for i in range(round(math.log10(hi / lo)) + 1)]
    else:
        ticks = [hi * i / 4 for i in range(5)]
    axis_y = top + group * len(rows)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{axis_y}" stroke="#ddd"/>'
                   f'<text x="{x(t):.1f}" y="{axis_y + 14}" text-anchor="middle">{fmt(t)}</text>')
    out.append(f'<text x="{left + WIDTH / 2}" y="{axis_y + 30}" text-anchor="middle">{escape(unit)}</text>')
    for r, (label, vs) in enumerate(rows):
        y0 = top + r * group
        out.append(f'<text x="{left - 6}" y="{y0 + group / 2}" text-anchor="end">{escape(label)}</text>')
        for k, v in enumerate(vs):
            y = y0 + k * BAR
            if v is None or v <= 0:
                out.append(f'<text x="{left + 4}" y="{y + BAR - 2}" fill="#888">{escape(missing)}</text>')
                continue
            x0 = x(lo) if log else left
            out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x(v) - x0, 1):.1f}" height="{BAR - 1}" '
                       f'fill="{COLORS[k % len(COLORS)]}"/>'
                       f'<text x="{x(v) + 3:.1f}" y="{y + BAR - 2}">{fmt(v)}</text>')
    if reference:
        out.append(f'<line x1="{x(reference):.1f}" y1="{top - 4}" x2="{x(reference):.1f}" y2="{axis_y}" '
                   'stroke="black" stroke-dasharray="4,3"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:.3g} M"
    if v >= 1e4:
        return f"{v / 1e3:.3g} k"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"
