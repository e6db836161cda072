"""The main job: train the assignment's two models, restore the held-out images, and report.

For each task (denoising natural photographs, deblurring printed text) this trains the model
with the assignment's own ``learn_*_model`` at the assignment's settings (or reuses the model an
earlier run saved in ``models/``), corrupts every held-out test image with a fixed seed, restores
it with ``restore_image``, and writes a figure per task (corrupted | restored | clean, with PSNR
and SSIM) and ``results/demo.json``, then prints the table of mean PSNR/SSIM.

Run ``python demo.py`` (``make demo`` sets everything up first); ``--retrain`` ignores saved
models, ``--quick`` uses the presubmission's quick mode (seconds, for a smoke test).
"""

import argparse
import logging
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter, before Keras loads it

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

import model_store  # noqa: E402
import sol5  # noqa: E402
import sol5_utils  # noqa: E402
from evaluation import image_quality, mean_quality  # noqa: E402
from sol5lab import files  # noqa: E402

#: Seed of the training run and of the test corruptions.
SEED = 2020

#: Gaussian noise of the denoising test images: the middle of the training range [0, 0.2].
TEST_NOISE_SIGMA = 0.1

#: How each task is trained, which held-out images it restores, and how they are corrupted.
TASKS = {
    "denoising": {
        "dataset": "image_dataset",
        "corrupt": lambda image, rng: sol5.add_gaussian_noise(
            image, TEST_NOISE_SIGMA, TEST_NOISE_SIGMA, rng=rng
        ),
        "corruption": f"Gaussian noise, sigma {TEST_NOISE_SIGMA}",
    },
    "deblurring": {
        "dataset": "text_dataset",
        "corrupt": lambda image, rng: sol5.random_motion_blur(
            image, sol5.TASK_SETTINGS["deblurring"]["kernel_sizes"], rng=rng
        ),
        "corruption": "motion blur, kernel 7, random angle",
    },
}

#: Rows shown in each task's figure.
FIGURE_ROWS = 4


def trained_model(task, models_dir, *, quick_mode=False, retrain=False):
    """Return the demo's model for ``task`` (depth 5, seed :data:`SEED`) and its training record.

    It is kept as ``models_dir/<task>[_quick].keras``; see :func:`model_store.trained_model`.
    """
    stem = os.path.join(models_dir, f"{task}{'_quick' if quick_mode else ''}")
    return model_store.trained_model(task, stem, seed=SEED, quick_mode=quick_mode, retrain=retrain)


def evaluate(task, model):
    """Corrupt and restore every held-out test image of ``task``.

    Returns
    -------
    list of dict
        One per image: ``name``, the ``clean``, ``corrupted`` and ``restored`` arrays, and the
        ``corrupted_quality`` and ``restored_quality`` (see :func:`evaluation.image_quality`).
    """
    spec = TASKS[task]
    rows = []
    for index, path in enumerate(sorted(sol5_utils.dataset_images(spec["dataset"], "test"))):
        clean = sol5.read_image(path, sol5.GRAYSCALE)
        corrupted = spec["corrupt"](clean, np.random.default_rng([SEED, index]))
        restored = sol5.restore_image(corrupted, model)
        rows.append(
            {
                "name": os.path.basename(path),
                "clean": clean,
                "corrupted": corrupted,
                "restored": restored,
                "corrupted_quality": image_quality(clean, corrupted),
                "restored_quality": image_quality(clean, restored),
            }
        )
    return rows


def plot(task, rows, path):
    """Save the figure of one task: a row per image, corrupted | restored | clean."""
    shown = rows[:FIGURE_ROWS]
    figure, axes = plt.subplots(len(shown), 3, figsize=(9, 3 * len(shown)), squeeze=False)
    for row_axes, row in zip(axes, shown, strict=True):
        panels = (
            (row["corrupted"], "corrupted", row["corrupted_quality"]),
            (row["restored"], "restored", row["restored_quality"]),
            (row["clean"], f"clean ({row['name']})", None),
        )
        for axis, (image, title, quality) in zip(row_axes, panels, strict=True):
            axis.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            if quality is not None:
                title += f"\nPSNR {quality['psnr']:.2f} dB, SSIM {quality['ssim']:.3f}"
            axis.set_title(title, fontsize=9)
            axis.axis("off")
    figure.suptitle(f"{task}: {TASKS[task]['corruption']} (held-out images)")
    figure.tight_layout()
    files.save_figure(figure, path, dpi=100)
    plt.close(figure)


def markdown_table(summary):
    """Return the README's table of mean PSNR/SSIM and training time, from a demo summary."""
    lines = [
        "| task | test images | corruption | PSNR corrupted | PSNR restored | SSIM corrupted | SSIM restored "
        "| training |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for task, result in summary["tasks"].items():
        lines.append(
            f"| {task} | {result['num_test_images']} | {result['corruption']} "
            f"| {result['corrupted']['psnr']:.2f} dB | {result['restored']['psnr']:.2f} dB "
            f"| {result['corrupted']['ssim']:.3f} | {result['restored']['ssim']:.3f} "
            f"| {result['training']['training_seconds']:.0f} s |"
        )
    return "\n".join(lines)


def main(argv=None):
    """Run the demo; see the module's docstring."""
    # Every image size gets its own predict function; TensorFlow warns about the retracing.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick mode: the presubmission's tiny budget")
    parser.add_argument("--retrain", action="store_true", help="train even if a saved model exists")
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)

    suffix = "_quick" if args.quick else ""
    summary = {"command": "python demo.py" + (" --quick" if args.quick else ""), "seed": SEED, "tasks": {}}
    for task in TASKS:
        model, record = trained_model(task, args.models_dir, quick_mode=args.quick, retrain=args.retrain)
        rows = evaluate(task, model)
        plot(task, rows, os.path.join(args.results_dir, f"demo_{task}{suffix}.png"))
        summary["tasks"][task] = {
            "corruption": TASKS[task]["corruption"],
            "training": {key: value for key, value in record.items() if key != "reused"},
            "num_test_images": len(rows),
            "corrupted": mean_quality([row["corrupted_quality"] for row in rows]),
            "restored": mean_quality([row["restored_quality"] for row in rows]),
            "images": [
                {
                    "name": row["name"],
                    "corrupted": row["corrupted_quality"],
                    "restored": row["restored_quality"],
                }
                for row in rows
            ],
        }
    files.write_json(os.path.join(args.results_dir, f"demo{suffix}.json"), summary)
    print()
    print(markdown_table(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
