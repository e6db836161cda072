"""Deformable convolution in ``keras.ops`` only, so it runs on TensorFlow, JAX and PyTorch.

Dai et al., "Deformable Convolutional Networks", ICCV 2017 (reference [1] of the seed paper
``002_*``, which puts a deformable block in front of its LKA residual blocks). Each of the
``k * k`` taps of a convolution at pixel ``p`` reads the input at ``p + p_n + delta_n(p)``
instead of ``p + p_n``: the offsets ``delta_n`` are predicted by an ordinary convolution of the
same input, and the input is sampled bilinearly between pixels (outside the image it is zero,
as the "same" padding of a plain convolution is).

The offsets are clipped to ``[-max_offset, max_offset]``: that keeps the sampling inside a
fixed zero padding (so the gather needs no bounds checks) and gives the layer a receptive
radius, which ``sol5.restore_image`` needs to cut tiles.
"""

import math

import keras
from keras import ops


def deformable_conv2d(inputs, offsets, kernel, *, max_offset):
    """Convolve ``inputs`` with ``kernel``, each tap read at its own offset, bilinearly.

    Parameters
    ----------
    inputs : tensor
        ``(batch, height, width, channels)``, float.
    offsets : tensor
        ``(batch, height, width, 2 * k * k)``: the row offsets of the ``k * k`` taps (in the
        kernel's row-major order), then their column offsets, in pixels. Clipped to
        ``[-max_offset, max_offset]``.
    kernel : tensor
        ``(k, k, channels, filters)``, as a ``keras.layers.Conv2D`` holds it (tap ``(i, j)``
        reads the pixel ``i - k // 2`` rows and ``j - k // 2`` columns away).
    max_offset : float
        The largest offset, in pixels, non-negative.

    Returns
    -------
    tensor
        ``(batch, height, width, filters)``. With zero offsets, exactly a "same" convolution;
        with every offset the integers ``(dy, dx)``, the "same" convolution's output shifted:
        ``out[i, j] = conv(x)[i + dy, j + dx]`` wherever ``(i + dy, j + dx)`` is in the image.
    """
    size = int(kernel.shape[0])
    taps = size * size
    radius = size // 2
    # Pad by how far any tap can reach, plus the bilinear neighbour one further on.
    pad = radius + int(math.ceil(max_offset)) + 1
    shape = ops.shape(inputs)
    batch, height, width, channels = shape[0], shape[1], shape[2], inputs.shape[-1]
    padded = ops.pad(inputs, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
    padded_width = width + 2 * pad
    pixels = ops.reshape(padded, (-1, channels))
    tap_rows = ops.convert_to_tensor([i - radius for i in range(size) for _ in range(size)], "float32")
    tap_cols = ops.convert_to_tensor([j - radius for _ in range(size) for j in range(size)], "float32")
    offsets = ops.clip(ops.cast(offsets, "float32"), -max_offset, max_offset)
    rows = ops.cast(ops.arange(height), "float32")[None, :, None, None] + pad
    cols = ops.cast(ops.arange(width), "float32")[None, None, :, None] + pad
    sample_rows = rows + tap_rows + offsets[..., :taps]  # (batch, height, width, taps)
    sample_cols = cols + tap_cols + offsets[..., taps:]
    top, left = ops.floor(sample_rows), ops.floor(sample_cols)
    down, right = sample_rows - top, sample_cols - left  # the bilinear weights' fractions
    first = ops.cast(ops.arange(batch), "int32")[:, None, None, None] * ((height + 2 * pad) * padded_width)
    top_index = first + ops.cast(top, "int32") * padded_width + ops.cast(left, "int32")

    def corner(step, weight):
        values = ops.take(pixels, top_index + step, axis=0)  # (batch, height, width, taps, channels)
        return values * ops.cast(weight, values.dtype)[..., None]

    sampled = (
        corner(0, (1 - down) * (1 - right))
        + corner(1, (1 - down) * right)
        + corner(padded_width, down * (1 - right))
        + corner(padded_width + 1, down * right)
    )
    weights = ops.reshape(ops.cast(kernel, sampled.dtype), (taps, channels, -1))
    return ops.einsum("bhwtc,tcf->bhwf", sampled, weights)


@keras.saving.register_keras_serializable(package="sol5lab")
class DeformableConv2D(keras.layers.Layer):
    """A deformable convolution whose offsets a "same" convolution of its input predicts.

    Parameters
    ----------
    filters : int
        Output channels.
    kernel_size : int, optional
        Side of the (square) kernel, odd.
    max_offset : float, optional
        The offsets are clipped to this many pixels either way.
    **kwargs
        Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Notes
    -----
    The offset convolution starts at zero (weights and bias), as Dai et al. initialise it, so
    the layer starts as a plain convolution and learns where to look.
    """

    def __init__(self, filters, kernel_size=3, max_offset=3.0, **kwargs):
        super().__init__(**kwargs)
        if int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size!r}.")
        if max_offset < 0:
            raise ValueError(f"max_offset must be non-negative, got {max_offset!r}.")
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.max_offset = float(max_offset)
        self.offset_conv = keras.layers.Conv2D(
            2 * self.kernel_size**2, self.kernel_size, padding="same", kernel_initializer="zeros"
        )

    def build(self, input_shape):
        channels = input_shape[-1]
        self.offset_conv.build(input_shape)
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer="glorot_uniform",
            name="kernel",
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, inputs):
        offsets = self.offset_conv(inputs)
        return deformable_conv2d(inputs, offsets, self.kernel, max_offset=self.max_offset) + self.bias

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def receptive_radius(self):
        """How far an output pixel sees (``sol5.receptive_radius`` asks): the kernel's half
        side plus the largest offset, rounded up; the offset convolution sees less."""
        return self.kernel_size // 2 + int(math.ceil(self.max_offset))

    def flops_per_pixel(self):
        """Operations per output pixel (``sol5lab.timing.conv_flops`` asks): the offset
        convolution, the bilinear sampling (4 products and 4 sums per tap and channel, weights
        aside) and the kernel's multiply-adds."""
        taps, channels = self.kernel_size**2, self.kernel.shape[2]
        return 2 * taps * channels * 2 * taps + 8 * taps * channels + 2 * taps * channels * self.filters

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "max_offset": self.max_offset,
        }
