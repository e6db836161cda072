"""The Deep Image Prior measured: when to stop, how well it denoises and inpaints, how long it takes.

On crops of the held-out photographs (``image_dataset/test``), with fixed seeds:

1. *When to stop.* Gaussian noise of sigma 25/255 on 64x64 crops; ``deep_prior_restore_image``
   runs far past its budget while the PSNR of its (averaged) output against the clean crop is
   recorded every few steps. The budget is the step count with the best mean PSNR over the
   crops: one number for every image, since a user never has the clean image to stop by.
2. *Denoising.* The same crops at the chosen budget, beside the assignment's learned denoiser
   (the depth experiment's 5-block model of seed 0) and BM3D given the true sigma.
3. *Inpainting.* 64x64 and 256x256 crops under random scratches covering 10% of the pixels
   (:func:`scratches.scratch_mask`), filled by the deep prior and by scikit-image's
   ``inpaint_biharmonic``; the PSNR is measured inside the scratches only, every few steps, and
   the inpainting budget is the best mean step at 64x64 (the tested size), as for denoising.

Results go to ``results/deep_prior.json`` and two figures, ``results/deep_prior_curves.png`` and
``results/deep_prior_examples.png``. Run ``python -m sol5lab.experiments.deep_prior`` (``make deep-prior``);
``--quick`` runs a tiny version for a smoke test.
"""

import argparse
import os
import sys
import time

import bm3d
import keras
import numpy as np
from skimage.metrics import peak_signal_noise_ratio
from skimage.restoration import inpaint_biharmonic

import sol5
import sol5_utils
from sol5lab import files, store
from sol5lab.evaluation import image_quality, mean_quality
from sol5lab.reporting import deep_prior as deep_prior_report
from sol5lab.scratches import scratch_mask

SEED = 2020
NOISE_SIGMA = 25 / 255

SCRATCH_COVERAGE = 0.1

#: The full study and the smoke test: the same code, other numbers.
BUDGETS = {
    False: {
        "curve_iterations": 1600,
        "curve_every": 25,
        "curve_images": 4,
        "variant_iterations": 1200,
        "inpainting_every": 100,
        "inpainting": {64: {"images": 4, "iterations": 3000}, 256: {"images": 2, "iterations": 2400}},
        "network_settings": {},  # sol5.DEEP_PRIOR_SETTINGS' network
    },
    True: {
        "curve_iterations": 20,
        "curve_every": 10,
        "curve_images": 1,
        "variant_iterations": 10,
        "inpainting_every": 10,
        "inpainting": {64: {"images": 1, "iterations": 20}},
        # the same layers' code at a fraction of the building and tracing, as the quick runs'
        # 1-block networks (store.NUM_RES_BLOCKS)
        "network_settings": {"num_levels": 1, "num_res_blocks": 1},
    },
}


def center_crops(size, count):
    """Return ``(name, crop)`` for the first ``count`` held-out photographs: the central
    ``size`` x ``size`` window of each, grayscale float64."""
    paths = sorted(sol5_utils.dataset_images("image_dataset", "test"))[:count]
    result = []
    for path in paths:
        image = sol5.read_image(path, sol5.GRAYSCALE)
        top, left = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
        result.append((os.path.basename(path), image[top : top + size, left : left + size].copy()))
    return result


def noisy_crop(index, clean):
    """The seeded noisy version of the ``index``-th crop."""
    return sol5.add_gaussian_noise(clean, NOISE_SIGMA, NOISE_SIGMA, rng=np.random.default_rng([SEED, index]))


def psnr_curves(crops, iterations, every, settings=None):
    """Run the deep prior ``iterations`` steps on each noisy crop, recording its PSNR.

    Returns
    -------
    dict
        ``iterations`` (the recorded steps) and per image its ``psnr`` against the clean crop and
        its ``fit`` (PSNR against the noisy input, the only curve a user can see).
    """
    steps = list(range(every, iterations + 1, every))
    images = []
    for index, (name, clean) in enumerate(crops):
        noisy = noisy_crop(index, clean)
        psnr, fit = [], []

        def record(iteration, restored, clean=clean, noisy=noisy, psnr=psnr, fit=fit):
            if iteration % every == 0:
                restored = np.clip(restored.astype(np.float64), 0, 1)
                psnr.append(image_quality(clean, restored)["psnr"])
                fit.append(image_quality(noisy, restored)["psnr"])

        start = time.perf_counter()
        sol5.deep_prior_restore_image(
            noisy, num_iterations=iterations, seed=SEED, callback=record, settings=settings
        )
        images.append({"name": name, "psnr": psnr, "fit": fit, "seconds": time.perf_counter() - start})
        print(f"[curves] {name}: best {max(psnr):.2f} dB at step {steps[int(np.argmax(psnr))]}", flush=True)
    return {"iterations": steps, "images": images}


def choose_budget(curves):
    """The recorded step with the best PSNR averaged over the images, and what each image loses
    there against its own best step."""
    mean = np.mean([image["psnr"] for image in curves["images"]], axis=0)
    best = int(np.argmax(mean))
    return {
        "num_iterations": curves["iterations"][best],
        "mean_psnr": float(mean[best]),
        "loss_against_own_best_db": {
            image["name"]: float(max(image["psnr"]) - image["psnr"][best]) for image in curves["images"]
        },
    }


def denoising_comparison(crops, num_iterations, learned_model, settings=None):
    """Noisy input, deep prior (with ``settings``, overrides of ``sol5.DEEP_PRIOR_SETTINGS``),
    learned denoiser and BM3D on each noisy crop."""
    rows = []
    for index, (name, clean) in enumerate(crops):
        noisy = noisy_crop(index, clean)
        start = time.perf_counter()
        deep_prior = sol5.deep_prior_restore_image(
            noisy, num_iterations=num_iterations, seed=SEED, settings=settings
        )
        seconds = time.perf_counter() - start
        outputs = {
            "noisy": noisy,
            "deep prior": deep_prior,
            "learned": sol5.restore_image(noisy, learned_model),
            "BM3D": np.clip(bm3d.bm3d(noisy, sigma_psd=NOISE_SIGMA), 0, 1),
        }
        rows.append(
            {
                "name": name,
                "deep_prior_seconds": seconds,
                **{method: image_quality(clean, image) for method, image in outputs.items()},
                "outputs": outputs,
                "clean": clean,
            }
        )
        print(
            f"[denoising] {name}: deep prior {rows[-1]['deep prior']['psnr']:.2f} dB in {seconds:.1f} s",
            flush=True,
        )
    return rows


def hole_psnr(clean, image, mask):
    """PSNR over the unknown pixels only (mask False), data range 1 as in :mod:`evaluation`."""
    return float(peak_signal_noise_ratio(clean[~mask], image[~mask], data_range=1.0))


def inpainting_comparison(size, count, iterations, every, settings=None):
    """Deep prior against biharmonic inpainting, under seeded scratches, on ``count`` crops.

    The deep prior runs ``iterations`` steps; every ``every`` steps its PSNR inside the scratches
    is recorded (``hole_psnr``) with a copy of its result, so that the budget can be chosen
    afterwards from the curves (:func:`choose_budget`) without running again.
    """
    steps = list(range(every, iterations + 1, every))
    rows = []
    for index, (name, clean) in enumerate(center_crops(size, count)):
        mask = scratch_mask(clean.shape, SCRATCH_COVERAGE, rng=np.random.default_rng([SEED, size, index]))
        corrupted = np.where(mask, clean, 0.0)
        curve, snapshots = [], []

        def record(iteration, restored, clean=clean, mask=mask, curve=curve, snapshots=snapshots):
            if iteration % every == 0:
                snapshots.append(np.clip(restored.astype(np.float64), 0, 1))
                curve.append(hole_psnr(clean, snapshots[-1], mask))

        start = time.perf_counter()
        sol5.deep_prior_restore_image(
            corrupted, mask=mask, num_iterations=iterations, seed=SEED, callback=record, settings=settings
        )
        seconds = time.perf_counter() - start
        biharmonic = np.clip(inpaint_biharmonic(corrupted, ~mask), 0, 1)
        rows.append(
            {
                "name": name,
                "size": size,
                "scratched_share": float(1 - mask.mean()),
                "psnr": curve,  # inside the scratches, at each of ``steps``
                "biharmonic_hole_psnr": hole_psnr(clean, biharmonic, mask),
                "seconds_per_step": seconds / iterations,
                "snapshots": snapshots,
                "images": {"clean": clean, "scratched": corrupted, "biharmonic": biharmonic},
            }
        )
        best = int(np.argmax(curve))
        print(
            f"[inpainting {size}] {name}: deep prior {curve[-1]:.2f} dB after {iterations} steps "
            f"(best {curve[best]:.2f} at {steps[best]}), biharmonic {rows[-1]['biharmonic_hole_psnr']:.2f} "
            f"dB inside the scratches ({seconds:.0f} s)",
            flush=True,
        )
    return {"iterations": steps, "images": rows}


def main(argv=None):
    """Run the study; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny version, for a smoke test")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    args = parser.parse_args(argv)
    budgets = BUDGETS[args.quick]
    suffix = files.variant("", args.quick)  # quick runs write beside full runs, never over them

    crops = center_crops(64, budgets["curve_images"])
    network = budgets["network_settings"]
    curves = psnr_curves(crops, budgets["curve_iterations"], budgets["curve_every"], settings=network)
    budget = choose_budget(curves)
    inpainting_curves = {
        size: inpainting_comparison(
            size, spec["images"], spec["iterations"], budgets["inpainting_every"], settings=network
        )
        for size, spec in budgets["inpainting"].items()
    }
    # The inpainting budget: the best mean step inside the scratches at the tested size, 64x64.
    smallest = inpainting_curves[min(inpainting_curves)]
    inpainting_budget = choose_budget(smallest)
    budget["inpainting_iterations"] = inpainting_budget["num_iterations"]
    budget["inpainting_loss_against_own_best_db"] = inpainting_budget["loss_against_own_best_db"]
    inpainting = {
        size: inpainting_summary(rows, budget["inpainting_iterations"])
        for size, rows in inpainting_curves.items()
    }
    deep_prior_report.plot_curves(
        curves,
        budget,
        inpainting,
        os.path.join(args.results_dir, f"deep_prior_curves{suffix}.png"),
        seed=SEED,
    )

    # The depth experiment's seed-0 model of store.NUM_RES_BLOCKS (5 blocks; 1 quick), trained
    # here if that experiment has not run.
    depth = store.NUM_RES_BLOCKS[args.quick]
    stem = os.path.join(args.models_dir, "depth", f"denoising_depth{depth}_seed0{suffix}")
    learned, _ = store.trained_model("denoising", stem, num_res_blocks=depth, seed=0, quick_mode=args.quick)
    denoising = denoising_comparison(crops, budget["num_iterations"], learned, settings=network)
    example = smallest["images"][0]
    at = smallest["iterations"].index(budget["inpainting_iterations"])
    example["images"]["deep prior"] = example["snapshots"][at]
    deep_prior_report.plot_examples(
        denoising[0],
        example,
        example["psnr"][at],
        os.path.join(args.results_dir, f"deep_prior_examples{suffix}.png"),
    )

    methods = ("noisy", "deep prior", "learned", "BM3D")
    result = {
        "command": "python -m sol5lab.experiments.deep_prior" + (" --quick" if args.quick else ""),
        "backend": keras.backend.backend(),
        "seed": SEED,
        "noise_sigma": NOISE_SIGMA,
        "settings": {
            key: value for key, value in sol5.DEEP_PRIOR_SETTINGS.items() if key != "num_iterations"
        },
        "curves": curves,
        "budget": budget,
        "denoising": {
            "num_iterations": budget["num_iterations"],
            "mean": {method: mean_quality([row[method] for row in denoising]) for method in methods},
            "deep_prior_seconds_median": float(np.median([row["deep_prior_seconds"] for row in denoising])),
            "images": [
                {key: row[key] for key in ("name", "deep_prior_seconds", *methods)} for row in denoising
            ],
        },
        "inpainting": {str(size): summary for size, summary in inpainting.items()},
    }
    files.write_json(os.path.join(args.results_dir, f"deep_prior{suffix}.json"), result)
    print()
    print(deep_prior_report.markdown_table(result))
    return result


def inpainting_summary(curves, num_iterations):
    """The JSON record of one size's inpainting curves, scored at ``num_iterations`` steps (or
    at the last recorded step, when the curves stop sooner)."""
    steps = curves["iterations"]
    at = steps.index(num_iterations) if num_iterations in steps else len(steps) - 1
    rows = curves["images"]
    mean = np.mean([row["psnr"] for row in rows], axis=0)
    return {
        "coverage": SCRATCH_COVERAGE,
        "iterations": steps,
        "mean_psnr": mean.tolist(),
        "num_iterations": steps[at],
        "deep_prior_hole_psnr": float(mean[at]),
        "best_step": steps[int(np.argmax(mean))],
        "best_deep_prior_hole_psnr": float(mean.max()),
        "biharmonic_hole_psnr": float(np.mean([row["biharmonic_hole_psnr"] for row in rows])),
        "deep_prior_seconds_median": float(np.median([row["seconds_per_step"] for row in rows])) * steps[at],
        "images": [
            {
                **{
                    key: row[key]
                    for key in ("name", "size", "scratched_share", "psnr", "biharmonic_hole_psnr")
                },
                "deep_prior_hole_psnr": row["psnr"][at],
                "seconds_per_step": row["seconds_per_step"],
            }
            for row in rows
        ],
    }


if __name__ == "__main__":
    main(sys.argv[1:])
