"""The main job: train the assignment's two models, restore the held-out images, and report.

For each task (denoising natural photographs, deblurring printed text) this trains the model
with the assignment's own ``learn_*_model`` at the assignment's settings (or reuses the model an
earlier run saved in ``models/``), restores every case of the task's test protocol
(:mod:`sol5lab.protocols`: the held-out images under fixed, seeded corruptions, the same cases
as every experiment) with ``restore_image``, and writes a figure per task (corrupted | restored
| clean, with PSNR and SSIM) and ``results/demo.json``, then prints the table of mean PSNR/SSIM
per condition.

Run ``python -m sol5lab.experiments.demo`` (``make demo`` sets everything up first);
``--retrain`` ignores saved models, ``--quick`` uses the presubmission's quick mode (seconds, a
smoke test on the first test image's central 128x128 window that writes ``*_quick`` files
beside the full run's, never over them).
"""

import argparse
import os
import sys

import sol5
import sol5_utils
from sol5lab import arguments, evaluation, files, protocols, store, tasks
from sol5lab.reporting import demo as demo_report

#: Seed of the training run.
SEED = 2020

#: The assignment's tasks, which the demo trains and restores.
TASKS = tasks.ASSIGNMENT_TASKS


def main(argv=None):
    """Run the demo; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick mode: the presubmission's tiny budget")
    parser.add_argument("--retrain", action="store_true", help="train even if a saved model exists")
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument(
        "--max-images", type=arguments.positive_int, default=None, help="restore the first N test images only"
    )
    args = parser.parse_args(argv)
    max_images = 1 if args.quick and args.max_images is None else args.max_images
    kind = files.run_kind(args.quick, partial=args.max_images is not None)

    summary = {
        "command": " ".join(
            ["python -m sol5lab.experiments.demo", *(sys.argv[1:] if argv is None else argv)]
        ),
        "seed": SEED,
        "protocol_seed": protocols.SEED,
        "tasks": {},
    }
    max_side = protocols.QUICK_MAX_SIDE if args.quick else None
    if max_side is not None:
        summary["max_side"] = max_side  # the central window of each image that was scored
    for task in TASKS:
        # store.NUM_RES_BLOCKS, seed SEED, kept as models_dir/<task>[_quick].keras (see sol5lab.store)
        stem = files.variant(os.path.join(args.models_dir, task), args.quick)
        model, record = store.trained_model(
            task,
            stem,
            num_res_blocks=store.NUM_RES_BLOCKS[args.quick],
            seed=SEED,
            quick_mode=args.quick,
            retrain=args.retrain,
        )
        cases = protocols.cases(task, max_images=max_images, max_side=max_side)
        rows = evaluation.score(
            cases, lambda corrupted, parameters, model=model: sol5.restore_image(corrupted, model)
        )
        demo_report.plot(
            task,
            cases,
            model,
            files.variant(os.path.join(args.results_dir, f"demo_{task}"), kind) + ".png",
        )
        conditions = [condition["name"] for condition in tasks.TASKS[task].conditions]
        summary["tasks"][task] = {
            "training": {key: value for key, value in record.items() if key != "reused"},
            "conditions": evaluation.mean_by_condition(rows, conditions),
            "cases": [
                {key: row[key] for key in ("image", "condition", "corrupted", "restored")} for row in rows
            ],
        }
    files.write_json(files.variant(os.path.join(args.results_dir, "demo"), kind) + ".json", summary)
    print()
    print(demo_report.markdown_table(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
