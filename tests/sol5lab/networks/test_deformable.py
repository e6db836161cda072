"""The deformable convolution: a plain convolution at zero offsets, a shifted one at integer
offsets, bilinear in between, and a layer that trains and reaches as far as it says."""

import keras
import numpy as np
import pytest
from keras import ops

from sol5lab.networks import DeformableConv2D, deformable_conv2d

pytestmark = pytest.mark.portable

HEIGHT, WIDTH = 9, 11


@pytest.fixture
def inputs_and_kernel():
    rng = np.random.default_rng(5)
    return (
        rng.standard_normal((2, HEIGHT, WIDTH, 3)).astype("float32"),
        rng.standard_normal((3, 3, 3, 4)).astype("float32"),
    )


def uniform_offsets(dy, dx):
    offsets = np.zeros((2, HEIGHT, WIDTH, 18), "float32")
    offsets[..., :9], offsets[..., 9:] = dy, dx
    return offsets


def test_zero_offsets_are_a_plain_convolution(inputs_and_kernel):
    inputs, kernel = inputs_and_kernel
    deformed = deformable_conv2d(inputs, uniform_offsets(0, 0), kernel, max_offset=2.0)
    plain = ops.conv(inputs, kernel, padding="same")
    np.testing.assert_allclose(ops.convert_to_numpy(deformed), ops.convert_to_numpy(plain), atol=1e-5)


@pytest.mark.parametrize("dy, dx", [(1, 0), (0, -1), (2, -2)])
def test_an_integer_offset_is_the_convolution_shifted(inputs_and_kernel, dy, dx):
    inputs, kernel = inputs_and_kernel
    deformed = ops.convert_to_numpy(
        deformable_conv2d(inputs, uniform_offsets(dy, dx), kernel, max_offset=2.0)
    )
    plain = ops.convert_to_numpy(ops.conv(inputs, kernel, padding="same"))
    rows, cols = slice(max(0, -dy), HEIGHT - max(0, dy)), slice(max(0, -dx), WIDTH - max(0, dx))
    shifted_rows, shifted_cols = (
        slice(max(0, dy), HEIGHT - max(0, -dy)),
        slice(max(0, dx), WIDTH - max(0, -dx)),
    )
    np.testing.assert_allclose(deformed[:, rows, cols], plain[:, shifted_rows, shifted_cols], atol=1e-5)
    assert np.abs(deformed - plain).max() > 0.1  # the shift shows


def test_a_half_pixel_offset_averages_the_two_neighbours(inputs_and_kernel):
    inputs, kernel = inputs_and_kernel
    half = deformable_conv2d(inputs, uniform_offsets(0, 0.5), kernel, max_offset=2.0)
    ends = [deformable_conv2d(inputs, uniform_offsets(0, dx), kernel, max_offset=2.0) for dx in (0, 1)]
    expected = (ops.convert_to_numpy(ends[0]) + ops.convert_to_numpy(ends[1])) / 2
    np.testing.assert_allclose(ops.convert_to_numpy(half), expected, atol=1e-5)


def test_offsets_are_clipped_to_the_largest(inputs_and_kernel):
    inputs, kernel = inputs_and_kernel
    far = deformable_conv2d(inputs, uniform_offsets(5, 0), kernel, max_offset=1.0)
    clipped = deformable_conv2d(inputs, uniform_offsets(1, 0), kernel, max_offset=1.0)
    np.testing.assert_allclose(ops.convert_to_numpy(far), ops.convert_to_numpy(clipped), atol=1e-6)


def test_the_layer_starts_as_a_plain_convolution_and_learns_offsets(inputs_and_kernel):
    inputs, _ = inputs_and_kernel
    layer = DeformableConv2D(4, 3, max_offset=2.0)
    model = keras.Sequential([keras.Input((None, None, 3)), layer])
    plain = ops.convert_to_numpy(ops.conv(inputs, layer.kernel, padding="same") + layer.bias)
    np.testing.assert_allclose(model.predict_on_batch(inputs), plain, atol=1e-5)
    assert layer.receptive_radius() == 1 + 2
    model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(0.01))
    target = np.roll(model.predict_on_batch(inputs), 1, axis=2)  # what a shifted kernel makes
    model.train_on_batch(inputs, target)
    model.train_on_batch(inputs, target)
    assert np.abs(ops.convert_to_numpy(layer.offset_conv.kernel)).max() > 0  # the offsets got gradients
