"""Lazy submission: the lecture notebook 04_inference/03_model_compression pasted into the lab.

A student who read the lecture can copy its code into four answer cells, adapted to the lab's signatures:
the KL search of Part 4 becomes the lecture's all-candidates ``kl_divergence_curve`` (which merges the i bins
into 128 levels onnxruntime's way, not the even split the part specifies); per-channel quantization (Part 2)
comes from PyTorch's ``PerChannelMinMaxObserver`` and ``torch.quantize_per_channel``; fake quantization with
its STE (Part 6) is ``torch.fake_quantize_per_tensor_affine``; the int8 CNN (Part 7) is the lecture's
``quantized_copy``: forward pre-hooks and a weight parametrization around PyTorch's fake-quantize ops, ranges
from ``MinMaxObserver``. None of it is the student's work, and each of those parts must score 0.
"""

KIND = "lazy: the lecture's code (KL curve with another merge rule, observers, torch.fake_quantize_*)"
BASE = "reference"
FAIL = {"test_per_channel", "test_calibration_kl", "test_fake_quant", "test_int8_cnn"}

CELLS = {
    "per_channel": '''
from torch.ao.quantization.observer import PerChannelMinMaxObserver


def quantize_per_channel(w, qmax=127):
    # the lecture's per-channel observer gives the scales; PyTorch rounds
    if w.dim() < 2:
        raise ValueError("need at least 2 dimensions")
    observer = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                        quant_min=-qmax, quant_max=qmax)
    observer(w.detach())
    scales, zero_points = observer.calculate_qparams()
    scales = torch.where(w.detach().abs().flatten(1).amax(1) > 0, scales, torch.ones_like(scales)).float()
    q = torch.quantize_per_channel(w.detach().float(), scales.double(), zero_points, 0, torch.qint8).int_repr()
    return torch.clamp(q.to(torch.int32), -qmax, qmax), scales
''',
    "calibration_kl": '''
def kl_divergence_curve(hist, levels=128):
    # KL(P || Q) for every candidate i = levels .. len(hist) at once: rows = candidates, columns = bins
    h = torch.as_tensor(hist, dtype=torch.float64)
    i = torch.arange(levels, len(h) + 1)[:, None]
    k = torch.arange(len(h))[None, :]
    kept = k < i                                                     # bins below the threshold
    tail = torch.cat([h.flip(0).cumsum(0).flip(0), h.new_zeros(1)])  # tail[j] = counts in bins j, j+1, ...
    p = torch.where(kept, h, 0.0) + torch.where(k == i - 1, tail[i], 0.0)   # clipped counts join the last kept bin
    width = i // levels                                               # bins per level; the last level takes the rest
    level = torch.where(kept, torch.clamp(k // width, max=levels - 1), levels)  # spare slot L for bins >= i
    nonzero = p > 0
    mass = h.new_zeros(len(i), levels + 1).scatter_add_(1, level, torch.where(kept, h, 0.0))  # unclipped, per level
    count = h.new_zeros(len(i), levels + 1).scatter_add_(1, level, nonzero.double())
    q = torch.where(nonzero, (mass / count.clamp_min(1)).gather(1, level), 0.0)  # spread over non-empty bins
    pn, qn = p / p.sum(1, keepdim=True), q / q.sum(1, keepdim=True)
    terms = torch.where(nonzero, pn * torch.log(pn / qn), 0.0)
    kl = terms.sum(1)
    kl[(nonzero & (q == 0)).any(1)] = float("inf")                   # Q cannot express a bin that P needs
    return kl.numpy()


def kl_for_candidate(hist, i, num_quant_bins=128):
    if not num_quant_bins <= i <= len(hist):
        raise ValueError("i out of range")
    return float(kl_divergence_curve(hist, num_quant_bins)[i - num_quant_bins])


def calibrate_kl(hist, amax, num_quant_bins=128):
    kl = kl_divergence_curve(hist, num_quant_bins)
    return (num_quant_bins + int(np.argmin(kl))) * float(amax) / len(hist)
''',
    "fake_quant": '''
# the lecture's fake_quant: quantize then dequantize in one PyTorch op, whose backward is the STE
def fake_quant(x, scale, zero_point, qmin=-128, qmax=127):
    return torch.fake_quantize_per_tensor_affine(x, scale, zero_point, qmin, qmax)
''',
    "int8_cnn": '''
import copy

from torch import nn
from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver
from torch.nn.utils import parametrize

LAYERS = ("conv1", "conv2", "fc1", "fc2")


def record_inputs(m, x):
    # a forward pre-hook sees each layer's input; the model's own forward runs unchanged
    seen = {}
    hooks = [getattr(m, name).register_forward_pre_hook(lambda mod, args, name=name: seen.update({name: args[0]}))
             for name in LAYERS]
    with torch.no_grad():
        m(x)
    for hook in hooks:
        hook.remove()
    return seen


def calibrate_activations(model, X_calib):
    qp = {}
    for name, a in record_inputs(model, X_calib).items():
        observer = MinMaxObserver(dtype=torch.qint8, quant_min=-128, quant_max=127, qscheme=torch.per_tensor_affine)
        observer(a.detach())
        scale, zero_point = observer.calculate_qparams()
        qp[name] = (float(scale), int(zero_point))
    return qp


class WeightFakeQuant(nn.Module):
    def forward(self, w):
        observer = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                            quant_min=-127, quant_max=127)
        observer(w.detach())
        scales, zero_points = observer.calculate_qparams()
        return torch.fake_quantize_per_channel_affine(w, scales, zero_points.to(torch.int32), 0, -127, 127)


def int8_forward(model, x, act_qparams):
    mq = copy.deepcopy(model)
    for name in LAYERS:
        layer = getattr(mq, name)
        parametrize.register_parametrization(layer, "weight", WeightFakeQuant())
        layer.register_forward_pre_hook(
            lambda mod, args, p=act_qparams[name]: torch.fake_quantize_per_tensor_affine(args[0], p[0], p[1], -128, 127))
    with torch.no_grad():
        return mq(x)
''',
}
