"""The classical methods against the learned networks, on the held-out cases: the CLI.

Runs :func:`sol5lab.classical.compare` for each task, writes ``results/classical_comparison.json``
and, beside the learned models of the depth experiment, the table
``results/classical_comparison.md``. Run ``python -m sol5lab.experiments.classical`` (``make
plots`` runs it after the depth experiment). ``--quick`` (one test and one tuning image) writes
``*_quick`` files, and a run on a subset (fewer tasks or images) ``*_partial`` files: only a full
run writes the files above.
"""

import argparse
import os
import sys

import sol5_utils
from sol5lab import arguments, files
from sol5lab.classical import METHODS, TUNING_IMAGES, TUNING_SEED, compare
from sol5lab.reporting import classical as classical_report


def main(argv=None):
    """Run the comparison; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--quick", action="store_true", help="one test and one tuning image: a smoke test")
    parser.add_argument(
        "--max-images",
        type=arguments.positive_int,
        default=None,
        help="score on the first N test images only",
    )
    parser.add_argument("--tuning-images", type=arguments.positive_int, default=None)
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    partial = args.max_images is not None or args.tuning_images is not None or args.tasks != list(METHODS)
    kind = files.run_kind(args.quick, partial=partial)
    if args.quick:
        args.max_images = args.max_images or 1
        args.tuning_images = args.tuning_images or 1
    args.tuning_images = args.tuning_images or TUNING_IMAGES
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
    files.write_json(
        files.variant(os.path.join(args.results_dir, "classical_comparison"), kind) + ".json", result
    )
    depth_path = os.path.join(args.results_dir, "depth_experiment.json")
    if os.path.exists(depth_path):  # the table beside the learned models
        table = classical_report.markdown_table(result, files.read_json(depth_path))
        table_path = files.variant(os.path.join(args.results_dir, "classical_comparison"), kind) + ".md"
        files.write_text(table_path, table + "\n")
        print()
        print(table)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
