"""Section 6: restoring whole images of any size with a patch-trained network."""

import numpy as np
import pytest
from keras.layers import Conv2D

import sol5

pytestmark = pytest.mark.portable


@pytest.fixture
def base_model():
    """An untrained 16x16 network whose weights are random: any mismatch shows."""
    return sol5.build_nn_model(16, 16, 8, 2)


def test_agrees_with_the_base_models_own_prediction(base_model):
    image = np.random.default_rng(0).random((16, 16))
    expected = (
        base_model.predict_on_batch((image - 0.5)[None, :, :, None].astype(np.float32))[0, :, :, 0] + 0.5
    )
    np.testing.assert_allclose(sol5.restore_image(image, base_model), np.clip(expected, 0, 1), atol=1e-5)


def test_a_larger_image_is_restored_like_its_patches_away_from_borders(base_model):
    """The network sees 6 pixels around each output pixel (6 convolutions): far from the border,
    restoring the whole image equals restoring a patch around the pixel."""
    image = np.random.default_rng(1).random((45, 61))
    restored = sol5.restore_image(image, base_model)
    patch = image[10:26, 20:36]
    np.testing.assert_allclose(
        restored[16:20, 26:30], sol5.restore_image(patch, base_model)[6:10, 6:10], atol=1e-5
    )


@pytest.mark.parametrize("shape", [(16, 16), (17, 33), (51, 20), (3, 5)])
def test_any_size_float64_clipped_and_input_untouched(base_model, shape):
    image = np.random.default_rng(2).random(shape)
    copy = image.copy()
    restored = sol5.restore_image(image, base_model)
    assert restored.shape == shape and restored.dtype == np.float64
    assert restored.min() >= 0 and restored.max() <= 1
    np.testing.assert_array_equal(image, copy)


def test_identity_network_restores_the_input_exactly(base_model):
    last = [layer for layer in base_model.layers if isinstance(layer, Conv2D)][-1]
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    image = np.round(np.random.default_rng(3).random((37, 29)) * 255) / 255
    np.testing.assert_allclose(sol5.restore_image(image, base_model), image, atol=1e-6)


def test_base_model_is_left_as_it_was(base_model):
    weights = [weight.copy() for weight in base_model.get_weights()]
    sol5.restore_image(np.random.default_rng(4).random((40, 40)), base_model)
    assert base_model.input_shape == (None, 16, 16, 1)
    for before, after in zip(weights, base_model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((16, 16, 1)), "2-D"),
        (np.full((16, 16), 1.5), r"\[0, 1\]"),
        (np.full((16, 16), np.nan), "finite"),
    ],
)
def test_rejects_what_is_not_a_grayscale_image(base_model, image, message):
    with pytest.raises(ValueError, match=message):
        sol5.restore_image(image, base_model)
