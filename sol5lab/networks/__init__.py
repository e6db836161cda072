"""The restoration networks of the seed papers, one file each, and their registry.

Every builder has the signature ``build(height=None, width=None, **settings) -> keras.Model``:
``(batch, height, width, 1)`` in, the same shape out, pixels in the [-0.5, 0.5] frame of
``sol5.restore_image`` (grayscale); None sizes build a model for any image size. Its depth and
width are the keyword settings, whose defaults are the table :data:`ARCHITECTURES`. The task's
patch size and width come from the task (:func:`sol5lab.training.learn` passes them); a run's
own settings override both.

=============== ======================================================= =================
name            network                                                 paper
=============== ======================================================= =================
``resnet``      the assignment's ``sol5.build_nn_model`` (the reference) ``004_*`` (course)
``dncnn``       17 x (conv, batch normalisation, ReLU), predicts noise   Zhang et al. 2017
``rednet``      conv encoder, transposed-conv decoder, skips every 2    ``001_*``, Mao 2016
``memnet``      memory blocks: shared residual unit and a gate          ``000_*``, Tai 2017
``lka_resnet``  residual blocks with Large Kernel Attention             ``002_*``
=============== ======================================================= =================

Every network here is fully convolutional at stride 1 with "same" padding, so
``sol5.restore_image`` applies it to any image; the layers that are not plain convolutions
(MemNet's recursive unit, LKA, the deformable convolution) give ``sol5.receptive_radius`` their
reach with a ``receptive_radius()`` method and :func:`sol5lab.timing.conv_flops` their cost with
``flops_per_pixel()``. Importing this package registers them with Keras, so saved models load.
"""

import dataclasses
from collections.abc import Callable, Mapping

from sol5lab.networks.deformable import DeformableConv2D, deformable_conv2d
from sol5lab.networks.dncnn import build_dncnn
from sol5lab.networks.lka_resnet import LargeKernelAttention, build_lka_resnet
from sol5lab.networks.memnet import RecursiveUnit, build_memnet
from sol5lab.networks.rednet import build_rednet
from sol5lab.networks.resnet import build_resnet

__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "DeformableConv2D",
    "LargeKernelAttention",
    "RecursiveUnit",
    "architecture",
    "build",
    "build_dncnn",
    "build_lka_resnet",
    "build_memnet",
    "build_rednet",
    "build_resnet",
    "deformable_conv2d",
    "settings_of",
]


@dataclasses.dataclass(frozen=True)
class Architecture:
    """One network of the registry.

    Attributes
    ----------
    name : str
        The registry's key.
    build : callable
        ``(height=None, width=None, **settings) -> keras.Model``.
    settings : Mapping
        The default settings, every keyword ``build`` takes.
    paper : str
        Where it comes from.
    """

    name: str
    build: Callable
    settings: Mapping
    paper: str


#: Every network, by name, with its default settings. ``num_channels`` is replaced by the task's
#: width when a task trains it (48 for denoising, 32 for deblurring), so every network of a task
#: has the same width; the depths are the papers' where 2 CPU cores allow (DnCNN's 17 layers,
#: RED-Net's 10 + 10) and scaled down where they do not (MemNet: 3 blocks of 3 recursions, not
#: 6 of 6). LKA-ResNet's deformable blocks are off by default: results/deformable_timing.json
#: has what they cost.
ARCHITECTURES = {
    record.name: record
    for record in (
        Architecture(
            "resnet", build_resnet, {"num_channels": 48, "num_res_blocks": 5}, "the assignment (004_*)"
        ),
        Architecture(
            "dncnn", build_dncnn, {"num_channels": 48, "num_layers": 17}, "Zhang et al., IEEE TIP 2017"
        ),
        Architecture(
            "rednet",
            build_rednet,
            {"num_channels": 48, "num_layers": 10, "skip_step": 2, "skips": True},
            "Mao et al., NeurIPS 2016 (001_*)",
        ),
        Architecture(
            "memnet",
            build_memnet,
            {"num_channels": 48, "num_memory_blocks": 3, "num_recursions": 3},
            "Tai et al., ICCV 2017 (000_*)",
        ),
        Architecture(
            "lka_resnet",
            build_lka_resnet,
            {"num_channels": 48, "num_blocks": 4, "num_deformable_blocks": 0, "max_offset": 3.0},
            "002_* (LKA: Guo et al. 2022; deformable: Dai et al., ICCV 2017)",
        ),
    )
}


def architecture(name):
    """Return the record of the network ``name``, or raise ValueError naming those there are."""
    if name not in ARCHITECTURES:
        raise ValueError(f"Unknown architecture {name!r}; the architectures are {', '.join(ARCHITECTURES)}.")
    return ARCHITECTURES[name]


def settings_of(name, overrides=None):
    """Return the network's default settings updated with ``overrides``.

    Raises
    ------
    ValueError
        If ``overrides`` has a key the network does not take, naming those it takes.
    """
    defaults = architecture(name).settings
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(f"{name} has no settings {unknown}; its settings are {sorted(defaults)}.")
    return {**defaults, **overrides}


def build(name, height=None, width=None, **settings):
    """Build the network ``name`` for inputs of ``(height, width)`` (None: any size).

    Parameters
    ----------
    name : str
        A key of :data:`ARCHITECTURES`.
    height, width : int or None, optional
        Size of the input patches.
    **settings
        Overrides of the network's default settings.

    Returns
    -------
    keras.Model
        Untrained and uncompiled, ``(batch, height, width, 1)`` to the same shape.
    """
    return architecture(name).build(height, width, **settings_of(name, settings))
