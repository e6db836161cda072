"""The trained models this package ships, in ``sol5lab/models/``: one ``.keras`` file per task.

Each was trained by its strong recipe (:mod:`sol5lab.recipes`) with
``python -m sol5lab.experiments.strong --task TASK``, carries its training record inside
(:mod:`sol5lab.store`), and has a model card beside it (``TASK.md``): the data, the recipe, the
steps, the training time, the held-out scores and the command that retrains it. They follow
``sol5.restore_image``'s convention (grayscale, pixels in [-0.5, 0.5] in and out, any size), so
``sol5.restore_image(image, sol5lab.pretrained("denoising"))`` works, with no download.
"""

import os

#: The folder of the shipped models, inside the package.
MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


def model_path(task):
    """The path of ``task``'s shipped model (which may not exist)."""
    return os.path.join(MODELS_DIR, f"{task}.keras")


def card_path(task):
    """The path of ``task``'s model card."""
    return os.path.join(MODELS_DIR, f"{task}.md")


def available():
    """The tasks with a shipped model, sorted."""
    if not os.path.isdir(MODELS_DIR):
        return []
    return sorted(name[: -len(".keras")] for name in os.listdir(MODELS_DIR) if name.endswith(".keras"))


def pretrained(task, policy=None):
    """Return the model the package ships for ``task``, loaded with ``safe_mode=True``.

    The models were trained, and are stored, computing in ``mixed_bfloat16``, which is faster
    than float32 where the CPU has native bfloat16 (the benchmark's shipped rows time both).
    Elsewhere bfloat16 is emulated and slower than float32: on a 2-core AVX2-only CPU the
    benchmark restored a 512x512 image in 4.87 and 4.94 s with the bfloat16 models and in 3.64 and
    4.00 s with the same network in float32 (2026-12-01, docs/performance.md). So by default a
    model computes in float32 there (:func:`sol5lab.training.compute_policy`), with the same
    weights and without bfloat16's rounding.

    Parameters
    ----------
    task : str
        A task with a strong recipe, e.g. ``"denoising"`` (:func:`available` lists the shipped).
    policy : str, optional
        The Keras dtype policy to compute under, e.g. ``"float32"``; by default the stored one
        where this machine computes it natively, else float32.

    Returns
    -------
    keras.Model
        Uncompiled; apply it with ``sol5.restore_image`` (super-resolution:
        :func:`sol5lab.inference.super_resolve_image`).

    Raises
    ------
    ValueError
        If ``task`` has no shipped model, naming those that have one and how to train it, or if
        ``policy`` is not a Keras dtype policy.
    sol5lab.store.StoredModelError
        If the file is damaged (its weights are not those its record describes).
    """
    from sol5lab import store, training

    path = model_path(task)
    if not isinstance(task, str) or not os.path.isfile(path):
        shipped = ", ".join(available()) or "none yet"
        raise ValueError(
            f"No shipped model for task {task!r} (shipped: {shipped}); train one with "
            f"`python -m sol5lab.experiments.strong --task {task}`."
        )
    model, _ = store.load_trained(path)
    if policy is None:
        return training.for_this_machine(model)
    return training.with_policy(model, policy)
