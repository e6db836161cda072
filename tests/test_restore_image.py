"""Section 6: restoring whole images of any size with a patch-trained network."""

import gc
import weakref

import keras
import numpy as np
import pytest
from keras.layers import Conv2D

import sol5

# Under JAX (pytest.mark.portable): the calls into Keras, each once (a prediction, any size, the
# cached full-size models and their weights, a tiled restoration); the arithmetic of sizes, tiles
# and arguments is the same on every backend.
PORTABLE = pytest.mark.portable


@pytest.fixture
def base_model():
    """An untrained 16x16 network whose weights are random: any mismatch shows."""
    return sol5.build_nn_model(16, 16, 8, 2)


@PORTABLE
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


@PORTABLE
@pytest.mark.parametrize("shape", [(16, 16), (17, 33), (51, 20), (3, 5)])
def test_any_size_float64_clipped_and_input_untouched(base_model, shape):
    image = np.random.default_rng(2).random(shape)
    copy = image.copy()
    restored = sol5.restore_image(image, base_model)
    assert restored.shape == shape and restored.dtype == np.float64
    assert restored.min() >= 0 and restored.max() <= 1
    np.testing.assert_array_equal(image, copy)


@PORTABLE
def test_identity_network_restores_the_input_exactly(base_model):
    last = [layer for layer in base_model.layers if isinstance(layer, Conv2D)][-1]
    last.set_weights([np.zeros_like(weight) for weight in last.get_weights()])
    image = np.round(np.random.default_rng(3).random((37, 29)) * 255) / 255
    np.testing.assert_allclose(sol5.restore_image(image, base_model), image, atol=1e-6)


@PORTABLE
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


# --------------------------------------------------------------------------------------------
# The full-size model of a size is built once, and follows the base model's weights.
# --------------------------------------------------------------------------------------------


@pytest.fixture
def clone_calls(monkeypatch):
    """Count the full-size models built (``keras.models.clone_model`` calls)."""
    calls = []
    real_clone_model = keras.models.clone_model

    def counting_clone_model(*args, **kwargs):
        calls.append(kwargs.get("input_tensors"))
        return real_clone_model(*args, **kwargs)

    monkeypatch.setattr(keras.models, "clone_model", counting_clone_model)
    return calls


@PORTABLE
def test_a_repeated_size_reuses_its_full_size_model(base_model, clone_calls):
    rng = np.random.default_rng(5)
    image = rng.random((20, 30))
    first = sol5.restore_image(image, base_model)
    np.testing.assert_array_equal(sol5.restore_image(image, base_model), first)
    sol5.restore_image(rng.random((20, 30)), base_model)
    assert len(clone_calls) == 1
    sol5.restore_image(rng.random((30, 20)), base_model)  # another size: another model
    assert len(clone_calls) == 2


@PORTABLE
def test_the_cached_model_shows_the_base_models_new_weights(base_model, clone_calls):
    image = np.random.default_rng(6).random((16, 16))
    before = sol5.restore_image(image, base_model)
    base_model.set_weights([0.5 * weight for weight in base_model.get_weights()])
    after = sol5.restore_image(image, base_model)
    assert len(clone_calls) == 1
    expected = base_model.predict_on_batch((image - 0.5)[None, :, :, None].astype(np.float32))[0, :, :, 0]
    np.testing.assert_allclose(after, np.clip(expected + 0.5, 0, 1), atol=1e-5)
    assert np.abs(after - before).max() > 1e-3


def test_the_cache_keeps_the_last_few_sizes(base_model, clone_calls):
    rng = np.random.default_rng(7)
    sizes = [(10 + index, 12) for index in range(sol5.RESTORE_CACHED_SIZES + 2)]
    for size in sizes:
        sol5.restore_image(rng.random(size), base_model)
    assert list(sol5._full_size_models[base_model]) == sizes[-sol5.RESTORE_CACHED_SIZES :]
    sol5.restore_image(rng.random(sizes[-1]), base_model)  # recent: kept
    assert len(clone_calls) == len(sizes)
    sol5.restore_image(rng.random(sizes[0]), base_model)  # the oldest: dropped, built again
    assert len(clone_calls) == len(sizes) + 1


@PORTABLE
def test_the_cache_lets_a_model_nobody_uses_go():
    """The cache holds its base models weakly: a dropped model is freed, with its clones."""
    model = sol5.build_nn_model(16, 16, 8, 2)
    sol5.restore_image(np.random.default_rng(8).random((20, 24)), model)
    assert model in sol5._full_size_models
    reference = weakref.ref(model)
    del model
    gc.collect()
    assert reference() is None


# --------------------------------------------------------------------------------------------
# Large images are restored in overlapping tiles, with the same result as whole.
# --------------------------------------------------------------------------------------------


@pytest.fixture
def deep_model():
    """Three blocks (receptive radius 8) and a small correction, as a trained model makes: the
    output stays inside [0, 1], where clipping cannot hide a difference."""
    model = sol5.build_nn_model(16, 16, 8, 3)
    last = [layer for layer in model.layers if isinstance(layer, Conv2D)][-1]
    kernel, bias = last.get_weights()
    last.set_weights([0.05 * kernel, bias])
    return model


def test_the_receptive_radius_counts_every_convolution(deep_model):
    assert sol5.receptive_radius(deep_model) == 2 + 2 * 3
    inputs = keras.Input((None, None, 1))
    wide = keras.layers.Conv2D(2, 5, padding="same")(inputs)
    dilated = keras.layers.Conv2D(1, 3, dilation_rate=2, padding="same")(wide)
    assert sol5.receptive_radius(keras.Model(inputs, dilated)) == 2 + 2


@pytest.mark.parametrize("margin", [0, 3, 8])
@pytest.mark.parametrize("max_window", [17, 24, 40])
def test_tiles_cover_each_line_once_with_the_margin_inside_the_image(margin, max_window):
    for length in range(1, 130):
        tiles = sol5._tiles_along(length, max_window, margin)
        assert len({stop - start for start, stop, _, _ in tiles}) == 1  # one window size
        assert tiles[0][0] == tiles[0][2] == 0 and tiles[-1][1] == tiles[-1][3] == length
        for (start, stop, first, last), following in zip(tiles, tiles[1:] + [None], strict=True):
            assert stop - start <= max(max_window, length if len(tiles) == 1 else 0)
            assert start <= first < last <= stop
            assert first - start >= margin or start == 0  # else the image's own border
            assert stop - last >= margin or stop == length
            if following is not None:
                assert following[2] == last  # the kept parts meet, without gap or overlap


@pytest.mark.parametrize("shape", [pytest.param((70, 53), marks=PORTABLE), (23, 101), (100, 17)])
def test_tiled_restoration_equals_the_whole_one(deep_model, monkeypatch, clone_calls, shape):
    image = 0.25 + 0.5 * np.random.default_rng(8).random(shape)
    copy = image.copy()
    whole = sol5.restore_image(image, deep_model)
    assert 0 < whole.min() and whole.max() < 1  # nothing clipped: every difference would show
    monkeypatch.setattr(sol5, "RESTORE_TILE_PIXELS", 24 * 24)
    tiles = sol5.restoration_tiles(shape, sol5.receptive_radius(deep_model))
    assert len(tiles) > 4
    tiled = sol5.restore_image(image, deep_model)
    assert len(clone_calls) == 2  # the whole image's model, then one for all the tiles
    np.testing.assert_allclose(tiled, whole, atol=1e-4, rtol=0)
    np.testing.assert_array_equal(image, copy)


def test_a_margin_smaller_than_the_receptive_radius_would_show(deep_model, monkeypatch):
    """The check above can fail: with too small a margin the tiles' seams differ."""
    image = 0.25 + 0.5 * np.random.default_rng(9).random((70, 53))
    whole = sol5.restore_image(image, deep_model)
    monkeypatch.setattr(sol5, "RESTORE_TILE_PIXELS", 24 * 24)
    monkeypatch.setattr(sol5, "receptive_radius", lambda model: 4)
    assert np.abs(sol5.restore_image(image, deep_model) - whole).max() > 1e-4


def test_tiles_too_small_for_the_receptive_radius_are_refused(deep_model, monkeypatch):
    monkeypatch.setattr(sol5, "RESTORE_TILE_PIXELS", 16 * 16)  # a side of 16 = twice the radius
    with pytest.raises(ValueError, match="tile_pixels allows tiles"):
        sol5.restore_image(np.full((40, 40), 0.5), deep_model)


def test_a_4096_image_would_be_tiled_and_a_2048_one_not():
    radius = 2 + 2 * 5
    assert len(sol5.restoration_tiles((2048, 2048), radius)) == 1
    tiles = sol5.restoration_tiles((4096, 4096), radius)
    assert len(tiles) > 1
    assert all(
        (rows.stop - rows.start) * (cols.stop - cols.start) <= sol5.RESTORE_TILE_PIXELS
        for (rows, cols), _ in tiles
    )
