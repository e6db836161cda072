"""Trained models kept on disk with the record of how they were trained, reused when it matches.

Every experiment that needs a trained model (the demo, the depth experiment, the task comparison)
gets it from :func:`trained_model`: it trains with the task's learner (the assignment's own
``learn_*_model`` for its two tasks, :func:`sol5lab.training.learn` for the others) from a fixed
seed and saves ``<stem>.keras``; a later call loads the saved model instead, when its record says
it was trained the same way (task, depth, seed, settings, Keras backend; network and time budget
where they are not the assignment's).

The record lives inside the ``.keras`` archive (a zip file, which Keras reads by member name and
so ignores the extra member), with the SHA-256 of the archive's architecture and weights. Model
and record are therefore one file, written by one atomic rename: a process killed at any moment
leaves the old pair or the new pair, never a model beside another model's record. Loading checks
the hashes, so a damaged, truncated or replaced file is found before it is used.
"""

import hashlib
import json
import os
import time
import zipfile

import keras

import sol5
from sol5lab import files, tasks, training

#: Residual blocks of the experiments' models, by quick mode (as ``sol5.TRAINING_BUDGETS``): the
#: assignment's default, and 1 for a quick run, a smoke test of the same code. A quick-mode
#: denoising training took 4.1 and 5.4 s with 1 block against 11.4 and 8.6 s with 5 (2 cores shared
#: with a training, 2026-12-02).
NUM_RES_BLOCKS = {False: 5, True: 1}

#: The member of the ``.keras`` archive that holds the training record.
RECORD_MEMBER = "sol5lab_record.json"

#: The archive members a record's hashes cover: the architecture and the weights.
HASHED_MEMBERS = ("config.json", "model.weights.h5")


class StoredModelError(ValueError):
    """A stored model cannot be used: damaged, without a record, or trained otherwise than asked.

    A ``ValueError``, whose message names the file and the fix.
    """


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
    policy=None,
):
    """Return what identifies a training run.

    Equal configs give the same model on the same backend and thread count: bit-identical on
    TensorFlow with the same number of threads, within about 1e-6 across thread counts (the
    order of floating-point sums changes with the threads). A run under a time budget stops
    where the clock says, so only its config, not its model, repeats.

    Parameters
    ----------
    task, num_res_blocks, seed, quick_mode
        As :func:`trained_model` takes them.
    architecture, architecture_settings, num_epochs, budget_seconds, policy
        As :func:`trained_model` takes them; the defaults (the assignment's network, the task's
        epochs, no budget, float32) add nothing to the config, so the records of earlier runs
        still match.

    Returns
    -------
    dict
        JSON-ready: ``task``, ``num_res_blocks``, ``seed``, ``settings`` (the task's
        :func:`sol5lab.tasks.training_settings`, tuples as lists) and the Keras ``backend``;
        for another network or budget also ``architecture``, ``network`` (every setting of the
        network, :func:`sol5lab.training.network_settings`) and ``budget_seconds``; under
        another dtype policy its ``policy``.
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
    if policy not in (None, "float32"):
        config["policy"] = str(policy)
    return config


def _member_hashes(archive):
    """SHA-256 of each of :data:`HASHED_MEMBERS` of an open ``zipfile.ZipFile``."""
    return {name: hashlib.sha256(archive.read(name)).hexdigest() for name in HASHED_MEMBERS}


def save_trained(model, path, record):
    """Save ``model`` with its training ``record`` inside, as one file written atomically.

    Parameters
    ----------
    model : keras.Model
    path : str
        A ``.keras`` file.
    record : dict
        JSON-ready; stored with the archive's hashes and the model's parameter count added.
    """
    if not path.endswith(".keras"):
        raise ValueError(f"Keras 3 saves models as .keras files; got {path!r}.")
    with files.atomic_path(path) as temporary:
        model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            stored = {**record, "parameters": model.count_params(), "sha256": _member_hashes(archive)}
            archive.writestr(RECORD_MEMBER, json.dumps(stored, indent=2))


def read_record(path):
    """Return the training record stored in the ``.keras`` file at ``path``, checked.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    StoredModelError
        If the file is not a readable ``.keras`` archive, has no record, or its architecture or
        weights are not those the record was written for; the message names the file.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {path}.")
    fix = "delete it and train again (the experiments retrain on their own; see --retrain)"
    try:
        with zipfile.ZipFile(path) as archive:
            stored = archive.read(RECORD_MEMBER) if RECORD_MEMBER in archive.namelist() else None
            hashes = _member_hashes(archive)
        record = None if stored is None else json.loads(stored)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError) as error:
        raise StoredModelError(
            f"{path} is damaged or cut short ({type(error).__name__}: {error}): {fix}."
        ) from None
    if record is None:
        raise StoredModelError(f"{path} holds no training record (it was not saved by sol5lab.store): {fix}.")
    if not isinstance(record, dict) or record.get("sha256") != hashes:
        raise StoredModelError(
            f"{path}: its architecture or weights are not those its training record describes "
            f"(the file was changed after it was saved): {fix}."
        )
    return record


def load_trained(path, config=None):
    """Load a model saved by :func:`save_trained`, checking it against its record.

    Parameters
    ----------
    path : str
        A ``.keras`` file.
    config : dict, optional
        What the model must have been trained as (:func:`training_config`); any config when
        omitted.

    Returns
    -------
    model : keras.Model
        Loaded with ``safe_mode=True``, uncompiled.
    record : dict
        Its training record (:func:`trained_model`'s).

    Raises
    ------
    FileNotFoundError, StoredModelError
        See :func:`read_record`; also when ``config`` differs, naming what differs.
    """
    record = read_record(path)
    if config is not None:
        differences = sorted(key for key in config if record.get(key) != config[key])
        if differences:
            shown = ", ".join(f"{key} {record.get(key)!r} (asked {config[key]!r})" for key in differences)
            raise StoredModelError(f"{path} was trained otherwise than asked: {shown}.")
    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    if model.count_params() != record.get("parameters"):
        raise StoredModelError(f"{path}: the loaded model's parameters differ from its record's.")
    return model, record


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
    policy=None,
):
    """Return a trained model for ``task`` and its training record, training only if needed.

    A saved model that is damaged, has no record, or was trained otherwise is trained again,
    saying why.

    Parameters
    ----------
    task : str
        A key of :data:`sol5lab.tasks.TASKS`.
    stem : str
        Path without extension: the model and its record are ``stem + ".keras"``.
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
    policy : str, optional
        Keras' dtype policy to build and train under, e.g. ``"mixed_bfloat16"``
        (:func:`sol5lab.training.keras_policy`); float32 by default. The saved model keeps it.

    Returns
    -------
    model : keras.Model
    record : dict
        The :func:`training_config` plus ``training_seconds``, ``history`` (per-epoch ``loss``
        and ``val_loss``), ``parameters``, under a budget the validation ``curve`` against time,
        and whether the model was ``reused``.
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
        policy=policy,
    )
    model_path = f"{stem}.keras"
    if not retrain and os.path.exists(model_path):
        try:
            model, record = load_trained(model_path, config)
        except StoredModelError as error:
            print(f"[{task}] not reusing: {error} Training again.")
        else:
            print(f"[{task}] reusing {model_path} (trained in {record['training_seconds']:.0f} s)")
            return model, {**_public(record), "reused": True}
    network = config.get("network", {"num_res_blocks": num_res_blocks})
    print(f"[{task}] training {architecture} {network}, seed {seed}: {config['settings']}")
    budget = None if budget_seconds is None else training.TrainingBudget(budget_seconds)
    sol5.set_seed(seed)
    start = time.perf_counter()
    with training.keras_policy(policy or keras.mixed_precision.global_policy().name):
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
    save_trained(model, model_path, record)
    print(f"[{task}] trained in {record['training_seconds']:.0f} s, saved to {model_path}")
    return model, {**record, "parameters": model.count_params(), "reused": False}


def _public(record):
    """The record as :func:`trained_model` returns it: without the archive's hashes."""
    return {key: value for key, value in record.items() if key != "sha256"}
