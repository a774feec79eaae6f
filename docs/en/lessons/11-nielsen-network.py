# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11. Michael Nielsen's network
#
# Sooner or later you will read networks that other people wrote, in their own conventions. The first of this part is
# the network of Michael Nielsen's free book *Neural Networks and Deep Learning* (chapters 1 and 2), which many people
# learn from and copy: `Network(sizes)` with sigmoid neurons, the quadratic cost, mini-batch stochastic gradient
# descent and backpropagation written with "deltas". Every sample is a *column* vector, the weights are lists of
# matrices, and backpropagation runs one sample at a time.
#
# Then we meet a bug that turns up in copies of this code: a mini-batch update that applies only the last sample's
# gradient. The network still learns, which is what makes the bug dangerous. We reproduce it, explain why it learns
# anyway, find it with a gradient check, fix it, and measure what it cost. Last, a smaller slip: a cost derivative off
# by a factor of two, and what that does to the learning rate.
#
# **After this lesson you can**
#
# * read and write a network in Nielsen's conventions (column vectors, weight matrices of shape (out, in)) and
#   translate it to ours;
# * write backpropagation with deltas, one sample at a time and then for a whole mini-batch at once;
# * check a whole training step, not only the gradients, and recognise a learning rate that is off by a constant
#   factor;
# * compare nnlib's [`Network`](../../reference/nets/#nnlib.nets.Network) with your own.
#
# **You need** backpropagation and the gradient check (lessons 6 to 8) and mini-batch training on MNIST
# (lesson 10).
#
# ## The data, Nielsen's way
#
# Nielsen feeds the network a Python list of pairs `(x, y)`: `x` is an image as a column vector of shape
# $(784, 1)$, and `y` its label as a one-hot column $(10, 1)$. For the test images `y` is simply the digit. We build
# these lists from the bundled MNIST subset (lesson 3): 5,000 training images and 1,000 test images.

# %%
import copy
import random
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.datasets import load_mnist
from nnlib.functions import sigmoid
from nnlib.functions import sigmoid_grad as sigmoid_prime
from nnlib.gradient import numerical_gradient, relative_error

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)


def one_hot_column(digit):
    y = np.zeros((10, 1))
    y[digit] = 1.0
    return y


# float64 columns, the dtype of the weights: a product of
# float32 and float64 would convert the image every time
training_data = [
    (x.reshape(784, 1).astype(np.float64), one_hot_column(t))
    for x, t in zip(x_train, t_train)]
test_data = [(x.reshape(784, 1).astype(np.float64), int(t))
             for x, t in zip(x_test, t_test)]
# how many pairs the training cells below use: one sample at
# a time, all 5,000 would take too long in a browser
n_train = 1000
x, y = training_data[0]
print(len(training_data), "training pairs,", len(test_data),
      "test pairs")
print("x:", x.shape, x.dtype, "  y:", y.shape, y.ravel())

# %% [markdown]
# ## The network
#
# `Network([784, 30, 10])` has 784 inputs, a hidden layer of 30 sigmoid neurons and 10 sigmoid outputs. For each
# layer after the input it holds a weight matrix and a bias column:
#
# $$\mathbf{z}^l = W^l \mathbf{a}^{l-1} + \mathbf{b}^l, \qquad \mathbf{a}^l = \sigma(\mathbf{z}^l),$$
#
# with $\mathbf{a}^0 = \mathbf{x}$. Because $\mathbf{a}$ is a column, $W^l$ has shape (neurons of layer $l$,
# neurons of layer $l-1$), that is (out, in): the *transpose* of our Affine layer's $W$ (in, out), which multiplies
# rows, $X W + \mathbf{b}$. Same numbers, other orientation. Nielsen draws the initial weights and biases from the
# standard normal distribution; we do the same, with a seeded generator instead of the global `np.random`, so that
# every run gives the same numbers.
#
# The network answers with the index of its most active output neuron, and `evaluate` counts the test images it gets
# right. `feedforward` works unchanged on a matrix whose columns are samples (NumPy adds the bias column to every
# column), so our `evaluate` sends all test images through at once, where Nielsen's loops over them: same count,
# much faster in a browser.

# %%
class Network:
    def __init__(self, sizes, seed=1):
        rng = np.random.default_rng(seed)
        self.num_layers = len(sizes)
        self.sizes = sizes
        # one bias column and one (out, in) matrix per layer
        self.biases = [rng.standard_normal((n, 1))
                       for n in sizes[1:]]
        self.weights = [rng.standard_normal((n_out, n_in))
                        for n_in, n_out
                        in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def evaluate(self, test_data):
        """How many test images the network gets right."""
        # all images at once, one per column
        X = np.hstack([x for x, _ in test_data])
        labels = np.array([y for _, y in test_data])
        guesses = np.argmax(self.feedforward(X), axis=0)
        return int(np.sum(guesses == labels))


net = Network([784, 30, 10])
print("weights:", [w.shape for w in net.weights])
print("biases: ", [b.shape for b in net.biases])
print("untrained:", net.evaluate(test_data), "/",
      len(test_data))

# %% [markdown]
# Untrained, it gets about one image in ten right, as guessing would.
#
# ## Backpropagation with deltas
#
# Nielsen's cost for one sample is the **quadratic cost**
#
# $$C_x = \tfrac{1}{2}\,\lVert \mathbf{a}^L - \mathbf{y} \rVert^2,$$
#
# and the cost of a mini-batch is the mean of $C_x$ over its samples. The factor $\tfrac{1}{2}$ is there so that the
# derivative comes out clean: $\partial C_x / \partial \mathbf{a}^L = \mathbf{a}^L - \mathbf{y}$.
#
# Backpropagation is organised around the **delta** of each layer, $\boldsymbol{\delta}^l = \partial C_x /
# \partial \mathbf{z}^l$: how the cost changes with the weighted input of each neuron. Four equations give everything
# ($\odot$ is the elementwise product):
#
# $$\boldsymbol{\delta}^L = (\mathbf{a}^L - \mathbf{y}) \odot \sigma'(\mathbf{z}^L), \qquad
# \boldsymbol{\delta}^l = \bigl((W^{l+1})^\top \boldsymbol{\delta}^{l+1}\bigr) \odot \sigma'(\mathbf{z}^l),$$
#
# $$\frac{\partial C_x}{\partial \mathbf{b}^l} = \boldsymbol{\delta}^l, \qquad
# \frac{\partial C_x}{\partial W^l} = \boldsymbol{\delta}^l\, (\mathbf{a}^{l-1})^\top .$$
#
# They are the backward passes of lesson 7's layers in another notation: the first is the sigmoid's backward pass after
# the cost's; the second is an Affine layer's backward pass (multiply by the transposed weights) followed by a
# sigmoid's; the last two are the Affine layer's parameter gradients for one sample, a column times a row. Nielsen names
# the gradient lists `nabla_b` and `nabla_w` ($\nabla$ for gradient), and indexes layers from the end: `[-1]` is the
# output layer, `[-l]` the $l$-th from the end. One line differs from his: the bias gradient is
# `delta.sum(axis=1, keepdims=True)`, which for a single column is `delta` itself; the reason comes with the
# mini-batches below.

# %%
def quadratic_delta(a, z, y):
    """delta^L: the cost derivative a - y times sigma'(z)."""
    return (a - y) * sigmoid_prime(z)


def backprop(net, x, y, output_delta=quadratic_delta):
    """Gradients of C_x for one sample: (nabla_b, nabla_w),
    lists shaped like net.biases and net.weights."""
    # forward pass, keeping every z and every activation
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(net.biases, net.weights):
        z = w @ activation + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    # backward pass
    nabla_b = [None] * len(net.biases)
    nabla_w = [None] * len(net.weights)
    delta = output_delta(activations[-1], zs[-1], y)
    for l in range(1, net.num_layers):
        if l > 1:
            delta = ((net.weights[-l + 1].T @ delta)
                     * sigmoid_prime(zs[-l]))
        # delta itself for one column (see below)
        nabla_b[-l] = delta.sum(axis=1, keepdims=True)
        nabla_w[-l] = delta @ activations[-l - 1].T
    return nabla_b, nabla_w

# %% [markdown]
# Before training with it, a gradient check (lesson 8): a small network with two hidden layers, a random sample, and
# the cost's numerical gradient with respect to every weight and bias array. `numerical_gradient` nudges the arrays
# of `small.weights` and `small.biases` in place, and `sample_cost` reads them from there.

# %%
def sample_cost(net, x, y):
    return 0.5 * np.sum((net.feedforward(x) - y) ** 2)


rng = np.random.default_rng(1)
small = Network([6, 5, 4, 3], seed=2)
x_small = rng.standard_normal((6, 1))
y_small = one_hot_column(1)[:3]
nabla_b, nabla_w = backprop(small, x_small, y_small)
for p, g in zip(small.weights + small.biases,
                nabla_w + nabla_b):
    numeric = numerical_gradient(
        lambda _: sample_cost(small, x_small, y_small), p)
    print(f"{p.shape}: relative error "
          f"{relative_error(g, numeric):.1e}")

# %% [markdown]
# All far below $10^{-7}$: backpropagation is right.
#
# ## Mini-batch stochastic gradient descent
#
# Training shuffles the training list every epoch, cuts it into mini-batches of `mini_batch_size` pairs, and for each
# mini-batch moves every weight and bias against the mean gradient of its samples:
#
# $$W \leftarrow W - \frac{\eta}{m} \sum_{x \in \text{batch}} \frac{\partial C_x}{\partial W}, \qquad m = \text{batch size}.$$
#
# Nielsen's `update_mini_batch` does exactly that: back-propagate each sample, add its gradients to the running sums
# `nabla_b` and `nabla_w`, and take one step with the sums at the end. We give `SGD` the update function as an
# argument, so that we can try other updates later with the same loop, and we shuffle a copy of the list with a seeded
# generator (Nielsen shuffles the caller's list with the global `random`).
#
# Nielsen trains `Network([784, 30, 10])` with mini-batches of 10 and $\eta = 3.0$. One sample at a time is slow in a
# browser (every sample costs a few small NumPy calls, each with its overhead), so here are three epochs on the first
# 1,000 training images:

# %%
def update_mini_batch(net, mini_batch, eta,
                      output_delta=quadratic_delta):
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = backprop(
            net, x, y, output_delta)
        nabla_b = [nb + dnb for nb, dnb
                   in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw
                   in zip(nabla_w, delta_nabla_w)]
    m = len(mini_batch)
    net.weights = [w - (eta / m) * nw
                   for w, nw in zip(net.weights, nabla_w)]
    net.biases = [b - (eta / m) * nb
                  for b, nb in zip(net.biases, nabla_b)]


def SGD(net, training_data, epochs, mini_batch_size, eta,
        test_data, update=update_mini_batch, seed=0,
        verbose=True):
    """Train net; returns the test accuracy after each
    epoch."""
    shuffler = random.Random(seed)
    training_data = list(training_data)
    n = len(training_data)
    accuracies = []
    for j in range(epochs):
        shuffler.shuffle(training_data)
        mini_batches = [training_data[k:k + mini_batch_size]
                        for k in range(0, n, mini_batch_size)]
        for mini_batch in mini_batches:
            update(net, mini_batch, eta)
        correct = net.evaluate(test_data)
        accuracies.append(correct / len(test_data))
        if verbose:
            print(f"Epoch {j}: {correct} / {len(test_data)}")
    return accuracies


net = Network([784, 30, 10])
start = time.perf_counter()
SGD(net, training_data[:n_train], 3, 10, 3.0, test_data)
seconds = time.perf_counter() - start
print(f"{seconds:.1f} s, that is "
      f"{seconds / (3 * n_train) * 1e3:.2f} ms per sample")

# %% [markdown]
# It learns: from 10% (guessing) to about two thirds of the test images right after three passes over 1,000
# training images. But a millisecond or more per sample is slow: to train longer, on more images, we need it faster.
#
# ## The whole mini-batch at once
#
# Nielsen suggests it himself (chapter 2): put the $m$ samples of a mini-batch side by side as the columns of a
# matrix $X$ of shape $(784, m)$. Every equation above keeps its form, with matrices in place of columns: $Z^l = W^l
# A^{l-1} + \mathbf{b}^l$ (the bias column is broadcast to every column), the deltas become matrices $\Delta^l$ of shape
# (neurons, $m$), and the two gradient formulas sum over the samples by themselves:
#
# $$\sum_x \frac{\partial C_x}{\partial W^l} = \Delta^l (A^{l-1})^\top, \qquad
# \sum_x \frac{\partial C_x}{\partial \mathbf{b}^l} = \Delta^l \text{ summed over its columns}.$$
#
# The product $\Delta^l (A^{l-1})^\top$ is a sum over the $m$ columns: exactly the sum that `update_mini_batch` built
# one sample at a time. So our `backprop` needs no change at all: given $X$ and $Y$ with $m$ columns it returns the
# summed gradients (that is why its bias gradient sums `delta` over the columns). Only the update changes: it stacks
# the mini-batch into two matrices and calls `backprop` once.
#
# Both updates must take the same step (the step check below confirms they do). How long does each take?

# %%
def update_mini_batch_matrix(net, mini_batch, eta):
    X = np.hstack([x for x, _ in mini_batch])
    Y = np.hstack([y for _, y in mini_batch])
    nabla_b, nabla_w = backprop(net, X, Y)
    m = len(mini_batch)
    net.weights = [w - (eta / m) * nw
                   for w, nw in zip(net.weights, nabla_w)]
    net.biases = [b - (eta / m) * nb
                  for b, nb in zip(net.biases, nabla_b)]


for update in [update_mini_batch, update_mini_batch_matrix]:
    start = time.perf_counter()
    for k in range(0, 500, 10):
        update(net, training_data[k:k + 10], 3.0)
    ms = (time.perf_counter() - start) / 50 * 1e3
    print(f"{update.__name__:25}: {ms:5.2f} ms per batch")

# %% [markdown]
# Several times faster.
#
# ### Exercise: the deltas of another cost
#
# Only the first delta equation knows the cost: $\boldsymbol{\delta}^L = \partial C_x / \partial \mathbf{a}^L
# \odot \sigma'(\mathbf{z}^L)$; the rest of backpropagation stays the same whatever the cost. Nielsen's chapter 3
# replaces the quadratic cost by the **cross-entropy** for sigmoid outputs,
#
# $$C_x = -\sum_j \bigl[y_j \ln a_j + (1 - y_j) \ln (1 - a_j)\bigr].$$
#
# Write `cross_entropy_delta(a, z, y)`, which returns $\boldsymbol{\delta}^L$ for this cost from the output
# activations `a` $= \sigma(\mathbf{z})$, the weighted inputs `z` and the target `y` (columns, or matrices with one
# column per sample). Differentiate $C_x$ with respect to $a_j$, multiply by $\sigma'(z_j) = a_j (1 - a_j)$, and
# simplify. The check compares your delta with one computed by central differences, on saturated neurons too
# ($z = \pm 40$, where $a$ is 1 or 0 to the last bit).

# %% tags=["exercise"] exercise="cross-entropy-delta"
def cross_entropy_delta(a, z, y):
    """delta^L = dC_x/dz^L for the cross-entropy cost, a =
    sigmoid(z); a, z, y of shape (10, 1) or (10, m)."""
    # your code
    return np.zeros_like(a)


# %% tags=["check"] exercise="cross-entropy-delta"
from nnlib import exercises as ex


def numerical_delta(a, z, y, h=1e-5):
    """dC_x/dz by central differences (logaddexp: finite
    for saturated neurons)."""
    def cost(z):
        # -ln a = log(1 + e^-z), -ln(1 - a) = log(1 + e^z)
        return (y * np.logaddexp(0, -z)
                + (1 - y) * np.logaddexp(0, z))
    return (cost(z + h) - cost(z - h)) / (2 * h)


rng = np.random.default_rng(3)
z_random = rng.standard_normal((10, 4)) * 3
y_random = np.eye(10)[:, rng.integers(0, 10, 4)]
z_saturated = np.array([[40.0], [-40.0], [40.0], [-40.0]])
y_saturated = np.array([[1.0], [0.0], [0.0], [1.0]])
ex.report(
    ex.same_function(
        "random outputs and targets, 4 samples",
        cross_entropy_delta, numerical_delta,
        cases=[(sigmoid(z_random), z_random, y_random)],
        rtol=1e-6, atol=1e-9,
        hint="Multiply dC/da_j by a_j (1 - a_j) and "
             "simplify: no sigma' is left."),
    ex.same_function(
        "saturated neurons, right and wrong",
        cross_entropy_delta, numerical_delta,
        cases=[(sigmoid(z_saturated), z_saturated,
                y_saturated)],
        rtol=1e-6, atol=1e-9,
        hint="a (1 - a) is 0 where a is 1 or 0: simplify "
             "on paper, do not divide by it."),
    lang="en",
)

# %% tags=["solution"] exercise="cross-entropy-delta"
def cross_entropy_delta(a, z, y):
    """delta^L = dC_x/dz^L for the cross-entropy cost, a =
    sigmoid(z); a, z, y of shape (10, 1) or (10, m)."""
    # (a - y) / (a (1 - a)) times sigma'(z) = a (1 - a)
    return a - y

# %% [markdown]
# The $\sigma'(\mathbf{z}^L)$ cancels. With the quadratic cost, an output neuron that is saturated at the wrong
# answer ($a \approx 1$ where $y = 0$) has $\sigma' \approx 0$ and hardly learns; with the cross-entropy its delta is
# as large as its error. That is why chapter 3 of Nielsen's book prefers it, and why our networks of part II pair
# softmax with the cross-entropy, whose delta is also $Y - T$ (lesson 7).
#
# ## A bug that still learns
#
# Here is `update_mini_batch` as it appears in more than one copy of this network. Find the difference from ours
# before reading on.

# %%
def update_mini_batch_buggy(net, mini_batch, eta):
    nabla_b = [np.zeros(b.shape) for b in net.biases]
    nabla_w = [np.zeros(w.shape) for w in net.weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = backprop(net, x, y)
        nabla_b = [nb + dnb for nb, dnb
                   in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw
                   in zip(nabla_w, delta_nabla_w)]
    m = len(mini_batch)
    net.weights = [w - (eta / m) * nw for w, nw
                   in zip(net.weights, delta_nabla_w)]
    net.biases = [b - (eta / m) * nb for b, nb
                  in zip(net.biases, delta_nabla_b)]


net = Network([784, 30, 10])
SGD(net, training_data[:n_train], 3, 10, 3.0, test_data,
    update=update_mini_batch_buggy)

# %% [markdown]
# No error, no warning, and the accuracy climbs epoch after epoch: nothing looks broken, only slower than the
# network above (compare the three epochs with those of the correct update). Someone who has never seen the correct
# version would tune the learning rate and train longer, and on the full MNIST this update does get to about 90%
# (measured under "Run it locally" below), which looks like a success.
#
# ### Finding it with a gradient check
#
# The gradient check of `backprop` passed, so the gradients are right. But a training step is more than the
# gradients: what matters is the change it makes to the weights. For plain gradient descent that change must be
# $-\eta$ times the gradient of the mini-batch's *mean* cost, and we can compute that gradient numerically. So we
# check the **step**: copy the network, run the update on the copy, and compare the change with $-\eta$ times the
# numerical gradient, on the small network and a mini-batch of five random samples.

# %%
def batch_cost(net, mini_batch):
    return np.mean([sample_cost(net, x, y)
                    for x, y in mini_batch])


def step_check(update, net, mini_batch, eta):
    """Largest relative error between the step update() takes
    and -eta times the numerical gradient of the mean cost."""
    after = copy.deepcopy(net)
    update(after, mini_batch, eta)
    errors = []
    for old, new in zip(net.weights + net.biases,
                        after.weights + after.biases):
        numeric = numerical_gradient(
            lambda _: batch_cost(net, mini_batch), old)
        errors.append(
            relative_error(new - old, -eta * numeric))
    return max(errors)


small_batch = [(rng.standard_normal((6, 1)),
                one_hot_column(k % 3)[:3]) for k in range(5)]
for update in [update_mini_batch, update_mini_batch_matrix,
               update_mini_batch_buggy]:
    error = step_check(update, small, small_batch, 3.0)
    print(f"{update.__name__:25}: step error {error:.1e}")

# %% [markdown]
# The correct updates agree with the numerical step to about $10^{-8}$, well inside the course's rule (below
# $10^{-7}$: good); the buggy one is off by order 1. The check would not have failed with a mini-batch of one sample
# (try it: the sum of one gradient is its last gradient), which is why it uses five.
#
# ### Finding it by reading
#
# After the loop, the last lines use `delta_nabla_w` and `delta_nabla_b`: the gradients of the *last* sample of the
# loop, not the sums `nabla_w` and `nabla_b`, which are built with care and never used. The two names differ by one
# prefix, and Python does not complain, because the loop variable still exists after the loop. Another test would
# have caught it too: the mean gradient of a mini-batch cannot depend on the order of its samples, but the buggy step
# changes when the mini-batch is reversed (try it with `small_batch[::-1]`).
#
# ### Why it still learns
#
# Each step of the buggy update is
#
# $$W \leftarrow W - \frac{\eta}{m}\, \frac{\partial C_x}{\partial W} \quad \text{for the last sample } x
# \text{ of the mini-batch},$$
#
# which is an honest gradient-descent step for one sample, with a learning rate of $\eta / m = 0.3$ instead of 3.0.
# Since the data are shuffled every epoch, the last sample of a mini-batch is a random sample: the buggy network is
# trained by per-sample stochastic gradient descent (lesson 9), with a ten times smaller rate, on one sample in ten. The
# other nine gradients are computed and thrown away. On average the step points the right way, only ten times shorter,
# so it learns, slowly. Let us verify that description exactly: the buggy step equals the correct update on the last
# sample alone with rate $\eta/m$.

# %%
def largest_difference(net_a, net_b):
    return max(np.abs(p - q).max() for p, q in zip(
        net_a.weights + net_a.biases,
        net_b.weights + net_b.biases))


def update_last_sample(net, mini_batch, eta):
    """What the buggy update does: one step on the last
    sample, with the rate eta / m."""
    update_mini_batch_matrix(net, mini_batch[-1:],
                             eta / len(mini_batch))


net_a, net_b = Network([784, 30, 10]), Network([784, 30, 10])
update_mini_batch_buggy(net_a, training_data[:10], 3.0)
update_last_sample(net_b, training_data[:10], 3.0)
print("buggy update against one step on the last sample:",
      largest_difference(net_a, net_b))

# %% [markdown]
# So `update_last_sample` trains exactly as the buggy code does (the same shuffles give the same steps), without
# computing the nine wasted gradients. With it we can afford longer runs: 20 epochs on the same 1,000 images, the
# correct update first, then the buggy one, from the same starting weights.

# %%
start = time.perf_counter()
net = Network([784, 30, 10])
correct_curve = SGD(
    net, training_data[:n_train], 20, 10, 3.0, test_data,
    update=update_mini_batch_matrix, verbose=False)
print(f"correct update, {time.perf_counter() - start:.1f} s")

# %%
start = time.perf_counter()
net = Network([784, 30, 10])
buggy_curve = SGD(
    net, training_data[:n_train], 20, 10, 3.0, test_data,
    update=update_last_sample, verbose=False)
print(f"buggy update, {time.perf_counter() - start:.1f} s")
for name, curve in [("correct update", correct_curve),
                    ("buggy update", buggy_curve)]:
    print(f"{name}, test accuracy after 1, 10, 20 epochs:",
          f"{curve[0]:.3f} {curve[9]:.3f} {curve[19]:.3f}")

# %%
epochs = np.arange(1, 21)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.5, 3.4),
                               sharey=True)
# right: against the sample gradients used per epoch
for ax, k_correct, k_buggy in [(ax1, 1, 1),
                               (ax2, n_train, n_train // 10)]:
    ax.plot(epochs * k_correct, correct_curve, "o-",
            markersize=3, label="correct update")
    ax.plot(epochs * k_buggy, buggy_curve, "s-", markersize=3,
            label="buggy update (last sample only)")
    ax.grid(alpha=0.3)
ax1.set_xlabel("epoch")
ax1.set_ylabel("test accuracy")
ax1.set_ylim(0, 1)
ax1.legend(loc="lower right")
ax2.set_xscale("log")
ax2.set_xlabel("sample gradients used")
fig.tight_layout()
plt.show()

# %% [markdown]
# Left, against epochs: the buggy curve rises steadily and is still rising after 20 epochs, but it lags far behind:
# after 20 epochs it is below where the correct update was after three. The correct curve flattens at about 80%, the
# most that 1,000 training images give this network. Right, the same curves against the number of sample gradients
# each run has actually used (the correct update uses all 1,000 per epoch, the buggy one 100): there the two curves
# nearly coincide. Per gradient used, both move the weights by $\eta/m = 0.3$ times that gradient; the buggy run
# simply throws nine in ten away, which is the explanation above, measured.
#
# That is the signature of this bug: a network that is "just slow". It is the reason to check the whole step once,
# with a gradient check, before blaming the learning rate or the architecture.
# The fix is the change back from `delta_nabla_w` and `delta_nabla_b` to `nabla_w` and `nabla_b`: our
# `update_mini_batch`.
#
# ## A factor of two in the cost derivative
#
# A second slip, smaller and just as silent: a cost derivative (Nielsen's `cost_derivative`) that returns
# $(\mathbf{a} - \mathbf{y}) / 2$, from mixing up the conventions $\lVert \mathbf{a} - \mathbf{y} \rVert^2$ and
# $\tfrac{1}{2} \lVert \mathbf{a} - \mathbf{y} \rVert^2$. The gradient check
# against the quadratic cost shows it at once, and its numbers are a fingerprint:

# %%
def half_delta(a, z, y):
    # a cost derivative that returns (a - y) / 2
    return (a - y) / 2 * sigmoid_prime(z)


nabla_b, nabla_w = backprop(small, x_small, y_small,
                            output_delta=half_delta)
numeric = numerical_gradient(
    lambda _: sample_cost(small, x_small, y_small),
    small.weights[0])
ratio = nabla_w[0] / numeric
print("relative error:", relative_error(nabla_w[0], numeric))
print("backprop / numerical, smallest and largest:",
      ratio.min(), ratio.max())

net_a, net_b = Network([784, 30, 10]), Network([784, 30, 10])
SGD(net_a, training_data[:500], 1, 10, 3.0, test_data,
    update=lambda net, batch, eta: update_mini_batch(
        net, batch, eta, output_delta=half_delta),
    verbose=False)
SGD(net_b, training_data[:500], 1, 10, 1.5, test_data,
    verbose=False)
print("halved derivative with eta = 3 against eta = 1.5:",
      largest_difference(net_a, net_b))

# %% [markdown]
# A relative error of exactly $1/3$ means a gradient that is off by a constant factor of 2 everywhere:
# $|g - g/2| / (|g| + |g/2|) = 1/3$. The ratio says which way: every gradient is half what it should be.
#
# Every gradient is a product that starts with $\boldsymbol{\delta}^L$, so halving the cost derivative halves every
# gradient, and a step with rate $\eta$ is exactly a correct step with rate $\eta/2$. The network still trains; it
# trains as if you had chosen half the learning rate. The last lines of the cell confirm it: one epoch with the
# halved derivative and $\eta = 3$ (`update_mini_batch` takes the output delta as an argument, as `backprop` does),
# against one epoch of the correct code with $\eta = 1.5$. The two networks agree to rounding error. The slip is absorbed by the learning rate, so a rate tuned with it in
# place works; but the $\eta$ you report is twice what correct code needs, and the gradient check's 1/3 finds it in a
# second.
#
# Both slips together scale each step: the buggy update on top of a halved derivative is per-sample gradient descent
# with the rate $\eta / (2m) = 0.15$, on one sample in ten.
#
# ## nnlib's Network
#
# nnlib has Nielsen's network too: [`nnlib.nets.Network`](../../reference/nets/#nnlib.nets.Network), with the same
# `sizes`, `feedforward`, `update_mini_batch`, `SGD` and `evaluate`. Inside it is a network of nnlib's layers
# (Affine, Sigmoid, and a `MeanSquaredLoss` that is Nielsen's mean quadratic cost) and its `SGD` runs the whole
# mini-batch in matrix form, with the samples as rows, our part II's convention. Its `weights` and `biases` are shown in
# Nielsen's orientation: the same (out, in) matrices and bias columns as ours (its `params` hold the row-convention
# arrays: `W1` is `weights[0]` transposed). Start our network from its weights, and both must take the same steps.

# %%
from nnlib.nets import Network as NnlibNetwork

theirs = NnlibNetwork([784, 30, 10], seed=0)
ours = Network([784, 30, 10])
ours.weights = [w.copy() for w in theirs.weights]
ours.biases = [b.copy() for b in theirs.biases]
for k in range(0, 100, 10):
    update_mini_batch(ours, training_data[k:k + 10], 3.0)
    theirs.update_mini_batch(training_data[k:k + 10], 3.0)
print("after 10 steps, largest difference:", max(
    np.abs(p - q).max() for p, q in zip(
        ours.weights + ours.biases,
        theirs.weights + theirs.biases)))
print("evaluate:", ours.evaluate(test_data), "and",
      theirs.evaluate(test_data))

# %% [markdown]
# The same network, two implementations: steps and test results agree.
#
# ## Summary
#
# * Nielsen's network stores one (out, in) weight matrix and one bias column per layer and feeds column vectors: the
#   transpose of our row convention, with the same numbers.
# * Backpropagation with deltas: $\boldsymbol{\delta}^L = \nabla_a C \odot \sigma'(\mathbf{z}^L)$, then
#   $\boldsymbol{\delta}^l = (W^{l+1})^\top \boldsymbol{\delta}^{l+1} \odot \sigma'(\mathbf{z}^l)$; the gradients
#   are $\boldsymbol{\delta}^l$ and $\boldsymbol{\delta}^l (\mathbf{a}^{l-1})^\top$. With a mini-batch as the columns
#   of a matrix, the same equations sum over the samples, several times faster.
# * An update that applies only the last sample's gradient still learns, because each step is a valid per-sample
#   gradient step with the rate $\eta / m$: the network is slow, not broken. A gradient check of the *step*, on a
#   mini-batch of more than one sample, finds it.
# * A cost derivative off by a factor of two halves the effective learning rate; a gradient check shows it as a
#   relative error of exactly 1/3.
#
# Next: [lesson 12, a multi-layer tanh/softmax network](../12-multilayer-network/), the second network of this
# part. API reference:
# [`nnlib.nets.Network`](../../reference/nets/#nnlib.nets.Network),
# [`nnlib.layers.MeanSquaredLoss`](../../reference/layers/#nnlib.layers.MeanSquaredLoss),
# [`nnlib.gradient.relative_error`](../../reference/gradient/#nnlib.gradient.relative_error).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. To train on the full
# MNIST (60,000 training and 10,000 test images), replace `load_mnist(subset=True)` by `load_mnist()` in the data
# cell (it downloads the files once, or reads them from the folder named by the environment variable `NNLIB_DATA`)
# and set `n_train = 60_000`. We ran it that way natively, on one core of a busy shared machine: an epoch took 66 s
# one sample at a time and 7 s in matrix form, and the whole notebook under 20 minutes. After 20 epochs the correct
# update gets 95.3% of the 10,000 test images right (90.9% after the first epoch), the buggy one 91.5% (79.1% after
# the first): about 90%, as promised, and still four points short.
