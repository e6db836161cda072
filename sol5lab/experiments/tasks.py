"""The lab's restoration tasks, each measured against the obvious alternative.

One model per task of :mod:`sol5lab.tasks` is trained at the full settings (seed 0, 5 residual
blocks, through :mod:`sol5lab.store`), plus the combined model. Each task is then scored on its
test protocol (:mod:`sol5lab.protocols`): the held-out photographs (``image_dataset/test``) under
fixed, seeded corruptions of known strength:

=================  ===================================  ======================================
task               conditions                           the alternative
=================  ===================================  ======================================
super_resolution   x2, x3, x4                           the same cubic upscaling, alone
jpeg_deblocking    quality 10, 20, 30                   the decoded JPEG itself
salt_and_pepper    5%, 10%, 20% of the pixels            a 3x3 median filter
scratches          5%, 10% of the pixels                 biharmonic inpainting, given the mask
=================  ===================================  ======================================

and the combined model is scored on the same cases. Each evaluated task is written at once to
``results/tasks/<task>.json``; a rerun skips tasks whose results carry the same config and reuses
the saved models, so a stopped run loses at most one task. The summary goes to
``results/restoration_tasks.json``, its table to ``results/restoration_tasks.md`` and a figure of
one example per task to ``results/restoration_tasks_examples.png``.

Run ``python -m sol5lab.experiments.tasks`` (``make tasks``); ``--quick`` runs the tiny version.
"""

import argparse
import os
import sys
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import sol5_utils
from sol5lab import files, inference, protocols, store, tasks
from sol5lab.evaluation import image_quality, mean_quality

#: Seed of the models' training.
TRAINING_SEED = 0


def model_stem(models_dir, task, quick_mode):
    return files.variant(os.path.join(models_dir, "tasks", f"{task}_seed{TRAINING_SEED}"), quick_mode)


def run_task(task, models, trainings, *, results_dir, quick_mode=False, max_images=None):
    """Score ``task``'s single-task and combined models on its cases, and write the results.

    Returns
    -------
    dict
        What was written to ``results_dir/tasks/<task>.json``: the ``config`` and per case the
        quality of the input, the alternative and both models, and the seconds they took.
    """
    config = {
        "task": task,
        "seed": protocols.SEED,
        "models": {name: trainings[name]["config"] for name in (task, "combined")},
        "conditions": list(tasks.TASKS[task].conditions),
        "max_images": max_images,
    }
    path = files.variant(os.path.join(results_dir, "tasks", task), quick_mode) + ".json"
    record = files.finished_record(path, config)
    if record is not None:
        print(f"[{task}] already scored: {path}")
        return record
    start = time.perf_counter()
    rows = []
    for case in protocols.cases(task, max_images=max_images):
        row = {"image": case["image"], "condition": case["condition"]}
        if task != "super_resolution":  # a low-resolution input has no size to compare
            row["corrupted"] = image_quality(case["clean"], case["corrupted"])
        row["alternative"] = image_quality(case["clean"], case["alternative"])
        for name in (task, "combined"):
            began = time.perf_counter()
            restored = inference.restore_with(task, models[name], case["corrupted"], case["parameters"])
            row[f"{'single' if name == task else 'combined'}_seconds"] = time.perf_counter() - began
            row["single" if name == task else "combined"] = image_quality(case["clean"], restored)
        rows.append(row)
        print(
            f"[{task}] {case['image']}, {row['condition']}: {tasks.TASKS[task].alternative} "
            f"{row['alternative']['psnr']:.2f} dB, model {row['single']['psnr']:.2f} dB, "
            f"combined {row['combined']['psnr']:.2f} dB",
            flush=True,
        )
    record = {"config": config, "evaluation_seconds": time.perf_counter() - start, "cases": rows}
    files.write_json(path, record)
    return record


def summarize(records, trainings):
    """Mean quality per task and condition of each method, and each model's training record."""
    summary = {"tasks": {}, "training": {}}
    for task, record in records.items():
        conditions = {}
        for condition in tasks.TASKS[task].conditions:
            rows = [row for row in record["cases"] if row["condition"] == condition["name"]]
            methods = [key for key in ("corrupted", "alternative", "single", "combined") if key in rows[0]]
            conditions[condition["name"]] = {
                "images": len(rows),
                **{method: mean_quality([row[method] for row in rows]) for method in methods},
            }
        summary["tasks"][task] = {"alternative": tasks.TASKS[task].alternative, "conditions": conditions}
    for name, training in trainings.items():
        summary["training"][name] = {
            "training_seconds": training["training_seconds"],
            "val_mse": training["history"]["val_loss"][-1],
            "settings": training["config"]["settings"],
        }
    return summary


def markdown_table(summary):
    """Return the README's table: PSNR / SSIM of the input, the alternative and both models."""
    lines = [
        "| task | condition | input | alternative | alternative's result | single-task model "
        "| combined model |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]

    def cell(quality):
        return f"{quality['psnr']:.2f} dB / {quality['ssim']:.3f}"

    for task, row in summary["tasks"].items():
        for condition, scores in row["conditions"].items():
            corrupted = cell(scores["corrupted"]) if "corrupted" in scores else "(low resolution)"
            best = max(("alternative", "single", "combined"), key=lambda key: scores[key]["psnr"])
            cells = {key: cell(scores[key]) for key in ("alternative", "single", "combined")}
            cells[best] = f"**{cells[best]}**"
            lines.append(
                f"| {task.replace('_', ' ')} | {condition} | {corrupted} | {row['alternative']} "
                f"| {cells['alternative']} | {cells['single']} | {cells['combined']} |"
            )
    return "\n".join(lines)


def _shown_input(task, case):
    """The input as a picture of the clean image's size: a low-resolution image is enlarged with
    nearest neighbours, so that its pixels show."""
    if task != "super_resolution":
        return case["corrupted"]
    factor = case["parameters"]["factor"]
    return np.kron(case["corrupted"], np.ones((factor, factor)))[
        : case["clean"].shape[0], : case["clean"].shape[1]
    ]


def plot_examples(models, path, *, window=128):
    """One row per task: a window of the first test image under the task's middle condition,
    input | alternative | single-task model | combined model | clean, with whole-image PSNRs."""
    compared = tasks.COMPARED_TASKS
    figure, axes = plt.subplots(len(compared), 5, figsize=(12, 2.8 * len(compared)))
    for axes_row, task in zip(axes, compared, strict=True):
        conditions = tasks.TASKS[task].conditions
        middle = conditions[len(conditions) // 2]
        case = next(case for case in protocols.cases(task, max_images=1) if case["parameters"] == middle)
        clean = case["clean"]
        top, left = (clean.shape[0] - window) // 2, (clean.shape[1] - window) // 2
        panels = [
            (f"{task.replace('_', ' ')}, {middle['name']}", _shown_input(task, case)),
            (tasks.TASKS[task].alternative, case["alternative"]),
            ("single-task model", inference.restore_with(task, models[task], case["corrupted"], middle)),
            ("combined model", inference.restore_with(task, models["combined"], case["corrupted"], middle)),
        ]
        panels = [
            (f"{title}\n{image_quality(clean, image)['psnr']:.2f} dB", image) for title, image in panels
        ]
        if task == "super_resolution":
            panels[0] = (panels[0][0].split("\n")[0] + "\n(low resolution)", panels[0][1])
        for axis, (title, image) in zip(axes_row, [*panels, ("clean", clean)], strict=True):
            axis.imshow(image[top : top + window, left : left + window], cmap="gray", vmin=0, vmax=1)
            axis.set_title(title, fontsize=8)
            axis.axis("off")
    figure.suptitle(
        f"Restoration tasks: the central {window}x{window} window of {case['image']}, whole-image PSNR"
    )
    figure.tight_layout()
    files.save_figure(figure, path, dpi=100)
    plt.close(figure)


def main(argv=None):
    """Train what is missing, score every task, write the summary; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick-mode models, one image: a smoke test")
    parser.add_argument("--max-images", type=int, default=None, help="score on the first N test images only")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    args = parser.parse_args(argv)
    max_images = 1 if args.quick and args.max_images is None else args.max_images
    suffix = files.variant("", args.quick)  # quick runs write beside full runs, never over them
    start = time.perf_counter()

    models, trainings = {}, {}
    for name in (*tasks.COMPARED_TASKS, "combined"):
        models[name], record = store.trained_model(
            name,
            model_stem(args.models_dir, name, args.quick),
            seed=TRAINING_SEED,
            quick_mode=args.quick,
            verbose=2,
        )
        trainings[name] = {
            "config": store.training_config(
                name, num_res_blocks=5, seed=TRAINING_SEED, quick_mode=args.quick
            ),
            **{key: record[key] for key in ("training_seconds", "history")},
        }
    records = {
        task: run_task(
            task,
            models,
            trainings,
            results_dir=args.results_dir,
            quick_mode=args.quick,
            max_images=max_images,
        )
        for task in tasks.COMPARED_TASKS
    }
    summary = {
        "command": "python -m sol5lab.experiments.tasks" + (" --quick" if args.quick else ""),
        "backend": keras.backend.backend(),
        **summarize(records, trainings),
    }
    files.write_json(os.path.join(args.results_dir, f"restoration_tasks{suffix}.json"), summary)
    table = markdown_table(summary)
    with files.atomic_path(os.path.join(args.results_dir, f"restoration_tasks{suffix}.md")) as temporary:
        with open(temporary, "w") as handle:
            handle.write(table + "\n")
    plot_examples(models, os.path.join(args.results_dir, f"restoration_tasks_examples{suffix}.png"))
    print()
    print(table)
    print(f"\ntask comparison: finished in {time.perf_counter() - start:.0f} s")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
