"""RED-Net: a symmetric convolutional encoder-decoder with skip connections.

Mao, Shen and Yang, "Image Restoration Using Very Deep Convolutional Encoder-Decoder Networks
with Symmetric Skip Connections", NeurIPS 2016, as the seed paper ``001_*`` (Saraf and
Morparia) builds it: ten 3x3 convolutions (64 filters, ReLU) and ten mirrored deconvolutions
(transposed convolutions), a skip connection every two layers from an encoder layer to its
mirror in the decoder, added before the ReLU; and, as an ablation, the same network without
skips, which the paper found worse.

Choices of this port, where the papers leave room:

- every layer has stride 1 and "same" padding (as Mao et al.'s RED-Net, which keeps the
  resolution), so the network takes any image size and needs no padding to a multiple; the seed
  report's strided variant is not built;
- no batch normalisation (Mao et al. have none; the seed report adds it);
- the first skip starts at the input image itself, so with skips the network predicts the
  correction to its input, as the assignment's ResNet does, and without skips it must rebuild the
  whole image: what the ablation removes is every skip;
- the output is linear in the [-0.5, 0.5] frame of ``sol5.restore_image`` (the seed report's
  sigmoid would not reach the frame's ends).
"""

import keras
from keras import layers


def build_rednet(height=None, width=None, *, num_channels=48, num_layers=10, skip_step=2, skips=True):
    """Build RED-Net: ``num_layers`` convolutions, then ``num_layers`` transposed convolutions.

    Parameters
    ----------
    height, width : int or None, optional
        Size of the input; None for any size.
    num_channels : int, optional
        Filters of every layer but the last (which has one).
    num_layers : int, optional
        Convolutions in the encoder, and transposed convolutions in the decoder; at least 1.
    skip_step : int, optional
        A skip every ``skip_step`` layers: the encoder's features after layer ``0`` (the input),
        ``skip_step``, ``2 * skip_step``, ... are added to the decoder's features of the same
        depth.
    skips : bool, optional
        False builds the ablation without any skip.

    Returns
    -------
    keras.Model
        ``(batch, height, width, 1)`` to the same shape, pixels in [-0.5, 0.5]. Its receptive
        radius is ``2 * num_layers`` pixels.
    """
    if int(num_layers) != num_layers or num_layers < 1:
        raise ValueError(f"num_layers must be a positive int, got {num_layers!r}.")
    if int(skip_step) != skip_step or skip_step < 1:
        raise ValueError(f"skip_step must be a positive int, got {skip_step!r}.")
    image = keras.Input((height, width, 1))
    encoded = [image]  # encoded[i]: the features after i encoder layers
    for _ in range(num_layers):
        encoded.append(layers.Conv2D(num_channels, 3, padding="same", activation="relu")(encoded[-1]))
    x = encoded[-1]
    for depth in range(num_layers - 1, -1, -1):  # the decoder's features mirror encoded[depth]
        x = layers.Conv2DTranspose(1 if depth == 0 else num_channels, 3, padding="same")(x)
        if skips and depth % skip_step == 0:
            x = layers.Add()([x, encoded[depth]])
        if depth > 0:
            x = layers.Activation("relu")(x)
    return keras.Model(image, x, name="rednet" if skips else "rednet_no_skips")
