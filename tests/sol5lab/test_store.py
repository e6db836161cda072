"""Trained models saved with their training record inside, and reused only when it matches and is whole."""

import json
import os
import zipfile

import numpy as np
import pytest

from sol5lab import store, training

# Under JAX (pytest.mark.portable): a model saved with its record and read back, whole or damaged,
# and one trained under a policy. The quick training that is saved and loaded again is
# TensorFlow's alone: under JAX, tests/sol5lab/test_resumable.py saves and resumes a training.
PORTABLE = pytest.mark.portable


@pytest.fixture
def counting_learners(monkeypatch):
    """Count the training runs while still training for real."""
    calls = []
    learn = training.learn

    def counted(task, num_res_blocks=5, quick_mode=False, **kwargs):
        calls.append((task, num_res_blocks))
        return learn(task, num_res_blocks, quick_mode, **kwargs)

    monkeypatch.setattr(training, "learn", counted)
    return calls


@pytest.fixture
def instant_learners(monkeypatch):
    """Count the training runs, each giving at once an untrained model with a history: for what
    the store does with models, not how they learn."""
    import sol5

    calls = []

    def instant(task, num_res_blocks=5, quick_mode=False, **kwargs):
        calls.append((task, num_res_blocks))
        model = sol5.build_nn_model(16, 16, 4, num_res_blocks)
        model.history = type("History", (), {"history": {"loss": [1.0], "val_loss": [1.0]}})()
        return model

    monkeypatch.setattr(training, "learn", instant)
    return calls


def test_a_model_is_trained_once_then_loaded(tmp_path, datasets, counting_learners):
    stem = str(tmp_path / "deblurring_small")
    model, record = store.trained_model("deblurring", stem, num_res_blocks=1, seed=3, quick_mode=True)
    assert counting_learners == [("deblurring", 1)]
    assert not record["reused"]
    assert os.listdir(tmp_path) == ["deblurring_small.keras"]  # the record is inside, nothing else
    saved = store.read_record(stem + ".keras")
    assert saved["num_res_blocks"] == 1 and saved["seed"] == 3 and saved["settings"]["num_epochs"] == 2
    assert len(saved["history"]["val_loss"]) == 2 and saved["training_seconds"] > 0
    assert saved["parameters"] == model.count_params() == record["parameters"]

    loaded, again = store.trained_model("deblurring", stem, num_res_blocks=1, seed=3, quick_mode=True)
    assert counting_learners == [("deblurring", 1)]  # not trained again
    assert again["reused"] and again["history"] == record["history"]
    patches = np.random.default_rng(0).random((2, 16, 16, 1)).astype("float32") - 0.5
    np.testing.assert_allclose(loaded.predict_on_batch(patches), model.predict_on_batch(patches), atol=1e-6)


def test_a_different_seed_or_depth_or_retrain_trains_again(tmp_path, instant_learners):
    counting_learners = instant_learners
    stem = str(tmp_path / "run")
    store.trained_model("deblurring", stem, num_res_blocks=1, seed=0, quick_mode=True)
    store.trained_model("deblurring", stem, num_res_blocks=1, seed=1, quick_mode=True)
    store.trained_model("deblurring", stem, num_res_blocks=2, seed=1, quick_mode=True)
    assert len(counting_learners) == 3
    store.trained_model("deblurring", stem, num_res_blocks=2, seed=1, quick_mode=True, retrain=True)
    assert len(counting_learners) == 4


def rewrite_member(path, name, transform):
    """Rewrite one member of a zip archive, as an editor or a bad copy would."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    members[name] = transform(members[name])
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def other_backend(data):
    record = json.loads(data)
    record["backend"] = "another backend"
    return json.dumps(record)


def other_weights(data):
    middle = len(data) // 2
    return data[:middle] + bytes(255 - byte for byte in data[middle : middle + 16]) + data[middle + 16 :]


@PORTABLE
@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda path: rewrite_member(path, store.RECORD_MEMBER, other_backend), "backend"),
        (lambda path: rewrite_member(path, "model.weights.h5", other_weights), "weights"),
        (lambda path: open(path, "r+b").truncate(os.path.getsize(path) // 2), "damaged"),
        (lambda path: open(path, "wb").close(), "damaged"),
    ],
    ids=["another backend's record", "other weights", "truncated", "empty"],
)
def test_a_damaged_or_mismatched_model_is_trained_again_saying_why(
    tmp_path, instant_learners, capsys, damage, reason
):
    counting_learners = instant_learners
    stem = str(tmp_path / "run")
    store.trained_model("deblurring", stem, num_res_blocks=1, seed=0, quick_mode=True)
    damage(stem + ".keras")
    _, record = store.trained_model("deblurring", stem, num_res_blocks=1, seed=0, quick_mode=True)
    assert len(counting_learners) == 2 and not record["reused"]
    output = capsys.readouterr().out
    assert f"not reusing: {stem}.keras" in output and reason in output
    store.load_trained(stem + ".keras", record_config(record))  # the new one is whole again


def record_config(record):
    return {key: record[key] for key in ("task", "num_res_blocks", "seed", "settings", "backend")}


def test_another_tasks_model_under_this_name_is_refused(tmp_path, instant_learners):
    stem = str(tmp_path / "denoising")
    model, record = store.trained_model("deblurring", stem, num_res_blocks=1, seed=0, quick_mode=True)
    asked = store.training_config("denoising", num_res_blocks=1, seed=0, quick_mode=True)
    with pytest.raises(
        store.StoredModelError, match=r"denoising.keras.*task 'deblurring' \(asked 'denoising'\)"
    ):
        store.load_trained(stem + ".keras", asked)
    loaded, _ = store.load_trained(stem + ".keras", record_config(record))
    assert loaded.count_params() == model.count_params()


def test_the_same_seed_gives_the_same_record_config():
    first = store.training_config("denoising", num_res_blocks=4, seed=2, quick_mode=False)
    assert first == store.training_config("denoising", num_res_blocks=4, seed=2, quick_mode=False)
    assert first["settings"]["crop_size"] == [24, 24]  # JSON-ready
    with pytest.raises(ValueError, match="Unknown task"):
        store.training_config("inpainting", num_res_blocks=1, seed=0, quick_mode=False)


@PORTABLE
def test_the_assignments_network_keeps_its_config_and_another_network_names_itself():
    plain = store.training_config("denoising", num_res_blocks=4, seed=2, quick_mode=False)
    assert "architecture" not in plain  # the records of earlier runs still match
    other = store.training_config(
        "denoising", num_res_blocks=4, seed=2, quick_mode=False, architecture="rednet",
        architecture_settings={"skips": False}, budget_seconds=60,
    )  # fmt: skip
    assert other["architecture"] == "rednet" and other["budget_seconds"] == 60.0
    assert other["network"]["skips"] is False and other["network"]["num_channels"] == 48


@PORTABLE
def test_a_dtype_policy_names_itself_and_trains_under_it_then_is_put_back(tmp_path, datasets):
    import keras

    plain = store.training_config("deblurring", num_res_blocks=1, seed=0, quick_mode=True, policy="float32")
    assert "policy" not in plain  # float32, the default, adds nothing: earlier records still match
    model, record = store.trained_model(
        "deblurring", str(tmp_path / "bf16"), num_res_blocks=1, seed=0, quick_mode=True, verbose=0,
        policy="mixed_bfloat16", budget_seconds=60,
    )  # fmt: skip
    assert record["policy"] == "mixed_bfloat16"
    assert {layer.dtype_policy.name for layer in model.layers if layer.weights} == {"mixed_bfloat16"}
    assert keras.mixed_precision.global_policy().name == "float32"
    _, again = store.trained_model(
        "deblurring", str(tmp_path / "bf16"), num_res_blocks=1, seed=0, quick_mode=True, verbose=0,
        policy="mixed_bfloat16", budget_seconds=60,
    )  # fmt: skip
    assert again["reused"]
