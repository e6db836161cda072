"""The experiments: thin entry points, each run as ``python -m sol5lab.experiments.<name>``.

Importing this package prepares the process once for all of them, before Keras or pyplot load:
TensorFlow's start-up chatter and its warning about retracing for every image size are silenced,
and matplotlib draws to files, with no screen.
"""

import logging
import os

import matplotlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
logging.getLogger("tensorflow").setLevel(logging.ERROR)
matplotlib.use("Agg")
