"""The seeds' architectures through the same workflow, compared at an equal wall-clock budget.

For both of the assignment's tasks (denoising photographs at sigma in [0, 0.2], deblurring text
with a 7-pixel motion blur), every network of :mod:`sol5lab.networks` (the assignment's ResNet,
DnCNN, RED-Net, MemNet, LKA-ResNet) is trained from each seed with the task's patches, batch and
corruption (:func:`sol5lab.training.learn`), for the same wall-clock budget on this machine
(:class:`sol5lab.training.TrainingBudget`, which also keeps the validation PSNR against time),
then scored on the task's held-out protocol (:mod:`sol5lab.protocols`) and timed: parameters,
FLOPs per pixel, seconds per training step, images per second at inference. A second sweep
trains RED-Net with and without its skips over several depths, at its own (shorter) budget.

Each finished (network, task, seed) is written at once to
``results/architectures/<task>_<network>_seed<s>.json`` (its model to
``models/architectures/``); a rerun skips those whose record has the same configuration, so a
killed run loses only the model in training. Then the summary goes to
``results/architectures.json``, the figures to ``results/architectures_*.png`` and the page to
``docs/architectures.md``.

Run ``python -m sol5lab.experiments.architectures`` (``make architectures``); ``--quick`` runs
the same code on the presubmission's tiny budget, about a second of training per model and the
first test image, writing ``*_quick`` files only; ``--report-only`` redraws from the records on disk.
"""

import argparse
import os
import sys
import time

import keras
import numpy as np

import sol5
import sol5_utils
from sol5lab import arguments, evaluation, files, networks, protocols, store, tasks, timing, training
from sol5lab.experiments import precision
from sol5lab.reporting import architectures as report

TASKS = tasks.ASSIGNMENT_TASKS
ARCHITECTURES = tuple(networks.ARCHITECTURES)
SEEDS = (0, 1)
#: The seeds of the RED-Net skip sweep: one, for its 12 runs a seed cost as much as the comparison's.
SWEEP_SEEDS = (0,)

#: Minutes of training per model (the comparison), and per model of the RED-Net skip sweep: the
#: whole experiment then takes about 100 minutes on 2 cores, so it fits in one working session.
BUDGET_MINUTES = 3.0
SWEEP_BUDGET_MINUTES = 1.5
#: RED-Net's depths in the sweep (layers of its encoder, as many in its decoder).
SWEEP_DEPTHS = (4, 10, 16)
#: Quick mode's budgets: a second or two, so that the budget's callback stops training in CI too.
QUICK_BUDGET_MINUTES = 0.02
#: Quick mode scores on the first test image only: restoring every held-out image with every
#: network is most of a quick run's time otherwise (about half a minute a network on 2 cores).
QUICK_MAX_IMAGES = 1
#: Epochs are only an upper bound under a budget: the budget ends training long before.
MAX_EPOCHS = 10_000
#: The dtype policies a network may train under; the second where its training step is at least
#: the precision trial's ``MIN_SPEEDUP`` times faster (measured by :func:`choose_policies`).
POLICIES = ("float32", "mixed_bfloat16")
#: The side of the square image whose restoration times inference (quick mode's).
SPEED_IMAGE_SIDE = {False: 256, True: 64}


def run_plan(architectures, tasks_, seeds, sweep_depths, sweep_seeds):
    """Return every run: ``(label, architecture, settings, task, seed, sweep)``.

    ``label`` names the network in the files and tables; ``settings`` overrides its defaults;
    ``sweep`` is True for the runs of the RED-Net skip sweep, which have their own budget.
    The comparison comes first, seed by seed, so a partial experiment already covers every
    network; the sweep follows.
    """
    plan = []
    for seed in seeds:
        for task in tasks_:
            plan += [(name, name, {}, task, seed, False) for name in architectures]
    for seed in sweep_seeds:
        for task in tasks_:
            for depth in sweep_depths:
                for skips in (True, False):
                    label = f"rednet{depth}" + ("" if skips else "_noskip")
                    plan.append((label, "rednet", {"num_layers": depth, "skips": skips}, task, seed, True))
    return plan


def run_name(label, task, seed, quick_mode=False):
    """Return the file stem shared by a run's record and its model (a quick run's its own)."""
    return files.variant(f"{task}_{label}_seed{seed}", quick_mode)


def max_epochs(quick_mode):
    """The epochs a run may take: :data:`MAX_EPOCHS`, or quick mode's own (None: the task's)."""
    return None if quick_mode else MAX_EPOCHS


def training_step_seconds(architecture, task, policy, *, repeats=5):
    """Time one training step of a fresh ``architecture`` for ``task`` under dtype ``policy``.

    The network has the task's settings (:func:`sol5lab.training.network_settings`) and the
    batch is a fixed random one of the task's batch size and crop size.

    Returns
    -------
    dict
        A :func:`sol5lab.timing.timed` summary, in seconds.
    """
    settings = tasks.training_settings(task, False)
    with training.keras_policy(policy):
        model = networks.build(architecture, **training.network_settings(task, architecture))
        sol5.compile_for_training(model)
    batch = np.random.default_rng(0).uniform(-0.5, 0.5, (settings["batch_size"], *settings["crop_size"], 1))
    batch = batch.astype("float32")
    return timing.timed(lambda: model.train_on_batch(batch, batch), repeats, warmup=2)


def choose_policies(tasks_, architectures, path, *, quick_mode):
    """Return the dtype policy each network trains under for each task, measuring what is missing.

    mixed_bfloat16 where its training step is at least ``precision.MIN_SPEEDUP`` times faster than
    float32's, float32 elsewhere (quick mode: float32 throughout, nothing measured or written).
    The measurements are written to ``path`` (JSON) as they are made and reused by a rerun, so
    every seed of a network trains under the same policy.

    Returns
    -------
    dict
        ``{"<task>/<architecture>": {"float32": summary, "mixed_bfloat16": summary, "speedup":
        float, "policy": str}}``; quick mode gives only the ``policy``.
    """
    if quick_mode:
        return {f"{task}/{name}": {"policy": POLICIES[0]} for task in tasks_ for name in architectures}
    table = files.read_json(path) if os.path.exists(path) else {}
    for task in tasks_:
        for name in architectures:
            key = f"{task}/{name}"
            if key in table:
                continue
            row = {policy: training_step_seconds(name, task, policy) for policy in POLICIES}
            row["speedup"] = row[POLICIES[0]]["median"] / row[POLICIES[1]]["median"]
            row["policy"] = POLICIES[int(row["speedup"] >= precision.MIN_SPEEDUP)]
            print(f"policy of {key}: {row['policy']} (bfloat16 {row['speedup']:.2f}x faster)", flush=True)
            table[key] = row
            files.write_json(path, table)
    return table


def run_config(architecture, settings, task, seed, *, budget_seconds, quick_mode, max_images, policy):
    """Return what identifies a run's results: its training and the cases it is scored on."""
    return {
        **store.training_config(
            task,
            num_res_blocks=5,
            seed=seed,
            quick_mode=quick_mode,
            architecture=architecture,
            architecture_settings=settings,
            num_epochs=max_epochs(quick_mode),
            budget_seconds=budget_seconds,
            policy=policy,
        ),
        "quick_mode": bool(quick_mode),
        "max_images": max_images,
        "conditions": [condition["name"] for condition in tasks.TASKS[task].conditions],
    }


def speed(model, task, *, quick_mode):
    """Measure ``model``'s cost: parameters, FLOPs per pixel, a training step, inference.

    The training step is timed on a copy of the network (the same architecture, fresh weights),
    on a fixed batch of the task's size, so the trained model and its optimizer are untouched.

    Returns
    -------
    dict
        ``parameters``, ``flops_per_pixel`` (forward), ``train_step_seconds`` (a
        :func:`sol5lab.timing.timed` summary), ``batch_size``, ``restore_seconds`` (of a
        :data:`SPEED_IMAGE_SIDE` square image with ``sol5.restore_image``) and
        ``images_per_second``.
    """
    settings = tasks.training_settings(task, quick_mode)
    repeats, side = (1, SPEED_IMAGE_SIDE[True]) if quick_mode else (5, SPEED_IMAGE_SIDE[False])
    copy = keras.models.clone_model(model)
    sol5.compile_for_training(copy)
    rng = np.random.default_rng(0)
    batch = rng.uniform(-0.5, 0.5, (settings["batch_size"], *model.input_shape[1:])).astype("float32")
    step = timing.timed(lambda: copy.train_on_batch(batch, batch), repeats, warmup=1 if quick_mode else 2)
    image = rng.uniform(0, 1, (side, side))
    restore = timing.timed(lambda: sol5.restore_image(image, model), repeats, warmup=1)
    return {
        "parameters": int(model.count_params()),
        "flops_per_pixel": int(timing.conv_flops(model, 1, 1, 1)),
        "batch_size": settings["batch_size"],
        "train_step_seconds": step,
        "restore_image_side": side,
        "restore_seconds": restore,
        "images_per_second": 1 / restore["median"],
    }


def run_one(
    run, *, budget_seconds, policy, results_dir, models_dir, quick_mode=False, max_images=None, verbose=2
):
    """Train (or reuse) one model under its budget, score it, time it, and write its record.

    Returns
    -------
    dict
        What was written to ``results_dir/architectures/<run_name>.json``: the ``config``, the
        ``training_seconds``, the per-epoch ``history``, the validation ``curve`` against time,
        the final ``val_mse``, the per-case ``cases``, the ``evaluation_seconds`` and the
        ``speed`` (:func:`speed`).
    """
    results_kind = files.run_kind(quick_mode, partial=max_images is not None)
    label, architecture, settings, task, seed, _ = run
    config = run_config(
        architecture, settings, task, seed,
        budget_seconds=budget_seconds, quick_mode=quick_mode, max_images=max_images, policy=policy,
    )  # fmt: skip
    model, trained = store.trained_model(
        task,
        os.path.join(models_dir, "architectures", run_name(label, task, seed, quick_mode)),
        seed=seed,
        quick_mode=quick_mode,
        verbose=verbose,
        architecture=architecture,
        architecture_settings=settings,
        num_epochs=max_epochs(quick_mode),
        budget_seconds=budget_seconds,
        policy=policy,
    )
    start = time.perf_counter()
    rows = evaluation.score(
        protocols.cases(task, max_images=max_images),
        lambda corrupted, parameters: sol5.restore_image(corrupted, model),
    )
    record = {
        "config": config,
        "label": label,
        "training_seconds": trained["training_seconds"],
        "history": trained["history"],
        "curve": trained["curve"],
        "val_mse": trained["history"]["val_loss"][-1],
        "evaluation_seconds": time.perf_counter() - start,
        "cases": rows,
        "speed": speed(model, task, quick_mode=quick_mode),
    }
    files.write_json(
        os.path.join(results_dir, "architectures", f"{run_name(label, task, seed, results_kind)}.json"),
        record,
    )
    return record


def classical_comparison(results_dir):
    """``results_dir/classical_comparison.json`` (``make classical``), or None if it is missing."""
    path = os.path.join(results_dir, "classical_comparison.json")
    return files.read_json(path) if os.path.exists(path) else None


def run_all(
    plan, *, budgets, policies, results_dir, models_dir, quick_mode=False, max_images=None, reuse_only=False
):
    """Run every planned run whose record is missing (or, with ``reuse_only``, raise for it).

    Parameters
    ----------
    budgets : dict
        Seconds of training, ``{False: comparison, True: sweep}``.
    policies : dict
        :func:`choose_policies`' table: each run trains under its network's policy for its task.

    Returns
    -------
    list of dict
        The records, in the plan's order.
    """
    records, pending = {}, []
    for index, run in enumerate(plan):
        label, architecture, settings, task, seed, sweep = run
        name = run_name(label, task, seed, files.run_kind(quick_mode, partial=max_images is not None))
        path = os.path.join(results_dir, "architectures", f"{name}.json")
        config = run_config(
            architecture, settings, task, seed, budget_seconds=budgets[sweep], quick_mode=quick_mode,
            max_images=max_images, policy=policies[f"{task}/{architecture}"]["policy"],
        )  # fmt: skip
        record = files.finished_record(path, config)
        if record is not None:
            records[index] = record
        elif reuse_only:
            raise FileNotFoundError(
                f"No matching record at {path}; run the experiment without --report-only."
            )
        else:
            pending.append(index)
    left = sum(budgets[plan[index][5]] for index in pending)
    print(
        f"architectures: {len(plan)} runs, {len(plan) - len(pending)} already done, {len(pending)} to go "
        f"(at least {left / 60:.0f} minutes of training)",
        flush=True,
    )
    start = time.perf_counter()
    for number, index in enumerate(pending, 1):
        label, architecture, _, task, seed, sweep = plan[index]
        print(
            f"[run {number}/{len(pending)}] {task}, {label}, seed {seed} | "
            f"elapsed {(time.perf_counter() - start) / 60:.1f} min",
            flush=True,
        )
        records[index] = run_one(
            plan[index], budget_seconds=budgets[sweep], policy=policies[f"{task}/{architecture}"]["policy"],
            results_dir=results_dir, models_dir=models_dir, quick_mode=quick_mode, max_images=max_images,
        )  # fmt: skip
    print(f"architectures: finished in {(time.perf_counter() - start) / 60:.1f} min")
    return [records[index] for index in range(len(plan))]


def main(argv=None):
    """Run the experiment; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--architectures", nargs="+", default=list(ARCHITECTURES), choices=ARCHITECTURES)
    parser.add_argument("--seeds", nargs="+", type=arguments.non_negative_int, default=list(SEEDS))
    parser.add_argument(
        "--budget-minutes", type=arguments.positive_float, default=None, help=f"default {BUDGET_MINUTES}"
    )
    parser.add_argument(
        "--sweep-budget-minutes",
        type=arguments.positive_float,
        default=None,
        help=f"default {SWEEP_BUDGET_MINUTES}",
    )
    parser.add_argument("--sweep-depths", nargs="*", type=arguments.positive_int, default=list(SWEEP_DEPTHS))
    parser.add_argument(
        "--sweep-seeds", nargs="*", type=arguments.non_negative_int, default=list(SWEEP_SEEDS)
    )
    parser.add_argument("--quick", action="store_true", help="quick mode: the presubmission's tiny budget")
    parser.add_argument(
        "--max-images",
        type=arguments.positive_int,
        default=None,
        help=f"score on the first N test images only (quick mode's default: {QUICK_MAX_IMAGES})",
    )
    parser.add_argument("--report-only", action="store_true", help="only redraw from the records on disk")
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--docs-dir", default=sol5_utils.relpath("docs"))
    args = parser.parse_args(argv)
    selection = [args.tasks, args.architectures, args.seeds, args.sweep_depths, args.sweep_seeds]
    partial = (
        args.max_images is not None
        or args.budget_minutes is not None
        or args.sweep_budget_minutes is not None
        or selection != [list(TASKS), list(ARCHITECTURES), list(SEEDS), list(SWEEP_DEPTHS), list(SWEEP_SEEDS)]
    )
    kind = files.run_kind(args.quick, partial=partial)
    if args.quick and args.max_images is None:
        args.max_images = QUICK_MAX_IMAGES
    quick_default = QUICK_BUDGET_MINUTES if args.quick else None
    budgets = {
        False: 60 * (args.budget_minutes or quick_default or BUDGET_MINUTES),
        True: 60 * (args.sweep_budget_minutes or quick_default or SWEEP_BUDGET_MINUTES),
    }
    plan = run_plan(args.architectures, args.tasks, args.seeds, args.sweep_depths, args.sweep_seeds)
    networks_trained = sorted({run[1] for run in plan}, key=list(ARCHITECTURES).index)
    policies = choose_policies(
        args.tasks,
        networks_trained,
        files.variant(os.path.join(args.results_dir, "architectures", "policies"), kind) + ".json",
        quick_mode=args.quick,
    )
    records = run_all(
        plan, budgets=budgets, policies=policies, results_dir=args.results_dir, models_dir=args.models_dir,
        quick_mode=args.quick, max_images=args.max_images, reuse_only=args.report_only,
    )  # fmt: skip
    summary = {
        # --report-only redraws what the same command without it writes, from the same records
        "command": " ".join(
            [
                "python -m sol5lab.experiments.architectures",
                *(arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--report-only"),
            ]
        ),
        "backend": keras.backend.backend(),
        "machine": timing.machine_info(),
        "heldout_seed": protocols.SEED,
        "budget_seconds": budgets[False],
        "sweep_budget_seconds": budgets[True],
        "speed_image_side": SPEED_IMAGE_SIDE[args.quick],
        "policies": policies,
        "classical": report.classical_baselines(classical_comparison(args.results_dir), args.tasks),
        **report.summarize(
            [record for record, run in zip(records, plan, strict=True) if not run[5]],
            [record for record, run in zip(records, plan, strict=True) if run[5]],
        ),
    }
    stem = files.variant(os.path.join(args.results_dir, "architectures"), kind)
    files.write_json(stem + ".json", summary)
    figures = report.plot_all(summary, stem)
    page_path = files.variant(os.path.join(args.docs_dir, "architectures"), kind) + ".md"
    previous = open(page_path, encoding="utf-8").read() if os.path.exists(page_path) else ""
    page = report.markdown_page(summary, figures, args.docs_dir, report.reading_section(previous))
    files.write_text(page_path, page)
    print()
    print(report.markdown_table(summary))
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
