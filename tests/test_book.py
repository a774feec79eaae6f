"""The calling patterns of "Deep Learning from Scratch"'s chapter scripts, run on nnlib.

A reader of the book brings its scripts and changes ``from common.x import ...`` into ``from nnlib.x import ...``.
Each test below is written here (it is not a copy of the book's files) but calls nnlib the way those scripts call
the book's ``common`` package: plain-number parameters, label columns, scalar biases, the book's helpers and names.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.datasets import load_mnist
from nnlib.functions import cross_entropy_error, softmax
from nnlib.layers import Affine, BatchNormalization, Convolution, SoftmaxWithLoss
from nnlib.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

# ------------------------------------------------------------------------------------- 1. optimizers and numbers


def f(x: float, y: float) -> float:
    """The book's test function for the optimizers (chapter 6): a long, flat valley along x."""
    return x**2 / 20.0 + y**2


def df(x: float, y: float) -> tuple[float, float]:
    return x / 10.0, 2.0 * y


BOOK_OPTIMIZERS = {  # the step sizes of the book's comparison
    "SGD": lambda: SGD(lr=0.95),
    "Momentum": lambda: Momentum(lr=0.1),
    "AdaGrad": lambda: AdaGrad(lr=1.5),
    "Adam": lambda: Adam(lr=0.3),
}


def walk(optimizer, params, steps: int = 30) -> list[tuple[float, float]]:
    """The book's loop: record the position, compute the gradient into the grads dict, update."""
    grads = {"x": 0, "y": 0}
    history = []
    for _ in range(steps):
        history.append((float(params["x"]), float(params["y"])))
        grads["x"], grads["y"] = df(params["x"], params["y"])
        optimizer.update(params, grads)
    return history


@pytest.mark.parametrize("name", BOOK_OPTIMIZERS)
def test_optimizer_comparison_on_a_2d_function(name):
    params = {"x": -7.0, "y": 2.0}
    history = walk(BOOK_OPTIMIZERS[name](), params)
    # The dict still holds plain floats, now nearer the minimum at (0, 0).
    assert type(params["x"]) is float and type(params["y"]) is float
    assert history[0] == (-7.0, 2.0) and len(history) == 30
    assert f(params["x"], params["y"]) < 0.05 * f(-7.0, 2.0)
    # The same walk with the parameters in arrays (updated in place) takes exactly the same steps.
    arrays = {"x": np.array(-7.0), "y": np.array(2.0)}
    x_array = arrays["x"]
    assert walk(BOOK_OPTIMIZERS[name](), arrays) == history
    assert arrays["x"] is x_array


def test_sgd_on_the_2d_function_follows_the_formula():
    params = {"x": -7.0, "y": 2.0}
    walk(SGD(lr=0.95), params)
    # x -= 0.95 * x / 10 and y -= 0.95 * 2y: geometric sequences (y oscillates, the zigzag of the book's figure).
    assert params["x"] == pytest.approx(-7.0 * 0.905**30, rel=1e-12)
    assert params["y"] == pytest.approx(2.0 * (-0.9) ** 30, rel=1e-12)


@pytest.mark.parametrize("cls", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam])
def test_every_optimizer_updates_numbers_and_arrays_together(cls):
    w = np.array([1.0, -1.0])
    params = {"x": 3, "w": w, "s": np.float32(2.0)}  # an int, an array, a NumPy scalar
    opt = cls()
    for _ in range(3):
        opt.update(params, {"x": 1.0, "w": np.array([0.5, 0.5]), "s": 1.0})
    assert type(params["x"]) is float and params["x"] < 3
    assert params["w"] is w and np.all(w < [1.0, -1.0])
    assert type(params["s"]) is np.float32 and params["s"] < 2


def test_what_an_optimizer_cannot_update_is_a_value_error():
    for bad, what in [
        ("abc", "is a str"),
        (None, "is a NoneType"),
        (True, "is a bool"),
        (np.array([1, 2], dtype=np.int64), "has dtype int64"),
    ]:
        with pytest.raises(ValueError, match=f"SGD.update: parameter 'p' {what}"):
            SGD().update({"p": bad}, {"p": np.zeros(np.shape(bad))})
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        Adam().update({"p": frozen}, {"p": np.ones(2)})
    with pytest.raises(ValueError, match=r"gradient of 'x' has shape \(2,\), parameter has \(\)"):
        SGD().update({"x": 1.0}, {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="gradient of 'x' is not numeric"):
        SGD().update({"x": 1.0}, {"x": "1"})
    with pytest.raises(ValueError, match="expects two dicts"):
        SGD().update([1.0], [1.0])
    # Nothing changed when a later parameter was refused.
    params = {"a": 1.0, "b": "x"}
    with pytest.raises(ValueError):
        SGD().update(params, {"a": 1.0, "b": 1.0})
    assert params == {"a": 1.0, "b": "x"}


# ------------------------------------------------------------------------------------------- 2. labels (N, 1)


def test_label_column_works_like_labels(rng):
    x = rng.standard_normal((4, 10))
    t = np.array([1, 0, 9, 3])
    column = t.reshape(4, 1)  # the book's gradient check: T = np.array([1]).reshape((1, 1))
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, column)
    assert loss == pytest.approx(SoftmaxWithLoss().forward(x, t))
    assert cross_entropy_error(softmax(x), column) == pytest.approx(loss)
    expected = softmax(x)
    expected[np.arange(4), t] -= 1
    np.testing.assert_allclose(layer.backward(), expected / 4)


def test_label_column_in_accuracy_and_the_validation_split(rng):
    from nnlib.datasets import train_validation_split
    from nnlib.nets import TwoLayerNet

    net = TwoLayerNet(4, 5, 3, weight_init_std=1.0, seed=0)
    x, t = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    assert net.accuracy(x, t.reshape(30, 1)) == net.accuracy(x, t) == net.accuracy(x, np.eye(3)[t])
    t = np.repeat([0, 1], [20, 10])
    (_, t_train), (_, t_val) = train_validation_split(x, t.reshape(30, 1), 0.2, seed=0)
    assert t_val.shape == (6, 1) and sorted(t_val[:, 0].tolist()) == [0, 0, 0, 0, 1, 1]  # stratified by label


def test_really_wrong_target_shapes_are_still_refused(rng):
    x = rng.standard_normal((4, 10))
    for t in (np.zeros((4, 2)), np.zeros((3, 1), dtype=int), np.zeros((1, 4), dtype=int), np.zeros((4, 1, 1))):
        with pytest.raises(ValueError, match=rf"SoftmaxWithLoss: targets of shape \({t.shape[0]},"):
            SoftmaxWithLoss().forward(x, t)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\)"):
        cross_entropy_error(softmax(x), np.array([[1], [2], [10], [0]]))
    with pytest.raises(ValueError, match="labels must be integers"):
        SoftmaxWithLoss().forward(x, np.array([[0.5], [1], [2], [3]]))
    # One class: a column of the predictions' shape is a target column, not labels.
    assert SoftmaxWithLoss().forward(np.zeros((3, 1)), np.ones((3, 1))) == pytest.approx(0)


# ---------------------------------------------------------------------------------------- 3. numbers as biases


def test_scalar_and_sequence_biases_broadcast_in_the_weights_dtype(rng):
    W = rng.standard_normal((3, 4)).astype(np.float32)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    for b in (0, 0.0, [0, 0, 0, 0], (0.0,), np.float64(0)):
        layer = Affine(W, b)
        assert layer.b.shape == (4,) and layer.b.dtype == np.float32 and layer.W is W
        np.testing.assert_allclose(layer.forward(x), x @ W, rtol=1e-6)
    assert Affine(W, [1, 2, 3, 4]).b.tolist() == [1, 2, 3, 4]
    conv = Convolution(rng.standard_normal((2, 1, 3, 3)), 0.5)
    assert conv.b.tolist() == [0.5, 0.5]
    own = np.zeros(4, dtype=np.float32)
    assert Affine(W, own).b is own  # a bias array of the right shape is the layer's own, trained in place


def test_batch_normalization_with_numbers(rng):
    x = rng.standard_normal((8, 5)) * 3 + 1
    bn = BatchNormalization(1.0, 0.0)  # D is learnt at the first forward
    out = bn.forward(x)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)
    assert bn.gamma.shape == bn.beta.shape == bn.running_mean.shape == (5,)
    bn.backward(np.ones_like(out))
    assert bn.dgamma.shape == (5,)
    assert BatchNormalization(np.full(5, 2.0), 0).beta.shape == (5,)
    assert BatchNormalization(2.0, 0.0, running_var=np.ones(5)).gamma.tolist() == [2.0] * 5


def test_biases_that_cannot_fit_name_the_layer():
    W = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"Affine needs b of shape \(4,\) \(M = 4 outputs\) or a number, got \[0, 0, 0\]"):
        Affine(W, [0, 0, 0])
    with pytest.raises(ValueError, match="Affine needs b .* got 'zero'"):
        Affine(W, "zero")
    with pytest.raises(ValueError, match=r"Convolution needs b of shape \(2,\) \(FN = 2 filters\)"):
        Convolution(np.zeros((2, 1, 3, 3)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"BatchNormalization needs beta of shape \(3,\) \(D = 3 features\)"):
        BatchNormalization(np.ones(3), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"BatchNormalization needs gamma of shape \(D,\)"):
        BatchNormalization(np.ones((2, 2)), 0.0)
    with pytest.raises(ValueError, match=r"BatchNormalization needs beta of shape \(D,\) or a number, got 'zero'"):
        BatchNormalization(1.0, "zero")


# ------------------------------------------------------------------------------------ 4. the book's helpers


def test_smooth_curve_is_an_11_point_kaiser_mean_mirrored_at_the_ends(rng):
    from nnlib.util import smooth_curve

    x = rng.random(40)
    w = np.kaiser(11, 2)
    w /= w.sum()

    def value(k: int) -> float:
        # Outside the curve: mirrored about the first point at the start, including the last point at the end.
        return x[-k] if k < 0 else x[2 * len(x) - 1 - k] if k >= len(x) else x[k]

    expected = [sum(w[j] * value(i + j - 5) for j in range(11)) for i in range(len(x))]
    np.testing.assert_allclose(smooth_curve(x), expected, rtol=1e-12)
    assert smooth_curve(list(range(20))).shape == (20,)  # any sequence, e.g. the Trainer's train_loss_list
    np.testing.assert_allclose(smooth_curve(np.full(30, 2.5)), 2.5)
    with pytest.raises(ValueError, match="smooth_curve expects a non-empty 1-D"):
        smooth_curve(np.zeros((3, 3)))


def test_shuffle_dataset_keeps_pairs_together(rng):
    from nnlib.util import shuffle_dataset

    x = np.arange(20 * 4, dtype=np.float32).reshape(20, 1, 2, 2)  # images, as well as vectors
    t = np.arange(20)
    xs, ts = shuffle_dataset(x, t, seed=0)
    assert sorted(ts.tolist()) == t.tolist() and ts.tolist() != t.tolist()
    np.testing.assert_array_equal(xs, x[ts])  # every image still with its label
    assert np.array_equal(shuffle_dataset(x, t, seed=0)[1], ts)  # seeded: reproducible
    xs, ts = shuffle_dataset(x.reshape(20, 4), t)  # the book's call, unseeded
    np.testing.assert_array_equal(xs, x.reshape(20, 4)[ts])
    with pytest.raises(ValueError, match=r"same number of samples, got shapes \(20, 4\) and \(19,\)"):
        shuffle_dataset(x.reshape(20, 4), t[:19])


def test_identity_function_and_sum_squared_error():
    from nnlib.functions import identity_function, mean_squared_error, sum_squared_error

    a = np.array([0.3, -1.0])
    assert identity_function(a) is a
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])  # the book's chapter-4 example
    t = np.zeros(10)
    t[2] = 1
    assert sum_squared_error(y, t) == pytest.approx(0.0975)
    assert mean_squared_error(y, t) == pytest.approx(0.0975)  # one sample: the same
    batch = np.stack([y, y])
    assert sum_squared_error(batch, np.stack([t, t])) == pytest.approx(0.195)  # summed, not averaged
    with pytest.raises(ValueError, match="sum_squared_error: targets of shape"):
        sum_squared_error(y, t[:3])


def test_numerical_gradient_of_a_batch_of_points():
    from nnlib.gradient import numerical_gradient

    def function_2(x):  # the book's f(x0, x1) = x0^2 + x1^2, for one point or one point per row
        return np.sum(x**2) if x.ndim == 1 else np.sum(x**2, axis=1)

    grid = np.arange(-2, 2.5, 0.25)
    X, Y = np.meshgrid(grid, grid)
    points = np.array([X.flatten(), Y.flatten()])
    grad = numerical_gradient(function_2, points)
    np.testing.assert_allclose(grad, 2 * points, atol=1e-8)
    np.testing.assert_allclose(numerical_gradient(function_2, np.array([3.0, 4.0])), [6.0, 8.0])
    # A function of the whole matrix still gets the gradient of the whole matrix.
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(numerical_gradient(lambda w: np.sum(w) ** 2, W), np.full((2, 2), 20.0), rtol=1e-8)
    with pytest.raises(ValueError, match=r"f must return one number .* got shape \(3,\)"):
        numerical_gradient(lambda w: np.ones(3) * w.sum(), W)


# --------------------------------------------------------------------------------- 5. MultiLayerNetExtend


def test_multi_layer_net_extend_is_the_multi_layer_net():
    from nnlib.nets import MultiLayerNet, MultiLayerNetExtend

    assert MultiLayerNetExtend is MultiLayerNet
    book = MultiLayerNetExtend(input_size=4, hidden_size_list=[3, 3], output_size=2, use_dropout=True,
                               dropout_ration=0.2, use_batchnorm=True, seed=0)  # fmt: skip
    ours = MultiLayerNet(input_size=4, hidden_size_list=[3, 3], output_size=2, use_dropout=True,
                         dropout_ratio=0.2, use_batchnorm=True, seed=0)  # fmt: skip
    dropouts = [layer for layer in book.layers.values() if type(layer).__name__ == "Dropout"]
    assert [d.dropout_ratio for d in dropouts] == [0.2, 0.2]
    assert book.config == ours.config and book.config["dropout_ratio"] == 0.2
    for name in ours.params:
        np.testing.assert_array_equal(book.params[name], ours.params[name])


def test_overfit_dropout_pattern(capsys):
    """The book's overfit_dropout: a deep net on 300 training images, dropout 0.2, plain SGD, the Trainer."""
    from nnlib.nets import MultiLayerNetExtend
    from nnlib.trainer import Trainer

    (x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
    x_train, t_train = x_train[:300], t_train[:300]
    use_dropout, dropout_ratio = True, 0.2
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                                  output_size=10, use_dropout=use_dropout, dropout_ration=dropout_ratio, seed=0)  # fmt: skip
    trainer = Trainer(network, x_train, t_train, x_test[:200], t_test[:200],
                      epochs=5, mini_batch_size=100,
                      optimizer="sgd", optimizer_param={"lr": 0.01}, verbose=True, seed=0)  # fmt: skip
    trainer.train()
    train_acc_list, test_acc_list = trainer.train_acc_list, trainer.test_acc_list
    assert len(train_acc_list) == len(test_acc_list) == 5
    assert all(0 <= a <= 1 for a in train_acc_list + test_acc_list)
    assert len(trainer.train_loss_list) == 5 * 3  # 300 images in batches of 100
    assert "epoch 5/5" in capsys.readouterr().err  # verbose: progress on stderr
    # Dropout is active while training (two passes drop different units) and off when testing.
    x = x_train[:10]
    assert network.loss(x, t_train[:10], train_flg=True) != network.loss(x, t_train[:10], train_flg=True)
    np.testing.assert_array_equal(network.predict(x), network.predict(x))


# ---------------------------------------------------------------------------------- the chapter-6 and -7 scripts


def test_hyperparameter_optimization_pattern():
    """The book's random search: shuffle, hold out 20% for validation, train with random lr and weight decay."""
    from nnlib.nets import MultiLayerNet
    from nnlib.trainer import Trainer
    from nnlib.util import shuffle_dataset

    (x_train, t_train), _ = load_mnist(subset=True)
    x_train, t_train = x_train[:500], t_train[:500]
    validation_rate = 0.20
    validation_num = int(x_train.shape[0] * validation_rate)
    x_train, t_train = shuffle_dataset(x_train, t_train, seed=0)
    x_val, t_val = x_train[:validation_num], t_train[:validation_num]
    x_train, t_train = x_train[validation_num:], t_train[validation_num:]
    assert len(x_val) == 100 and len(x_train) == 400

    def train(lr: float, weight_decay: float, trial: int, epochs: int = 2) -> tuple[list[float], list[float]]:
        network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                                output_size=10, weight_decay_lambda=weight_decay, seed=trial)  # fmt: skip
        trainer = Trainer(network, x_train, t_train, x_val, t_val, epochs=epochs, mini_batch_size=100,
                          optimizer="sgd", optimizer_param={"lr": lr}, verbose=False, seed=trial)  # fmt: skip
        trainer.train()
        return trainer.test_acc_list, trainer.train_acc_list

    rng = np.random.default_rng(0)
    results_val, results_train = {}, {}
    for trial in range(3):
        weight_decay = 10 ** rng.uniform(-8, -4)
        lr = 10 ** rng.uniform(-6, -2)
        val_acc_list, train_acc_list = train(lr, weight_decay, trial)
        key = f"lr:{lr}, weight decay:{weight_decay}"
        results_val[key], results_train[key] = val_acc_list, train_acc_list
    ranked = sorted(results_val.items(), key=lambda item: item[1][-1], reverse=True)
    assert len(ranked) == 3 and all(len(accs) == 2 for _, accs in ranked)
    # Validation accuracies are counts out of the 100 held-out images.
    assert all(abs(a * 100 - round(a * 100)) < 1e-9 for _, accs in ranked for a in accs)
    # Seeded, the search is reproducible: the best trial trains to the same curve again.
    best_key, best_val = ranked[0]
    lr, weight_decay = (float(part.split(":")[1]) for part in best_key.split(", "))
    assert train(lr, weight_decay, list(results_val).index(best_key)) == (best_val, results_train[best_key])


def test_ch07_gradient_check_pattern():
    """A SimpleConvNet on one 10x10 image, the label given as a (1, 1) array: backprop against numerical gradients."""
    from nnlib.nets import SimpleConvNet

    network = SimpleConvNet(input_dim=(1, 10, 10),
                            conv_param={"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1},
                            hidden_size=10, output_size=10, weight_init_std=0.01, seed=0)  # fmt: skip
    X = np.random.default_rng(0).random(100).reshape((1, 1, 10, 10))
    T = np.array([1]).reshape((1, 1))
    grad_num = network.numerical_gradient(X, T)
    grad = network.gradient(X, T)
    assert set(grad_num) == set(grad) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for key in grad_num:
        # The book prints this mean absolute difference. (Its random image can put a convolution output within h of
        # ReLU's kink, where no numerical gradient is right; the seed here keeps clear of that.)
        assert np.abs(grad_num[key] - grad[key]).mean() < 1e-9, key


def test_apply_filter_pattern():
    """The book's apply_filter: each filter of the first layer applied alone to an image, with a bias of 0."""
    from numpy.lib.stride_tricks import sliding_window_view

    from nnlib.nets import SimpleConvNet

    network = SimpleConvNet(input_dim=(1, 28, 28),
                            conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                            hidden_size=100, output_size=10, weight_init_std=0.01, seed=0)  # fmt: skip
    (x, _), _ = load_mnist(subset=True, flatten=False)
    img = x[0, 0]  # a float32 image, as matplotlib's imread gives
    img = img.reshape(1, 1, *img.shape)
    for i in range(16):
        w = network.params["W1"][i]
        b = 0  # network.params['b1'][i]
        w = w.reshape(1, *w.shape)
        conv_layer = Convolution(w, b)
        out = conv_layer.forward(img)
        out = out.reshape(out.shape[2], out.shape[3])
        expected = np.einsum("ijkl,kl->ij", sliding_window_view(img[0, 0], (5, 5)), w[0, 0])
        assert out.shape == (24, 24)
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------------------- 6. the "Coming from the book" page


@pytest.mark.native_only  # reads the repository's docs/, which the in-browser test run does not have
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_book_page_examples_run_and_print_what_the_page_says(lang, tmp_path, monkeypatch, capsys):
    import pickle
    import re
    from pathlib import Path

    from nnlib.nets import SimpleConvNet

    page = (Path(__file__).resolve().parent.parent / "docs" / lang / "book.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    assert len(blocks) == 4
    # The book's trained parameters, as a pickle in the book's format (a dict of arrays), for the last example.
    book_params = {k: v.copy() for k, v in SimpleConvNet(seed=1).params.items()}
    (tmp_path / "params.pkl").write_bytes(pickle.dumps(book_params))
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, f"docs/{lang}/book.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    # The optimizer comparison: the four optimizers, each now near the minimum at (0, 0).
    for line, name in zip(out[:4], ["SGD", "Momentum", "AdaGrad", "Adam"]):
        x, y = (float(v) for v in re.findall(r"[xy] = ([-+.\d]+)", line))
        assert line.startswith(name) and x**2 / 20 + y**2 < 0.05 * (7.0**2 / 20 + 2.0**2)
    # The cross-entropy numbers the page quotes in its text and comments.
    assert out[4] == "0.5108256237659907" and "0.5108256" in page and "0.5108255" in page
    assert 700 < float(out[5]) < 710 and "708" in page
    from nnlib.io import load_params

    saved = load_params(tmp_path / "params.npz")
    assert all(np.array_equal(saved[k], book_params[k]) for k in book_params)
