import numpy as np
import pytest

from nnlib import nets, optimizers
from nnlib.gradient import gradient_check
from nnlib.layers import Affine, Relu, Tanh


def small_nets(seed=0):
    """Every ready network, small enough for numerical gradients."""
    conv = {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}
    return {
        "TwoLayerNet": (nets.TwoLayerNet(6, 5, 3, weight_init_std=0.5, seed=seed), (6,)),
        "MultiLayerNet-relu": (nets.MultiLayerNet(6, [5, 4], 3, weight_decay_lambda=0.1, seed=seed), (6,)),
        "MultiLayerNet-tanh-xavier": (nets.MultiLayerNet(6, [5], 3, activation="tanh", weight_init_std="xavier", seed=seed), (6,)),
        "MultiLayerNet-sigmoid-bn": (nets.MultiLayerNet(6, [5, 4], 3, activation="sigmoid", use_batchnorm=True, seed=seed), (6,)),
        "SimpleConvNet": (nets.SimpleConvNet((2, 6, 6), conv, hidden_size=5, output_size=3, weight_init_std=0.3, seed=seed), (2, 6, 6)),
        "Network": (nets.Network([6, 5, 3], seed=seed), (6,)),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(small_nets()))
@pytest.mark.parametrize("batch", [1, 4])
def test_ready_nets_pass_gradient_check(name, batch, rng):
    net, in_shape = small_nets()[name]
    x = rng.standard_normal((batch, *in_shape))
    t = rng.integers(0, 3, batch)
    errors = gradient_check(net, x, t)
    assert set(errors) == set(net.params)
    grads = net.gradient(x, t)
    for key, err in errors.items():
        if "bn" in name and key.startswith("b") and not key.startswith("beta") and key != "b3":
            # A bias right before batch norm has an exactly zero gradient (the mean subtraction removes it), where the
            # relative error only measures rounding noise; check it in absolute terms.
            assert np.max(np.abs(grads[key])) < 1e-12
            continue
        assert err < 1e-6, f"{name}: {key} relative error {err:.2e}\n{errors}"


def test_deep_conv_net_gradient_check(rng):
    net = nets.DeepConvNet((1, 12, 12), channels=(2, 2, 2, 2, 2, 2), hidden_size=4, output_size=3, dropout_ratio=0.0, seed=1)
    assert [k for k in net.params if k.startswith("W")] == [f"W{i}" for i in range(1, 9)]
    # Zero biases make every all-padding window's pre-activation exactly 0, on ReLU's kink, where the numerical
    # derivative (1/2) and the subgradient (0) differ; random biases move them off it.
    for name, p in net.params.items():
        if name.startswith("b"):
            p[...] = rng.standard_normal(p.shape) * 0.1
    x, t = rng.standard_normal((2, 1, 12, 12)), np.array([0, 2])
    errors = gradient_check(net, x, t)
    assert errors.max_error() < 1e-6, errors


def test_deep_conv_net_book_shapes():
    net = nets.DeepConvNet(seed=0)
    assert net.params["W7"].shape == (64 * 4 * 4, 50)
    assert net.predict(np.zeros((2, 784))).shape == (2, 10)


def test_params_are_the_layers_arrays():
    net = nets.TwoLayerNet(4, 3, 2, seed=0)
    opt = optimizers.SGD(lr=0.5)
    x, t = np.ones((2, 4)), np.array([0, 1])
    before = net.loss(x, t)
    opt.update(net.params, net.gradient(x, t))
    assert net.layers["Affine1"].W is net.params["W1"]
    assert net.loss(x, t) < before


@pytest.mark.parametrize("name", list(small_nets()))
def test_float32_networks_stay_float32(name, rng):
    net, in_shape = small_nets()[name]
    net32 = type(net)(**{**net.config, "dtype": np.float32})
    x = rng.standard_normal((3, *in_shape))  # float64 input is cast to the network's dtype
    t = np.array([0, 1, 2])
    assert all(p.dtype == np.float32 for p in net32.params.values())
    assert net32.predict(x).dtype == np.float32
    grads = net32.gradient(x, t)
    assert all(g.dtype == np.float32 for g in grads.values())
    optimizers.Adam().update(net32.params, grads)
    assert all(p.dtype == np.float32 for p in net32.params.values())


def test_config_rebuilds_the_same_network():
    for net, _ in small_nets(seed=5).values():
        twin = type(net)(**net.config)
        assert {k: v.shape for k, v in twin.params.items()} == {k: v.shape for k, v in net.params.items()}
        for k in net.params:  # the seed is part of the config
            np.testing.assert_array_equal(twin.params[k], net.params[k])


def test_seed_reproducible_without_global_state():
    state = np.random.get_state()[1].copy()
    a = nets.MultiLayerNet(10, [8], 3, use_dropout=True, seed=42)
    b = nets.MultiLayerNet(10, [8], 3, use_dropout=True, seed=42)
    c = nets.MultiLayerNet(10, [8], 3, use_dropout=True, seed=43)
    assert np.array_equal(a.params["W1"], b.params["W1"]) and not np.array_equal(a.params["W1"], c.params["W1"])
    x, t = np.ones((5, 10)), np.zeros(5, dtype=int)
    ga, gb = a.gradient(x, t), b.gradient(x, t)  # same dropout masks too
    np.testing.assert_array_equal(ga["W1"], gb["W1"])
    assert np.array_equal(np.random.get_state()[1], state)


def test_weight_decay_adds_penalty_and_gradient():
    net = nets.MultiLayerNet(4, [3], 2, weight_decay_lambda=0.0, seed=0)
    decayed = nets.MultiLayerNet(4, [3], 2, weight_decay_lambda=0.5, seed=0)
    x, t = np.ones((2, 4)), np.array([0, 1])
    penalty = 0.25 * (np.sum(net.params["W1"] ** 2) + np.sum(net.params["W2"] ** 2))
    assert decayed.loss(x, t) == pytest.approx(net.loss(x, t) + penalty)
    np.testing.assert_allclose(decayed.gradient(x, t)["W1"], net.gradient(x, t)["W1"] + 0.5 * net.params["W1"])


def test_multilayer_net_options_build_the_book_layers():
    net = nets.MultiLayerNet(4, [3, 3], 2, activation="tanh", use_batchnorm=True, use_dropout=True, seed=0)
    kinds = [type(layer).__name__ for layer in net.layers.values()]
    assert kinds == ["Affine", "BatchNormalization", "Tanh", "Dropout"] * 2 + ["Affine"]
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert list(net.buffers) == ["running_mean1", "running_var1", "running_mean2", "running_var2"]
    he = nets.MultiLayerNet(1000, [1000], 2, weight_init_std="he", seed=0).params["W1"].std()
    assert he == pytest.approx(np.sqrt(2 / 1000), rel=0.02)
    with pytest.raises(ValueError, match="activation must be one of relu, sigmoid, tanh"):
        nets.MultiLayerNet(4, [3], 2, activation="softplus")
    with pytest.raises(ValueError, match="weight_init_std"):
        nets.MultiLayerNet(4, [3], 2, weight_init_std="gaussian")


def test_simple_conv_net_accepts_flat_images_and_checks_sizes(rng):
    net = nets.SimpleConvNet(seed=0)
    assert net.params["W1"].shape == (30, 1, 5, 5) and net.params["W2"].shape == (30 * 12 * 12, 100)
    x = rng.random((2, 784))
    np.testing.assert_array_equal(net.predict(x), net.predict(x.reshape(2, 1, 28, 28)))
    with pytest.raises(ValueError, match=r"SimpleConvNet expects inputs of shape \(N, 1, 28, 28\) or flattened \(N, 784\)"):
        net.predict(rng.random((2, 3, 28, 28)))
    # Images of another size are reported as such, not as a mismatch in a layer deep inside.
    with pytest.raises(ValueError, match=r"SimpleConvNet expects .* got shape \(5, 1, 8, 8\)"):
        net.predict(rng.random((5, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"SimpleConvNet expects .* got shape \(5, 64\)"):
        net.accuracy(rng.random((5, 64)), np.zeros(5, dtype=int))


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: nets.TwoLayerNet(784, -5, 10), "TwoLayerNet: hidden_size must be a positive integer, got -5"),
        (lambda: nets.TwoLayerNet(784, 50.5, 10), "TwoLayerNet: hidden_size must be a positive integer, got 50.5"),
        (lambda: nets.TwoLayerNet(0, 50, 10), "TwoLayerNet: input_size must be a positive integer, got 0"),
        (lambda: nets.MultiLayerNet(784, [100, 0], 10), r"MultiLayerNet: every entry of hidden_size_list must be a"),
        (lambda: nets.MultiLayerNet(784, 100, 10), r"MultiLayerNet: hidden_size_list must be a list of positive"),
        (lambda: nets.MultiLayerNet(784, [10], 10, dropout_ratio=1.5), r"dropout_ratio must be a number in \[0, 1\)"),
        (lambda: nets.MultiLayerNet(784, [10], 10, weight_decay_lambda=-1), "weight_decay_lambda must be a number >= 0"),
        (lambda: nets.MultiLayerNet(4, [3], 2, dropout_ratio=0.2, dropout_ration=0.3), "disagree"),
        (lambda: nets.SimpleConvNet((1, 28)), r"SimpleConvNet: input_dim must hold 3 positive integers, got \[1, 28\]"),
        (lambda: nets.SimpleConvNet((1, 4, 4)), "SimpleConvNet: images of 4x4 are too small for 5x5 filters"),
        (lambda: nets.SimpleConvNet(conv_param={"filters": 3}), "SimpleConvNet: unknown conv_param filters"),
        (lambda: nets.SimpleConvNet(conv_param={"pad": -1}), r"conv_param\['pad'\] must be an integer >= 0"),
        (lambda: nets.SimpleConvNet(hidden_size=0), "SimpleConvNet: hidden_size must be a positive integer"),
        (lambda: nets.DeepConvNet(channels=(16, 16)), "DeepConvNet: channels must hold 6 positive integers"),
        (lambda: nets.DeepConvNet(input_dim=(1, 3, 3)), "DeepConvNet: images of 3x3 are too small"),
        (lambda: nets.Network([784, -30, 10]), "Network: every entry of sizes must be a positive integer, got -30"),
    ],
)
def test_ready_nets_check_their_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_vector_nets_check_the_input_size(rng):
    net = nets.TwoLayerNet(784, 10, 10, seed=0)
    images = rng.random((3, 1, 28, 28))
    np.testing.assert_array_equal(net.predict(images), net.predict(images.reshape(3, 784)))  # flattened, as the book
    assert net.predict(rng.random(784)).shape == (10,)  # one sample
    with pytest.raises(ValueError, match=r"TwoLayerNet expects inputs of shape \(N, 784\) \(input_dim=\(784,\)\), got shape \(3, 64\)"):
        net.predict(rng.random((3, 64)))
    with pytest.raises(ValueError, match=r"MultiLayerNet expects inputs of shape \(N, 4\)"):
        nets.MultiLayerNet(4, [3], 2).loss(rng.random((2, 5)), np.zeros(2, dtype=int))


def test_sequential_composes_layers_and_trains(rng):
    x = rng.standard_normal((200, 2))
    t = (x[:, 0] * x[:, 1] > 0).astype(int)  # XOR-like quadrants: needs the hidden layer
    r = np.random.default_rng(0)
    net = nets.Sequential([Affine(r.standard_normal((2, 16)), np.zeros(16)), Tanh(),
                           Affine(r.standard_normal((16, 2)) * 0.1, np.zeros(2))])  # fmt: skip
    assert list(net.layers) == ["Affine1", "Tanh1", "Affine2"]
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    opt = optimizers.Adam(lr=0.05)
    for _ in range(300):
        opt.update(net.params, net.gradient(x, t))
    assert net.accuracy(x, t) > 0.95
    assert "Affine(2 -> 16)" in repr(net)


def test_sequential_rejects_mixed_dtypes_and_duplicate_names():
    with pytest.raises(ValueError, match="one dtype"):
        nets.Sequential([Affine(np.zeros((2, 2)), np.zeros(2)), Affine(np.zeros((2, 2), np.float32), np.zeros(2, np.float32))])
    with pytest.raises(ValueError, match="parameter 'b1'"):
        nets.Sequential({"a": Affine(np.zeros((2, 2)), np.zeros(2)), "relu": Relu()} | {"b": _FakeW()})


class _FakeW(Relu):
    param_names = ("b",)  # a second b1 with no W before it

    def __init__(self):
        super().__init__()
        self.b = np.zeros(2)


def test_set_params_checks_names_and_shapes():
    net = nets.TwoLayerNet(4, 3, 2, seed=0)
    other = nets.TwoLayerNet(4, 3, 2, seed=1)
    w1 = net.params["W1"]
    net.set_params(other.params)
    assert net.params["W1"] is w1  # copied in place
    np.testing.assert_array_equal(w1, other.params["W1"])
    with pytest.raises(ValueError, match=r"W1 has shape \(5, 3\), the network expects \(4, 3\)"):
        net.set_params({**other.params, "W1": np.zeros((5, 3))})
    with pytest.raises(ValueError, match="do not match"):
        net.set_params({"W1": other.params["W1"]})


def test_accuracy_batches_and_accepts_one_hot(rng):
    net = nets.TwoLayerNet(5, 4, 3, seed=0)
    x = rng.standard_normal((2500, 5))
    labels = net.predict(x).argmax(axis=1)
    assert net.accuracy(x, labels, batch_size=700) == 1.0
    assert net.accuracy(x, np.eye(3)[labels]) == 1.0
    assert net.accuracy(x, (labels + 1) % 3) == 0.0


def test_nielsen_network_accepts_both_data_forms(rng, capsys):
    net = nets.Network([4, 6, 3], seed=0)
    x = rng.standard_normal((30, 4))
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)
    pairs = [(xi.reshape(-1, 1), np.eye(3)[li].reshape(-1, 1)) for xi, li in zip(x, labels)]
    test_pairs = [(xi.reshape(-1, 1), int(li)) for xi, li in zip(x, labels)]
    assert net.feedforward(pairs[0][0]).shape == (3, 1)
    assert net.weights[0].shape == (6, 4) and net.biases[0].shape == (6, 1)
    assert net.evaluate(test_pairs) == net.evaluate((x, labels))
    history = net.SGD(pairs, epochs=3, mini_batch_size=10, eta=3.0, test_data=test_pairs)
    assert len(history) == 3 and all(0 <= h <= 30 for h in history)
    assert "Epoch 2:" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"Network expects inputs of shape \(N, 4\)"):
        net.evaluate((np.zeros((2, 5)), np.zeros(2, dtype=int)))


def test_nielsen_minibatch_step_equals_the_per_sample_sum(rng):
    """Nielsen's update w -= eta/m * sum of per-sample gradients, done sample by sample, is one vectorised step."""
    net = nets.Network([3, 4, 2], seed=1)
    twin = nets.Network([3, 4, 2], seed=1)
    x, labels = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    total = {k: np.zeros_like(v) for k, v in net.params.items()}
    for i in range(5):
        for k, g in twin.gradient(x[i : i + 1], labels[i : i + 1]).items():
            total[k] += g
    net.update_mini_batch((x, labels), eta=2.0)
    for k in total:
        np.testing.assert_allclose(net.params[k], twin.params[k] - 2.0 / 5 * total[k], rtol=1e-12)


def test_two_layer_net_learns(rng):
    centers = rng.standard_normal((3, 10)) * 3
    labels = rng.integers(0, 3, 600)
    x = centers[labels] + rng.standard_normal((600, 10))
    net = nets.TwoLayerNet(10, 20, 3, seed=0)
    opt = optimizers.SGD(lr=0.1)
    for step in range(300):
        batch = rng.integers(0, 600, 50)
        opt.update(net.params, net.gradient(x[batch], labels[batch]))
    assert net.accuracy(x, labels) > 0.9
