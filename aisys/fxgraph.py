"""Look at torch.fx graphs: count their nodes and draw them with matplotlib.

Used by the compiler notebooks (module 03) and lab05 to show a graph before and
after a pass. Nodes are laid out by *topological depth* (a node sits one column
to the right of its deepest input), so a straight chain reads left to right and
parallel branches stack vertically::

    from aisys import fxgraph
    gm = torch.fx.symbolic_trace(model)
    fxgraph.draw(gm, title="before")
    fxgraph.op_counts(gm)        # {'placeholder': 1, 'call_module': 3, ...}

Only matplotlib is needed (no graphviz).
"""
from __future__ import annotations

from collections import Counter

#: Colour of each node kind (fx's ``node.op``).
OP_COLORS = {
    "placeholder": "#2ca02c",
    "get_attr": "#8c564b",
    "call_function": "#1f77b4",
    "call_method": "#17becf",
    "call_module": "#ff7f0e",
    "output": "#d62728",
}


def _graph(obj):
    """The torch.fx.Graph inside ``obj`` (a GraphModule or a Graph)."""
    import torch.fx

    if isinstance(obj, torch.fx.GraphModule):
        return obj.graph
    if isinstance(obj, torch.fx.Graph):
        return obj
    raise ValueError(f"expected a torch.fx.GraphModule or torch.fx.Graph, got {type(obj).__name__}")


def op_counts(obj) -> dict[str, int]:
    """How many nodes of each kind (``node.op``) the graph holds, e.g. ``{'call_module': 3, ...}``."""
    return dict(Counter(node.op for node in _graph(obj).nodes))


def compute_nodes(obj) -> int:
    """Nodes that do work at run time: everything except placeholders, get_attr and output."""
    return sum(1 for node in _graph(obj).nodes if node.op in ("call_function", "call_method", "call_module"))


def node_label(node, width: int = 14) -> str:
    """A short label: the node's name and what it calls (module path, function or method name)."""
    if node.op in ("placeholder", "output"):
        text = node.op if node.op == "output" else node.name
    elif node.op == "call_function":
        target = getattr(node.target, "__name__", str(node.target))
        text = f"{node.name}\n{target}"
    else:
        text = f"{node.name}\n{node.target}"
    lines = [line if len(line) <= width else line[: width - 1] + "…" for line in text.split("\n")]
    return "\n".join(lines[:2] if lines[0] != lines[-1] else lines[:1])


def depths(obj) -> dict:
    """Topological depth of every node: 0 for nodes without inputs, else 1 + the deepest input."""
    depth = {}
    for node in _graph(obj).nodes:  # fx keeps nodes in topological order
        depth[node] = 1 + max((depth[i] for i in node.all_input_nodes), default=-1)
    return depth


def draw(obj, ax=None, title: str | None = None, highlight=(), label_width: int = 14):
    """Draw a torch.fx graph on ``ax`` (a new figure if None): one box per node, coloured by
    kind, placed by topological depth (x) and order within that depth (y); arrows are edges.

    ``highlight`` is a collection of node names drawn with a thick black outline.
    Returns the axes.
    """
    import matplotlib.pyplot as plt

    graph = _graph(obj)
    if label_width < 4:
        raise ValueError(f"label_width must be >= 4 characters, got {label_width}")
    depth = depths(graph)
    levels: dict[int, list] = {}
    for node in graph.nodes:
        levels.setdefault(depth[node], []).append(node)
    pos = {}
    for d, nodes in levels.items():
        for k, node in enumerate(nodes):
            pos[node] = (d, -(k - (len(nodes) - 1) / 2))
    if ax is None:
        width = max(4.0, 1.25 * (max(levels, default=0) + 1))
        height = max(2.0, 0.9 * max((len(v) for v in levels.values()), default=1) + 1)
        _, ax = plt.subplots(figsize=(min(width, 16), min(height, 10)))
    highlight = set(highlight)
    for node in graph.nodes:
        for user in node.users:
            ax.annotate("", xy=pos[user], xytext=pos[node],
                        arrowprops=dict(arrowstyle="-|>", color="#555555", lw=0.8,
                                        shrinkA=14, shrinkB=14, connectionstyle="arc3,rad=0.08"))
    for node, (x, y) in pos.items():
        color = OP_COLORS.get(node.op, "#7f7f7f")
        ax.text(x, y, node_label(node, label_width), ha="center", va="center", fontsize=7, color="white",
                bbox=dict(boxstyle="round,pad=0.35", fc=color,
                          ec="black" if node.name in highlight else color,
                          lw=2.0 if node.name in highlight else 0.5))
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    n = sum(1 for _ in graph.nodes)
    ax.set_title(f"{title + ': ' if title else ''}{n} nodes, {compute_nodes(graph)} compute", fontsize=9)
    return ax


def legend(ax) -> None:
    """Add a legend that explains the node colours."""
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=op) for op, c in OP_COLORS.items()], fontsize=7,
              loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=len(OP_COLORS))


def draw_pair(before, after, titles=("before", "after"), figsize=None):
    """Two graphs side by side (e.g. before and after a pass); returns the figure."""
    import matplotlib.pyplot as plt

    g0, g1 = _graph(before), _graph(after)
    cols = max(max(depths(g0).values(), default=0), max(depths(g1).values(), default=0)) + 1
    rows = max(Counter(depths(g).values()).most_common(1)[0][1] for g in (g0, g1))
    fig, axes = plt.subplots(1, 2, figsize=figsize or (min(2 * 1.1 * cols + 1, 16), min(0.9 * rows + 1.6, 9)))
    draw(g0, axes[0], titles[0])
    draw(g1, axes[1], titles[1])
    legend(axes[0])
    fig.tight_layout()
    return fig
