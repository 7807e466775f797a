"""Unit tests of aisys.fxgraph (counting and drawing torch.fx graphs)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from aisys import fxgraph  # noqa: E402


class Branchy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 4)

    def forward(self, x):
        a = self.lin(x)
        return torch.relu(a) + torch.sigmoid(a)


def test_counts_and_depths():
    gm = torch.fx.symbolic_trace(Branchy())
    assert fxgraph.op_counts(gm) == {"placeholder": 1, "call_module": 1, "call_function": 3, "output": 1}
    assert fxgraph.compute_nodes(gm) == 4
    depth = {n.name: d for n, d in fxgraph.depths(gm).items()}
    assert depth["x"] == 0 and depth["lin"] == 1
    assert depth["relu"] == depth["sigmoid"] == 2 and depth["add"] == 3 and depth["output"] == 4


def test_draw_places_one_box_per_node():
    gm = torch.fx.symbolic_trace(Branchy())
    ax = fxgraph.draw(gm, title="t", highlight=["add"])
    boxes = [t for t in ax.texts if t.get_bbox_patch() is not None]
    assert len(boxes) == len(gm.graph.nodes)
    assert len(ax.texts) - len(boxes) == sum(len(n.users) for n in gm.graph.nodes)  # one arrow per edge
    assert "6 nodes, 4 compute" in ax.get_title()
    fig = fxgraph.draw_pair(gm, gm.graph)
    assert len(fig.axes) == 2
    plt.close("all")


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="GraphModule"):
        fxgraph.op_counts(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="label_width"):
        fxgraph.draw(torch.fx.symbolic_trace(Branchy()), label_width=2)
