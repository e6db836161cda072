"""The assignment's ResNet (Image Processing 67829, Exercise 5, figure 1), the reference.

He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, as the
assignment (``004_*`` in the seeds) shapes it: a 3x3 convolution and ReLU, residual blocks
``ReLU(conv(ReLU(conv(x))) + x)``, a 3x3 convolution to one channel, plus the input. The network
itself is ``sol5.build_nn_model``; this file only gives it the registry's signature.
"""

import keras

import sol5


def build_resnet(height=None, width=None, *, num_channels=48, num_res_blocks=5):
    """Build ``sol5.build_nn_model(height, width, num_channels, num_res_blocks)``.

    Parameters
    ----------
    height, width : int or None, optional
        Size of the input patches; None for any size (the model is built on a 1x1 input and its
        layers re-applied to ``keras.Input((None, None, 1))``, sharing their weights).
    num_channels : int, optional
        Channels of every convolution but the last.
    num_res_blocks : int, optional
        Residual blocks.

    Returns
    -------
    keras.Model
        ``(batch, height, width, 1)`` to the same shape, pixels in [-0.5, 0.5].
    """
    if height is not None and width is not None:
        return sol5.build_nn_model(height, width, num_channels, num_res_blocks)
    model = sol5.build_nn_model(1, 1, num_channels, num_res_blocks)
    return keras.models.clone_model(
        model, input_tensors=keras.Input((height, width, 1)), clone_function=lambda layer: layer
    )
