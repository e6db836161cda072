"""The depth experiment's report: its summary over seeds, the depth plots, the restorations
figure and the table of ``docs/depth.md``."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

import sol5
from sol5lab import files, protocols
from sol5lab.evaluation import image_quality, spread, spread_over_seeds

#: The image of each task's restorations figure, the conditions shown (a row each), and the
#: window of the image that is shown (rows, cols).
SHOWCASE = {
    "denoising": {
        "image": "camera.png",
        "conditions": ("sigma 25/255", "sigma 50/255"),
        "window": (slice(60, 220), slice(180, 340)),
    },
    "deblurring": {
        "image": "page_0000.png",
        "conditions": ("kernel 7, 0 deg", "kernel 7, 45 deg"),
        "window": (slice(0, 110), slice(0, 170)),
    },
}


def _paired_changes(depths, records_by_depth):
    """How the validation MSE changes from one depth to the next within each seed.

    The seed fixes the train/validation split and the validation patches, so every depth of one
    seed is scored on the same samples: the difference between depths within a seed is free of
    the (large) differences between the validation sets of different seeds.

    Returns
    -------
    dict
        ``steps``: per consecutive pair ``"a-b"``, the spread of ``val_mse[b] - val_mse[a]`` over
        the seeds both have and how many of them ``decreased``; ``overall``: the same from the
        first depth to the last.
    """
    by_seed = [
        {record["config"]["seed"]: record["val_mse"] for record in records} for records in records_by_depth
    ]

    def change(first, second):
        seeds = sorted(set(by_seed[first]) & set(by_seed[second]))
        differences = [by_seed[second][seed] - by_seed[first][seed] for seed in seeds]
        return {**spread(differences), "decreased": int(sum(d < 0 for d in differences)), "seeds": seeds}

    return {
        "steps": {f"{depths[i]}-{depths[i + 1]}": change(i, i + 1) for i in range(len(depths) - 1)},
        "overall": change(0, len(depths) - 1),
    }


def summarize(runs):
    """Reduce the runs to statistics over seeds, per task and depth.

    Parameters
    ----------
    runs : dict
        As returned by :func:`run_all`.

    Returns
    -------
    dict
        ``{task: {"depths": [...], "by_depth": {depth: {...}}, "corrupted": {...}}}``; per depth:
        the seeds, ``val_mse`` and ``training_seconds`` spreads, the mean per-epoch
        ``val_loss`` curve, and per condition the ``psnr``/``ssim`` spreads of the per-seed means
        over images; ``corrupted`` has the mean quality of the corrupted inputs per condition;
        ``val_mse_paired`` the changes between depths within each seed (:func:`_paired_changes`).
    """
    summary = {}
    for (task, depth), records in sorted(runs.items()):
        entry = summary.setdefault(
            task, {"depths": [], "by_depth": {}, "corrupted": {}, "val_mse_paired": {}}
        )
        entry["depths"].append(depth)
        conditions = records[0]["config"]["conditions"]
        by_condition = {}
        for condition in conditions:
            by_condition[condition] = spread_over_seeds(records, condition)
            entry["corrupted"][condition] = by_condition[condition].pop("corrupted")
        entry["by_depth"][str(depth)] = {
            "seeds": [record["config"]["seed"] for record in records],
            "val_mse": spread([record["val_mse"] for record in records]),
            "training_seconds": spread([record["training_seconds"] for record in records]),
            "val_loss_per_epoch": np.mean(
                [record["history"]["val_loss"] for record in records], axis=0
            ).tolist(),
            "restore_seconds_per_image": float(
                np.median([case["restore_seconds"] for record in records for case in record["cases"]])
            ),
            "conditions": by_condition,
        }
    for task, entry in summary.items():
        entry["val_mse_paired"] = _paired_changes(
            entry["depths"], [runs[(task, depth)] for depth in entry["depths"]]
        )
    return summary


def markdown_table(summary):
    """Return the depth table of docs/depth.md: per task and depth, the final validation MSE and the
    held-out PSNR under each condition (mean ± std over seeds), and the median training time."""
    lines = []
    for task, entry in summary["tasks"].items():
        conditions = list(entry["corrupted"])
        lines += [
            f"| {task}: blocks | validation MSE (x 1e-3) | "
            + " | ".join(f"PSNR, {name}" for name in conditions)
            + " | training |",
            "| ---: | ---: | " + " | ".join("---:" for _ in conditions) + " | ---: |",
            "| corrupted input | | "
            + " | ".join(f"{entry['corrupted'][name]['psnr']:.2f} dB" for name in conditions)
            + " | |",
        ]
        for depth in entry["depths"]:
            row = entry["by_depth"][str(depth)]
            scores = [row["conditions"][name]["psnr"] for name in conditions]
            lines.append(
                f"| {depth} | {row['val_mse']['mean'] * 1e3:.3f} ± {row['val_mse']['std'] * 1e3:.3f} | "
                + " | ".join(f"{score['mean']:.2f} ± {score['std']:.2f} dB" for score in scores)
                + f" | {np.median(row['training_seconds']['values']):.0f} s |"
            )
        lines.append("")
    return "\n".join(lines[:-1])


def plot_depth(task, entry, path):
    """Save the assignment's depth plot of one task: final validation MSE against depth, mean and
    spread over seeds, beside the per-epoch validation curves."""
    depths = entry["depths"]
    by_depth = [entry["by_depth"][str(depth)] for depth in depths]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    means = [row["val_mse"]["mean"] for row in by_depth]
    stds = [row["val_mse"]["std"] for row in by_depth]
    left.errorbar(depths, means, yerr=stds, marker="o", capsize=4, label="mean ± 1 std over seeds")
    # A line per seed: a seed scores all its depths on the same validation patches.
    seeds = by_depth[0]["seeds"]
    if all(row["seeds"] == seeds for row in by_depth):
        for index in range(len(seeds)):
            left.plot(
                depths,
                [row["val_mse"]["values"][index] for row in by_depth],
                color="gray",
                lw=0.8,
                marker=".",
                label="each seed (its own validation patches)" if index == 0 else None,
            )
    left.set_xticks(depths)
    left.set_xlabel("number of residual blocks")
    left.set_ylabel("validation MSE (pixel values in [0, 1])")
    left.set_title("after the last epoch")
    left.grid(alpha=0.3)
    left.legend(fontsize=8)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(depths)))
    for depth, row, color in zip(depths, by_depth, colors, strict=True):
        curve = row["val_loss_per_epoch"]
        right.plot(
            range(1, len(curve) + 1),
            curve,
            marker=".",
            color=color,
            label=f"{depth} block{'s' if depth > 1 else ''}",
        )
    right.set_yscale("log")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_xlabel("epoch")
    right.set_ylabel("validation MSE (mean over seeds, log scale)")
    right.set_title("during training")
    right.grid(alpha=0.3, which="both")
    right.legend(fontsize=8)
    figure.suptitle(f"{task}: validation MSE against depth ({len(seeds)} seeds per depth)")
    figure.tight_layout()
    files.save_figure(figure, path, dpi=110)
    plt.close(figure)


def plot_showcase(task, models, path, *, max_images=None):
    """Save held-out cases corrupted, restored by each depth's model, and clean, side by side.

    One row per condition of :data:`SHOWCASE`; the panels show a window of the image, the PSNR
    under each is of the whole image.

    Parameters
    ----------
    models : dict
        ``{depth: keras.Model}``.
    """
    spec = SHOWCASE[task]
    cases = [
        case
        for case in protocols.cases(task, max_images=max_images)
        if case["image"] == spec["image"] and case["condition"] in spec["conditions"]
    ]
    columns = len(models) + 2
    rows, cols = (window.stop - window.start for window in spec["window"])
    panel_height = 2.3 * rows / cols + 0.6  # the window's aspect, plus the titles
    figure, axes = plt.subplots(
        len(cases), columns, figsize=(2.3 * columns, panel_height * len(cases) + 0.4), squeeze=False
    )
    for row_axes, case in zip(axes, cases, strict=True):
        panels = [(f"corrupted, {case['condition']}", case["corrupted"])]
        panels += [
            (f"{depth} block{'s' if depth > 1 else ''}", sol5.restore_image(case["corrupted"], model))
            for depth, model in sorted(models.items())
        ]
        panels.append(("clean", case["clean"]))
        for axis, (title, image) in zip(row_axes, panels, strict=True):
            axis.imshow(image[spec["window"]], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            if title != "clean":
                title += f"\nPSNR {image_quality(case['clean'], image)['psnr']:.2f} dB"
            axis.set_title(title, fontsize=9)
            axis.axis("off")
    figure.suptitle(f"{task}: {spec['image']}, detail (PSNR of the whole image)", fontsize=10)
    figure.tight_layout()
    files.save_figure(figure, path, dpi=110)
    plt.close(figure)
