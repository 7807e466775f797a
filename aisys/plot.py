"""One figure style for the course, and charts that several notebooks draw."""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f")

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.prop_cycle": None,  # filled in by use_style
    "legend.frameon": False,
    "font.size": 10,
}


def use_style() -> None:
    """Apply the course style to matplotlib (call once at the top of a notebook)."""
    import matplotlib as mpl
    from cycler import cycler

    style = dict(_STYLE, **{"axes.prop_cycle": cycler(color=PALETTE)})
    mpl.rcParams.update(style)


def roofline(ax, peak_gflops: float, bandwidth_gbs: float, kernels: Mapping[str, float] | None = None,
             label: str | None = None, color: str | None = None, ai_range: Iterable[float] = (1 / 16, 1024)):
    """Draw the roofline P = min(peak, AI·BW) on ``ax`` (log-log) and mark kernels on it.

    ``kernels`` maps a name to its arithmetic intensity (FLOP/byte); each is drawn at the
    performance the roof allows. Returns the ridge point (FLOP/byte) where the roof bends.
    """
    if peak_gflops <= 0 or bandwidth_gbs <= 0:
        raise ValueError(f"peak and bandwidth must be positive, got {peak_gflops} GFLOP/s, {bandwidth_gbs} GB/s")
    lo, hi = ai_range
    if not 0 < lo < hi:
        raise ValueError(f"ai_range must be (low, high) with 0 < low < high, got {ai_range}")
    ai = np.logspace(np.log10(lo), np.log10(hi), 256)
    line, = ax.loglog(ai, np.minimum(peak_gflops, ai * bandwidth_gbs), color=color, lw=2,
                      label=label or f"{peak_gflops:.3g} GFLOP/s, {bandwidth_gbs:.3g} GB/s")
    ridge = peak_gflops / bandwidth_gbs
    ax.axvline(ridge, color=line.get_color(), ls=":", lw=1)
    for name, intensity in (kernels or {}).items():
        perf = min(peak_gflops, intensity * bandwidth_gbs)
        ax.plot([intensity], [perf], "o", color=line.get_color())
        ax.annotate(name, (intensity, perf), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xlabel("arithmetic intensity (FLOP/byte)")
    ax.set_ylabel("attainable performance (GFLOP/s)")
    return ridge


def _plain(value: float) -> str:
    """A tick value without scientific notation: 0.05, 0.6, 2, 40, 1,000."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def log_ticks(ax, axis: str = "y", unit: str = "", ratio: bool = False) -> None:
    """Label a log-scale axis with plain numbers ("0.1 ms", "10 ms"), or as ratios ("0.5x", "2x", "100x") when
    ``ratio`` is true, instead of matplotlib's powers of ten. Call after the data are plotted."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    target = ax.yaxis if axis == "y" else ax.xaxis
    suffix = "x" if ratio else (f" {unit}" if unit else "")
    lo, hi = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    decades = np.log10(hi / lo) if lo > 0 else 9.0
    target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if decades <= 3 else (1.0,)))
    target.set_major_formatter(FuncFormatter(lambda v, _: _plain(v) + suffix if v > 0 else ""))
    target.set_minor_formatter(NullFormatter())
