"""The mixed-precision trial: its rule, and a quick run that leaves Keras' policy as it found it."""

import os

import keras
import pytest

from sol5lab import files
from sol5lab.experiments import precision as precision_trial


def run(seconds, psnr):
    return {"training_seconds": seconds, "mean_psnr": psnr}


@pytest.mark.parametrize(
    ("bfloat16", "offered"),
    [
        (run(70.0, 27.95), True),  # 1.43x faster, 0.05 dB lost
        (run(80.0, 27.95), False),  # only 1.25x faster
        (run(70.0, 27.85), False),  # 0.15 dB lost
    ],
)
def test_the_rule_needs_both_speed_and_quality(bfloat16, offered):
    result = precision_trial.verdict({"float32": run(100.0, 28.0), "mixed_bfloat16": bfloat16})
    assert result["offer_bfloat16"] is offered
    assert result["speedup"] == pytest.approx(100.0 / bfloat16["training_seconds"])
    assert result["psnr_loss_db"] == pytest.approx(28.0 - bfloat16["mean_psnr"])


def test_a_quick_trial_trains_both_policies_and_restores_the_policy(committed_copy, datasets):
    result = precision_trial.main(["--quick", "--results-dir", committed_copy.results])
    assert keras.mixed_precision.global_policy().name == "float32"
    committed_copy.assert_only_variants_added("quick")
    assert files.read_json(os.path.join(committed_copy.results, "mixed_precision_quick.json")) == result
    assert set(result["runs"]) == {"float32", "mixed_bfloat16"}
    for policy_run in result["runs"].values():
        assert len(policy_run["psnr"]) == 3
        assert policy_run["mean_psnr"] == pytest.approx(sum(policy_run["psnr"].values()) / 3)
    # the two policies really trained different arithmetic
    assert result["runs"]["float32"]["val_mse"] != result["runs"]["mixed_bfloat16"]["val_mse"]
