"""Charts drawn on the server as accessible SVG: no chart library, no JavaScript.

Each chart shows its title, both axes' labels and a legend, has a description for screen
readers and a tooltip on every point, and is accompanied in the template by its numbers' table.
"""

import math
from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 280
# Room for the title and legend above the plot, the y-axis label at the left, the x-axis
# labels and the x-axis name below.
LEFT, RIGHT, TOP, BOTTOM = 60, 12, 48, 44
_ids = count(1)


def _nice_max(value: float) -> float:
    """A round upper bound for an axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _legend(entries: list[tuple[str, str]]) -> SafeString:
    """(name, css class) per series, in one row under the title."""
    return format_html_join(
        "",
        '<text x="{}" y="{}" class="legend {}">■ {}</text>',
        ((LEFT + 160 * k, 38, css, name) for k, (name, css) in enumerate(entries)),
    )


def _frame(
    *,
    title: str,
    description: str,
    body: SafeString,
    y_max: float,
    y_format,
    x_label: str,
    y_label: str,
) -> SafeString:
    ident = f"chart-{next(_ids)}"
    ticks = [y_max * i / 4 for i in range(5)]
    plot_h = HEIGHT - TOP - BOTTOM
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
        '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y + 4, y_format(tick))
            for tick in ticks
            for y in [round(TOP + plot_h - plot_h * tick / y_max, 1)]
        ),
    )
    labels = format_html(
        '<text x="{}" y="16" class="chart-title">{}</text>'
        '<text x="{}" y="{}" class="axis-label x" text-anchor="middle">{}</text>'
        '<text transform="translate(14 {}) rotate(-90)" class="axis-label y" text-anchor="middle">'
        "{}</text>",
        LEFT,
        title,
        LEFT + (WIDTH - LEFT - RIGHT) / 2,
        HEIGHT - 6,
        x_label,
        TOP + plot_h / 2,
        y_label,
    )
    return format_html(
        '<svg class="deflect-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        ident,
        ident,
        ident,
        title,
        ident,
        description,
        labels,
        grid,
        body,
    )


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * (i + 0.5) / n), 1)


def _y(value: float, y_max: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return round(TOP + plot_h - plot_h * value / y_max, 1)


def _x_labels(labels: list[str]) -> SafeString:
    every = max(1, math.ceil(len(labels) / 12))
    return format_html_join(
        "",
        '<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text>',
        (
            (_x(i, len(labels)), HEIGHT - BOTTOM + 16, label)
            for i, label in enumerate(labels)
            if i % every == 0
        ),
    )


def line_chart(
    *,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | None], str]],
    x_label: str,
    y_label: str,
    percent: bool = False,
) -> SafeString:
    """Lines over periods; `series` is (name, values, css class). None leaves a gap."""
    values = [v for _name, vals, _cls in series for v in vals if v is not None]
    y_max = 1.0 if percent else _nice_max(max(values, default=0))
    y_format = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:g}")
    n = len(labels)
    lines = []
    for name, vals, css in series:
        points = [(i, v) for i, v in enumerate(vals) if v is not None]
        path = " ".join(f"{_x(i, n)},{_y(v, y_max)}" for i, v in points)
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3" class="{}"><title>{}, {}: {}</title></circle>',
            ((_x(i, n), _y(v, y_max), css, name, labels[i], y_format(v)) for i, v in points),
        )
        lines.append(format_html('<polyline points="{}" class="line {}"/>{}', path, css, dots))
    legend = _legend([(name, css) for name, _v, css in series])
    description = "; ".join(
        f"{name}: "
        + ", ".join(f"{labels[i]} {y_format(v)}" for i, v in enumerate(vals) if v is not None)
        for name, vals, _css in series
    )
    body = mark_safe("".join(lines)) + _x_labels(labels) + legend
    return _frame(
        title=title,
        description=description,
        body=body,
        y_max=y_max,
        y_format=y_format,
        x_label=x_label,
        y_label=y_label,
    )


def bar_chart(
    *,
    title: str,
    labels: list[str],
    values: list[int],
    name: str,
    x_label: str,
    y_label: str,
    css: str = "bars",
) -> SafeString:
    """One bar per label; `name` says what the bars count, in the legend and tooltips."""
    y_max = _nice_max(max(values, default=0))
    n = len(labels)
    width = (WIDTH - LEFT - RIGHT) / n * 0.6
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}"><title>{}, {}: {}</title></rect>',
        (
            (
                round(_x(i, n) - width / 2, 1),
                _y(v, y_max),
                round(width, 1),
                round(_y(0, y_max) - _y(v, y_max), 1),
                css,
                name,
                labels[i],
                v,
            )
            for i, v in enumerate(values)
        ),
    )
    description = f"{name}: " + ", ".join(
        f"{label} {v}" for label, v in zip(labels, values, strict=True)
    )
    body = bars + _x_labels(labels) + _legend([(name, css)])
    return _frame(
        title=title,
        description=description,
        body=body,
        y_max=y_max,
        y_format=lambda v: f"{v:g}",
        x_label=x_label,
        y_label=y_label,
    )
