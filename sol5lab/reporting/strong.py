"""The strong models' report: the targets table and each shipped model's card."""

from sol5lab import tasks
from sol5lab.reporting.benchmark import machine_label

#: The card's sections, in order (tests read them).
CARD_SECTIONS = ("Data", "Recipe", "Training", "Held-out scores", "Use", "Retrain")


#: How a task's model is applied, where it is not ``sol5.restore_image``.
USE = {
    "super_resolution": "from sol5lab.inference import super_resolve_image\n"
    "larger = super_resolve_image(image, model, 3)  # 2, 3 or 4 times; grayscale in [0, 1]",
    "combined": "restored = sol5.restore_image(image, model)  # scratches, JPEG, impulse noise\n"
    "from sol5lab.inference import super_resolve_image\n"
    "larger = super_resolve_image(image, model, 3)  # an enlargement, 2 to 4 times",
}


def _hours(seconds):
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def condition_name(task, row):
    """A row's condition, named with its protocol where that is not the task's own (the combined
    model is scored on the single tasks' protocols)."""
    protocol = row.get("protocol", task)
    return row["condition"] if protocol == task else f"{protocol}, {row['condition']}"


def gap_text(gap_db):
    """``gap_db`` (float, dB) signed, to 0.01 dB, or to 0.001 dB where 0.01 would show a met
    target and a missed one alike as ``+0.00``/``-0.00`` (and to 0.0001 below that)."""
    for decimals in (2, 3):
        if round(abs(gap_db), decimals) > 0:
            return f"{gap_db:+.{decimals}f} dB"
    return f"{gap_db:+.4f} dB"


def targets_table(results):
    """Return the markdown table of every target: ``{task: result}`` of
    :func:`sol5lab.experiments.strong.main`, a row per task and condition."""
    lines = [
        "| task | condition | model PSNR / SSIM | reference | reference PSNR / SSIM | required PSNR | gap "
        "| met |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for task, result in results.items():
        for row in result["targets"]:
            lines.append(
                f"| {task} | {condition_name(task, row)} | "
                f"{row['model']['psnr']:.2f} dB / {row['model']['ssim']:.3f} | {row['reference_name']} | "
                f"{row['reference']['psnr']:.2f} dB / {row['reference']['ssim']:.3f} | "
                f"{row['required_psnr']:.2f} dB | {gap_text(row['gap_db'])} | "
                f"{'yes' if row['met'] else 'no'} |"
            )
    return "\n".join(lines)


def held_out_table(task, result):
    """Return the markdown table of every held-out condition of ``task``'s result: the corrupted
    input, the protocol's alternative (its method, from the task registry) where it has one, and
    the model (PSNR / SSIM, means)."""
    lines = [
        "| condition | images | input | alternative | alternative PSNR / SSIM | model |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
    ]

    def cell(quality):
        return "–" if quality is None else f"{quality['psnr']:.2f} dB / {quality['ssim']:.3f}"

    for protocol, by_condition in result["held_out"].items():
        for condition, means in by_condition.items():
            name = condition_name(task, {"protocol": protocol, "condition": condition})
            alternative = means.get("alternative")
            method = tasks.task(protocol).alternative if alternative is not None else None
            lines.append(
                f"| {name} | {means['images']} | {cell(means.get('corrupted'))} | {method or '–'} | "
                f"{cell(alternative)} | {cell(means['restored'])} |"
            )
    return "\n".join(lines)


def curve_table(curve):
    """The validation curve of a training (:func:`sol5lab.resumable.train`'s ``curve``) as a
    markdown table: step, hours of training, training loss, validation PSNR."""
    lines = ["| step | training (h) | loss | validation PSNR |", "| ---: | ---: | ---: | ---: |"]
    lines += [
        f"| {point['step']:,} | {point['seconds'] / 3600:.2f} | {point['loss']:.5f} | "
        f"{point['val_psnr']:.2f} dB |"
        for point in curve
    ]
    return "\n".join(lines)


def policies_line(state, recipe_policy=None):
    """Return a one-line list saying under which dtype policies the training computed
    (``state["policies"]``, :func:`sol5lab.resumable.train`) when they differ from
    ``recipe_policy`` (the recipe's, when given), or when it changed policy; else ``[]``."""
    policies = state.get("policies", [])
    if not policies or (len(policies) == 1 and recipe_policy in (None, policies[0]["policy"])):
        return []
    why = "(a machine without native bfloat16 trains in float32, `sol5lab.training.compute_policy`)."
    if len(policies) == 1:
        return [f"Dtype policy: {policies[0]['policy']} throughout, not the recipe's {recipe_policy} {why}"]
    spans = [f"{entry['policy']} from step {entry['step']:,}" for entry in policies]
    return [f"Dtype policies: {'; '.join(spans)} {why}"]


def initialisation_line(state):
    """The card's line on a warm start (``state["initialised_from"]``, :func:`strong.warm_start`),
    as a list of one; ``[]`` for a network initialised at random."""
    source = state.get("initialised_from")
    if source is None:
        return []
    return [
        f"- initialised from {source['source']} (its step {source['step']:,} weights; the file's "
        "hashes are `training.initialised_from.sha256`): a retraining starts from the one shipped then"
    ]


def _timed_restoration(task, side):
    """What ``strong.inference_speed`` times, in words: a ``side`` x ``side`` image restored, or
    for super-resolution enlarged 2 times (the model then computes on 4 times the pixels)."""
    if task == "super_resolution":
        return f"Enlarging a {side}x{side} image 2 times (to {2 * side}x{2 * side})"
    return f"Restoring a {side}x{side} image"


#: The most image names a card lists; a longer list is in the result's JSON.
CARD_NAMES = 40


def _names(names, task):
    """``names`` joined by commas; past :data:`CARD_NAMES`, the first and last few and where the
    whole list is."""
    if len(names) <= CARD_NAMES:
        return ", ".join(names)
    return (
        f"{', '.join(names[:3])}, ..., {', '.join(names[-3:])} (every name: "
        f"`config.recipe.training_images` in `results/strong/{task}.json`)"
    )


def validation_corruption_line(recipe):
    """The card's line naming the corruption of the validation batches, where a recipe ``config``
    has one of its own; none otherwise."""
    if "validation_corruption" not in recipe:
        return []
    return [f"Validation batches corrupted by `{recipe['validation_corruption']}` (sol5lab.recipes)."]


def model_card(task, result):
    """Return the model card of ``task``'s shipped model, from its :func:`strong.main` result."""
    recipe = result["config"]["recipe"]
    state = result["training"]
    best = next(point for point in state["curve"] if point["step"] == state["best_step"])
    network = ", ".join(f"{key} {value}" for key, value in recipe["network"].items())
    # a model shipped before its training ends (strong --ship-best) says so
    stopped = state["stopped"] or f"still under way, of at most {recipe['max_steps']:,} steps"
    lines = [
        f"# Shipped model: {task}",
        "",
        f"`sol5lab.pretrained({task!r})`, {result['parameters']:,} parameters, written by "
        f"`{result['command']}`",
        f"({result['config']['backend']} backend, seed {result['config']['seed']}).",
        "",
        "## Data",
        "",
        f"{len(recipe['training_images'])} training images: {_names(recipe['training_images'], task)}.",
        f"Validation (never trained on): {', '.join(recipe['validation_images'])}.",
        f"Corruption: `{recipe['corruption']}` (sol5lab.recipes), drawn afresh for every patch.",
        *validation_corruption_line(recipe),
        "",
        "## Recipe",
        "",
        f"- network: {recipe['architecture']} ({network}), dtype policy {recipe['policy']}",
        f"- patches {recipe['crop_size'][0]}x{recipe['crop_size'][1]}, batch {recipe['batch_size']}, "
        f"augmentation {'flips and quarter turns' if recipe['augment'] else 'none'}",
        f"- loss {recipe['loss']}, Adam from {recipe['learning_rate']:g} on a cosine to zero over "
        f"{recipe['max_steps']:,} steps",
        f"- validation every {recipe['round_steps']} steps on {recipe['num_valid_batches']} fixed batches; "
        f"stop after {recipe['patience']} rounds without a better PSNR",
        *initialisation_line(state),
        "",
        "## Training",
        "",
        f"{state['step']:,} steps in {_hours(state['seconds'])} of training ({stopped}); the "
        f"shipped weights are step {state['best_step']:,}'s, validation PSNR {best['val_psnr']:.2f} dB.",
        *policies_line(state, recipe["policy"]),
        "The curve (step, seconds, loss, validation PSNR) is `training.curve` in "
        f"`results/strong/{task}.json`.",
        "",
        "## Held-out scores",
        "",
        targets_table({task: result}),
        "",
        "Every held-out condition (the test images of `sol5lab.protocols`):",
        "",
        held_out_table(task, result),
        "",
        f"{_timed_restoration(task, result['inference']['side'])} takes "
        f"{result['inference']['seconds']['median']:.2f} s (median) on {machine_label(result['machine'])}.",
        "",
        "## Use",
        "",
        "```python",
        "import sol5, sol5lab",
        f"model = sol5lab.pretrained({task!r})",
        USE[task]
        if task in USE
        else "restored = sol5.restore_image(image, model)  # grayscale, float64 in [0, 1]",
        "```",
        "",
        "## Retrain",
        "",
        f"`{result['command']}` (resumable: run it again after an interruption). It goes on from "
        f"the committed checkpoint in `models/strong/{task}/`: delete that folder to train anew.",
        "",
    ]
    return "\n".join(lines)
