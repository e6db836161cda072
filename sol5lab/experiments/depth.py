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
makes a tiny run for a smoke test. Only a full run writes the files above: a quick run writes
``*_quick`` files (models too), and a run on a subset (``--max-images``, fewer tasks, depths or
seeds) writes its summary and plots as ``*_partial`` files, and its runs' results too when
``--max-images`` makes them differ from a full run's.
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

import sol5
import sol5_utils
from sol5lab import arguments, evaluation, files, protocols, store, tasks
from sol5lab.reporting import depth as depth_report

TASKS = ("denoising", "deblurring")
DEPTHS = (1, 2, 3, 4, 5)
SEEDS = (0, 1, 2)

#: The assignment's names for the plots, per task.
PLOT_NAMES = {"denoising": "depth_plot_denoise.png", "deblurring": "depth_plot_deblur.png"}


def run_name(task, depth, seed, kind="full"):
    """Return the file stem of a run's results or model: ``kind`` is the
    :func:`sol5lab.files.run_kind` (or ``quick_mode``, a bool) of the run that writes it."""
    return files.variant(f"{task}_depth{depth}_seed{seed}", kind)


def results_kind(quick_mode, max_images):
    """The :func:`sol5lab.files.run_kind` of one run's results: partial when scored on fewer
    images. (Its model, trained the same either way, is ``quick`` or ``full``.)"""
    return files.run_kind(quick_mode, partial=max_images is not None)


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
        os.path.join(
            results_dir, "depth", f"{run_name(task, depth, seed, results_kind(quick_mode, max_images))}.json"
        ),
        record,
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
        name = run_name(task, depth, seed, results_kind(quick_mode, max_images))
        path = os.path.join(results_dir, "depth", f"{name}.json")
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


def stored_runs(tasks, depths, seeds, results_dir, quick_mode=False, max_images=None):
    """Read the results of every (task, depth, seed) from ``results_dir``, as :func:`run_all`
    returns them; FileNotFoundError names the first one missing."""
    runs = {}
    for task in tasks:
        for depth in depths:
            for seed in seeds:
                name = run_name(task, depth, seed, results_kind(quick_mode, max_images))
                path = os.path.join(results_dir, "depth", f"{name}.json")
                if not os.path.exists(path):
                    raise FileNotFoundError(f"No results at {path}; run the experiment without --plots-only.")
                runs.setdefault((task, depth), []).append(files.read_json(path))
    return runs


def main(argv=None):
    """Run the experiment; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--depths", nargs="+", type=arguments.positive_int, default=list(DEPTHS))
    parser.add_argument("--seeds", nargs="+", type=arguments.non_negative_int, default=list(SEEDS))
    parser.add_argument("--quick", action="store_true", help="quick mode: the presubmission's tiny budget")
    parser.add_argument(
        "--max-images",
        type=arguments.positive_int,
        default=None,
        help="score on the first N test images only",
    )
    parser.add_argument("--plots-only", action="store_true", help="only redraw from the results on disk")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--plots-dir", default=sol5_utils.relpath("."), help="where the depth plots go")
    args = parser.parse_args(argv)
    for option in ("tasks", "depths", "seeds"):
        values = getattr(args, option)
        if len(set(values)) != len(values):
            parser.error(f"argument --{option}: {values} repeats a value")
    selection = (tuple(args.tasks), tuple(args.depths), tuple(args.seeds))
    kind = files.run_kind(
        args.quick, partial=args.max_images is not None or selection != (TASKS, DEPTHS, SEEDS)
    )

    options = {
        "results_dir": args.results_dir,
        "models_dir": args.models_dir,
        "quick_mode": args.quick,
        "max_images": args.max_images,
    }
    if args.plots_only:
        runs = stored_runs(args.tasks, args.depths, args.seeds, args.results_dir, args.quick, args.max_images)
    else:
        runs = run_all(args.tasks, args.depths, args.seeds, **options)
    summary = {
        "command": " ".join(
            ["python -m sol5lab.experiments.depth", *(argv if argv is not None else sys.argv[1:])]
        ),
        "backend": keras.backend.backend(),
        "heldout_seed": protocols.SEED,
        "tasks": depth_report.summarize(runs),
    }
    files.write_json(
        files.variant(os.path.join(args.results_dir, "depth_experiment"), kind) + ".json", summary
    )
    print()
    print(depth_report.markdown_table(summary))
    for task in args.tasks:
        plot_name = files.variant(os.path.splitext(PLOT_NAMES[task])[0], kind) + ".png"
        depth_report.plot_depth(task, summary["tasks"][task], os.path.join(args.plots_dir, plot_name))
        stems = {
            depth: os.path.join(args.models_dir, "depth", run_name(task, depth, args.seeds[0], args.quick))
            for depth in args.depths
        }
        if all(os.path.exists(f"{stem}.keras") for stem in stems.values()):
            models = {
                depth: keras.saving.load_model(f"{stem}.keras", compile=False)
                for depth, stem in stems.items()
            }
            depth_report.plot_showcase(
                task,
                models,
                files.variant(os.path.join(args.results_dir, f"depth_{task}_restorations"), kind) + ".png",
                max_images=args.max_images,
            )
        else:
            print(f"[{task}] models of seed {args.seeds[0]} missing: restorations figure not redrawn")
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
