# The two commands of the README: `make demo` (the main job) and `make test`.
# Each sets up what it needs: the virtual environment, the pinned dependencies, the datasets.

PYTHON_BASE ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
PACKAGES := $(VENV)/.packages
INSTALLED := $(VENV)/.installed

.PHONY: demo plots deep-prior tasks architectures strong bench precision colour submission test venv datasets dataset-files photos text-more clean

demo: datasets
	$(PYTHON) -m sol5lab.experiments.demo

# The depth experiment (resumable; about an hour on 2 cores), the classical comparison, answer_q1.txt.
plots: datasets
	$(PYTHON) -m sol5lab.experiments.depth
	$(PYTHON) -m sol5lab.experiments.classical
	$(PYTHON) -m sol5lab.experiments.answers

# The Deep Image Prior study: stopping curves, denoising and inpainting comparisons, the variants (about 40 minutes).
deep-prior: datasets
	$(PYTHON) -m sol5lab.experiments.deep_prior
	$(PYTHON) -m sol5lab.experiments.deep_prior_variants

# Super-resolution, JPEG deblocking, salt-and-pepper, scratches and the combined model against
# their alternatives (resumable; about 50 minutes on 2 cores).
tasks: datasets
	$(PYTHON) -m sol5lab.experiments.tasks
	$(PYTHON) -m sol5lab.experiments.answers

# The seed papers' networks (ResNet, DnCNN, RED-Net, MemNet, LKA-ResNet) at an equal wall-clock
# budget on both tasks, 2 seeds, and RED-Net with and without skips (resumable; about 90 minutes
# on 2 cores at the default 3 minutes a model: see docs/architectures.md). The deformable
# convolution's timing is its own, quick, entry point.
architectures: datasets
	$(PYTHON) -m sol5lab.experiments.deformable_timing
	$(PYTHON) -m sol5lab.experiments.architectures

# The shipped denoiser: trained by its strong recipe until its validation PSNR stops improving
# (hours on 2 cores; resumable: run it again after an interruption), scored against BM3D,
# shipped to sol5lab/models/ with its card. TASK=deblurring (etc.) for another task's model.
TASK ?= denoising
strong: datasets photos text-more
	$(PYTHON) -m sol5lab.experiments.strong --task $(TASK)

# Speed against this machine's matrix-product rate: training, data, quick mode, restoration
# (results/benchmark.json; under 10 minutes on 2 cores; --full-training adds the full trainings).
bench: datasets
	$(PYTHON) -m sol5lab.experiments.benchmark

# float32 against mixed_bfloat16: the full denoiser trained under each (about 10 minutes).
precision: datasets
	$(PYTHON) -m sol5lab.experiments.precision

# How a colour photograph should go through a grayscale model, measured with the demo's denoiser.
colour: datasets
	$(PYTHON) -m sol5lab.experiments.colour

# ex5.tar, holding ex5/ with the six files the course expects; needs no virtual environment.
submission:
	$(PYTHON_BASE) -m sol5lab.submission

# Two workers: much of a test's time is one core tracing a Keras function. Each computes on one
# thread: two workers' thread pools on 2 cores only fought (the TensorFlow pass took 217 s
# with the default threads, 201 s with one, on this project's 2-core machine).
ONE_THREAD := TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
	XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
# The JAX pass (the tests marked portable, under KERAS_BACKEND=jax) runs in one process beside
# the TensorFlow pass's two workers, its report held back until the TensorFlow pass ends: run
# one after the other, the last file of each pass left a core idle. The TensorFlow workers take
# the longest files first (tests/conftest.py, LONGEST_FILES), for the same reason. The JAX pass
# runs as on a machine without TensorFlow (SOL5_TEST_WITHOUT_TENSORFLOW, tests/conftest.py).
# The environment's byte-compiling (one core's work) and the datasets (another's) side by side.
test: $(PACKAGES)
	@$(MAKE) --no-print-directory -j2 venv dataset-files
	@jax_report=$$(mktemp); \
	$(ONE_THREAD) KERAS_BACKEND=jax SOL5_TEST_WITHOUT_TENSORFLOW=1 \
		$(PYTHON) -m pytest -p no:cacheprovider -m portable >$$jax_report 2>&1 & \
	jax_pass=$$!; \
	$(ONE_THREAD) $(PYTHON) -m pytest -n 2 --dist loadfile --no-loadscope-reorder; tensorflow_status=$$?; \
	wait $$jax_pass; jax_status=$$?; \
	echo; echo "JAX pass (KERAS_BACKEND=jax, TensorFlow unimportable, the tests marked portable), run beside it:"; \
	cat $$jax_report; rm -f $$jax_report; \
	test $$tensorflow_status -eq 0 && test $$jax_status -eq 0

venv: $(INSTALLED)

# Every module of the package (not its __main__, which would run the command), and the tests'.
define BYTECODE_IMPORTS
import importlib, pkgutil, sol5lab
for module in pkgutil.walk_packages(sol5lab.__path__, "sol5lab."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
import pytest, xdist
endef
export BYTECODE_IMPORTS

$(PACKAGES): pyproject.toml
	test -x $(PYTHON) || $(PYTHON_BASE) -m venv $(VENV)
	# uv downloads and unpacks in parallel: a fresh install without a cache took 24 s against
	# pip's 123 s here, the same versions. pip does it where uv fails.
	$(PYTHON) -m pip install --quiet --disable-pip-version-check "uv>=0.9,<1" \
		&& $(VENV)/bin/uv pip install --quiet --python $(PYTHON) -e ".[test]" \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(PACKAGES)

$(INSTALLED): $(PACKAGES)
	# Byte-compiled once, here: where PYTHONDONTWRITEBYTECODE is set, as on CI, every process
	# would otherwise compile all it imports, every time. Importing what the package, its tests
	# and both backends import compiles those 3,900 modules only: the install took 43 s in a
	# fresh clone, against 58 s with uv's --compile-bytecode, which compiles all 8,400. The JAX
	# side (and the libraries both sides import) compiles in a second process beside the
	# TensorFlow side, whose import is one core's work: 25 s for both against 31 s one after the
	# other (Python writes each .pyc whole, by a rename, so the two may meet on a module).
	env -u PYTHONDONTWRITEBYTECODE KERAS_BACKEND=jax $(PYTHON) -c \
		"import sol5lab.networks, jax, scipy.ndimage, skimage.restoration, matplotlib.pyplot, pytest, xdist" & \
	jax_side=$$!; \
	env -u PYTHONDONTWRITEBYTECODE $(PYTHON) -c "$$BYTECODE_IMPORTS" && wait $$jax_side
	touch $(INSTALLED)

datasets: venv dataset-files

# The datasets alone: they need the packages, not the byte-compiling.
dataset-files: $(PACKAGES)
	$(PYTHON) -m sol5lab.datasets

# The optional larger photo set (photo_dataset/train, 25 photographs) from Debian's wallpaper
# packages: needs apt-get and dpkg-deb, downloads about 120 MB of packages once.
photos: venv
	$(PYTHON) -m sol5lab.wallpapers

# The optional larger text set (text_more_dataset/train, 1200 pages) in 75 fonts: matplotlib's
# and those of Debian's fonts-liberation, fonts-freefont-ttf and fonts-urw-base35 (about 14 MB
# of packages, fetched once with apt-get; needs dpkg-deb), sizes 8 to 32 px, 1 or 2 columns.
text-more: venv
	$(PYTHON) -m sol5lab.fonts

clean:
	rm -rf models
