"""Lazy submission: a float layer in disguise, and an int8 CNN made of PyTorch's fake-quantize ops.

``quantized_linear`` dequantizes its int8 inputs, runs a float64 ``F.linear`` with the float bias and quantizes
the result: no int32 accumulator, no bias in the accumulator's scale, no requantization multiplier. Its outputs
are within one step of the right ones, which the old tolerance accepted; the tests now choose layers whose
multipliers are near 1, where the rounded int32 bias shows, and watch that the product over K is integer work.
``int8_forward`` (Part 7) fake-quantizes with ``torch.fake_quantize_per_tensor_affine`` and
``torch.fake_quantize_per_channel_affine`` instead of the student's own Part 2 and Part 6 functions.
"""

KIND = "lazy: dequantize-float-requantize linear layer, int8 CNN from torch.fake_quantize_*"
BASE = "reference"
FAIL = {"test_integer_gemm", "test_int8_cnn"}

CELLS = {
    "integer_gemm": '''
def int_matmul(qa, qb):
    if qa.dtype != torch.int8 or qb.dtype != torch.int8:
        raise ValueError("expected int8")
    if qa.dim() != 2 or qb.dim() != 2 or qa.shape[1] != qb.shape[0]:
        raise ValueError("bad shapes")
    return qa.to(torch.int32) @ qb.to(torch.int32)


def requantize(acc, multiplier, zero_point, qmin=-128, qmax=127):
    m = torch.as_tensor(multiplier, dtype=torch.float64)
    return torch.clamp(torch.round(acc.to(torch.float64) * m) + zero_point, qmin, qmax).to(torch.int8)


def quantized_linear(qx, x_scale, x_zp, qw, w_scales, bias, y_scale, y_zp):
    # dequantize, run the float layer, quantize the result
    x = (qx.to(torch.float64) - x_zp) * x_scale
    w = qw.to(torch.float64) * torch.as_tensor(w_scales, dtype=torch.float64)[:, None]
    b = None if bias is None else torch.as_tensor(bias, dtype=torch.float64)
    y = F.linear(x, w, b)
    return torch.clamp(torch.round(y / y_scale) + y_zp, -128, 127).to(torch.int8)
''',
    "int8_cnn": '''
LAYERS = ("conv1", "conv2", "fc1", "fc2")


def calibrate_activations(model, X_calib):
    with torch.no_grad():
        inputs = {"conv1": X_calib}
        h = torch.relu(model.conv1(X_calib))
        inputs["conv2"] = h
        h = model.pool(torch.relu(model.conv2(h))).flatten(1)
        inputs["fc1"] = h
        inputs["fc2"] = torch.relu(model.fc1(h))
    return {name: affine_qparams(*calibrate_minmax(a)) for name, a in inputs.items()}


def int8_forward(model, x, act_qparams):
    def weight(layer):
        w = layer.weight.detach()
        amax = w.abs().flatten(1).amax(1)
        s = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
        return torch.fake_quantize_per_channel_affine(w, s, torch.zeros(len(s), dtype=torch.int32), 0, -127, 127)

    def act(name, h):
        s, z = act_qparams[name]
        return torch.fake_quantize_per_tensor_affine(h, s, z, -128, 127)

    with torch.no_grad():
        h = torch.relu(F.conv2d(act("conv1", x), weight(model.conv1), model.conv1.bias, padding=1))
        h = torch.relu(F.conv2d(act("conv2", h), weight(model.conv2), model.conv2.bias, padding=1))
        h = F.max_pool2d(h, 2).flatten(1)
        h = torch.relu(F.linear(act("fc1", h), weight(model.fc1), model.fc1.bias))
        return F.linear(act("fc2", h), weight(model.fc2), model.fc2.bias)
''',
}
