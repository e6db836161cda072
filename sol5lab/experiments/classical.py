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
from sol5lab.reporting import classical as classical_report


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
        table = classical_report.markdown_table(result, files.read_json(depth_path))
        files.write_text(os.path.join(args.results_dir, "classical_comparison.md"), table + "\n")
        print()
        print(table)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
