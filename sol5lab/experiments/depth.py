"""The depth experiment of section 7.3: how the number of residual blocks changes each task.

For each task, depth 1..5 and seed, this trains the assignment's model with its own
``learn_*_model(num_res_blocks=depth)`` at the assignment's settings, and scores it on the
held-out cases of :mod:`sol5lab.protocols`. Each finished run is written at once to
``results/depth/<task>_depth<d>_seed<s>.json`` (and its model to ``models/depth/``); a rerun
skips the runs whose results are there with the same configuration, so a killed experiment
loses at most the run in progress. Then it writes ``results/depth_experiment.json`` (the
summary over seeds), ``depth_plot_denoise.png``, ``depth_plot_deblur.png`` and a figure per task
of one held-out image restored by every depth.

Run ``python -m sol5lab.experiments.depth`` (``make plots`` sets everything up first); ``--plots-only``
redraws from the results on disk; ``--quick`` with small ``--depths``/``--seeds``/``--max-images``
makes a tiny run for a smoke test.
"""

import argparse
import os
import sys
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

import sol5
import sol5_utils
from sol5lab import evaluation, files, protocols, store, tasks
from sol5lab.evaluation import image_quality, spread

TASKS = ("denoising", "deblurring")
DEPTHS = (1, 2, 3, 4, 5)
SEEDS = (0, 1, 2)

#: The assignment's names for the plots, per task.
PLOT_NAMES = {"denoising": "depth_plot_denoise.png", "deblurring": "depth_plot_deblur.png"}

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


def run_name(task, depth, seed, quick_mode=False):
    """Return the file stem shared by a run's results and its model (a quick run's its own)."""
    return files.variant(f"{task}_depth{depth}_seed{seed}", quick_mode)


def score(model, cases):
    """Restore every case with ``model`` (``sol5.restore_image``) and measure it
    (:func:`sol5lab.evaluation.score`)."""
    return evaluation.score(cases, lambda corrupted, parameters: sol5.restore_image(corrupted, model))


def run_config(task, depth, seed, *, quick_mode, max_images):
    """Return what identifies a run's results: its training and the cases it is scored on."""
    return {
        **store.training_config(task, num_res_blocks=depth, seed=seed, quick_mode=quick_mode),
        "quick_mode": bool(quick_mode),
        "max_images": max_images,
        "conditions": [condition["name"] for condition in tasks.TASKS[task].conditions],
    }


def run_one(task, depth, seed, *, results_dir, models_dir, quick_mode=False, max_images=None, verbose=2):
    """Train (or reuse) one model, score it on the held-out cases, and write its results.

    Returns
    -------
    dict
        What was written to ``results_dir/depth/<run_name>.json``: the ``config``, the
        ``training_seconds``, the per-epoch ``history``, the final ``val_mse``, the per-case
        ``cases`` and the ``evaluation_seconds``.
    """
    config = run_config(task, depth, seed, quick_mode=quick_mode, max_images=max_images)
    model, training = store.trained_model(
        task,
        os.path.join(models_dir, "depth", run_name(task, depth, seed, quick_mode)),
        num_res_blocks=depth,
        seed=seed,
        quick_mode=quick_mode,
        verbose=verbose,
    )
    start = time.perf_counter()
    rows = score(model, protocols.cases(task, max_images=max_images))
    record = {
        "config": config,
        "training_seconds": training["training_seconds"],
        "history": training["history"],
        "val_mse": training["history"]["val_loss"][-1],
        "evaluation_seconds": time.perf_counter() - start,
        "cases": rows,
    }
    files.write_json(
        os.path.join(results_dir, "depth", f"{run_name(task, depth, seed, quick_mode)}.json"), record
    )
    return record


def _estimate(done, task, depth):
    """Seconds a run of ``task`` at ``depth`` is expected to take, from finished runs (or None)."""

    def seconds(record):
        return record["training_seconds"] + record["evaluation_seconds"]

    for matches in (
        lambda key: key == (task, depth),
        lambda key: key[0] == task,
        lambda key: True,
    ):
        times = [seconds(record) for key, records in done.items() if matches(key) for record in records]
        if times:
            return float(np.median(times))
    return None


def _clock(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{seconds:02d}s"


def run_all(
    tasks=TASKS, depths=DEPTHS, seeds=SEEDS, *, results_dir, models_dir, quick_mode=False, max_images=None
):
    """Run every (task, depth, seed) whose results are missing, printing progress.

    Seeds are the outer loop, so a partial experiment already covers every depth.

    Returns
    -------
    dict
        ``{(task, depth): [record per seed, in seed order]}``.
    """
    plan = [(task, depth, seed) for seed in seeds for task in tasks for depth in depths]
    done, pending = {}, []
    for task, depth, seed in plan:
        path = os.path.join(results_dir, "depth", f"{run_name(task, depth, seed, quick_mode)}.json")
        record = files.finished_record(
            path, run_config(task, depth, seed, quick_mode=quick_mode, max_images=max_images)
        )
        if record is None:
            pending.append((task, depth, seed))
        else:
            done.setdefault((task, depth), []).append(record)
    print(
        f"depth experiment: {len(plan)} runs, {len(plan) - len(pending)} already done, {len(pending)} to go"
    )
    start = time.perf_counter()
    for number, (task, depth, seed) in enumerate(pending, 1):
        estimates = [_estimate(done, *key[:2]) for key in pending[number - 1 :]]
        left = "unknown until a run finishes" if None in estimates else f"~{_clock(sum(estimates))}"
        print(
            f"[run {number}/{len(pending)}] {task}, depth {depth}, seed {seed} | "
            f"elapsed {_clock(time.perf_counter() - start)} | left {left}",
            flush=True,
        )
        record = run_one(
            task, depth, seed, results_dir=results_dir, models_dir=models_dir,
            quick_mode=quick_mode, max_images=max_images,
        )  # fmt: skip
        done.setdefault((task, depth), []).append(record)
    print(f"depth experiment: finished in {_clock(time.perf_counter() - start)}")
    return {key: sorted(records, key=lambda r: r["config"]["seed"]) for key, records in done.items()}


def stored_runs(tasks, depths, seeds, results_dir, quick_mode=False):
    """Read the results of every (task, depth, seed) from ``results_dir``, as :func:`run_all`
    returns them; FileNotFoundError names the first one missing."""
    runs = {}
    for task in tasks:
        for depth in depths:
            for seed in seeds:
                path = os.path.join(results_dir, "depth", f"{run_name(task, depth, seed, quick_mode)}.json")
                if not os.path.exists(path):
                    raise FileNotFoundError(f"No results at {path}; run the experiment without --plots-only.")
                runs.setdefault((task, depth), []).append(files.read_json(path))
    return runs


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
            per_seed = [
                [case for case in record["cases"] if case["condition"] == condition] for record in records
            ]
            by_condition[condition] = {
                metric: spread([np.mean([case["restored"][metric] for case in cases]) for cases in per_seed])
                for metric in ("psnr", "ssim")
            }
            entry["corrupted"][condition] = {
                metric: float(np.mean([case["corrupted"][metric] for case in per_seed[0]]))
                for metric in ("psnr", "ssim")
            }
            by_condition[condition]["num_images"] = len(per_seed[0])
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


def markdown_table(summary):
    """Return the README's depth table: per task and depth, the final validation MSE and the
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


def main(argv=None):
    """Run the experiment; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--depths", nargs="+", type=int, default=list(DEPTHS))
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--quick", action="store_true", help="quick mode: the presubmission's tiny budget")
    parser.add_argument("--max-images", type=int, default=None, help="score on the first N test images only")
    parser.add_argument("--plots-only", action="store_true", help="only redraw from the results on disk")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--plots-dir", default=sol5_utils.relpath("."), help="where the depth plots go")
    args = parser.parse_args(argv)
    if min(args.depths) < 1:
        parser.error("depths must be at least 1")

    options = {
        "results_dir": args.results_dir,
        "models_dir": args.models_dir,
        "quick_mode": args.quick,
        "max_images": args.max_images,
    }
    if args.plots_only:
        runs = stored_runs(args.tasks, args.depths, args.seeds, args.results_dir, args.quick)
    else:
        runs = run_all(args.tasks, args.depths, args.seeds, **options)
    summary = {
        "command": " ".join(
            ["python -m sol5lab.experiments.depth", *(argv if argv is not None else sys.argv[1:])]
        ),
        "backend": keras.backend.backend(),
        "heldout_seed": protocols.SEED,
        "tasks": summarize(runs),
    }
    files.write_json(
        files.variant(os.path.join(args.results_dir, "depth_experiment"), args.quick) + ".json", summary
    )
    print()
    print(markdown_table(summary))
    for task in args.tasks:
        plot_name = files.variant(os.path.splitext(PLOT_NAMES[task])[0], args.quick) + ".png"
        plot_depth(task, summary["tasks"][task], os.path.join(args.plots_dir, plot_name))
        stems = {
            depth: os.path.join(args.models_dir, "depth", run_name(task, depth, args.seeds[0], args.quick))
            for depth in args.depths
        }
        if all(os.path.exists(f"{stem}.keras") for stem in stems.values()):
            models = {
                depth: keras.saving.load_model(f"{stem}.keras", compile=False)
                for depth, stem in stems.items()
            }
            plot_showcase(
                task,
                models,
                files.variant(os.path.join(args.results_dir, f"depth_{task}_restorations"), args.quick)
                + ".png",
                max_images=args.max_images,
            )
        else:
            print(f"[{task}] models of seed {args.seeds[0]} missing: restorations figure not redrawn")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
