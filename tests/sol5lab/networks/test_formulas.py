"""Each network's parameter count against the formula written out from its architecture."""

import pytest

from sol5lab import networks

# Parameter counts are arithmetic of the architecture. A builder that creates its weights per
# backend (MemNet's shared unit, LKA's layers) could differ, so the JAX pass checks one case of
# each network (the first); the other cases vary only the arithmetic.
PORTABLE = pytest.mark.portable


def cases(first, *others):
    """The parametrization: ``first`` also under JAX, ``others`` on TensorFlow only."""
    return [pytest.param(*first, marks=PORTABLE), *others]


def conv(size, channels_in, channels_out, bias=True):
    return size * size * channels_in * channels_out + (channels_out if bias else 0)


def batch_norm(channels):
    return 4 * channels  # scale, offset, moving mean, moving variance


@pytest.mark.parametrize("channels, blocks", cases((4, 2), (6, 0)))
def test_resnet(channels, blocks):
    expected = conv(3, 1, channels) + blocks * 2 * conv(3, channels, channels) + conv(3, channels, 1)
    assert (
        networks.build("resnet", 8, 8, num_channels=channels, num_res_blocks=blocks).count_params()
        == expected
    )


@pytest.mark.parametrize("channels, layers", cases((4, 5), (8, 17)))
def test_dncnn(channels, layers):
    middle = (layers - 2) * (conv(3, channels, channels, bias=False) + batch_norm(channels))
    expected = conv(3, 1, channels) + middle + conv(3, channels, 1)
    assert networks.build("dncnn", num_channels=channels, num_layers=layers).count_params() == expected


@pytest.mark.parametrize(
    "channels, layers, skips", cases((4, 4, True), (4, 4, False), (5, 3, True), (5, 3, False))
)
def test_rednet_with_and_without_skips(channels, layers, skips):
    encoder = conv(3, 1, channels) + (layers - 1) * conv(3, channels, channels)
    decoder = (layers - 1) * conv(3, channels, channels) + conv(3, channels, 1)
    model = networks.build("rednet", num_channels=channels, num_layers=layers, skips=skips)
    assert model.count_params() == encoder + decoder  # skips add no weights


@pytest.mark.parametrize("channels, blocks, recursions", cases((4, 2, 2), (3, 3, 1)))
def test_memnet(channels, blocks, recursions):
    shared_residual_block = 2 * (batch_norm(channels) + conv(3, channels, channels))  # once per block
    gates = sum(
        batch_norm((recursions + m) * channels) + conv(1, (recursions + m) * channels, channels)
        for m in range(1, blocks + 1)  # recursions short-term outputs and m long-term ones
    )
    expected = (
        conv(3, 1, channels)
        + blocks * shared_residual_block
        + gates
        + batch_norm(channels)
        + conv(3, channels, 1)
    )
    model = networks.build(
        "memnet", num_channels=channels, num_memory_blocks=blocks, num_recursions=recursions
    )
    assert model.count_params() == expected


@pytest.mark.parametrize("channels, blocks, deformable", cases((4, 2, 0), (3, 1, 1)))
def test_lka_resnet(channels, blocks, deformable):
    lka = (25 * channels + channels) + (49 * channels + channels) + conv(1, channels, channels)
    block = conv(3, channels, channels, bias=False) + batch_norm(channels) + lka + conv(1, channels, channels)
    deformable_block = conv(3, channels, 2 * 9) + conv(3, channels, channels)  # offsets, then the kernel
    expected = conv(3, 1, channels) + deformable * deformable_block + blocks * block + conv(3, channels, 1)
    model = networks.build(
        "lka_resnet", 8, 8, num_channels=channels, num_blocks=blocks, num_deformable_blocks=deformable
    )
    assert model.count_params() == expected
