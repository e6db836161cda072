"""Classical restoration methods on the held-out cases, against the learned networks.

Denoising: BM3D (the ``bm3d`` package), scikit-image's non-local means and total-variation
denoisers, all given the true noise sigma. Deblurring: scikit-image's Wiener and
Richardson-Lucy deconvolution, given the true motion kernel. These are oracles: they know the
corruption exactly, while the networks were trained for a whole range of it.

A method's one free parameter (NLM's filter strength, TV's weight, Wiener's balance,
Richardson-Lucy's iterations) is chosen per condition from a small grid on corrupted *training*
images, never on the test images. The results go to ``results/classical_comparison.json``; the
table beside the learned models (``results/classical_comparison.md``, and the README) comes from
it and ``results/depth_experiment.json``.

The comparison is run by ``python -m sol5lab.experiments.classical`` (``make plots`` runs it
after the depth experiment).
"""

import time

import bm3d
import numpy as np
from skimage import restoration

from sol5lab import protocols, tasks
from sol5lab.evaluation import image_quality, mean_quality

#: Seed of the corruptions of the tuning images (training split), apart from the test seed.
TUNING_SEED = protocols.SEED + 1

#: Training images per task used to choose a method's parameter.
TUNING_IMAGES = 3


#: Mirrored border added around a blurred image before Richardson-Lucy: scikit-image convolves
#: with zeros outside the image, and the error that makes at the border creeps inward with every
#: iteration. (Wiener gets only the kernel's radius: past it, a mirrored diagonal blur is no
#: longer the blur of anything, and the FFT spreads that inconsistency over the whole image.)
RICHARDSON_LUCY_PADDING = 64


def _deconvolve(blurred, kernel, padding, deconvolution):
    """Run an FFT deconvolution on the image mirrored outward by ``padding`` pixels, then crop."""
    padded = np.pad(blurred, padding, mode="symmetric")  # the mirroring of the blur's own border
    return deconvolution(padded, kernel)[padding:-padding, padding:-padding]


def _wiener(blurred, condition, balance):
    kernel = tasks.motion_kernel(condition)
    return _deconvolve(
        blurred, kernel, kernel.shape[0] // 2, lambda image, psf: restoration.wiener(image, psf, balance)
    )


def _richardson_lucy(blurred, condition, num_iter):
    kernel = tasks.motion_kernel(condition)
    return _deconvolve(
        blurred,
        kernel,
        RICHARDSON_LUCY_PADDING,
        lambda image, psf: restoration.richardson_lucy(image, psf, num_iter=int(num_iter)),
    )


#: Per task, each method: how it restores a corrupted image given its condition and parameter,
#: what the parameter is, and the grid it is chosen from (None: nothing to choose).
METHODS = {
    "denoising": {
        "BM3D": {
            "restore": lambda noisy, condition, _: bm3d.bm3d(noisy, sigma_psd=condition["sigma"]),
            "parameter": None,
            "grid": (None,),
        },
        "non-local means": {
            "restore": lambda noisy, condition, factor: restoration.denoise_nl_means(
                noisy, patch_size=5, patch_distance=6, h=factor * condition["sigma"], sigma=condition["sigma"]
            ),
            "parameter": "h / sigma",
            "grid": (0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.2),
        },
        "total variation": {
            "restore": lambda noisy, condition, factor: restoration.denoise_tv_chambolle(
                noisy, weight=factor * condition["sigma"]
            ),
            "parameter": "weight / sigma",
            "grid": (0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
        },
    },
    "deblurring": {
        "Wiener": {
            "restore": _wiener,
            "parameter": "balance",
            "grid": (1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1),
        },
        "Richardson-Lucy": {
            "restore": _richardson_lucy,
            "parameter": "iterations",
            "grid": (5, 10, 20, 40, 80),
        },
    },
}


def apply_method(task, method, case, parameter):
    """Restore one case with one method, clipped to [0, 1]; returns (image, seconds).

    ``case`` is one of :func:`sol5lab.protocols.cases`; ``parameter`` a value of the method's
    grid. ValueError names an unknown task or method.
    """
    if task not in METHODS:
        raise ValueError(f"No classical methods for the task {task!r}; there are for {', '.join(METHODS)}.")
    if method not in METHODS[task]:
        raise ValueError(f"Unknown method {method!r} for {task}; the methods are {', '.join(METHODS[task])}.")
    condition = tasks.TASKS[task].conditions[case["condition_index"]]
    start = time.perf_counter()
    restored = METHODS[task][method]["restore"](case["corrupted"], condition, parameter)
    seconds = time.perf_counter() - start
    return np.clip(restored, 0.0, 1.0), seconds


def choose_parameter(task, method, condition, tuning_cases):
    """Return the grid value of ``method`` with the best mean PSNR on the tuning cases of one
    condition, and the PSNR of each grid value."""
    grid = METHODS[task][method]["grid"]
    if len(grid) == 1:
        return grid[0], {}
    cases = [case for case in tuning_cases if case["condition"] == condition["name"]]
    scores = {
        value: float(
            np.mean(
                [
                    image_quality(case["clean"], apply_method(task, method, case, value)[0])["psnr"]
                    for case in cases
                ]
            )
        )
        for value in grid
    }
    return max(scores, key=scores.get), scores


def compare(task, *, max_images=None, tuning_images=TUNING_IMAGES):
    """Tune and run every classical method of ``task`` on its held-out cases.

    Returns
    -------
    dict
        ``{condition: {method: {"parameter", "value", "tuning_psnr", "psnr", "ssim",
        "seconds_per_image", "images"}}}``; ``psnr``/``ssim`` are means over the test images,
        ``seconds_per_image`` the median.
    """
    test_cases = protocols.cases(task, max_images=max_images)
    tuning_cases = protocols.cases(task, split="train", max_images=tuning_images, seed=TUNING_SEED)
    result = {}
    for condition in tasks.TASKS[task].conditions:
        cases = [case for case in test_cases if case["condition"] == condition["name"]]
        result[condition["name"]] = {}
        for method, spec in METHODS[task].items():
            value, tuning = choose_parameter(task, method, condition, tuning_cases)
            rows = []
            for case in cases:
                restored, seconds = apply_method(task, method, case, value)
                rows.append(
                    {"image": case["image"], **image_quality(case["clean"], restored), "seconds": seconds}
                )
            result[condition["name"]][method] = {
                "parameter": spec["parameter"],
                "value": value,
                "tuning_psnr": {str(key): score for key, score in tuning.items()},
                **mean_quality([{"psnr": row["psnr"], "ssim": row["ssim"]} for row in rows]),
                "seconds_per_image": float(np.median([row["seconds"] for row in rows])),
                "images": rows,
            }
            print(
                f"[{task}] {condition['name']}: {method}"
                + (f" ({spec['parameter']} = {value})" if spec["parameter"] else "")
                + f": PSNR {result[condition['name']][method]['psnr']:.2f} dB",
                flush=True,
            )
    return result
