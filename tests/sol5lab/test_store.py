"""Trained models saved beside their training record, and reused only when the record matches."""

import json
import os

import numpy as np
import pytest

from sol5lab import store, training

pytestmark = pytest.mark.portable


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


def test_a_model_is_trained_once_then_loaded(tmp_path, datasets, counting_learners):
    stem = str(tmp_path / "deblurring_small")
    model, record = store.trained_model("deblurring", stem, num_res_blocks=1, seed=3, quick_mode=True)
    assert counting_learners == [("deblurring", 1)]
    assert not record["reused"]
    assert os.path.isfile(stem + ".keras")
    with open(stem + ".json", encoding="utf-8") as file:
        saved = json.load(file)
    assert saved["num_res_blocks"] == 1 and saved["seed"] == 3 and saved["settings"]["num_epochs"] == 2
    assert len(saved["history"]["val_loss"]) == 2 and saved["training_seconds"] > 0

    loaded, again = store.trained_model("deblurring", stem, num_res_blocks=1, seed=3, quick_mode=True)
    assert counting_learners == [("deblurring", 1)]  # not trained again
    assert again["reused"] and again["history"] == record["history"]
    patches = np.random.default_rng(0).random((2, 16, 16, 1)).astype("float32") - 0.5
    np.testing.assert_allclose(loaded.predict_on_batch(patches), model.predict_on_batch(patches), atol=1e-6)


def test_a_different_seed_depth_or_record_trains_again(tmp_path, datasets, counting_learners):
    stem = str(tmp_path / "run")
    store.trained_model("deblurring", stem, num_res_blocks=1, seed=0, quick_mode=True)
    store.trained_model("deblurring", stem, num_res_blocks=1, seed=1, quick_mode=True)
    store.trained_model("deblurring", stem, num_res_blocks=2, seed=1, quick_mode=True)
    assert len(counting_learners) == 3
    with open(stem + ".json", encoding="utf-8") as file:
        record = json.load(file)
    record["backend"] = "another backend"
    with open(stem + ".json", "w", encoding="utf-8") as file:
        json.dump(record, file)
    store.trained_model("deblurring", stem, num_res_blocks=2, seed=1, quick_mode=True)
    assert len(counting_learners) == 4
    store.trained_model("deblurring", stem, num_res_blocks=2, seed=1, quick_mode=True, retrain=True)
    assert len(counting_learners) == 5


def test_the_same_seed_gives_the_same_record_config():
    first = store.training_config("denoising", num_res_blocks=4, seed=2, quick_mode=False)
    assert first == store.training_config("denoising", num_res_blocks=4, seed=2, quick_mode=False)
    assert first["settings"]["crop_size"] == [24, 24]  # JSON-ready
    with pytest.raises(ValueError, match="Unknown task"):
        store.training_config("inpainting", num_res_blocks=1, seed=0, quick_mode=False)


def test_the_assignments_network_keeps_its_config_and_another_network_names_itself():
    plain = store.training_config("denoising", num_res_blocks=4, seed=2, quick_mode=False)
    assert "architecture" not in plain  # the records of earlier runs still match
    other = store.training_config(
        "denoising", num_res_blocks=4, seed=2, quick_mode=False, architecture="rednet",
        architecture_settings={"skips": False}, budget_seconds=60,
    )  # fmt: skip
    assert other["architecture"] == "rednet" and other["budget_seconds"] == 60.0
    assert other["network"]["skips"] is False and other["network"]["num_channels"] == 48
