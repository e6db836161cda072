"""DnCNN: convolutions, batch normalisation and ReLU, predicting the noise (residual learning).

Zhang, Zuo, Chen, Meng and Zhang, "Beyond a Gaussian Denoiser: Residual Learning of Deep CNN
for Image Denoising", IEEE Transactions on Image Processing 26(7), 2017 (reference [3] of the
seed paper ``000_*``): 17 layers of 3x3 convolutions, 64 channels; the first with ReLU, the
middle ones with batch normalisation and ReLU, the last to one channel; the network's output is
its input minus that last layer's, the noise it estimated.
"""

import keras
from keras import layers


def build_dncnn(height=None, width=None, *, num_channels=48, num_layers=17):
    """Build DnCNN with ``num_layers`` 3x3 convolutions.

    Parameters
    ----------
    height, width : int or None, optional
        Size of the input; None for any size.
    num_channels : int, optional
        Channels of every convolution but the last.
    num_layers : int, optional
        Convolutions, at least 2: conv + ReLU, ``num_layers - 2`` x (conv + batch
        normalisation + ReLU), conv to one channel.

    Returns
    -------
    keras.Model
        ``(batch, height, width, 1)`` to the same shape, pixels in [-0.5, 0.5]. Its receptive
        radius is ``num_layers`` pixels.

    Notes
    -----
    The convolutions followed by batch normalisation have no bias (the normalisation's offset
    is one), as in the authors' code.
    """
    if int(num_layers) != num_layers or num_layers < 2:
        raise ValueError(f"num_layers must be an int of at least 2, got {num_layers!r}.")
    image = keras.Input((height, width, 1))
    x = layers.Conv2D(num_channels, 3, padding="same", activation="relu")(image)
    for _ in range(num_layers - 2):
        x = layers.Conv2D(num_channels, 3, padding="same", use_bias=False)(x)
        x = layers.Activation("relu")(layers.BatchNormalization()(x))
    noise = layers.Conv2D(1, 3, padding="same")(x)
    return keras.Model(image, layers.Subtract()([image, noise]), name="dncnn")
