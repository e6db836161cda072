"""Why the Deep Image Prior's settings are what they are: each choice against its alternative.

The denoising curves of :mod:`sol5lab.experiments.deep_prior` are rerun with one setting of
``sol5.DEEP_PRIOR_SETTINGS`` changed at a time (:data:`VARIANTS`), on the same noisy crops, and
each variant's best mean PSNR and its step go to ``results/deep_prior_variants.json``. Run
``python -m sol5lab.experiments.deep_prior_variants`` (``make deep-prior`` runs it after the
study); ``--quick`` runs a tiny version for a smoke test.
"""

import argparse
import os
import sys

import keras
import numpy as np

import sol5_utils
from sol5lab import files
from sol5lab.experiments.deep_prior import BUDGETS, NOISE_SIGMA, SEED, center_crops, psnr_curves
from sol5lab.reporting import deep_prior as deep_prior_report

#: The choices of ``sol5.DEEP_PRIOR_SETTINGS`` against their alternatives.
VARIANTS = {
    "chosen: encoder-decoder, sigmoid output, learning rate 0.001": {},
    "the assignment's ResNet (5 blocks) as the network": {"network": "resnet"},
    "linear output, clipped": {"output_activation": None},
    "learning rate 0.01 (the paper's)": {"learning_rate": 0.01},
    "code scaled by 1 instead of 0.1": {"code_scale": 1.0},
}


def compare_variants(crops, iterations, every, network_settings=None):
    """The mean PSNR curve of each of :data:`VARIANTS` on the noisy crops, its best step, and the
    median time of a run. ``network_settings`` (the budget's) go under each variant's overrides."""
    result = {}
    for name, overrides in VARIANTS.items():
        print(f"[variant] {name}", flush=True)
        curves = psnr_curves(crops, iterations, every, settings={**(network_settings or {}), **overrides})
        mean = np.mean([image["psnr"] for image in curves["images"]], axis=0)
        result[name] = {
            "overrides": overrides,
            "iterations": curves["iterations"],
            "mean_psnr": mean.tolist(),
            "best_step": curves["iterations"][int(np.argmax(mean))],
            "best_mean_psnr": float(mean.max()),
            "seconds_median": float(np.median([image["seconds"] for image in curves["images"]])),
        }
    return result


def main(argv=None):
    """Compare the variants; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny version, for a smoke test")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    budgets = BUDGETS[args.quick]
    suffix = files.variant("", args.quick)  # quick runs write beside full runs, never over them
    every = budgets["curve_every"]
    crops = center_crops(64, budgets["curve_images"])
    variants = compare_variants(crops, budgets["variant_iterations"], every, budgets["network_settings"])
    result = {
        "command": "python -m sol5lab.experiments.deep_prior_variants" + (" --quick" if args.quick else ""),
        "backend": keras.backend.backend(),
        "seed": SEED,
        "noise_sigma": NOISE_SIGMA,
        "images": [name for name, _ in crops],
        "variants": variants,
    }
    files.write_json(os.path.join(args.results_dir, f"deep_prior_variants{suffix}.json"), result)
    print()
    print(deep_prior_report.variants_table(variants))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
