"""Mixed precision on trial: does ``mixed_bfloat16`` train the denoiser faster without losing quality?

``learn_denoising_model()`` is trained at the assignment's settings twice from the same seed,
once under Keras' ``"float32"`` policy and once under ``"mixed_bfloat16"`` (bfloat16
arithmetic, float32 weights), timed, and both models are scored on the held-out denoising cases
of :mod:`sol5lab.protocols`. The verdict follows the rule set before the trial: bfloat16 is worth offering
if it trains at least :data:`MIN_SPEEDUP` times faster and loses less than :data:`MAX_LOSS_DB` of
mean PSNR. Either way the assignment's functions keep float32.

Run ``python -m sol5lab.experiments.precision`` (``make precision``, about 10 minutes on 2 cores); it writes
``results/mixed_precision.json``. ``--quick`` trains one block in quick mode and scores a 128x128
window of one image, as a smoke test.
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

import sol5
import sol5_utils
from sol5lab import evaluation, files, protocols, tasks, training

POLICIES = ("float32", "mixed_bfloat16")
SEED = 0

#: The rule of issue 6: offer bfloat16 only if this much faster ...
MIN_SPEEDUP = 1.3
#: ... and losing less than this of mean held-out PSNR.
MAX_LOSS_DB = 0.1


def train_and_score(policy, *, quick_mode, max_images):
    """Train the denoiser under ``policy`` and score it on the held-out cases.

    The policy decides the dtype of the layers built while it is set (:func:`keras_policy`).

    Returns
    -------
    dict
        ``policy``, ``training_seconds``, the final ``val_mse``, the mean ``psnr`` per condition
        and overall (``mean_psnr``).
    """
    with training.keras_policy(policy):
        sol5.set_seed(SEED)
        start = time.perf_counter()
        # quick mode is a smoke test of the code path: one block, since a CPU without native
        # bfloat16 emulates it (a 5-block quick trial took 40 s of the test suite there)
        model = sol5.learn_denoising_model(
            num_res_blocks=1 if quick_mode else 5, quick_mode=quick_mode, verbose=2
        )
        seconds = time.perf_counter() - start
        rows = evaluation.score(
            protocols.cases(
                "denoising", max_images=max_images, max_side=protocols.QUICK_MAX_SIDE if quick_mode else None
            ),
            lambda corrupted, parameters: sol5.restore_image(corrupted, model),
        )
    conditions = [condition["name"] for condition in tasks.TASKS["denoising"].conditions]
    by_condition = evaluation.mean_by_condition(rows, conditions)
    return {
        "policy": policy,
        "training_seconds": seconds,
        "val_mse": float(model.history.history["val_loss"][-1]),
        "psnr": {condition: scores["restored"]["psnr"] for condition, scores in by_condition.items()},
        "mean_psnr": float(np.mean([row["restored"]["psnr"] for row in rows])),
    }


def verdict(runs):
    """Compare the bfloat16 run with the float32 one by the rule of :data:`MIN_SPEEDUP` and
    :data:`MAX_LOSS_DB`."""
    float32, bfloat16 = runs["float32"], runs["mixed_bfloat16"]
    speedup = float32["training_seconds"] / bfloat16["training_seconds"]
    loss = float32["mean_psnr"] - bfloat16["mean_psnr"]
    return {
        "speedup": speedup,
        "psnr_loss_db": loss,
        "offer_bfloat16": bool(speedup >= MIN_SPEEDUP and loss < MAX_LOSS_DB),
    }


def main(argv=None):
    """Run the trial; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick-mode training, one image")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    max_images = 1 if args.quick else None
    runs = {
        policy: train_and_score(policy, quick_mode=args.quick, max_images=max_images) for policy in POLICIES
    }
    result = {
        "command": "python -m sol5lab.experiments.precision" + (" --quick" if args.quick else ""),
        "backend": keras.backend.backend(),
        "seed": SEED,
        "runs": runs,
        "rule": {"min_speedup": MIN_SPEEDUP, "max_loss_db": MAX_LOSS_DB},
        **verdict(runs),
    }
    name = files.variant("mixed_precision", args.quick) + ".json"
    files.write_json(os.path.join(args.results_dir, name), result)
    print(
        f"float32 {runs['float32']['training_seconds']:.0f} s, {runs['float32']['mean_psnr']:.2f} dB; "
        f"mixed_bfloat16 {runs['mixed_bfloat16']['training_seconds']:.0f} s, "
        f"{runs['mixed_bfloat16']['mean_psnr']:.2f} dB: {result['speedup']:.2f}x faster, "
        f"{result['psnr_loss_db']:+.2f} dB lost; offer bfloat16: {result['offer_bfloat16']}"
    )
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
