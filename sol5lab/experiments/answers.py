"""Write ``answer_q1.txt`` and ``answer_q2.txt`` from the committed results (the text:
:mod:`sol5lab.reporting.answers`).

Run ``python -m sol5lab.experiments.answers`` (``make plots`` and ``make tasks`` run it after
their experiments).
"""

import os
import sys

import sol5_utils
from sol5lab import files
from sol5lab.reporting import answers as answers_report


def _write(target, text):
    files.write_text(target, text)
    print(text)


def main(argv=None):
    """Write answer_q1.txt from results/depth_experiment.json and answer_q2.txt from
    results/restoration_tasks.json (each only when its results exist)."""
    written = 0
    for results, target, answer in (
        ("depth_experiment.json", "answer_q1.txt", answers_report.answer_q1),
        ("restoration_tasks.json", "answer_q2.txt", answers_report.answer_q2),
    ):
        path = sol5_utils.relpath(os.path.join("results", results))
        if os.path.exists(path):
            _write(sol5_utils.relpath(target), answer(files.read_json(path)))
            written += 1
    if not written:
        raise FileNotFoundError("No results to answer from: run `make plots` or `make tasks` first.")


if __name__ == "__main__":
    main(sys.argv[1:])
