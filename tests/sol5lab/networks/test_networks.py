"""What every network of the registry must do: any size in and out, the receptive radius its
formula says (measured, and as ``sol5.receptive_radius`` counts it), a training step that lowers
the loss, and ``sol5.restore_image`` applying it, tiled or whole."""

import numpy as np
import pytest

import sol5
from sol5lab import networks, training

PORTABLE = pytest.mark.portable

#: Small settings of each network, so that a test takes a fraction of a second, and the radius
#: each network's formula gives for them.
SMALL = {
    "resnet": ({"num_channels": 4, "num_res_blocks": 2}, 2 + 2 * 2),
    "dncnn": ({"num_channels": 4, "num_layers": 5}, 5),
    "rednet": ({"num_channels": 4, "num_layers": 4}, 2 * 4),
    "memnet": ({"num_channels": 4, "num_memory_blocks": 2, "num_recursions": 2}, 2 + 2 * 2 * 2),
    "lka_resnet": ({"num_channels": 4, "num_blocks": 1}, 2 + 12 * 1),
}


#: Every network, the one of custom layers (large-kernel attention, deformable offsets) also under
#: JAX: the others are Keras' own layers, each size is a new trace there, and a training step of
#: MemNet's unrolled recursions alone took 12 s to compile.
CUSTOM_LAYERS_UNDER_JAX = [
    pytest.param(name, marks=PORTABLE) if name == "lka_resnet" else name for name in SMALL
]


@PORTABLE
def test_every_registered_network_is_tested_here():
    assert set(SMALL) == set(networks.ARCHITECTURES)


@pytest.mark.parametrize("name", CUSTOM_LAYERS_UNDER_JAX)
def test_any_image_size_in_the_same_size_out(name):
    settings, _ = SMALL[name]
    model = networks.build(name, **settings)
    assert model.input_shape == (None, None, None, 1)
    image = np.random.default_rng(1).uniform(-0.5, 0.5, (2, 23, 37, 1)).astype("float32")
    output = model.predict_on_batch(image)
    assert output.shape == (2, 23, 37, 1) and np.isfinite(output).all()
    # restore_image is the same network in the [0, 1] frame, clipped
    restored = sol5.restore_image(image[0, :, :, 0] + 0.5, model)
    np.testing.assert_allclose(restored, np.clip(output[0, :, :, 0] + 0.5, 0, 1), atol=1e-5)


@pytest.mark.parametrize("name", CUSTOM_LAYERS_UNDER_JAX)
def test_the_receptive_radius_is_the_formulas(name):
    """An impulse ``radius`` pixels from the centre changes the centre's output; one pixel
    further does not, to the last bit. ``sol5.receptive_radius``, which tiles the restoration,
    counts the same."""
    settings, radius = SMALL[name]
    model = networks.build(name, **settings)
    assert sol5.receptive_radius(model) == radius
    side = 2 * radius + 5
    centre = side // 2
    base = np.random.default_rng(2).uniform(-0.5, 0.5, (side, side)).astype("float32")
    batch = np.stack([base, base.copy(), base.copy(), base.copy()])[..., np.newaxis]
    batch[1, centre, centre + radius] += 1.0
    batch[2, centre - radius, centre] -= 1.0
    batch[3, centre, centre + radius + 1] += 1.0
    batch[3, centre - radius - 1, centre - radius - 1] += 1.0
    output = model.predict_on_batch(batch)[:, centre, centre, 0]
    # At the edge of the field the change is a product of many small weights (down to 1e-6 here),
    # but outside it no arithmetic touches the impulse at all.
    assert output[1] != output[0] and output[2] != output[0]
    assert output[3] == output[0]


@pytest.mark.parametrize("name", CUSTOM_LAYERS_UNDER_JAX)
def test_one_training_step_lowers_the_loss_on_a_fixed_batch(name):
    settings, _ = SMALL[name]
    model = networks.build(name, 12, 12, **settings)
    rng = np.random.default_rng(3)
    clean = rng.uniform(-0.5, 0.5, (4, 12, 12, 1)).astype("float32")
    noisy = clean + rng.normal(0, 0.1, clean.shape).astype("float32")
    sol5.compile_for_training(model)
    before = float(model.train_on_batch(noisy, clean))  # the loss before this step's update
    after = float(model.train_on_batch(noisy, clean))
    assert after < before


# TensorFlow only: the tiling is restore_image's, tested under JAX in tests/test_restore_image.py
@pytest.mark.parametrize("name", ["memnet", "lka_resnet"])
def test_tiles_of_a_network_with_its_own_radius_agree_with_the_whole(name, monkeypatch):
    settings, radius = SMALL[name]
    model = networks.build(name, 12, 12, **settings)  # built on patches, as trained
    image = np.random.default_rng(4).uniform(0.3, 0.7, (40, 70))
    whole = sol5.restore_image(image, model)
    monkeypatch.setattr(sol5, "RESTORE_TILE_PIXELS", (2 * radius + 10) ** 2)
    assert len(sol5.restoration_tiles(image.shape, sol5.receptive_radius(model))) > 1
    np.testing.assert_allclose(sol5.restore_image(image, model), whole, atol=1e-5)


@PORTABLE
def test_settings_are_checked_and_the_task_gives_the_width():
    with pytest.raises(ValueError, match="no settings"):
        networks.build("rednet", num_blocks=3)
    with pytest.raises(ValueError, match="Unknown architecture"):
        networks.build("unet")
    assert training.network_settings("deblurring", "dncnn")["num_channels"] == 32
    assert training.network_settings("denoising", "resnet", 3) == {"num_channels": 48, "num_res_blocks": 3}
    assert (
        training.network_settings("denoising", "memnet", overrides={"num_channels": 8})["num_channels"] == 8
    )
