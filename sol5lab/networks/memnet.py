"""MemNet: memory blocks of shared-weight residual units with gates over all earlier blocks.

Tai, Yang, Liu and Xu, "MemNet: A Persistent Memory Network for Image Restoration", ICCV 2017,
studied in the seed paper ``000_*``. A feature-extraction convolution; then memory blocks, each a
recursive unit (one residual block whose weights are shared, applied several times: its
outputs are the block's short-term memory) followed by a gate unit (a 1x1 convolution over the
short-term outputs concatenated with the outputs of the feature extraction and of every earlier
block, the long-term memory); then a reconstruction convolution, plus the input (global
residual). Every convolution but the first is pre-activated: batch normalisation, ReLU, conv.

The paper's network has 6 memory blocks of 6 recursions at 64 channels (80 convolutions deep);
here 3 blocks of 3 recursions at the task's width (48 or 32) by default, so that 20 minutes on 2
CPU cores train it for several epochs; all three are settings. The paper's multi-supervision (a
reconstruction from every block, averaged with learned weights) is left out: one output, one
loss, as every network of this comparison has.
"""

import keras
from keras import layers


def _preactivated_conv(channels, size):
    """Batch normalisation, ReLU, then a ``size`` x ``size`` "same" convolution: MemNet's unit."""
    return [
        layers.BatchNormalization(),
        layers.Activation("relu"),
        layers.Conv2D(channels, size, padding="same"),
    ]


@keras.saving.register_keras_serializable(package="sol5lab")
class RecursiveUnit(keras.layers.Layer):
    """One residual block applied ``num_recursions`` times with the same weights.

    ``h_r = h_{r-1} + conv(relu(bn(conv(relu(bn(h_{r-1}))))))`` for ``r = 1..num_recursions``,
    from the block's input ``h_0``. Its output is the short-term memory ``[h_1, ..., h_R]``
    concatenated along the channels: ``(batch, height, width, num_recursions * channels)``.

    Parameters
    ----------
    channels : int
        Channels of the input and of both convolutions.
    num_recursions : int
        How many times the block is applied, at least 1.
    **kwargs
        Passed to ``keras.layers.Layer``.
    """

    def __init__(self, channels, num_recursions, **kwargs):
        super().__init__(**kwargs)
        if int(num_recursions) != num_recursions or num_recursions < 1:
            raise ValueError(f"num_recursions must be a positive int, got {num_recursions!r}.")
        self.channels = int(channels)
        self.num_recursions = int(num_recursions)
        self.residual = _preactivated_conv(self.channels, 3) + _preactivated_conv(self.channels, 3)

    def build(self, input_shape):
        shape = input_shape
        for layer in self.residual:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def call(self, inputs, training=None):
        outputs, h = [], inputs
        for _ in range(self.num_recursions):
            x = h
            for layer in self.residual:
                x = layer(x, training=training) if isinstance(layer, layers.BatchNormalization) else layer(x)
            h = h + x
            outputs.append(h)
        return keras.ops.concatenate(outputs, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.num_recursions * self.channels)

    def receptive_radius(self):
        """Two 3x3 convolutions per recursion: ``2 * num_recursions`` pixels."""
        return 2 * self.num_recursions

    def flops_per_pixel(self):
        """Two 3x3 convolutions of ``channels`` to ``channels`` per recursion."""
        return self.num_recursions * 2 * (2 * 9 * self.channels * self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "num_recursions": self.num_recursions}


def build_memnet(height=None, width=None, *, num_channels=48, num_memory_blocks=3, num_recursions=3):
    """Build MemNet.

    Parameters
    ----------
    height, width : int or None, optional
        Size of the input; None for any size.
    num_channels : int, optional
        Channels of the features (the paper's 64).
    num_memory_blocks : int, optional
        Memory blocks (the paper's 6), at least 1.
    num_recursions : int, optional
        Applications of each block's shared residual block (the paper's 6).

    Returns
    -------
    keras.Model
        ``(batch, height, width, 1)`` to the same shape, pixels in [-0.5, 0.5]. Its receptive
        radius is ``2 + 2 * num_memory_blocks * num_recursions`` pixels.
    """
    if int(num_memory_blocks) != num_memory_blocks or num_memory_blocks < 1:
        raise ValueError(f"num_memory_blocks must be a positive int, got {num_memory_blocks!r}.")
    image = keras.Input((height, width, 1))
    memory = [layers.Conv2D(num_channels, 3, padding="same")(image)]  # the long-term memory
    for _ in range(num_memory_blocks):
        short_term = RecursiveUnit(num_channels, num_recursions)(memory[-1])
        x = layers.Concatenate()([short_term, *memory])
        for layer in _preactivated_conv(num_channels, 1):  # the gate unit
            x = layer(x)
        memory.append(x)
    x = memory[-1]
    for layer in _preactivated_conv(1, 3):  # the reconstruction
        x = layer(x)
    return keras.Model(image, layers.Add()([image, x]), name="memnet")
