"""Section 5: train_model's split, validation set, compilation and learning."""

import inspect
import itertools
import threading

import keras
import numpy as np
import pytest

import sol5


def halve_contrast(image):
    """A corruption a small network learns in a few dozen steps."""
    return 0.25 + 0.5 * image


@pytest.fixture
def recorded_calls(monkeypatch):
    """Record what train_model gives load_dataset and fit."""
    calls = {"load_dataset": [], "fit": []}
    real_load = sol5.load_dataset

    def load_dataset(filenames, batch_size, corruption_func, crop_size, *, rng=None):
        calls["load_dataset"].append((list(filenames), batch_size, crop_size))
        return real_load(filenames, batch_size, corruption_func, crop_size, rng=rng)

    monkeypatch.setattr(sol5, "load_dataset", load_dataset)
    real_fit = keras.Model.fit

    def fit(self, *args, **kwargs):
        calls["fit"].append(kwargs)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)
    return calls


def test_split_validation_set_and_compilation(image_files, recorded_calls):
    model = sol5.build_nn_model(12, 12, 4, 1)
    history = sol5.train_model(model, image_files, halve_contrast, 6, 2, 3, 17, verbose=0)
    (train_files, train_batch, crop), (valid_files, _, valid_crop) = recorded_calls["load_dataset"]
    assert crop == valid_crop == (12, 12) and train_batch == 6
    assert len(train_files) == 4 and len(valid_files) == 1  # 80/20 of 5 images
    assert sorted(train_files + valid_files) == sorted(image_files)
    (fit_kwargs,) = recorded_calls["fit"]
    valid_source, valid_target = fit_kwargs["validation_data"]
    assert valid_source.shape == valid_target.shape == (17, 12, 12, 1)  # samples, not batches
    assert fit_kwargs["steps_per_epoch"] == 2 and fit_kwargs["epochs"] == 3
    assert len(history.history["val_loss"]) == 3
    assert model.loss == "mean_squared_error"
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.optimizer.beta_2 == pytest.approx(0.9)


def test_the_split_is_seeded(image_files, recorded_calls):
    for seed in (1, 1, 2, 3, 4):
        sol5.train_model(
            sol5.build_nn_model(8, 8, 2, 0),
            image_files,
            halve_contrast,
            2,
            1,
            1,
            2,
            rng=np.random.default_rng(seed),
            verbose=0,
        )
    valid_sets = [calls[0] for calls in recorded_calls["load_dataset"][1::2]]
    assert valid_sets[0] == valid_sets[1]
    assert len({tuple(files) for files in valid_sets}) > 1


def test_training_lowers_the_validation_loss(image_files):
    """After training, the network beats its untrained self on the same validation patches."""
    sol5.set_seed(3)
    model = sol5.build_nn_model(16, 16, 16, 1)
    source, target = next(
        sol5.load_dataset(image_files, 200, halve_contrast, (16, 16), rng=np.random.default_rng(9))
    )
    untrained = float(np.mean((model.predict_on_batch(source) - target) ** 2))
    history = sol5.train_model(model, image_files, halve_contrast, 16, 30, 3, 64, verbose=0)
    trained = float(np.mean((model.predict_on_batch(source) - target) ** 2))
    assert trained < 0.25 * untrained
    assert history.history["val_loss"][-1] < history.history["val_loss"][0]
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_validation_set_is_the_same_every_epoch(image_files):
    """With a frozen network, every epoch's validation loss is the same number."""
    model = sol5.build_nn_model(12, 12, 4, 1)
    for layer in model.layers:
        layer.trainable = False
    history = sol5.train_model(model, image_files, halve_contrast, 4, 2, 4, 20, verbose=0)
    assert len(set(np.round(history.history["val_loss"], 7))) == 1


@pytest.mark.parametrize(
    ("images", "numbers", "message"),
    [
        (1, (4, 2, 2, 10), "at least 2 images"),
        (None, (0, 2, 2, 10), "batch_size"),
        (None, (4, 2, 0, 10), "num_epochs"),
        (None, (4, 2, 2, 0), "num_valid_samples"),
    ],
)
def test_bad_arguments(image_files, images, numbers, message):
    files = image_files[:images] if images else image_files
    with pytest.raises(ValueError, match=message):
        sol5.train_model(sol5.build_nn_model(8, 8, 2, 0), files, halve_contrast, *numbers, verbose=0)


# TensorFlow only: what a seed fixes here beyond NumPy's crops is the initial weights, and under
# JAX tests/sol5lab/test_resumable.py holds a run stopped and resumed to one built from the same seed.
def test_a_fixed_seed_gives_the_same_trained_weights(image_files):
    weights = []
    for _ in range(2):
        sol5.set_seed(21)
        model = sol5.build_nn_model(12, 12, 4, 1)
        sol5.train_model(
            model, image_files, lambda im: sol5.add_gaussian_noise(im, 0, 0.2), 4, 3, 2, 8, verbose=0
        )
        weights.append(model.get_weights())
    for first, second in zip(*weights, strict=True):
        np.testing.assert_array_equal(first, second)


def numbered_batches(size=8):
    """Batches whose target is k / 100 everywhere in the k-th batch, and whose source is 0."""
    for number in itertools.count():
        yield np.zeros((2, size, size, 1), np.float32), np.full((2, size, size, 1), number / 100, np.float32)


def test_in_order_batches_serve_each_position_its_own_batch_whoever_asks_first():
    dataset = sol5.InOrderBatches(numbered_batches(), 6)
    positions = [5, 0, 3, 1, 4, 2]
    served = {}
    threads = [
        threading.Thread(target=lambda p=p: served.__setitem__(p, dataset[p][1][0, 0, 0, 0]))
        for p in positions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(dataset) == 6
    assert served == {p: np.float32(p / 100) for p in range(6)}
    dataset.on_epoch_end()  # the next epoch's positions are the generator's next batches
    assert [dataset[p][1][0, 0, 0, 0] for p in range(6)] == [np.float32(k / 100) for k in range(6, 12)]


@pytest.mark.portable
@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_fit_trains_on_the_generators_batches_in_order_across_epochs():
    """A network that outputs 0 has a loss of (k / 100)**2 on the k-th batch; the per-step losses
    (recovered from Keras' running mean) show which batch each step trained on."""
    model = sol5.build_nn_model(8, 8, 2, 0)
    model.set_weights([np.zeros_like(weight) for weight in model.get_weights()])
    for layer in model.layers:
        layer.trainable = False
    sol5.compile_for_training(model)
    running_means = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: running_means.append([]),
        on_train_batch_end=lambda batch, logs: running_means[-1].append(float(logs["loss"])),
    )
    steps, epochs = 5, 3
    model.fit(
        sol5.InOrderBatches(numbered_batches(), steps),
        steps_per_epoch=steps,
        epochs=epochs,
        verbose=0,
        callbacks=[record],
        shuffle=False,  # as train_model asks: shuffled positions would reorder the batches
    )
    numbers = []
    for means in running_means:
        totals = np.arange(1, steps + 1) * np.array(means)
        losses = np.diff(totals, prepend=0.0)
        numbers += list(np.rint(100 * np.sqrt(np.maximum(losses, 0))).astype(int))
    # Keras may read up to two batches ahead of the first epoch to learn their shapes.
    assert numbers[0] <= 2
    assert numbers == list(range(numbers[0], numbers[0] + steps * epochs))


@pytest.mark.portable
def test_a_corruption_failing_during_training_reports_its_own_error(image_files):
    calls = []

    def fails_later(image):
        calls.append(1)
        return image if len(calls) < 60 else image[1:]

    with pytest.raises(Exception, match="keep the shape"):
        sol5.train_model(sol5.build_nn_model(8, 8, 2, 0), image_files, fails_later, 10, 5, 2, 20, verbose=0)


def test_in_order_batches_repeat_the_generators_error_to_every_later_position():
    def breaks_at_the_third():
        yield from itertools.islice(numbered_batches(), 2)
        raise ValueError("batch 2 is broken")

    dataset = sol5.InOrderBatches(breaks_at_the_third(), 5)
    with pytest.raises(ValueError, match="broken"):
        dataset[4]  # draws batches 0 to 4 for position 4, and meets the error at the third
    assert dataset[0][1][0, 0, 0, 0] == 0  # drawn before the error, still served
    for position in (2, 3):
        with pytest.raises(ValueError, match="broken"):
            dataset[position]


@pytest.mark.portable
def test_the_training_step_is_traced_once(image_files):
    """The optimizer's variables exist before fit, so compiling the step takes one trace, not two
    (on TensorFlow, variables created during the first trace force a second one)."""
    model = sol5.build_nn_model(8, 8, 4, 1)
    traced = []
    train_step = model.train_step
    model.train_step = lambda *args: traced.append(1) or train_step(*args)
    sol5.train_model(model, image_files, halve_contrast, 4, 3, 2, 8, verbose=0)
    assert len(traced) == 1


def test_in_order_false_hands_fit_the_bare_generator(image_files, monkeypatch):
    """The benchmark's comparison feed: ``in_order=False`` gives ``fit`` the generator itself."""
    fed = []
    real_fit = keras.Model.fit

    def fit(self, x, **kwargs):
        fed.append(x)
        return real_fit(self, x, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)
    for in_order in (False, True):
        sol5.train_model(
            sol5.build_nn_model(8, 8, 2, 0),
            image_files,
            lambda image: image,
            2,
            1,
            1,
            2,
            verbose=0,
            in_order=in_order,
        )
    assert inspect.isgenerator(fed[0])
    assert isinstance(fed[1], sol5.InOrderBatches)


class BreakWeightsDuring(keras.callbacks.Callback):
    """Keep the weights at the end of each epoch; set one weight to inf inside epoch ``epoch``."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch, self.current, self.after_epoch = epoch, None, []

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.epoch and batch == 1:
            weights = self.model.get_weights()
            weights[0] = np.full_like(weights[0], np.inf)
            self.model.set_weights(weights)

    def on_epoch_end(self, epoch, logs=None):
        self.after_epoch.append(self.model.get_weights())


@pytest.mark.portable
def test_a_diverged_training_raises_and_keeps_the_last_finite_weights(image_files):
    model = sol5.build_nn_model(16, 16, 4, 1)
    breaker = BreakWeightsDuring(epoch=1)
    with pytest.raises(FloatingPointError, match="epoch 2"):
        sol5.train_model(model, image_files, halve_contrast, 4, 3, 3, 8, verbose=0, callbacks=[breaker])
    assert len(breaker.after_epoch) == 2  # training stopped after the epoch that diverged
    for kept, first_epoch in zip(model.get_weights(), breaker.after_epoch[0], strict=True):
        assert np.isfinite(kept).all()
        np.testing.assert_array_equal(kept, first_epoch)
