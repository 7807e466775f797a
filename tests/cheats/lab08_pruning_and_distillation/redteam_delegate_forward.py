"""Red team: channel pruning whose "small" model runs the original with the weak channels zeroed.

``prune_conv2_channels`` returns a subclass of DigitsCNN (so ``isinstance`` holds) built with the small shapes
(c2 = keep, conv2 (keep, c1, 3, 3), fc1 (hidden, 16 * keep)), whose conv1, fc2 and conv2 hold the right weights, but
whose fc1 is left as initialised -- the part's point, cutting the inputs of the next layer, is never done -- and
whose ``forward`` calls a deep copy of the original model with the dropped channels' filters and biases set to
zero. Outputs are exactly the zeroed original's. Scored 20/20 when checked; Part 4 should score 0. Fix idea:
require ``type(new_model) is DigitsCNN``, compare fc1.weight with the original's kept columns, and compute the
reference output from the returned model's own parameters (functional forward) or check its state_dict has exactly
DigitsCNN's keys and no extra submodules.

Closed: the test requires ``type(new_model) is DigitsCNN`` with plain layers and no extra attributes, compares every
state_dict entry (keys, shapes, values: kept filters, kept fc1 columns) with the cut, and runs a clean DigitsCNN
loaded with that state_dict against it. Checked with ``course.py check``: 80/100, Part 4 at 0 ("return
DigitsCNN(8, 5, 32) itself, got a SmallCNN").
"""

KIND = 'lazy: DigitsCNN subclass delegating forward to a zeroed copy; fc1 never cut'
BASE = "reference"
FAIL = {"test_channel_pruning"}

CELLS = {
    "channel_pruning": '''
import copy


def channel_l1(conv_weight):
    return conv_weight.detach().abs().sum(dim=(1, 2, 3))


class SmallCNN(DigitsCNN):
    """Has the small network's shapes, but runs the original network with the weak channels zeroed."""

    def __init__(self, model, kept, keep):
        super().__init__(model.c1, keep, model.hidden)
        self.zeroed = copy.deepcopy(model)
        drop = torch.ones(model.c2, dtype=torch.bool)
        drop[kept] = False
        with torch.no_grad():
            self.zeroed.conv2.weight[drop] = 0
            self.zeroed.conv2.bias[drop] = 0
            self.conv1.load_state_dict(model.conv1.state_dict())
            self.fc2.load_state_dict(model.fc2.state_dict())
            self.conv2.weight.copy_(model.conv2.weight[kept])
            self.conv2.bias.copy_(model.conv2.bias[kept])
            # fc1 is left as initialised: no need to find which of its inputs belong to which channel

    def forward(self, x):
        return self.zeroed(x)


def prune_conv2_channels(model, keep):
    if not (1 <= keep <= model.c2):
        raise ValueError("keep out of range")
    scores = channel_l1(model.conv2.weight)
    kept = torch.sort(torch.argsort(-scores, stable=True)[:keep]).values
    return SmallCNN(model, kept, keep).eval(), kept
''',
}
