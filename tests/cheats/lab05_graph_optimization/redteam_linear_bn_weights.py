"""Red team: Part 4's folded weights from ``torch.nn.utils.fusion.fuse_linear_bn_weights``.

Part 4's tests switch off ``fuse_conv_bn_weights``/``fuse_conv_bn_eval`` and every batch-norm routine, but not
the Linear twins in the same module. Flattening the conv weight to (C_out, C_in*kh*kw) makes it a Linear weight:
``fuse_linear_bn_weights`` computes w' = w * gamma * rsqrt(var + eps) and b' = (b - mean) * gamma * rsqrt(var + eps)
+ beta, which is exactly Part 4 (gamma/beta of an affine=False BN are passed as ones/zeros; a missing conv bias is
handled by PyTorch). Scored 15/15 for Part 4 when checked with course.py check; should score 0. Fix idea: switch off ``fusion.fuse_linear_bn_weights``
and ``fusion.fuse_linear_bn_eval`` too (better: every function of ``torch.nn.utils.fusion`` and of
``torch.ao.nn.intrinsic``/``torch.ao.quantization`` that folds BN), and do the same in Part 5.

Now caught: Parts 4 and 5 switch off, by identity, every function of torch.nn.utils.fusion (linear versions
included), torch.ao.quantization's fusers (fuser_method_mappings, fuse_modules) and fused QAT layers, fx's
optimization.fuse, the batch-norm decompositions of torch._decomp, TorchScript's conv/linear-BN folding passes and
Inductor's efficient_conv_bn_eval (import refused while the pass runs if it is not loaded); Part 4 also every
dispatcher operator named *batch_norm*/*instance_norm*, backward included. This submission now loses Part 5 as well:
the reference fold_conv_bn calls this fold_conv_bn_weights, which calls fuse_linear_bn_weights, switched off there
too (Part 5's weights would be PyTorch's). course.py check after the fix: 70/100, test_fold_weights 0/15,
test_fold_conv_bn 0/15, every other part full.
"""

KIND = 'lazy: torch.nn.utils.fusion.fuse_linear_bn_weights on the flattened conv weight'
BASE = "reference"
FAIL = {'test_fold_weights', 'test_fold_conv_bn'}

CELLS = {
    'fold_weights': '''
from torch.nn.utils.fusion import fuse_linear_bn_weights


def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    if gamma is None:
        gamma = torch.ones_like(mean)
    if beta is None:
        beta = torch.zeros_like(mean)
    w2, b2 = fuse_linear_bn_weights(weight.detach().reshape(weight.shape[0], -1),
                                    None if bias is None else bias.detach(), mean, var, eps, gamma, beta)
    return w2.detach().reshape(weight.shape), b2.detach()
''',
}
