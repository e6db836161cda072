"""What the course's presubmission script checks: the API and quick mode of both tasks."""

import inspect

import keras
import pytest
from keras.layers import Conv2D

import sol5
import sol5_utils

#: Every function of the assignment with its exact positional parameters and defaults.
ASSIGNMENT_SIGNATURES = {
    "read_image": ["filename", "representation"],
    "load_dataset": ["filenames", "batch_size", "corruption_func", "crop_size"],
    "resblock": ["input_tensor", "num_channels"],
    "build_nn_model": ["height", "width", "num_channels", "num_res_blocks"],
    "train_model": [
        "model",
        "images",
        "corruption_func",
        "batch_size",
        "steps_per_epoch",
        "num_epochs",
        "num_valid_samples",
    ],
    "restore_image": ["corrupted_image", "base_model"],
    "add_gaussian_noise": ["image", "min_sigma", "max_sigma"],
    "learn_denoising_model": ["num_res_blocks=5", "quick_mode=False"],
    "add_motion_blur": ["image", "kernel_size", "angle"],
    "random_motion_blur": ["image", "list_of_kernel_sizes"],
    "learn_deblurring_model": ["num_res_blocks=5", "quick_mode=False"],
    "deep_prior_restore_image": ["corrupted_image"],
}

UTILS_SIGNATURES = {
    "relpath": ["filename"],
    "list_images": ["path", "use_shuffle=True"],
    "images_for_denoising": [],
    "images_for_deblurring": [],
    "images_for_super_resolution": [],
    "motion_blur_kernel": ["kernel_size", "angle"],
}


def positional_parameters(function):
    """The parameters a caller may pass by position, as 'name' or 'name=default'."""
    return [
        name if parameter.default is inspect.Parameter.empty else f"{name}={parameter.default!r}"
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]


@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [(sol5, *item) for item in ASSIGNMENT_SIGNATURES.items()]
    + [(sol5_utils, *item) for item in UTILS_SIGNATURES.items()],
)
def test_signature(module, name, expected):
    function = getattr(module, name)
    assert positional_parameters(function) == expected
    extras = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    assert all(
        p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty for p in extras
    ), "extensions beyond the assignment must be optional and keyword-only"


@pytest.mark.parametrize(
    ("learn", "patch", "channels"),
    [
        # TensorFlow only, as the course runs it: under JAX, tests/test_train_model.py trains
        # through the same train_model, which learn_*_model feeds with its NumPy corruption
        (sol5.learn_denoising_model, 24, 48),
        (sol5.learn_deblurring_model, 16, 32),
    ],
)
def test_quick_mode_trains_a_model_of_the_right_size(datasets, learn, patch, channels):
    model = learn(quick_mode=True, verbose=0)
    assert isinstance(model, keras.Model)
    assert model.input_shape == (None, patch, patch, 1)
    convs = [layer for layer in model.layers if isinstance(layer, Conv2D)]
    assert len(convs) == 2 * 5 + 2
    assert [conv.filters for conv in convs[:-1]] == [channels] * 11 and convs[-1].filters == 1
    # quick mode's budget: 2 epochs of 3 steps of 10 patches, validated on 30
    history = model.history.history
    assert len(history["loss"]) == len(history["val_loss"]) == 2
    assert model.history.params["steps"] == 3


def test_quick_mode_changes_numbers_only():
    for task in sol5.TASK_SETTINGS:
        full, quick = sol5.training_settings(task), sol5.training_settings(task, quick_mode=True)
        assert full.keys() == quick.keys()
        changed = {key for key in full if full[key] != quick[key]}
        assert changed == {"batch_size", "steps_per_epoch", "num_epochs", "num_valid_samples"}
        assert (
            quick["batch_size"],
            quick["steps_per_epoch"],
            quick["num_epochs"],
            quick["num_valid_samples"],
        ) == (10, 3, 2, 30)
        assert (full["batch_size"], full["steps_per_epoch"], full["num_valid_samples"]) == (100, 100, 1000)


def test_the_assignments_numbers():
    denoising, deblurring = sol5.training_settings("denoising"), sol5.training_settings("deblurring")
    assert (denoising["crop_size"], denoising["num_channels"], denoising["num_epochs"]) == ((24, 24), 48, 5)
    assert (denoising["min_sigma"], denoising["max_sigma"]) == (0.0, 0.2)
    assert (deblurring["crop_size"], deblurring["num_channels"], deblurring["num_epochs"]) == (
        (16, 16),
        32,
        10,
    )
    assert list(deblurring["kernel_sizes"]) == [7]
    with pytest.raises(ValueError, match="Unknown task"):
        sol5.training_settings("inpainting")


@pytest.mark.parametrize("learn", [sol5.learn_denoising_model, sol5.learn_deblurring_model])
def test_learn_passes_the_table_to_train_model(monkeypatch, learn):
    """The learn functions take every number from the settings table, in both modes."""
    received = []
    monkeypatch.setattr(
        sol5,
        "train_model",
        lambda model, images, corruption, *numbers, **kwargs: received.append(
            (model.input_shape, len(images) > 0, numbers)
        ),
    )
    monkeypatch.setattr(sol5_utils, "list_images", lambda path, use_shuffle=True: ["a.png", "b.png"])
    task = "denoising" if learn is sol5.learn_denoising_model else "deblurring"
    for quick in (False, True):
        learn(num_res_blocks=2, quick_mode=quick)
        settings = sol5.training_settings(task, quick)
        patch = settings["crop_size"]
        assert received[-1] == (
            (None, *patch, 1),
            True,
            (
                settings["batch_size"],
                settings["steps_per_epoch"],
                settings["num_epochs"],
                settings["num_valid_samples"],
            ),
        )
