"""Which way a grayscale model should restore a colour photograph: measured, not guessed.

The demo's denoising model (trained on grayscale images; ``models/denoising.keras``, trained
through :func:`sol5lab.store.trained_model` as the demo trains it, or reused) restores the
held-out colour photographs of the denoising protocol, each channel under Gaussian noise of the
protocol's three strengths (:func:`sol5lab.protocols.colour_cases`), in each way of
:data:`sol5lab.colour.METHODS`: the luma alone with the chroma kept, the luma with the chroma
smoothed, and every RGB channel. Each is scored on the colour image (PSNR over the three
channels, SSIM averaged over them) and timed; the method with the best mean PSNR over all cases
is the ``best`` of ``results/colour.json``, which the command uses (``sol5lab.colour
.DEFAULT_METHOD``), and ``docs/colour.md`` shows the table.

Run ``python -m sol5lab.experiments.colour`` (under a minute with the demo's model saved; it
trains it first otherwise, about 4 minutes on 2 cores); ``--quick`` trains the presubmission's
quick model and scores a corner of the first colour image, writing ``*_quick`` files only.
"""

import argparse
import os
import sys

import numpy as np

import sol5
import sol5_utils
from sol5lab import colour, evaluation, files, protocols, store, tasks
from sol5lab.experiments.demo import SEED
from sol5lab.reporting import colour as colour_report

#: The task whose model and colour cases are measured.
TASK = "denoising"


#: A quick run's share of its one image: its top-left corner, rows and columns (a full run
#: scores the whole images; quick mode changes this number only, not the code path).
QUICK_CROP = (96, 128)


def run(model, *, max_images=None, crop=None):
    """Score every colour method on the colour cases with ``model``.

    Returns
    -------
    dict
        ``methods``: per method, ``conditions`` (:func:`sol5lab.evaluation.mean_by_condition`),
        ``mean`` (PSNR and SSIM over all cases), ``seconds`` (mean restoration time per image) and
        ``cases``; ``best``: the method of the highest mean PSNR. ``crop`` (rows, columns) scores
        the top-left corner of each image only.
    """
    cases = protocols.colour_cases(TASK, max_images=max_images)
    if crop is not None:
        for case in cases:
            case["clean"], case["corrupted"] = (
                case[key][: crop[0], : crop[1]] for key in ("clean", "corrupted")
            )
    conditions = [condition["name"] for condition in tasks.TASKS[TASK].conditions]

    def restore_plane(plane):
        return sol5.restore_image(plane, model)

    methods = {}
    for method in colour.METHODS:
        rows = evaluation.score(
            cases,
            lambda corrupted, parameters, method=method: colour.restore_colour(
                corrupted, restore_plane, method
            ),
        )
        methods[method] = {
            "conditions": evaluation.mean_by_condition(rows, conditions),
            "mean": evaluation.mean_quality([row["restored"] for row in rows]),
            "seconds": float(np.mean([row["restore_seconds"] for row in rows])),
            "cases": [
                {key: row[key] for key in ("image", "condition", "corrupted", "restored", "restore_seconds")}
                for row in rows
            ],
        }
    return {
        "images": sorted({case["image"] for case in cases}),
        "chroma_sigma": colour.CHROMA_SIGMA,
        "methods": methods,
        "best": max(methods, key=lambda method: methods[method]["mean"]["psnr"]),
    }


def main(argv=None):
    """Run the comparison; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="quick model, first colour image: a smoke test")
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    stem = files.variant(os.path.join(args.models_dir, TASK), args.quick)
    model, record = store.trained_model(
        TASK, stem, num_res_blocks=store.NUM_RES_BLOCKS[args.quick], seed=SEED, quick_mode=args.quick
    )
    result = {
        "command": "python -m sol5lab.experiments.colour" + (" --quick" if args.quick else ""),
        "task": TASK,
        "model": {key: record[key] for key in ("num_res_blocks", "seed", "backend")},
        "protocol_seed": protocols.SEED,
        **run(model, max_images=1 if args.quick else None, crop=QUICK_CROP if args.quick else None),
    }
    files.write_json(files.variant(os.path.join(args.results_dir, "colour"), args.quick) + ".json", result)
    print()
    print(colour_report.markdown_table(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
