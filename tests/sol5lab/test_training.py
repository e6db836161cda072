"""Training any task of the registry through the assignment's workflow."""

import dataclasses

import keras
import numpy as np
import pytest

import sol5
from sol5lab import tasks, timing, training


@pytest.mark.parametrize("task", [name for name, record in tasks.TASKS.items() if record.learn is None])
def test_a_lab_task_trains_with_its_records_images_corruption_and_settings(task, monkeypatch):
    received = {}

    def learn_model(images, corruption_func, num_res_blocks, settings, *, verbose="auto"):
        received.update(images=images, corruption=corruption_func, depth=num_res_blocks, settings=settings)
        return "model"

    monkeypatch.setattr(sol5, "learn_model", learn_model)
    record = tasks.TASKS[task]
    assert training.learn(task, 3, quick_mode=True, verbose=0) == "model"
    assert received["images"] == record.training_images()
    assert received["depth"] == 3 and received["settings"] == tasks.training_settings(task, quick_mode=True)
    # the corruption is the record's, with the record's ranges: the same draws from the same seed
    image = np.linspace(0, 1, 96 * 96).reshape(96, 96)
    sol5.set_seed(4)
    given = received["corruption"](image)
    sol5.set_seed(4)
    np.testing.assert_array_equal(given, record.training_corruption(received["settings"])(image))


def test_the_assignments_tasks_train_with_their_own_learner(monkeypatch):
    calls = []
    record = dataclasses.replace(
        tasks.TASKS["denoising"], learn=lambda **kwargs: calls.append(kwargs) or "model"
    )
    monkeypatch.setitem(tasks.TASKS, "denoising", record)
    monkeypatch.setattr(sol5, "learn_model", lambda *args, **kwargs: pytest.fail("not the task's learner"))
    assert training.learn("denoising", 2, quick_mode=True, verbose=0) == "model"
    assert calls == [{"num_res_blocks": 2, "quick_mode": True, "verbose": 0}]


def test_a_quick_lab_training_runs_two_epochs_on_its_patch_size(datasets):
    sol5.set_seed(0)
    model = training.learn_jpeg_deblocking_model(1, quick_mode=True, verbose=0)
    assert model.input_shape == (None, 24, 24, 1)
    history = model.history.history
    assert len(history["val_loss"]) == 2 and np.isfinite(history["loss"]).all()


def test_keras_policy_builds_in_bfloat16_and_restores_the_policy_even_on_error():
    with training.keras_policy("mixed_bfloat16"):
        model = sol5.build_nn_model(8, 8, 4, 1)
    assert keras.mixed_precision.global_policy().name == "float32"
    assert model.layers[1].compute_dtype == "bfloat16" and model.layers[1].kernel.dtype == "float32"
    # and it still restores an image, in float64 [0, 1]
    restored = sol5.restore_image(np.full((12, 10), 0.5), model)
    assert restored.dtype == np.float64 and restored.shape == (12, 10)
    with pytest.raises(RuntimeError), training.keras_policy("mixed_bfloat16"):
        raise RuntimeError("inside")
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.mark.portable
def test_a_bfloat16_model_moved_to_float32_keeps_its_weights_and_computes_as_one_built_in_float32():
    with training.keras_policy("mixed_bfloat16"):
        mixed = sol5.build_nn_model(16, 16, 4, 2)
    moved = training.with_policy(mixed, "float32")
    assert training.stored_policy(mixed) == "mixed_bfloat16" and training.stored_policy(moved) == "float32"
    assert all(np.array_equal(a, b) for a, b in zip(mixed.get_weights(), moved.get_weights(), strict=True))
    built = sol5.build_nn_model(16, 16, 4, 2)
    built.set_weights(mixed.get_weights())
    batch = np.random.default_rng(0).uniform(-0.5, 0.5, (2, 16, 16, 1)).astype("float32")
    moved_output = keras.ops.convert_to_numpy(moved(batch))
    np.testing.assert_array_equal(moved_output, keras.ops.convert_to_numpy(built(batch)))
    # bfloat16 rounds: the mixed model's output is near, not equal
    mixed_output = keras.ops.convert_to_numpy(keras.ops.cast(mixed(batch), "float32"))
    assert 0 < np.abs(mixed_output - moved_output).max() < 0.05
    assert training.with_policy(moved, "float32") is moved
    with pytest.raises(ValueError, match="policy must be a Keras dtype policy"):
        training.with_policy(mixed, "float31")


@pytest.mark.portable
def test_a_model_computes_in_float32_only_where_its_bfloat16_would_be_emulated(monkeypatch):
    with training.keras_policy("mixed_bfloat16"):
        mixed = sol5.build_nn_model(16, 16, 4, 1)
    monkeypatch.setattr(training, "native_bfloat16", lambda devices, cpu_flags: True)
    assert training.for_this_machine(mixed) is mixed
    monkeypatch.setattr(training, "native_bfloat16", lambda devices, cpu_flags: False)
    moved = training.for_this_machine(mixed)
    assert training.stored_policy(moved) == "float32"
    assert all(np.array_equal(a, b) for a, b in zip(mixed.get_weights(), moved.get_weights(), strict=True))
    # a model whose author mixed policies layer by layer keeps them
    inputs = keras.Input((8, 8, 1))
    hidden = keras.layers.Conv2D(2, 3, padding="same", dtype="mixed_bfloat16")(inputs)
    outputs = keras.layers.Conv2D(1, 3, padding="same", dtype="float32")(hidden)
    several = keras.Model(inputs, outputs)
    assert training.for_this_machine(several) is several


@pytest.mark.portable
def test_bfloat16_is_kept_only_where_the_machine_computes_it_natively():
    without = {"avx2": True, "avx512_bf16": False, "amx": False}
    assert training.compute_policy("mixed_bfloat16", ["cpu:0"], without) == "float32"
    assert (
        training.compute_policy("mixed_bfloat16", ["cpu:0"], {**without, "avx512_bf16": True})
        == "mixed_bfloat16"
    )
    assert training.compute_policy("mixed_bfloat16", ["cpu:0"], {**without, "amx": True}) == "mixed_bfloat16"
    assert training.compute_policy("mixed_bfloat16", ["gpu:0", "gpu:1"], without) == "mixed_bfloat16"
    assert training.compute_policy("float32", ["gpu:0"], without) == "float32"
    assert (
        training.compute_policy("mixed_bfloat16", ["cuda:0"], without) == "mixed_bfloat16"
    )  # PyTorch's name
    if training.keras_devices() == ["cpu:0"]:  # this machine's own answer follows its flags
        flags = timing.machine_info()["cpu_flags"]
        native = flags["avx512_bf16"] or flags["amx"]
        assert training.compute_policy("mixed_bfloat16") == ("mixed_bfloat16" if native else "float32")


@pytest.mark.portable
def test_a_training_budget_stops_fit_after_the_step_that_spends_it():
    model = sol5.build_nn_model(8, 8, 2, 0)
    sol5.compile_for_training(model)
    patches = np.random.default_rng(0).uniform(-0.5, 0.5, (4, 8, 8, 1)).astype("float32")
    budget = training.TrainingBudget(1e-9)  # spent by the first step
    history = model.fit(
        patches,
        patches,
        batch_size=1,
        epochs=3,
        validation_data=(patches, patches),
        verbose=0,
        callbacks=[budget],
    )
    assert len(history.history["val_loss"]) == 1  # the epoch in progress is still validated
    assert [point["steps"] for point in budget.curve] == [1]
    assert budget.curve[0]["val_psnr"] == pytest.approx(-10 * np.log10(history.history["val_loss"][0]))
    with pytest.raises(ValueError, match="positive"):
        training.TrainingBudget(0)
