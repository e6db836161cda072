"""Trained models kept on disk beside a record of how they were trained, reused when it matches.

Every experiment that needs a trained model (the demo, the depth experiment, the task comparison)
gets it from :func:`trained_model`: it trains with the task's learner (the assignment's own
``learn_*_model`` for its two tasks, :func:`sol5lab.training.learn` for the others) from a fixed
seed, saves ``<stem>.keras`` and ``<stem>.json`` atomically, and on a later call loads the saved
model instead, when the record says it was trained the same way (task, depth, seed, settings,
Keras backend; network and time budget where they are not the assignment's).
"""

import os
import time

import keras

import sol5
from sol5lab import files, tasks, training


def training_config(
    task,
    *,
    num_res_blocks,
    seed,
    quick_mode,
    architecture="resnet",
    architecture_settings=None,
    num_epochs=None,
    budget_seconds=None,
):
    """Return what identifies a training run: equal configs give the same training.

    Parameters
    ----------
    task, num_res_blocks, seed, quick_mode
        As :func:`trained_model` takes them.
    architecture, architecture_settings, num_epochs, budget_seconds
        As :func:`trained_model` takes them; the defaults (the assignment's network, the task's
        epochs, no budget) add nothing to the config, so the records of earlier runs still match.

    Returns
    -------
    dict
        JSON-ready: ``task``, ``num_res_blocks``, ``seed``, ``settings`` (the task's
        :func:`sol5lab.tasks.training_settings`, tuples as lists) and the Keras ``backend``;
        for another network or budget also ``architecture``, ``network`` (every setting of the
        network, :func:`sol5lab.training.network_settings`) and ``budget_seconds``.
    """
    settings = tasks.training_settings(task, quick_mode)
    if num_epochs is not None:
        settings = {**settings, "num_epochs": int(num_epochs)}
    config = {
        "task": task,
        "num_res_blocks": int(num_res_blocks),
        "seed": int(seed),
        "settings": {
            key: list(value) if isinstance(value, tuple) else value for key, value in settings.items()
        },
        "backend": keras.backend.backend(),
    }
    if architecture != "resnet" or architecture_settings or num_epochs is not None or budget_seconds:
        config["architecture"] = architecture
        config["network"] = training.network_settings(
            task, architecture, num_res_blocks, architecture_settings
        )
        config["budget_seconds"] = None if budget_seconds is None else float(budget_seconds)
    return config


def trained_model(
    task,
    stem,
    *,
    num_res_blocks=5,
    seed,
    quick_mode=False,
    retrain=False,
    verbose="auto",
    architecture="resnet",
    architecture_settings=None,
    num_epochs=None,
    budget_seconds=None,
):
    """Return a trained model for ``task`` and its training record, training only if needed.

    Parameters
    ----------
    task : str
        A key of :data:`sol5lab.tasks.TASKS`.
    stem : str
        Path without extension: the model is ``stem + ".keras"``, its record ``stem + ".json"``.
    num_res_blocks : int, optional
        Depth of the assignment's network.
    seed : int
        Seed given to :func:`sol5.set_seed` before training.
    quick_mode : bool, optional
        The presubmission's tiny budget.
    retrain : bool, optional
        Train even if a matching saved model exists.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display while training.
    architecture : str, optional
        A network of :data:`sol5lab.networks.ARCHITECTURES`; the assignment's by default.
    architecture_settings : dict, optional
        Overrides of its settings.
    num_epochs : int, optional
        Epochs instead of the task's (the most, under a budget).
    budget_seconds : float, optional
        Stop training after this much wall-clock time (:class:`sol5lab.training.TrainingBudget`).

    Returns
    -------
    model : keras.Model
    record : dict
        The :func:`training_config` plus ``training_seconds`` and ``history`` (per-epoch
        ``loss`` and ``val_loss``), under a budget the validation ``curve`` against time, and
        whether the model was ``reused``.
    """
    config = training_config(
        task,
        num_res_blocks=num_res_blocks,
        seed=seed,
        quick_mode=quick_mode,
        architecture=architecture,
        architecture_settings=architecture_settings,
        num_epochs=num_epochs,
        budget_seconds=budget_seconds,
    )
    model_path, record_path = f"{stem}.keras", f"{stem}.json"
    if not retrain and os.path.exists(model_path) and os.path.exists(record_path):
        record = files.read_json(record_path)
        if {key: record.get(key) for key in config} == config:
            print(f"[{task}] reusing {model_path} (trained in {record['training_seconds']:.0f} s)")
            return keras.saving.load_model(model_path, compile=False), {**record, "reused": True}
    network = config.get("network", {"num_res_blocks": num_res_blocks})
    print(f"[{task}] training {architecture} {network}, seed {seed}: {config['settings']}")
    budget = None if budget_seconds is None else training.TrainingBudget(budget_seconds)
    sol5.set_seed(seed)
    start = time.perf_counter()
    model = training.learn(
        task,
        num_res_blocks,
        quick_mode,
        verbose=verbose,
        architecture=architecture,
        architecture_settings=architecture_settings,
        num_epochs=num_epochs,
        callbacks=None if budget is None else [budget],
    )
    record = {
        **config,
        "training_seconds": time.perf_counter() - start,
        "history": {key: [float(v) for v in values] for key, values in model.history.history.items()},
    }
    if budget is not None:
        record["curve"] = budget.curve
    # The model first: a record on disk always has its model beside it.
    files.save_model(model, model_path)
    files.write_json(record_path, record)
    print(f"[{task}] trained in {record['training_seconds']:.0f} s, saved to {model_path}")
    return model, {**record, "reused": False}
