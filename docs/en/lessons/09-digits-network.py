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
# # 9. A hand-made network that reads digits
#
# Time to put the earlier lessons to work: activation functions (lesson 2), the forward pass (lesson 3), the loss
# (lesson 4), numerical gradients (lesson 5), computational graphs and layers (lessons 6 and 7) and the gradient
# check (lesson 8). We build a two-layer network with nothing but NumPy, derive its backward pass by hand, check it
# numerically, and train it to recognise handwritten digits, measuring what each choice costs: one image per step
# against mini-batches, numerical gradients against backpropagation. Then we do the same in a few lines with nnlib's
# ready-made parts.
#
# The data are the 1,797 small digit images that scikit-learn ships (from the UCI "optical recognition of handwritten
# digits" set): $8 \times 8$ pixels, 17 grey levels. They are small enough to train on in a second, even in your
# browser. nnlib bundles them, so
# [`nnlib.datasets.load_digits`](../../reference/datasets/#nnlib.datasets.load_digits) needs no download: it returns
# a fixed split, stratified by class, with pixel values scaled to $[0, 1]$.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.datasets import load_digits
from nnlib.functions import (
    sigmoid, softmax, cross_entropy_error
)
from nnlib.gradient import numerical_gradient
from nnlib.util import one_hot

(x_train, t_train), (x_test, t_test) = load_digits()
print("training images:", x_train.shape, x_train.dtype,
      " labels:", t_train.shape, t_train.dtype)
print("test images:    ", x_test.shape)
print("pixel range:", x_train.min(), "to", x_train.max())
print("images per class in the training set:",
      np.unique(t_train, return_counts=True)[1])

# %% [markdown]
# Each row of `x_train` is one image with its 64 pixels in a line. Reshaped to $8 \times 8$, they look like this:

# %%
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, image, label in zip(axes.flat, x_train, t_train):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# The network outputs ten probabilities, one per digit, so we compare it with **one-hot** targets: the label $3$
# becomes $(0,0,0,1,0,0,0,0,0,0)$. [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot) does it.

# %%
T_train = one_hot(t_train, 10)
print(t_train[:3])
print(T_train[:3])

# %% [markdown]
# ## The network
#
# Input $\mathbf{x}$ (64 pixels) → hidden layer of 30 sigmoid units → output layer of 10 scores → softmax. For a batch
# $X$ of $N$ images (one per row):
#
# $$H = \sigma(X W_1 + \mathbf{b}_1), \qquad Y = \operatorname{softmax}(H W_2 + \mathbf{b}_2),$$
#
# and the loss, the cross-entropy against the one-hot targets $T$ averaged over the batch, is
#
# $$L = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{10} T_{nk} \log Y_{nk}.$$
#
# Shapes: $W_1$ is $64 \times 30$, $\mathbf{b}_1$ has 30 entries, $W_2$ is $30 \times 10$ and $\mathbf{b}_2$ has 10.
# That is $64 \cdot 30 + 30 + 30 \cdot 10 + 10 = 2260$ numbers to learn. We start from small random weights: if they
# were all equal, every hidden unit would compute the same thing and receive the same update, forever.

# %%
def init_params(rng, n_in=64, n_hidden=30, n_out=10):
    return {
        "W1": rng.normal(0.0, 0.1, size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 0.1, size=(n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


def forward(params, X):
    # hidden activations, (N, 30)
    H = sigmoid(X @ params["W1"] + params["b1"])
    # class probabilities, (N, 10)
    Y = softmax(H @ params["W2"] + params["b2"])
    return H, Y


params = init_params(np.random.default_rng(0))
_, Y = forward(params, x_train[:3])
# untrained: close to 0.1 everywhere
print(np.round(Y, 3))
print("loss:", cross_entropy_error(Y, T_train[:3]),
      " (log 10 =", np.log(10), ")")

# %% [markdown]
# An untrained network is unsure about everything: about $0.1$ per class, so its loss is close to $\log 10 \approx 2.30$.
#
# ## The backward pass, by hand
#
# Lesson 7 has every piece we need. Softmax with cross-entropy sends back $(Y - T)/N$; the output Affine layer turns
# it into gradients for $W_2$, $\mathbf{b}_2$ and $H$; the sigmoid multiplies by $H(1-H)$ elementwise ($\odot$); the
# first Affine layer gives the gradients of $W_1$ and $\mathbf{b}_1$:
#
# $$\Delta_2 = \frac{Y - T}{N}, \qquad \frac{\partial L}{\partial W_2} = H^\top \Delta_2, \qquad
# \frac{\partial L}{\partial \mathbf{b}_2} = \sum_n (\Delta_2)_{n,:},$$
#
# $$\Delta_1 = \bigl(\Delta_2 W_2^\top\bigr) \odot H \odot (1 - H), \qquad
# \frac{\partial L}{\partial W_1} = X^\top \Delta_1, \qquad \frac{\partial L}{\partial \mathbf{b}_1} = \sum_n (\Delta_1)_{n,:}.$$

# %%
def backward(params, X, T):
    H, Y = forward(params, X)
    n = X.shape[0]
    # (N, 10)
    delta2 = (Y - T) / n
    # (N, 30)
    delta1 = (delta2 @ params["W2"].T) * H * (1 - H)
    return {
        "W1": X.T @ delta1, "b1": delta1.sum(axis=0),
        "W2": H.T @ delta2, "b2": delta2.sum(axis=0),
    }


def loss(params, X, T):
    return cross_entropy_error(forward(params, X)[1], T)

# %% [markdown]
# Before trusting it, run a gradient check on a few images (lesson 8): compare it with numerical gradients, and read
# the largest relative error with the course's rule: below $10^{-7}$ good, around $10^{-5}$ look closer (kinks, tiny
# gradients), above $10^{-3}$ a bug. The images are float32 and the parameters float64; NumPy computes a product of
# the two in float64, so the whole loss is float64 and the images need no conversion. The cell also prints the
# gradient where each error is largest.

# %%
# float32 images, float64 parameters: NumPy computes in
# float64
X_small, T_small = x_train[:5], T_train[:5]
print("computed in", (X_small @ params["W1"]).dtype)
grads = backward(params, X_small, T_small)
for name in ["W1", "b1", "W2", "b2"]:
    numeric = numerical_gradient(
        lambda _: loss(params, X_small, T_small),
        params[name],
    )
    errors = np.abs(grads[name] - numeric) / np.maximum(
        1e-8, np.abs(grads[name]) + np.abs(numeric)
    )
    worst = errors.argmax()
    print(f"{name}: largest relative error "
          f"{errors.max():.1e}, where the gradient is "
          f"{grads[name].flat[worst]:.1e}")

# %% [markdown]
# $\mathbf{b}_1$, $W_2$ and $\mathbf{b}_2$ are well below $10^{-7}$. $W_1$'s largest error, a few times $10^{-6}$,
# is in the band that asks for a closer look, and the closer look is printed next to it: that entry's gradient is
# tiny, a few millionths. The numerical estimate carries a rounding noise of about $10^{-11}$ (the loss, about
# $2.4$, is known to $16$ digits, and that error is divided by $2h$), which is a visible fraction of such a small
# number. The network has no kink (the sigmoid is smooth), so tiny gradients explain it: the backward pass is right.
#
# Precision matters for the *parameters*. The same check with float32 parameters, the backward pass unchanged:

# %%
params32 = {name: p.astype(np.float32)
            for name, p in params.items()}
print("computed in", (X_small @ params32["W1"]).dtype)
grads32 = backward(params32, X_small, T_small)
numeric32 = numerical_gradient(
    lambda _: loss(params32, X_small, T_small),
    params32["W1"],
)
err32 = np.max(np.abs(grads32["W1"] - numeric32) / np.maximum(
    1e-8, np.abs(grads32["W1"]) + np.abs(numeric32)
))
print("W1, float32 parameters, largest relative error:",
      f"{err32:.1e}")
print("numerical gradients exactly 0:",
      np.sum(numeric32 == 0),
      "of", numeric32.size, "entries of W1")
print("the values they take:",
      np.unique(np.round(numeric32, 4)))

# %% [markdown]
# A relative error of $1$ although nothing is wrong. In float32 the loss, about $2.4$, can only change in steps of
# $2.4 \times 10^{-7}$. Nudging a weight by $\pm 10^{-5}$ changes it by about $2 \times 10^{-5}$ times the gradient,
# mostly far less than one such step: the two losses come out equal (a numerical gradient of exactly $0$) or one or
# two steps apart (each step gives $2.4 \times 10^{-7} / 2h \approx 0.012$). So a gradient check needs float64
# parameters; [`gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check) refuses any other.
#
# ## Learning one image at a time
#
# The classic way to train is to show the network one image, compute its gradient, step every weight a little
# against it, and move to the next image. That is *stochastic gradient descent* with a batch of one:
#
# $$W \leftarrow W - \eta\, \frac{\partial L}{\partial W}, \qquad \eta = \text{learning rate}.$$
#
# One pass over the training set (an **epoch**):

# %%
def accuracy(params, X, t):
    return float(np.mean(
        forward(params, X)[1].argmax(axis=1) == t
    ))


rng = np.random.default_rng(1)
params = init_params(rng)
start = time.perf_counter()
for i in rng.permutation(len(x_train)):
    grads = backward(params, x_train[i:i + 1],
                     T_train[i:i + 1])
    for name in params:
        params[name] -= 0.1 * grads[name]
per_sample_seconds = time.perf_counter() - start
per_sample_acc = accuracy(params, x_test, t_test)
print(f"one epoch, one image per step: "
      f"{per_sample_seconds:.3f} s, "
      f"test accuracy {per_sample_acc:.3f}")

# %% [markdown]
# It already works: one epoch is 1,438 small steps. But each step does tiny matrix products, so most of the time goes
# into Python overhead rather than arithmetic, and a single image gives a noisy estimate of the gradient.
#
# ## Mini-batches: the vectorised version
#
# Instead, shuffle the training set, cut it into **mini-batches** of 32 images and take one step per batch. The
# formulas above already handle $N$ rows at once, so the code barely changes; each step now does real matrix
# multiplications (where NumPy is fast) and averages the gradient over 32 images (less noise, so a larger learning
# rate is safe). The clock runs during the updates only, so that the time per epoch compares with the one above;
# the evaluation after each epoch is not counted.

# %%
def train(params, epochs=20, batch_size=32, lr=1.0, seed=2):
    rng = np.random.default_rng(seed)
    history = []
    seconds = 0.0
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(x_train))
        for first in range(0, len(order), batch_size):
            batch = order[first:first + batch_size]
            grads = backward(params, x_train[batch],
                             T_train[batch])
            for name in params:
                params[name] -= lr * grads[name]
        seconds += time.perf_counter() - start
        history.append((
            seconds,
            loss(params, x_train, T_train),
            accuracy(params, x_train, t_train),
            accuracy(params, x_test, t_test),
        ))
    return history


params = init_params(np.random.default_rng(1))
history = train(params)
clock, train_loss, train_acc, test_acc = zip(*history)
print(f"20 epochs: {clock[-1]:.2f} s of updates "
      f"({clock[-1] / 20 * 1000:.1f} ms per epoch)")
print(f"final loss {train_loss[-1]:.3f}, "
      f"training accuracy {train_acc[-1]:.3f}, "
      f"test accuracy {test_acc[-1]:.3f}")

# %% [markdown]
# Side by side, measured in the two cells above:

# %%
batch_epoch = clock[-1] / 20
print("one image per step: "
      f"{per_sample_seconds * 1000:6.1f} ms per epoch")
print("32 images per step: "
      f"{batch_epoch * 1000:6.1f} ms per epoch")
print(f"mini-batches: {per_sample_seconds / batch_epoch:.1f}"
      " times faster per epoch")
print("test accuracy after one epoch: "
      f"{per_sample_acc:.3f} against {test_acc[0]:.3f}")
# mini-batch epochs done in the time of one per-sample epoch
k = max(1, sum(c <= per_sample_seconds for c in clock))
print(f"in the same time: {k} mini-batch epochs, "
      f"test accuracy {test_acc[k - 1]:.3f}")

# %% [markdown]
# Per epoch, one image per step learns more: it makes 1,438 updates where the mini-batches make 45, so after one
# epoch it is well ahead (about 87% against about 53% here). But each of its epochs takes about ten times as long,
# because a step on 32 images costs only a few times as much as a step on one image, not 32 times: the time goes into
# calling NumPy, not into arithmetic. Given the same time as one per-sample epoch, the mini-batches run several epochs
# and end ahead of it (the last line above). Your timings will differ from ours, natively and in the browser, but the ratio stays
# large. Here are the 20 epochs of mini-batch training:

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
ax1.plot(range(1, 21), train_loss, marker="o")
ax1.set_xlabel("epoch")
ax1.set_ylabel("training loss")
ax1.grid(alpha=0.3)
ax2.plot(range(1, 21), train_acc, marker="o", label="train")
ax2.plot(range(1, 21), test_acc, marker="s", label="test")
ax2.set_xlabel("epoch")
ax2.set_ylabel("accuracy")
ax2.legend()
ax2.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# The test accuracy, measured on images the network never trained on, is what counts: it says how well the network
# *generalises*. The training accuracy ends higher, about 99% against 94% for the test images: the network fits the
# images it learned from better than new ones. That gap between training and test accuracy is the mark of
# **overfitting**; it is moderate here, and lesson 16 is about keeping it small.

# %% [markdown]
# ## Numerical gradients against backpropagation
#
# Lesson 5 trained a network with numerical gradients, and they would work here too: `numerical_gradient` nudges
# each of the 2,260 parameters up and down and evaluates the loss each time, 4,520 forward passes for one gradient.
# Backpropagation gets the same gradient from one forward and one backward pass. Let us time one training step's
# gradient both ways, on the same network and the same mini-batch of 32 images, and make sure they agree:

# %%
def numerical_gradients(params, X, T):
    return {name: numerical_gradient(
                lambda _: loss(params, X, T), p)
            for name, p in params.items()}


params = init_params(np.random.default_rng(1))
X_batch, T_batch = x_train[:32], T_train[:32]
start = time.perf_counter()
numeric = numerical_gradients(params, X_batch, T_batch)
numeric_seconds = time.perf_counter() - start
start = time.perf_counter()
for _ in range(100):
    grads = backward(params, X_batch, T_batch)
backprop_seconds = (time.perf_counter() - start) / 100
n_params = sum(p.size for p in params.values())
print(f"numerical: {2 * n_params} forward passes, "
      f"{numeric_seconds * 1000:.0f} ms")
print(f"backprop:  one forward and one backward pass, "
      f"{backprop_seconds * 1000:.2f} ms")
print(f"backprop is {numeric_seconds / backprop_seconds:,.0f}"
      " times faster")
difference = max(np.abs(numeric[n] - grads[n]).max()
                 for n in params)
print("largest difference between the two gradients:",
      f"{difference:.1e}")
steps = -(-len(x_train) // 32)
print(f"20 epochs of {steps} steps with numerical gradients: "
      f"about {20 * steps * numeric_seconds / 60:.0f} min")

# %% [markdown]
# The two gradients agree to about $10^{-10}$, and the numerical one costs thousands of times more: the training that
# took about a second above would take a quarter of an hour or more. The gap grows with the network, since every
# extra parameter adds two forward passes to the numerical gradient and almost nothing to backpropagation: for the
# 39,760 parameters of the next lesson's MNIST network it is far worse. So from here on networks are trained with
# backpropagation, and numerical gradients are kept for what they are good at: checking it.

# %% [markdown]
# ### Exercise: one training step of a ReLU network
#
# nnlib's `TwoLayerNet`, below, puts a ReLU in the hidden layer instead of our sigmoid. Write one mini-batch training
# step for that network: the forward pass is given; compute the four gradients (the ReLU passes the gradient only
# where its input $A_1 = X W_1 + \mathbf{b}_1$ was positive, lesson 7) and let the given loop update the parameters.
# The check compares your step with the same step built from nnlib's layers, on a batch of 32 images and on a
# single image.

# %% tags=["exercise"] exercise="relu-train-step"
def relu_train_step(params, X, T, lr):
    """One gradient-descent step on the batch (X, T): updates
    params in place, returns the loss before it."""
    A1 = X @ params["W1"] + params["b1"]
    # ReLU instead of the sigmoid
    H = np.maximum(0, A1)
    Y = softmax(H @ params["W2"] + params["b2"])
    # your code: the gradients of W1, b1, W2 and b2, as in
    # backward() above but through a ReLU
    grads = {name: np.zeros_like(p)
             for name, p in params.items()}
    for name in params:
        params[name] -= lr * grads[name]
    return cross_entropy_error(Y, T)


# %% tags=["check"] exercise="relu-train-step"
from nnlib import exercises as ex
from nnlib import layers


def reference_step(params, X, T, lr):
    """The same step made of nnlib's layers (lesson 7)."""
    affine1, relu, affine2 = (
        layers.Affine(params["W1"], params["b1"]),
        layers.Relu(),
        layers.Affine(params["W2"], params["b2"]),
    )
    loss_layer = layers.SoftmaxWithLoss()
    loss = loss_layer.forward(
        affine2.forward(relu.forward(affine1.forward(X))), T)
    affine1.backward(relu.backward(
        affine2.backward(loss_layer.backward())))
    for name, layer in (("1", affine1), ("2", affine2)):
        params["W" + name] -= lr * layer.dW
        params["b" + name] -= lr * layer.db
    return loss


start_params = init_params(np.random.default_rng(5))
ex.report(
    ex.same_function(
        "a batch of 32 images: loss and updated parameters",
        relu_train_step, reference_step,
        cases=[
            (start_params, x_train[:32], T_train[:32], 0.5)
        ],
        hint="Start from delta2 = (Y - T) / N as in "
             "backward(). Going back through W2 needs its "
             "transpose, and the ReLU multiplies by the mask "
             "(A1 > 0) instead of H * (1 - H)."
    ),
    ex.same_function(
        "a batch of a single image",
        relu_train_step, reference_step,
        cases=[(start_params, x_train[:1], T_train[:1], 0.5)],
        hint="With one image, a sum over the wrong axis goes "
             "unnoticed by the shapes: the bias gradients "
             "sum over the rows (axis 0), one value per unit."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="relu-train-step"
def relu_train_step(params, X, T, lr):
    """One gradient-descent step on the batch (X, T): updates
    params in place, returns the loss before it."""
    A1 = X @ params["W1"] + params["b1"]
    # ReLU instead of the sigmoid
    H = np.maximum(0, A1)
    Y = softmax(H @ params["W2"] + params["b2"])
    delta2 = (Y - T) / X.shape[0]  # (N, 10)
    # the ReLU's derivative: 1 where A1 > 0, else 0
    delta1 = (delta2 @ params["W2"].T) * (A1 > 0)
    grads = {
        "W1": X.T @ delta1, "b1": delta1.sum(axis=0),
        "W2": H.T @ delta2, "b2": delta2.sum(axis=0),
    }
    for name in params:
        params[name] -= lr * grads[name]
    return cross_entropy_error(Y, T)

# %% [markdown]
# ## The same with nnlib
#
# Everything we wrote by hand exists in nnlib:
# [`TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet) chains Affine → ReLU → Affine → SoftmaxWithLoss (ReLU in
# the hidden layer instead of our sigmoid) and computes its gradients by backpropagation, and
# [`Trainer`](../../reference/trainer/#nnlib.trainer.Trainer) runs the mini-batch loop, records the loss and the
# accuracies, and reports its progress to a `callback` after every iteration and every epoch. In the browser, the page
# also draws a live progress bar from those reports.

# %%
from nnlib.nets import TwoLayerNet
from nnlib.trainer import Trainer


def report(info):
    if info["event"] == "epoch" and info["epoch"] % 5 == 0:
        print(f"epoch {info['epoch']:2d}/{info['epochs']}  "
              f"loss {info['loss']:.3f}  "
              f"train acc {info['train_acc']:.1%}  "
              f"test acc {info['test_acc']:.1%}")


net = TwoLayerNet(
    input_size=64, hidden_size=30, output_size=10,
    weight_init_std="he", seed=0,
)
trainer = Trainer(
    net, x_train, t_train, x_test, t_test, epochs=20,
    mini_batch_size=32, optimizer="sgd",
    optimizer_param={"lr": 0.5}, seed=0, callback=report,
)
test_accuracy = trainer.train()
print(f"test accuracy: {test_accuracy:.1%} "
      f"in {trainer.elapsed:.2f} s")

# %% [markdown]
# Two details of this cell. `weight_init_std="he"` draws the initial weights of each layer with the standard deviation
# $\sqrt{2 / n_\text{in}}$, where $n_\text{in}$ is the number of inputs of the layer ($\sqrt{2/64} \approx 0.18$ for
# $W_1$, $\sqrt{2/30} \approx 0.26$ for $W_2$). This is **He initialisation** (after Kaiming He), the scale that keeps
# the signal from fading or blowing up as it passes through ReLU layers; lesson 14 shows why. And the loss printed
# every five epochs is the loss of the epoch's *last mini-batch* (the 30 images left after 44 batches of 32), not of
# the whole training set: that is why it jumps up and down while the accuracies, measured on all the images, move
# much less.
#
# Finally, which digits does it get wrong? Often they are ones a person would hesitate over too.

# %%
predicted = net.predict(x_test).argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test)
print(len(wrong), "of", len(t_test),
      "test images misclassified")

fig, axes = plt.subplots(1, 8, figsize=(8, 1.6))
for ax, i in zip(axes, wrong[:8]):
    ax.imshow(x_test[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{t_test[i]}→{predicted[i]}")
    ax.axis("off")
for ax in axes[len(wrong):]:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# Each title reads *true label → prediction*.
#
# ## What to remember
#
# * A two-layer network is two Affine maps with an activation between them and softmax at the end; its backward pass is
#   the chain of the layer rules from lesson 7.
# * Check a hand-written backward pass with a gradient check, with float64 parameters: a largest relative error below
#   $10^{-7}$ is good, around $10^{-5}$ asks for a closer look (kinks, tiny gradients), above $10^{-3}$ means a bug.
# * Per-sample updates work but waste time in Python; mini-batches turn the work into matrix products and give smoother
#   gradient estimates. Measured above: about ten times faster per epoch, and further in the same time.
# * Numerical gradients cost two forward passes per parameter, thousands of times a backward pass here: train with
#   backpropagation, check it with numerical gradients.
# * Judge a network by its accuracy on data it did not train on.
#
# Try it: change `hidden_size`, the learning rate or the number of epochs in the cells above and run them again.
#
# Next: [a two-layer network on MNIST](../10-two-layer-mnist/), the same recipe on 28 × 28 images, with iterations,
# epochs and learning curves.
#
# API reference: [`nnlib.datasets.load_digits`](../../reference/datasets/#nnlib.datasets.load_digits),
# [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot),
# [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet),
# [`nnlib.trainer.Trainer`](../../reference/trainer/#nnlib.trainer.Trainer).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. Natively NumPy
# multiplies matrices with an optimised BLAS library, so every timing above comes out smaller than in the browser;
# the ratios (mini-batches against single images, backpropagation against numerical gradients) stay large.
