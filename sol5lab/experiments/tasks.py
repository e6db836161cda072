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

import sol5_utils
from sol5lab import arguments, files, inference, protocols, store, tasks
from sol5lab.evaluation import image_quality
from sol5lab.reporting import tasks as tasks_report

#: Seed of the models' training.
TRAINING_SEED = 0


def model_stem(models_dir, task, quick_mode):
    return files.variant(os.path.join(models_dir, "tasks", f"{task}_seed{TRAINING_SEED}"), quick_mode)


def run_task(
    task, models, trainings, *, results_dir, quick_mode=False, max_images=None, kind=None, max_side=None
):
    """Score ``task``'s single-task and combined models on its cases, and write the results.

    ``kind`` is the run's :func:`sol5lab.files.run_kind` (by default, from ``quick_mode``): it
    names the file. ``max_side`` scores only each test image's central window of that side
    (:func:`sol5lab.protocols.cases`); the quick run's is :data:`sol5lab.protocols.QUICK_MAX_SIDE`.

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
        # only where it is set, so that the committed full results stay current
        **({"max_side": max_side} if max_side is not None else {}),
    }
    kind = files.run_kind(quick_mode) if kind is None else kind
    path = files.variant(os.path.join(results_dir, "tasks", task), kind) + ".json"
    record = files.finished_record(path, config)
    if record is not None:
        print(f"[{task}] already scored: {path}")
        return record
    start = time.perf_counter()
    rows = []
    for case in protocols.cases(task, max_images=max_images, max_side=max_side):
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


def main(argv=None):
    """Train what is missing, score every task, write the summary; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick-mode models, one image: a smoke test")
    parser.add_argument(
        "--max-images",
        type=arguments.positive_int,
        default=None,
        help="score on the first N test images only",
    )
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    args = parser.parse_args(argv)
    max_images = 1 if args.quick and args.max_images is None else args.max_images
    max_side = protocols.QUICK_MAX_SIDE if args.quick else None
    # quick and partial runs write beside a full run's results, never over them; the models of a
    # partial run are full trainings, shared with the full run (the store checks how they were made)
    kind = files.run_kind(args.quick, partial=args.max_images is not None)
    suffix = files.variant("", kind)
    start = time.perf_counter()

    models, trainings = {}, {}
    depth = store.NUM_RES_BLOCKS[args.quick]
    for name in (*tasks.COMPARED_TASKS, "combined"):
        models[name], record = store.trained_model(
            name,
            model_stem(args.models_dir, name, args.quick),
            num_res_blocks=depth,
            seed=TRAINING_SEED,
            quick_mode=args.quick,
            verbose=2,
        )
        trainings[name] = {
            "config": store.training_config(
                name, num_res_blocks=depth, seed=TRAINING_SEED, quick_mode=args.quick
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
            kind=kind,
            max_side=max_side,
        )
        for task in tasks.COMPARED_TASKS
    }
    summary = {
        "command": " ".join(
            ["python -m sol5lab.experiments.tasks", *(sys.argv[1:] if argv is None else argv)]
        ),
        "backend": keras.backend.backend(),
        **tasks_report.summarize(records, trainings),
    }
    files.write_json(os.path.join(args.results_dir, f"restoration_tasks{suffix}.json"), summary)
    table = tasks_report.markdown_table(summary)
    files.write_text(os.path.join(args.results_dir, f"restoration_tasks{suffix}.md"), table + "\n")
    tasks_report.plot_examples(
        models, os.path.join(args.results_dir, f"restoration_tasks_examples{suffix}.png"), max_side=max_side
    )
    print()
    print(table)
    print(f"\ntask comparison: finished in {time.perf_counter() - start:.0f} s")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
