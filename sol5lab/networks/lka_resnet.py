"""A ResNet whose residual blocks attend with Large Kernel Attention, after deformable blocks.

The seed paper ``002_*``: "Image Deblurring and Image Denoising using Deformable Convolution
Neural Networks and Large Kernel Attention" builds on Guo, Lu, Liu, Cheng and Hu, "Visual
Attention Network", 2022 (LKA) and Dai et al., "Deformable Convolutional Networks", ICCV 2017.
Large Kernel Attention is ``Attention = Conv1x1(DW-D-Conv(DW-Conv(F)))`` and
``Output = Attention * F``: a depthwise 5x5 convolution, a depthwise 7x7 convolution of dilation
3 (together they see 23x23 pixels), a 1x1 convolution across the channels, multiplied element-wise
with the features. The paper's residual block (its figure 9) is a convolution, batch
normalisation, LKA and a 1x1 convolution (its "MLP"), added to the block's input; in front of the
blocks it puts deformable convolutions (:mod:`sol5lab.networks.deformable`).

Here, at full resolution (the paper's table 1 also down-samples 4 times, which its text does not
explain): a 3x3 convolution and ReLU, ``num_deformable_blocks`` residual deformable blocks
``ReLU(x + deform(x))``, ``num_blocks`` LKA residual blocks, a 3x3 convolution to one channel,
plus the input.
"""

import keras
from keras import layers

from sol5lab.networks.deformable import DeformableConv2D


@keras.saving.register_keras_serializable(package="sol5lab")
class LargeKernelAttention(keras.layers.Layer):
    """Large Kernel Attention: ``attention(x) * x``, the attention a depthwise 5x5, a depthwise
    dilated 7x7 (dilation 3) and a 1x1 convolution of ``x``.

    Parameters
    ----------
    **kwargs
        Passed to ``keras.layers.Layer``. The channels are the input's.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.local = layers.DepthwiseConv2D(5, padding="same")
        self.long_range = layers.DepthwiseConv2D(7, dilation_rate=3, padding="same")
        self.channel = None  # its width is the input's, known in build

    def build(self, input_shape):
        self.channel = layers.Conv2D(input_shape[-1], 1)
        self.local.build(input_shape)
        self.long_range.build(input_shape)
        self.channel.build(input_shape)

    def attention(self, inputs):
        """The attention map, of the input's shape."""
        return self.channel(self.long_range(self.local(inputs)))

    def call(self, inputs):
        return self.attention(inputs) * inputs

    def receptive_radius(self):
        """The 5x5 sees 2 pixels away, the 7x7 of dilation 3 sees 9 more."""
        return 2 + 9

    def flops_per_pixel(self):
        """The two depthwise convolutions, the 1x1 convolution and the product."""
        channels = self.channel.kernel.shape[-1]
        return 2 * (25 + 49) * channels + 2 * channels * channels + channels


def build_lka_resnet(
    height=None, width=None, *, num_channels=48, num_blocks=4, num_deformable_blocks=0, max_offset=3.0
):
    """Build the LKA ResNet.

    Parameters
    ----------
    height, width : int or None, optional
        Size of the input; None for any size.
    num_channels : int, optional
        Channels of the features.
    num_blocks : int, optional
        LKA residual blocks.
    num_deformable_blocks : int, optional
        Residual deformable 3x3 blocks in front of them (the paper has one).
    max_offset : float, optional
        The deformable convolutions' largest offset, in pixels.

    Returns
    -------
    keras.Model
        ``(batch, height, width, 1)`` to the same shape, pixels in [-0.5, 0.5]. Without
        deformable blocks its receptive radius is ``2 + 12 * num_blocks`` pixels; each
        deformable block adds ``1 + ceil(max_offset)``.
    """
    image = keras.Input((height, width, 1))
    x = layers.Conv2D(num_channels, 3, padding="same", activation="relu")(image)
    for _ in range(num_deformable_blocks):
        x = layers.Activation("relu")(layers.Add()([x, DeformableConv2D(num_channels, 3, max_offset)(x)]))
    for _ in range(num_blocks):
        y = layers.Conv2D(num_channels, 3, padding="same", use_bias=False)(x)
        y = layers.Activation("relu")(layers.BatchNormalization()(y))
        y = layers.Conv2D(num_channels, 1)(LargeKernelAttention()(y))
        x = layers.Add()([x, y])
    correction = layers.Conv2D(1, 3, padding="same")(x)
    return keras.Model(image, layers.Add()([image, correction]), name="lka_resnet")
