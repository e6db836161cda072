"""Measuring restorations: PSNR and SSIM from ``skimage.metrics``, for images in [0, 1]."""

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def image_quality(clean, image):
    """Compare an image with its clean original.

    Parameters
    ----------
    clean, image : numpy.ndarray
        Grayscale images of the same 2-D shape, values in [0, 1].

    Returns
    -------
    dict
        ``{"psnr": dB, "ssim": in [-1, 1]}``, both with a data range of 1.
    """
    clean = np.asarray(clean, dtype=np.float64)
    image = np.asarray(image, dtype=np.float64)
    if clean.shape != image.shape or clean.ndim != 2:
        raise ValueError(f"Need two 2-D images of the same shape, got {clean.shape} and {image.shape}.")
    return {
        "psnr": float(peak_signal_noise_ratio(clean, image, data_range=1.0)),
        "ssim": float(structural_similarity(clean, image, data_range=1.0)),
    }


def mean_quality(qualities):
    """Average a list of :func:`image_quality` results, key by key."""
    if not qualities:
        raise ValueError("No measurements to average.")
    return {key: float(np.mean([quality[key] for quality in qualities])) for key in qualities[0]}
