"""Large Kernel Attention: with its convolutions at identity, the attention is its input."""

import keras
import numpy as np
import pytest

from sol5lab.networks import LargeKernelAttention

pytestmark = pytest.mark.portable


def test_attention_with_identity_convolutions_is_the_identity():
    channels = 3
    attention = LargeKernelAttention()
    attention.build((None, None, None, channels))
    local, long_range = np.zeros((5, 5, channels, 1)), np.zeros((7, 7, channels, 1))
    local[2, 2], long_range[3, 3] = 1, 1  # centre taps: depthwise identities
    attention.local.set_weights([local, np.zeros(channels)])
    attention.long_range.set_weights([long_range, np.zeros(channels)])
    attention.channel.set_weights([np.eye(channels)[np.newaxis, np.newaxis], np.zeros(channels)])
    features = np.random.default_rng(6).standard_normal((2, 13, 17, channels)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(attention.attention(features)), features, atol=1e-6)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(attention(features)), features * features, atol=1e-5
    )


def test_attention_at_random_weights_is_not_the_identity():
    attention = LargeKernelAttention()
    features = np.random.default_rng(7).standard_normal((1, 13, 17, 3)).astype("float32")
    attention(features)  # builds it
    assert np.abs(keras.ops.convert_to_numpy(attention.attention(features)) - features).max() > 0.1
    assert attention.receptive_radius() == 11
