"""Section 4: the residual block and the restoration network."""

import keras
import numpy as np
import pytest
from keras.layers import Activation, Add, Conv2D, InputLayer

import sol5


def conv_layers(model):
    return [layer for layer in model.layers if isinstance(layer, Conv2D)]


@pytest.mark.parametrize(
    ("num_channels", "num_res_blocks"),
    [pytest.param(4, 3, marks=pytest.mark.portable), (48, 5), (32, 1), (8, 0)],  # one also under JAX
)
def test_topology(num_channels, num_res_blocks):
    model = sol5.build_nn_model(24, 20, num_channels, num_res_blocks)
    assert model.input_shape == (None, 24, 20, 1)
    assert model.output_shape == (None, 24, 20, 1)
    assert {type(layer) for layer in model.layers} <= {InputLayer, Conv2D, Activation, Add}
    convs = conv_layers(model)
    assert len(convs) == 2 * num_res_blocks + 2
    assert [conv.filters for conv in convs] == [num_channels] * (len(convs) - 1) + [1]
    assert all(conv.kernel_size == (3, 3) and conv.padding == "same" for conv in convs)
    assert sum(isinstance(layer, Add) for layer in model.layers) == num_res_blocks + 1
    assert not model.compiled


@pytest.mark.portable
def test_output_is_input_plus_last_convolution():
    """Zero the last convolution and the network is the identity: the global skip connection."""
    model = sol5.build_nn_model(16, 16, 8, 2)
    last = conv_layers(model)[-1]
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    patches = np.random.default_rng(0).uniform(-0.5, 0.5, (3, 16, 16, 1)).astype(np.float32)
    np.testing.assert_allclose(model.predict_on_batch(patches), patches, atol=1e-6)


@pytest.mark.portable
def test_resblock_adds_its_input_before_the_last_relu():
    inputs = keras.Input((6, 6, 4))
    block = keras.Model(inputs, sol5.resblock(inputs, 4))
    convs = conv_layers(block)
    assert len(convs) == 2 and all(conv.filters == 4 for conv in convs)
    x = np.random.default_rng(1).normal(size=(2, 6, 6, 4)).astype(np.float32)
    convs[1].set_weights([np.zeros_like(weight) for weight in convs[1].get_weights()])
    np.testing.assert_allclose(block.predict_on_batch(x), np.maximum(x, 0), atol=1e-6)
    # with the second convolution's bias at -10 everything before the ReLU is below zero
    kernel, bias = convs[1].get_weights()
    convs[1].set_weights([kernel, np.full_like(bias, -10.0)])
    np.testing.assert_allclose(block.predict_on_batch(np.clip(x, -1, 1)), 0.0, atol=1e-6)


@pytest.mark.portable
def test_resblock_needs_matching_channels():
    with pytest.raises(ValueError, match="num_channels=8"):
        sol5.resblock(keras.Input((6, 6, 4)), 8)


@pytest.mark.portable
@pytest.mark.parametrize("arguments", [(0, 24, 48, 5), (24, 24, 0, 5), (24, 24, 48, -1), (24, 24.5, 48, 5)])
def test_build_rejects_bad_sizes(arguments):
    with pytest.raises(ValueError, match="must be an int"):
        sol5.build_nn_model(*arguments)
