"""The classical methods against the learned networks, on the held-out cases: the CLI.

Runs :func:`sol5lab.classical.compare` for each task, writes ``results/classical_comparison.json``
and, beside the learned models of the depth experiment, the table
``results/classical_comparison.md``. Run ``python -m sol5lab.experiments.classical`` (``make
plots`` runs it after the depth experiment).
"""

import argparse
import os
import sys

import sol5_utils
from sol5lab import files
from sol5lab.classical import METHODS, TUNING_IMAGES, TUNING_SEED, compare


def markdown_table(classical, depth_summary):
    """Return the README's comparison table: per task and condition, the corrupted input, the
    deepest learned model of the depth experiment (mean ± std over seeds) and each classical method.

    Parameters
    ----------
    classical : dict
        The contents of ``results/classical_comparison.json``.
    depth_summary : dict
        The contents of ``results/depth_experiment.json``.
    """
    lines = [
        "| task | corruption | method | PSNR | SSIM | seconds per image |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for task, conditions in classical["tasks"].items():
        entry = depth_summary["tasks"][task]
        depth = max(entry["depths"])
        learned = entry["by_depth"][str(depth)]
        seeds = len(learned["seeds"])
        for condition, methods in conditions.items():
            corrupted = entry["corrupted"][condition]
            lines.append(
                f"| {task} | {condition} | corrupted input "
                f"| {corrupted['psnr']:.2f} dB | {corrupted['ssim']:.3f} | |"
            )
            ours = learned["conditions"][condition]
            lines.append(
                f"| {task} | {condition} | learned, {depth} blocks ({seeds} seeds) "
                f"| {ours['psnr']['mean']:.2f} ± {ours['psnr']['std']:.2f} dB "
                f"| {ours['ssim']['mean']:.3f} ± {ours['ssim']['std']:.3f} "
                f"| {learned['restore_seconds_per_image']:.2f} |"
            )
            for method, row in methods.items():
                name = method + (f" ({row['parameter']} {row['value']:g})" if row["parameter"] else "")
                lines.append(
                    f"| {task} | {condition} | {name} | {row['psnr']:.2f} dB | {row['ssim']:.3f} "
                    f"| {row['seconds_per_image']:.2f} |"
                )
    return "\n".join(lines)


def main(argv=None):
    """Run the comparison; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--max-images", type=int, default=None, help="score on the first N test images only")
    parser.add_argument("--tuning-images", type=int, default=TUNING_IMAGES)
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    result = {
        "command": " ".join(
            ["python -m sol5lab.experiments.classical", *(argv if argv is not None else sys.argv[1:])]
        ),
        "tuning": {"split": "train", "images": args.tuning_images, "seed": TUNING_SEED},
        "tasks": {
            task: compare(task, max_images=args.max_images, tuning_images=args.tuning_images)
            for task in args.tasks
        },
    }
    files.write_json(os.path.join(args.results_dir, "classical_comparison.json"), result)
    depth_path = os.path.join(args.results_dir, "depth_experiment.json")
    if os.path.exists(depth_path):  # the table beside the learned models
        table = markdown_table(result, files.read_json(depth_path))
        with files.atomic_path(os.path.join(args.results_dir, "classical_comparison.md")) as temporary:
            with open(temporary, "w", encoding="utf-8") as file:
                file.write(table + "\n")
        print()
        print(table)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
