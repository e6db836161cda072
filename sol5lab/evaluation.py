"""Measuring restorations: PSNR and SSIM (``skimage.metrics``), and the one loop that scores a
restoration method on a test protocol's cases (:mod:`sol5lab.protocols`)."""

import time

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def image_quality(clean, image):
    """Compare an image with its clean original.

    Parameters
    ----------
    clean, image : numpy.ndarray
        Images of the same shape, values in [0, 1]: grayscale ``(height, width)`` or colour
        ``(height, width, 3)``.

    Returns
    -------
    dict
        ``{"psnr": dB, "ssim": in [-1, 1]}``, both with a data range of 1. For colour, the PSNR
        is over every sample of the three channels and the SSIM the mean of the channels' SSIMs
        (scikit-image's ``channel_axis``).
    """
    clean = np.asarray(clean, dtype=np.float64)
    image = np.asarray(image, dtype=np.float64)
    colour = clean.ndim == 3 and clean.shape[2] == 3
    if clean.shape != image.shape or not (clean.ndim == 2 or colour):
        raise ValueError(
            f"Need two grey or RGB images of the same shape, got {clean.shape} and {image.shape}."
        )
    return {
        "psnr": float(peak_signal_noise_ratio(clean, image, data_range=1.0)),
        "ssim": float(
            structural_similarity(clean, image, data_range=1.0, channel_axis=-1 if colour else None)
        ),
    }


def mean_quality(qualities):
    """Average a list of :func:`image_quality` results, key by key."""
    if not qualities:
        raise ValueError("No measurements to average.")
    return {key: float(np.mean([quality[key] for quality in qualities])) for key in qualities[0]}


def score(cases, restore):
    """Restore every case and measure it against its clean image.

    Parameters
    ----------
    cases : list of dict
        From :func:`sol5lab.protocols.cases`: ``image``, ``condition``, ``parameters``, ``clean``
        and ``corrupted``.
    restore : callable
        ``(corrupted, parameters) -> restored``: 2-D float64 images in [0, 1], ``restored`` of
        the clean image's shape.

    Returns
    -------
    list of dict
        Per case: ``image``, ``condition``, the ``restored`` quality (:func:`image_quality`), the
        ``corrupted`` one where the input has the clean image's shape (not a low-resolution
        input), and the ``restore_seconds``.
    """
    rows = []
    for case in cases:
        start = time.perf_counter()
        restored = restore(case["corrupted"], case["parameters"])
        seconds = time.perf_counter() - start
        row = {"image": case["image"], "condition": case["condition"]}
        if case["corrupted"].shape == case["clean"].shape:
            row["corrupted"] = image_quality(case["clean"], case["corrupted"])
        row["restored"] = image_quality(case["clean"], restored)
        row["restore_seconds"] = seconds
        rows.append(row)
    return rows


def mean_by_condition(rows, conditions):
    """Average the rows of :func:`score` per condition, in the protocol's order.

    Returns
    -------
    dict
        By condition name: ``images`` (how many rows), and the :func:`mean_quality` of every
        quality the rows have (``corrupted``, ``restored``).
    """
    result = {}
    for condition in conditions:
        chosen = [row for row in rows if row["condition"] == condition]
        keys = [key for key in ("corrupted", "restored") if key in chosen[0]]
        means = {key: mean_quality([row[key] for row in chosen]) for key in keys}
        result[condition] = {"images": len(chosen), **means}
    return result


def spread(values):
    """Mean, sample standard deviation (0 for one value), min and max of a list of numbers.

    Returns
    -------
    dict
        ``mean``, ``std``, ``min``, ``max`` and the ``values`` themselves, JSON-ready.
    """
    values = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
        "min": float(values.min()),
        "max": float(values.max()),
        "values": values.tolist(),
    }


def spread_over_seeds(records, condition):
    """How the restored quality under one condition varies over the seeds of a model.

    Parameters
    ----------
    records : list of dict
        One per seed, each with the ``cases`` of :func:`score`.
    condition : str
        A condition's name.

    Returns
    -------
    dict
        ``psnr`` and ``ssim``: the :func:`spread` over the records of each one's mean over its
        cases of the condition; ``corrupted``: the mean ``psnr`` and ``ssim`` of the corrupted
        inputs (the first record's: every seed is scored on the same cases); ``num_images``.
    """
    per_seed = [[case for case in record["cases"] if case["condition"] == condition] for record in records]
    return {
        **{
            metric: spread([np.mean([case["restored"][metric] for case in cases]) for cases in per_seed])
            for metric in ("psnr", "ssim")
        },
        "corrupted": {
            metric: float(np.mean([case["corrupted"][metric] for case in per_seed[0]]))
            for metric in ("psnr", "ssim")
        },
        "num_images": len(per_seed[0]),
    }
