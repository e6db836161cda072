"""Train a task's strong model by its recipe, resumably; score it against the targets; ship it.

``python -m sol5lab.experiments.strong --task denoising`` trains by the task's row of
:data:`sol5lab.recipes.RECIPES` with :func:`sol5lab.resumable.train`: checkpoints in
``models/strong/<task>/`` at every round (and at least every 5 minutes), a progress line with an
ETA, and after a kill or a reboot the same command goes on where the last checkpoint left off,
to the same result. When training stops (the validation PSNR has not improved for the recipe's
patience, or ``max_steps``), the best model restores the held-out cases of the task's protocol,
its scores are set against the issue's targets (the classical methods with their true parameters,
the plain interpolation or the decoded JPEG), and the model ships: ``sol5lab/models/<task>.keras``
(the record inside), its model card ``sol5lab/models/<task>.md`` and ``results/strong/<task>.json``.

``--ship-best`` scores and ships the best model so far of a training still under way (its card
says so), so that a training of many sessions ships before it ends; run without it, the training
goes on and ships again when it stops.

``--data-parallel`` trains across every device Keras sees (``keras.distribution.DataParallel``;
JAX backend), e.g. on a machine with several GPUs. ``--max-steps`` caps the steps (a partial run:
``*_partial`` files, nothing shipped); ``--quick`` runs the same code on a tiny network, a few
steps and the course's images (``*_quick`` files, nothing shipped). ``--table`` prints the
targets table of every finished model (``results/strong/*.json``), the one in the README.

The combined model (``--task combined``) has no protocol of its own: it is scored on the
protocols of the corruptions it undoes (:data:`COMBINED_PROTOCOLS`) and set against the single
models' finished results, so it trains after them (run again, it re-scores without training).
"""

import argparse
import dataclasses
import functools
import os
import sys
import time

import keras
import numpy as np

import sol5_utils
from sol5lab import (
    arguments,
    evaluation,
    files,
    inference,
    protocols,
    recipes,
    resumable,
    shipped,
    store,
    tasks,
    timing,
    training,
)
from sol5lab.reporting import strong as report

#: The validation stream's seed: its patches are the same for every training seed.
VALIDATION_SEED = 20_261_130

#: The issue's targets: what each task's model must reach on the held-out protocol, against what.
TARGETS = {
    "denoising": {"against": "BM3D", "margin_db": 0.0},
    "deblurring": {"against": "Wiener", "margin_db": 0.0, "ssim": True},
    "super_resolution": {"against": "alternative", "margin_db": 1.0},
    "jpeg_deblocking": {"against": "alternative", "margin_db": 1.2},
    # MemNet's claim: one model for every corruption, within 0.5 dB of each single-task model
    "combined": {"against": "single", "margin_db": -0.5},
}

#: The held-out protocols that score the combined model, which has none of its own: the cases of
#: every corruption it is trained on (:data:`sol5lab.corruptions.COMBINED_ORDER`).
COMBINED_PROTOCOLS = ("super_resolution", "jpeg_deblocking", "salt_and_pepper", "scratches")


def protocols_of(task):
    """The tasks whose held-out protocols score ``task``'s model: its own, or for the combined
    model :data:`COMBINED_PROTOCOLS`."""
    return COMBINED_PROTOCOLS if task == "combined" else (task,)


def quick_recipe(recipe):
    """``recipe`` on quick mode's budget: a tiny network, a few steps, the course's images.

    The photo set is optional (``make photos``), so quick mode, which CI runs, trains on the
    course's ``image_dataset`` (``text_dataset`` for text) instead.
    """
    dataset = "text_dataset" if recipe.task == "deblurring" else "image_dataset"
    images = sorted(sol5_utils.dataset_images(dataset, "train"))
    return dataclasses.replace(
        recipe,
        network={**recipe.network, "num_channels": 8, **_smaller_depth(recipe.architecture)},
        crop_size=(16, 16),
        batch_size=4,
        training_images=lambda: images[:2],
        validation_images=lambda: images[2:3],
        max_steps=4,
        round_steps=2,
        patience=2,
        num_valid_batches=1,
        warm_start=None,  # no tiny model ships to start from
    )


def _smaller_depth(architecture):
    """The depth setting of ``architecture`` for quick mode: as shallow as it goes."""
    return {
        "resnet": {"num_res_blocks": 1},
        "dncnn": {"num_layers": 3},
        "rednet": {"num_layers": 2},
        "memnet": {"num_memory_blocks": 1, "num_recursions": 1},
        "lka_resnet": {"num_blocks": 1},
    }[architecture]


def streams(recipe, seed):
    """The recipe's training stream and its fixed validation batches (corrupted by its
    ``validation_corruption`` where it has one).

    Returns
    -------
    stream : sol5lab.resumable.PatchStream
    validation : list of (numpy.ndarray, numpy.ndarray)
    """
    stream = resumable.PatchStream(
        recipe.training_images(), recipe.corruption, recipe.crop_size, recipe.batch_size,
        seed=seed, augment=recipe.augment,
    )  # fmt: skip
    held_out = resumable.PatchStream(
        recipe.validation_images(), recipe.validation_corruption or recipe.corruption,
        recipe.crop_size, recipe.batch_size,
        seed=VALIDATION_SEED, augment=False,
    )  # fmt: skip
    return stream, [held_out.batch(index) for index in range(recipe.num_valid_batches)]


def held_out_scores(task, model, *, max_images=None):
    """Restore the held-out cases of ``task``'s protocol with ``model`` and score them by condition.

    Parameters
    ----------
    task : str
        A task with a test protocol (:data:`sol5lab.tasks.TASKS`); ``model`` is applied as that
        task's models are (:func:`sol5lab.inference.restore_with`).

    Returns
    -------
    rows : list of dict
        :func:`sol5lab.evaluation.score`'s rows, each with the ``alternative``'s quality where the
        task has one.
    by_condition : dict
        :func:`sol5lab.evaluation.mean_by_condition`, with ``alternative`` means added.
    """
    cases = protocols.cases(task, max_images=max_images)
    rows = evaluation.score(
        cases, lambda corrupted, parameters: inference.restore_with(task, model, corrupted, parameters)
    )
    for row, case in zip(rows, cases, strict=True):
        if "alternative" in case:
            row["alternative"] = evaluation.image_quality(case["clean"], case["alternative"])
    conditions = [condition["name"] for condition in tasks.task(task).conditions]
    by_condition = evaluation.mean_by_condition(rows, conditions)
    for name, means in by_condition.items():
        chosen = [row["alternative"] for row in rows if row["condition"] == name and "alternative" in row]
        if chosen:
            means["alternative"] = evaluation.mean_quality(chosen)
    return rows, by_condition


def reference_of(task, protocol, condition, means, references):
    """The quality ``task``'s model must be set against on one condition, by :data:`TARGETS`.

    Parameters
    ----------
    protocol, condition : str
        The held-out protocol and its condition's name.
    means : dict
        The condition's means (:func:`held_out_scores`).
    references : dict
        ``classical``: ``results/classical_comparison.json`` or None; ``singles``: ``{task:
        result}`` of the single-task models' :func:`main` results (the combined model's target).

    Returns
    -------
    (dict, str) or None
        The reference's ``psnr`` and ``ssim``, and its name; None where it is not measured.
    """
    against = TARGETS[task]["against"]
    if against == "alternative":
        return means["alternative"], tasks.task(protocol).alternative
    if against == "single":
        single = (references.get("singles") or {}).get(protocol)
        if single is None:
            return None
        return single["held_out"][protocol][condition]["restored"], f"{protocol} model (strong)"
    scores = (((references.get("classical") or {}).get("tasks") or {}).get(protocol) or {}).get(condition, {})
    if against not in scores:
        return None
    return scores[against], f"{against} (true parameters)"


def target_rows(task, held_out, references):
    """Set the model's held-out scores against the task's target (:data:`TARGETS`).

    Parameters
    ----------
    held_out : dict
        ``{protocol: by_condition}`` of :func:`held_out_scores`, for :func:`protocols_of` ``(task)``.
    references : dict
        :func:`reference_of`'s.

    Returns
    -------
    list of dict
        Per protocol and condition with a measured reference: ``protocol``, ``condition``,
        ``model`` and ``reference`` (``psnr``, ``ssim``), the ``reference``'s name, the
        ``required_psnr``, the ``gap_db`` (model minus required: met when at least 0) and ``met``
        (PSNR, and SSIM where the target asks for it).
    """
    target = TARGETS[task]
    rows = []
    for protocol, by_condition in held_out.items():
        for condition, means in by_condition.items():
            found = reference_of(task, protocol, condition, means, references)
            if found is None:
                continue
            reference, name = found
            required = reference["psnr"] + target["margin_db"]
            model = means["restored"]
            met = model["psnr"] >= required and (not target.get("ssim") or model["ssim"] >= reference["ssim"])
            rows.append({
                "protocol": protocol,
                "condition": condition,
                "model": {"psnr": model["psnr"], "ssim": model["ssim"]},
                "reference_name": name,
                "reference": {"psnr": reference["psnr"], "ssim": reference["ssim"]},
                "required_psnr": required,
                "gap_db": model["psnr"] - required,
                "met": bool(met),
            })  # fmt: skip
    return rows


def finished_results(results_dir, tasks_=None, kind="full"):
    """The finished runs' results in ``results_dir``: ``{task: result}`` of the
    ``strong/<task>.json`` (``<task>_quick.json``, ... for another run ``kind``) that exist, for
    ``tasks_`` (every recipe's, in the order of :data:`sol5lab.recipes.RECIPES`, when omitted).
    The combined model is set against those of :data:`COMBINED_PROTOCOLS`."""
    paths = {
        task: os.path.join(results_dir, "strong", files.variant(task, kind) + ".json")
        for task in (recipes.RECIPES if tasks_ is None else tasks_)
    }
    return {task: files.read_json(path) for task, path in paths.items() if os.path.isfile(path)}


def warm_start(task, ship_dir):
    """The ``initialise`` of :func:`sol5lab.resumable.train` that starts a fresh network from the
    model shipped for ``task`` in ``ship_dir`` (the same network).

    Returns
    -------
    callable
        ``(model) -> dict``: copies the shipped model's weights into ``model`` and returns the
        ``source`` (in words), the ``task``, the training ``step`` the weights were taken at
        and their ``sha256`` (:func:`sol5lab.store.read_record`'s hashes of the file's members).
    """
    path = os.path.join(ship_dir, f"{task}.keras")

    def initialise(model):
        record = store.read_record(path)
        resumable.copy_weights(keras.saving.load_model(path, compile=False, safe_mode=True), model)
        return {
            "source": f"the shipped {task} model",
            "task": task,
            "step": record["training"]["best_step"],
            "sha256": record["sha256"],
        }

    return initialise


def inference_speed(model, task, *, quick_mode):
    """Seconds to restore a 512x512 image with ``model``, or for super-resolution to enlarge it 2
    times (the median of 3 after a warm-up)."""
    side = 64 if quick_mode else 512
    image = np.random.default_rng(0).uniform(0, 1, (side, side))
    seconds = timing.timed(
        lambda: inference.restore_with(task, model, image, {"factor": 2}), 1 if quick_mode else 3
    )
    return {"side": side, "seconds": seconds}


def print_status(checkpoint, max_steps, policy=None, input_psnr=None):
    """Print the validation curve of the training whose checkpoint is at ``checkpoint`` (and its
    dtype policies where they are not the recipe's ``policy``), and where given the
    ``input_psnr`` of the corrupted inputs on the same validation batches.

    Returns
    -------
    dict
        The checkpoint's ``state`` (:func:`sol5lab.resumable.train`).

    Raises
    ------
    FileNotFoundError
        If there is no checkpoint yet.
    """
    state = store.read_record(checkpoint)["state"]
    print(f"{checkpoint}: step {state['step']} of at most {max_steps}, {state['seconds'] / 3600:.2f} h of "
          f"training, best at step {state['best_step']}, {state['stopped'] or 'not stopped'}")  # fmt: skip
    for line in report.policies_line(state, policy):
        print(line)
    print(report.curve_table(state["curve"]))
    if input_psnr is not None:
        print(f"The corrupted inputs score {input_psnr:.2f} dB on the same validation batches.")
    return state


def main(argv=None):
    """Run the command; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=sorted(recipes.RECIPES), help="required unless --table")
    parser.add_argument("--seed", type=arguments.non_negative_int, default=0)
    parser.add_argument(
        "--max-steps", type=arguments.positive_int, default=None, help="cap the steps (partial)"
    )
    parser.add_argument("--quick", action="store_true", help="a tiny network for a few steps: a smoke test")
    parser.add_argument(
        "--data-parallel", action="store_true", help="train across every device (keras.distribution)"
    )
    parser.add_argument(
        "--max-images", type=arguments.positive_int, default=None, help="score on N test images"
    )
    parser.add_argument(
        "--status", action="store_true", help="print the training's curve from its checkpoint; train nothing"
    )
    parser.add_argument(
        "--ship-best",
        action="store_true",
        help="score and ship the best model so far of a training under way; train nothing",
    )
    parser.add_argument(
        "--table", action="store_true", help="print the targets table of every finished model; train nothing"
    )
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--ship-dir", default=shipped.MODELS_DIR)
    parser.add_argument(
        "--classical",
        default=sol5_utils.relpath(os.path.join("results", "classical_comparison.json")),
        help="the classical methods' scores (make classical)",
    )
    args = parser.parse_args(argv)
    if args.table:
        results = finished_results(args.results_dir)
        print(report.targets_table(results) if results else f"no finished model in {args.results_dir}/strong")
        return results
    if args.task is None:
        parser.error("--task is required (unless --table)")
    recipe = recipes.recipe(args.task)
    if args.quick:
        recipe = quick_recipe(recipe)
    kind = files.run_kind(args.quick, partial=args.max_steps is not None or args.max_images is not None)
    if args.max_steps is not None:
        recipe = dataclasses.replace(recipe, max_steps=args.max_steps)
    # --max-images scores fewer images of the same training: its results are partial and ship
    # nothing, but it trains in (and --ship-best reads) the full run's checkpoint, so that
    # `--ship-best --max-images 2` probes a training under way in minutes.
    training_kind = files.run_kind(args.quick, partial=args.max_steps is not None)
    directory = os.path.join(args.models_dir, "strong", files.variant(args.task, training_kind))
    if args.status:
        checkpoint = os.path.join(directory, resumable.CHECKPOINT_FILE)
        if not os.path.isfile(checkpoint):
            parser.error(f"no checkpoint in {directory}: the training has not started")
        try:
            baseline = resumable.input_psnr(streams(recipe, args.seed)[1])
        except FileNotFoundError:
            baseline = None  # the training's images are not here: the curve alone
        return print_status(checkpoint, recipe.max_steps, recipe.policy, baseline)
    initialise = None
    if recipe.warm_start is not None and not args.ship_best:
        source = os.path.join(args.ship_dir, f"{recipe.warm_start}.keras")
        resuming = os.path.isfile(os.path.join(directory, resumable.CHECKPOINT_FILE))
        if not resuming and not os.path.isfile(source):
            parser.error(
                f"--task {args.task} starts from the shipped {recipe.warm_start} model, and {source} "
                f"does not exist: train it first (--task {recipe.warm_start})"
            )
        initialise = warm_start(recipe.warm_start, args.ship_dir)
    if TARGETS[args.task]["against"] in ("BM3D", "Wiener") and not os.path.isfile(args.classical):
        parser.error(
            f"--classical {args.classical}: no such file; "
            "`python -m sol5lab.experiments.classical` (make plots) writes it"
        )
    classical = files.read_json(args.classical) if os.path.isfile(args.classical) else None
    try:
        stream, validation = streams(recipe, args.seed)
    except FileNotFoundError as error:
        parser.error(str(error))
    config = {"recipe": recipe.config(), "seed": args.seed, "backend": keras.backend.backend()}
    distribution = keras.distribution.DataParallel() if args.data_parallel else None
    policy = training.compute_policy(recipe.policy)
    started = time.perf_counter()
    if args.ship_best:
        try:
            model, record = resumable.best_so_far(directory, config)
        except (FileNotFoundError, ValueError) as error:
            parser.error(f"--ship-best: {error}")
    else:
        model, record = resumable.train(
            functools.partial(recipe.build, policy), stream, validation, directory=directory,
            config=config, max_steps=recipe.max_steps, round_steps=recipe.round_steps,
            patience=recipe.patience, distribution=distribution, policy=policy, initialise=initialise,
        )  # fmt: skip
    scored = {
        protocol: held_out_scores(protocol, model, max_images=args.max_images)
        for protocol in protocols_of(args.task)
    }
    held_out = {protocol: by_condition for protocol, (_, by_condition) in scored.items()}
    singles = finished_results(args.results_dir, COMBINED_PROTOCOLS, kind)
    references = {"classical": classical, "singles": singles}
    result = {
        # the command that trains this model (--ship-best only ships it before the end)
        "command": " ".join(
            [
                "python -m sol5lab.experiments.strong",
                *(arg for arg in (argv if argv is not None else sys.argv[1:]) if arg != "--ship-best"),
            ]
        ),
        "machine": timing.machine_info(),
        "config": config,
        "training": record["state"],
        "parameters": model.count_params(),
        "held_out": held_out,
        "cases": {protocol: rows for protocol, (rows, _) in scored.items()},
        "targets": target_rows(args.task, held_out, references),
        "inference": inference_speed(model, args.task, quick_mode=args.quick),
        "seconds_this_process": time.perf_counter() - started,
    }
    files.write_json(
        os.path.join(args.results_dir, "strong", files.variant(args.task, kind) + ".json"), result
    )
    if kind == "full":
        store.save_trained(model, os.path.join(args.ship_dir, f"{args.task}.keras"), result)
        files.write_text(os.path.join(args.ship_dir, f"{args.task}.md"), report.model_card(args.task, result))
    print(report.targets_table({args.task: result}))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
