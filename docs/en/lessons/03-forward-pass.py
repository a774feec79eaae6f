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
# # 3. The forward pass
#
# A network computes its answer by sending the input through its layers one after the other: the **forward pass**
# (forward propagation). In this lesson we write it with matrices, follow the shape of every array on the way, and
# then run a real network, trained beforehand, on handwritten digits.
#
# **After this lesson you can**
#
# * write a layer of neurons as one matrix product plus a bias, and a network as layers applied in turn;
# * say the shape of every weight, bias and intermediate array of a network, for one input and for a batch;
# * load MNIST images and look at them;
# * run a trained network on the test images in batches and measure its accuracy.
#
# **You need** the perceptron as a matrix product (lesson 1) and the sigmoid and softmax functions (lesson 2). We use
# nnlib's [`sigmoid`](../../reference/functions/#nnlib.functions.sigmoid) and
# [`softmax`](../../reference/functions/#nnlib.functions.softmax) here, since you wrote your own there.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.functions import sigmoid, softmax

# %% [markdown]
# ## One layer is one matrix product
#
# A neuron computes a weighted sum of its inputs plus a bias, $a = \mathbf{x} \cdot \mathbf{w} + b$, and passes it
# through an activation function. A layer of three neurons that read the same two inputs has three weight vectors;
# written as the columns of a $2 \times 3$ matrix $W^{(1)}$, the whole layer is
#
# $$\mathbf{a}^{(1)} = \mathbf{x} W^{(1)} + \mathbf{b}^{(1)}, \qquad \mathbf{z}^{(1)} = \sigma\bigl(\mathbf{a}^{(1)}\bigr).$$
#
# The entry $w^{(1)}_{ij}$ in row $i$ and column $j$ is the weight from input $i$ to neuron $j$ of layer 1. The
# superscript numbers the layer. We write $\mathbf{x}$ as a row vector, so that a batch of inputs will simply be more
# rows.
#
# ## A three-layer network, step by step
#
# Here is a small network: 2 inputs, a hidden layer of 3 neurons, a hidden layer of 2, and 2 outputs. The weights
# are made-up numbers, just to follow the computation.

# %%
def draw_network(ax, sizes, names, most=7):
    """Neurons as circles, one column per layer, each
    connected to every neuron of the next. A layer of more
    than `most` neurons gets `most` circles, the middle one
    replaced by dots."""
    shown = [min(n, most) for n in sizes]
    ys = [np.arange(n) - (n - 1) / 2 for n in shown]
    elided = [n > most for n in sizes]
    keep = [
        np.ones(n, bool) if not e else np.arange(n) != n // 2
        for n, e in zip(shown, elided)
    ]
    top = max(shown) / 2
    for i in range(len(sizes) - 1):
        for y0 in ys[i][keep[i]]:
            for y1 in ys[i + 1][keep[i + 1]]:
                ax.plot([i, i + 1], [y0, y1], color="#9fa8da",
                        linewidth=0.8, zorder=1)
        ax.text(
            i + 0.5, top + 0.3,
            f"$W^{{({i + 1})}}$: {sizes[i]}×{sizes[i + 1]}",
            ha="center", fontsize=9)
    for i in range(len(sizes)):
        ax.scatter(np.full(keep[i].sum(), i), ys[i][keep[i]],
                   s=300, color="white", edgecolors="#3949ab",
                   linewidths=2, zorder=2)
        if elided[i]:
            ax.text(i, 0, "⋮", ha="center", va="center",
                    fontsize=14)
        ax.text(i, -top - 0.4, names[i], ha="center",
                va="top", fontsize=9)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-top - 1.6, top + 0.9)
    ax.axis("off")


fig, ax = plt.subplots(figsize=(6, 2.8))
draw_network(ax, [2, 3, 2, 2], [
    "input\n2", "hidden layer 1\n3, sigmoid",
    "hidden layer 2\n2, sigmoid", "output\n2, identity"
])
plt.show()

# %% [markdown]
# Each line is one weight. Between a layer of $m$ neurons and a layer of $n$ neurons there are $m \times n$ of them,
# which is exactly the shape of the weight matrix between the two. We keep the weights in a dict, under the names
# nnlib uses: `W1`, `b1` for the first layer, and so on.

# %%
toy = {
    "W1": np.array([[0.1, 0.3, 0.5],
                    [0.2, 0.4, 0.6]]),
    "b1": np.array([0.1, 0.2, 0.3]),
    "W2": np.array([[0.1, 0.4],
                    [0.2, 0.5],
                    [0.3, 0.6]]),
    "b2": np.array([0.1, 0.2]),
    "W3": np.array([[0.1, 0.3],
                    [0.2, 0.4]]),
    "b3": np.array([0.1, 0.2]),
}
for name, value in toy.items():
    print(f"{name}: shape {value.shape}")

# %% [markdown]
# Now the forward pass by hand, printing the shape of each array. In a matrix product `x @ W` the last dimension of
# `x` must equal the first of `W`; the result has the remaining ones. The bias has one entry per neuron of the layer.
# The output layer here is the identity (it passes $\mathbf{a}^{(3)}$ through unchanged), as in regression; a
# classifier would put a softmax there.

# %%
x = np.array([1.0, 0.5])
a1 = x @ toy["W1"] + toy["b1"]
z1 = sigmoid(a1)
a2 = z1 @ toy["W2"] + toy["b2"]
z2 = sigmoid(a2)
a3 = z2 @ toy["W3"] + toy["b3"]
y = a3

for name, value in [("x", x), ("a1", a1), ("z1", z1),
                    ("a2", a2), ("z2", z2), ("y", y)]:
    print(
        f"{name:3} shape {str(value.shape):6} "
        f"{np.round(value, 4)}"
    )

# %% [markdown]
# The shapes go $(2,) \to (3,) \to (2,) \to (2,)$: each layer turns a vector of the previous layer's size into one of
# its own size. Written as one function:

# %%
def forward(params, x, output=lambda a: a):
    """Sigmoid layers, then `output` (identity by default) as
    the last layer's activation."""
    z = x
    n_layers = len(params) // 2
    for k in range(1, n_layers):
        z = sigmoid(z @ params[f"W{k}"] + params[f"b{k}"])
    return output(z @ params[f"W{n_layers}"] +
                  params[f"b{n_layers}"])


print(forward(toy, x))

# %% [markdown]
# ## Batches
#
# Nothing in `forward` assumed a single input. Stack $N$ inputs as the rows of a matrix $X$ of shape $N \times 2$:
# then $X W^{(1)}$ has shape $N \times 3$, the bias $\mathbf{b}^{(1)}$ (shape $(3,)$) is added to every row by
# broadcasting, and every later layer keeps the $N$ rows. Row $n$ of the result is exactly what the single input
# $n$ would give.

# %%
X = np.array([[1.0, 0.5],
              [0.0, 0.0],
              [-1.0, 2.0],
              [3.0, -0.5]])
Y = forward(toy, X)
print("X shape", X.shape, "-> Y shape", Y.shape)
print(Y)
print(
    "row by row, the same:",
    np.allclose(Y,
                np.array([forward(toy, x_n) for x_n in X])))

# %% [markdown]
# | array | one input | a batch of $N$ |
# | --- | --- | --- |
# | $X$ | $(2,)$ | $(N, 2)$ |
# | $W^{(1)}$, $\mathbf{b}^{(1)}$ | $(2, 3)$, $(3,)$ | the same |
# | $A^{(1)}$, $Z^{(1)}$ | $(3,)$ | $(N, 3)$ |
# | $W^{(2)}$, $\mathbf{b}^{(2)}$ | $(3, 2)$, $(2,)$ | the same |
# | $A^{(2)}$, $Z^{(2)}$ | $(2,)$ | $(N, 2)$ |
# | $W^{(3)}$, $\mathbf{b}^{(3)}$ | $(2, 2)$, $(2,)$ | the same |
# | $Y$ | $(2,)$ | $(N, 2)$ |
#
# The parameters do not depend on $N$: the same weights serve one input or a thousand.
#
# ## MNIST: handwritten digits
#
# MNIST is the classic data set of handwritten digits: $28 \times 28$ grey images of the digits 0 to 9, 60,000 for
# training and 10,000 for testing. nnlib bundles a class-balanced subset (5,000 training and 1,000 test images) that
# needs no download: [`nnlib.datasets.load_mnist(subset=True)`](../../reference/datasets/#nnlib.datasets.load_mnist).
# Each image comes flattened to a row of 784 pixels, scaled to $[0, 1]$.

# %%
from nnlib.datasets import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
print("training images:", x_train.shape, x_train.dtype,
      " labels:", t_train.shape, t_train.dtype)
print("test images:    ", x_test.shape, " labels:",
      t_test.shape)
print("pixel range:", x_train.min(), "to", x_train.max())
print("first labels:", t_train[:10])

# %% [markdown]
# To look at an image, reshape its row back to $28 \times 28$. The function below puts several side by side in one
# picture, each with its label above it.

# %%
def show_digits(images, titles, columns=8):
    """Images (rows of 784 pixels) side by side in one
    picture, each with its title above it."""
    rows = -(-len(images) // columns)
    sheet = np.zeros((rows * 40, columns * 32))
    fig, ax = plt.subplots(figsize=(columns, rows * 1.25))
    for k, (image, title) in enumerate(zip(images, titles)):
        r, c = divmod(k, columns)
        sheet[r * 40 + 10:r * 40 + 38,
              c * 32 + 2:c * 32 + 30] = image.reshape(28, 28)
        ax.text(c * 32 + 16, r * 40 + 8, title, ha="center",
                va="bottom", fontsize=9)
    ax.imshow(sheet, cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
    fig.tight_layout()
    plt.show()


show_digits(x_train[:16], [str(t) for t in t_train[:16]])

# %% [markdown]
# ## A network trained beforehand
#
# We have not learned how to train a network yet (that is the subject of the next lessons), so we borrow one. Its
# weights were trained by a script of this repository, `scripts/train_lesson_weights.py` (a few seconds, on the 5,000
# training images of the subset), and ship with nnlib in nnlib's own file format: a `.npz` archive of arrays that
# [`nnlib.io.load_params`](../../reference/io/#nnlib.io.load_params) reads without pickle. The network has the shape
# of our small example, only bigger: 784 inputs (one per pixel), hidden layers of 50 and 100 sigmoid neurons, and 10
# outputs (one per digit) followed by softmax, which turns the scores into probabilities.

# %%
from nnlib.datasets import bundled_path
from nnlib.io import load_params

params = load_params(bundled_path("mnist_sigmoid_mlp.npz"))
for name, value in params.items():
    print(
        f"{name}: shape {str(value.shape):10} {value.dtype}")
print("parameters in all:",
      sum(value.size for value in params.values()))

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
draw_network(ax, [784, 50, 100, 10], [
    "input\n784 pixels", "hidden layer 1\n50, sigmoid",
    "hidden layer 2\n100, sigmoid", "output\n10, softmax"
])
plt.show()

# %% [markdown]
# The same `forward` function runs it; we only pass softmax as the output activation. For the first test image:

# %%
y = forward(params, x_test[0], output=softmax)
print("shape", y.shape, " sum", y.sum())
print("probabilities:", np.round(y, 3))
print("predicted:", y.argmax(), " label:", t_test[0])

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.5, 2.4),
    gridspec_kw={"width_ratios": [1, 2.2]})
left.imshow(x_test[0].reshape(28, 28), cmap="gray_r")
left.axis("off")
right.bar(np.arange(10), y, color="#3949ab")
right.set_xticks(np.arange(10))
right.set_xlabel("digit")
right.set_ylabel("probability")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Accuracy on the test images
#
# The network's prediction is the digit with the largest probability (softmax keeps the order of the scores, so the
# largest score would do as well). Its **accuracy** is the fraction of test images it gets right. First one image at
# a time:

# %%
start = time.perf_counter()
correct = 0
for x_n, t_n in zip(x_test, t_test):
    correct += forward(params, x_n,
                       output=softmax).argmax() == t_n
seconds_one = time.perf_counter() - start
print(
    f"accuracy: {correct / len(x_test):.3f}  ({correct} of "
    f"{len(x_test)}), {seconds_one * 1000:.0f} ms"
)

# %% [markdown]
# Then in batches of 100 images. For one batch the shapes are
# $(100, 784) \to (100, 50) \to (100, 100) \to (100, 10)$, and `argmax(axis=1)` picks the prediction of each row.

# %%
start = time.perf_counter()
predictions = []
for i in range(0, len(x_test), 100):
    batch = x_test[i:i + 100]
    predictions.append(
        forward(params, batch, output=softmax).argmax(axis=1))
predictions = np.concatenate(predictions)
seconds_batch = time.perf_counter() - start
print(
    f"accuracy: {np.mean(predictions == t_test):.3f}, "
    f"{seconds_batch * 1000:.0f} ms"
)
print(f"one image at a time: {seconds_one * 1000:.0f} ms")

# %% [markdown]
# The same answers, and usually in less time; how much less depends on where the cell runs. Each call of a NumPy
# function costs a little time on top of its arithmetic, and the batches make 10 calls of each function instead of
# 1,000. Natively, NumPy also hands the matrix products to an optimised linear-algebra library (BLAS), which is at its
# best on matrix-by-matrix products, and the batches win by a wide margin. Pyodide's NumPy, in your browser, has no
# BLAS, so there the gain is smaller. On a busy computer the times also vary from run to run: run both cells a few
# times and compare.
#
# ### Exercise: accuracy in batches
#
# Write `accuracy(params, x, t, batch_size)`: run the network on `x` in batches of `batch_size` rows, count the
# predictions that equal the labels `t`, and return the fraction that is right. The number of images need not be a
# multiple of the batch size: the last batch is then smaller, and it counts too. Then press **Check** (in Jupyter, run
# the cell after it).

# %% tags=["exercise"] exercise="batch-accuracy"
def accuracy(params, x, t, batch_size=100):
    """Fraction of the rows of x whose predicted digit equals
    the label in t, batch_size rows at a time."""
    correct = 0
    # your code: for each batch, forward(params, batch,
    # output=softmax), then count the right predictions
    return correct / len(x)


# %% tags=["check"] exercise="batch-accuracy"
from nnlib import exercises as ex


def reference(params, x, t, batch_size=100):
    return np.mean(forward(params, x, output=softmax)
                   .argmax(axis=1) == t)


ex.report(
    ex.same_function(
        "1,000 test images in batches of 100", accuracy,
        reference, cases=[(params, x_test, t_test, 100)],
        hint="Loop with range(0, len(x), batch_size); the "
             "batch is x[i:i + batch_size]. Its predictions "
             "are the argmax over axis 1 (one per row)."
    ),
    ex.same_function(
        "a last batch that is smaller (250 images in batches "
        "of 64, 7 in batches of 3)",
        accuracy, reference,
        cases=[(params, x_test[:250], t_test[:250], 64),
               (params, x_test[:7], t_test[:7], 3)],
        hint="range(0, len(x), batch_size) reaches the last, "
             "shorter batch; x[i:i + batch_size] simply "
             "stops at the end of the array. Divide by "
             "len(x), the number of images."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="batch-accuracy"
def accuracy(params, x, t, batch_size=100):
    """Fraction of the rows of x whose predicted digit equals
    the label in t, batch_size rows at a time."""
    correct = 0
    for i in range(0, len(x), batch_size):
        y = forward(params, x[i:i + batch_size],
                    output=softmax)
        correct += np.sum(
            y.argmax(axis=1) == t[i:i + batch_size])
    return correct / len(x)


print(accuracy(params, x_test, t_test),
      accuracy(params, x_test, t_test, batch_size=64))

# %% [markdown]
# About 9 images in 100 are read wrong. Here are some of the mistakes, with what the network said and the true
# label; some are hard for people too.

# %%
wrong = np.flatnonzero(predictions != t_test)
print("mistakes:", len(wrong))
show_digits(x_test[wrong[:16]], [
    f"{p} (true {t})"
    for p, t in zip(predictions[wrong], t_test[wrong])
])

# %% [markdown]
# ## The same network in nnlib
#
# nnlib stores the network together with its description, so
# [`nnlib.io.load_network`](../../reference/io/#nnlib.io.load_network) rebuilds it as a
# [`MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet): a list of layers, `Affine` and `Sigmoid` in
# turn, whose `predict` is the forward pass up to the scores (the softmax lives in the loss layer, next lesson's
# subject). Our forward pass and nnlib's agree.

# %%
from nnlib.io import load_network

net = load_network(bundled_path("mnist_sigmoid_mlp.npz"))
print(net)
ours = forward(params, x_test[:100], output=softmax)
theirs = softmax(net.predict(x_test[:100]))
print("largest difference of the probabilities:",
      np.abs(ours - theirs).max())
print("nnlib's accuracy:", net.accuracy(x_test, t_test))

# %% [markdown]
# They agree exactly: the stored network remembers that its weights are float32, so nnlib computes in float32 like
# our function did, with the same operations in the same order.
#
# ## Summary
#
# * A layer computes $Z = h(X W + \mathbf{b})$; a network applies its layers in turn. That is the forward pass.
# * A weight matrix between layers of $m$ and $n$ neurons is $m \times n$, the bias has $n$ entries; a batch of $N$
#   inputs is $N$ rows, and every intermediate array keeps those $N$ rows. The parameters do not depend on $N$.
# * MNIST images are $28 \times 28$ pixels, flattened to 784 numbers for a fully connected network.
# * Batches give the same answers as single inputs with a hundredth of the function calls, which is usually faster.
# * The network we ran reads about 91 of 100 test digits right. It was trained by a script; how training works is
#   the rest of this course, starting with a way to measure how wrong a network is:
#   [loss functions](../04-loss-functions/).
#
# API reference: [`nnlib.datasets.load_mnist`](../../reference/datasets/#nnlib.datasets.load_mnist),
# [`nnlib.io.load_params`](../../reference/io/#nnlib.io.load_params),
# [`nnlib.io.load_network`](../../reference/io/#nnlib.io.load_network),
# [`nnlib.nets.MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet),
# [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. To test the same
# network on all 10,000 MNIST test images, replace the subset by the full set (nnlib downloads the four files, about
# 11 MB, into its cache the first time, or reads the folder named by the environment variable `NNLIB_DATA`):
#
# ```python
# (x_train, t_train), (x_test, t_test) = load_mnist()
# ```
#
# and run the cells below it again. On the full test set the network reads 92.09% of the digits right.
