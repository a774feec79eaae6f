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
# # 4. Loss functions
#
# To train a network we change its weights so that it gets better. "Better" needs a number: a **loss function**
# measures how far the network's outputs are from the right answers, and training means making that number small.
# This lesson writes the two classic loss functions, squared error and cross-entropy, in every form a classifier
# needs, and shows why the number we care about in the end, the accuracy, cannot play that role.
#
# **After this lesson you can**
#
# * turn labels into one-hot vectors;
# * compute the squared error and the cross-entropy of a prediction, and say why classifiers use cross-entropy;
# * write cross-entropy for one-hot targets and for integer labels, for one sample and for a batch;
# * estimate the loss of a large data set from a random mini-batch;
# * explain, with a plot, why training cannot follow the accuracy directly.
#
# **You need** softmax (lesson 2) and the forward pass with its batches (lesson 3). We use again the network trained
# beforehand from lesson 3.

# %%
import numpy as np
import matplotlib.pyplot as plt

from nnlib.functions import sigmoid, softmax

# %% [markdown]
# ## Targets as one-hot vectors
#
# A classifier with 10 classes outputs 10 probabilities. To compare them with the right answer, we write the answer
# the same way: a vector of 10 numbers, 1 at the true class and 0 elsewhere. This is the **one-hot** encoding; the
# label 2 becomes $(0, 0, 1, 0, 0, 0, 0, 0, 0, 0)$. Row $k$ of the $10 \times 10$ identity matrix is exactly the
# one-hot vector of class $k$, so indexing the identity matrix with the labels encodes a whole batch at once.

# %%
def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


labels = np.array([2, 7, 0])
print(one_hot(labels, 10))

# %% [markdown]
# nnlib has the same function, [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot) (it returns float32,
# the dtype of the images, unless told otherwise):

# %%
from nnlib.util import one_hot as nnlib_one_hot

print(
    np.array_equal(one_hot(labels, 10),
                   nnlib_one_hot(labels, 10)))

# %% [markdown]
# ## Squared error
#
# The most familiar measure of a difference is the squared error, summed over the outputs. With the factor
# $\tfrac12$ (it makes the derivative cleaner) it is
#
# $$E = \frac12 \sum_k (y_k - t_k)^2,$$
#
# where $y_k$ are the network's outputs and $t_k$ the one-hot target. Two predictions for an image of a 2: the first
# gives the 2 the highest probability, 0.6; the second gives 0.6 to the 7.

# %%
def squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


t = one_hot(2, 10)
y_good = np.array(
    [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
y_bad = np.array(
    [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
print("right guess:", squared_error(y_good, t))
print("wrong guess:", squared_error(y_bad, t))

# %% [markdown]
# The right guess has the smaller error, as it should.
#
# ## Cross-entropy
#
# The **cross-entropy error** compares two probability distributions:
#
# $$E = -\sum_k t_k \log y_k .$$
#
# With a one-hot target every term is zero except the true class's, so $E = -\log y_{\text{true}}$: the loss depends
# only on the probability the network gave to the right answer. That probability is 1 at best ($-\log 1 = 0$) and
# the loss grows without bound as it goes to 0.

# %%
p = np.linspace(0.001, 1, 500)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(p, -np.log(p))
ax.set_xlabel("probability of the true class $y_{true}$")
ax.set_ylabel("$-\\log y_{true}$")
ax.set_ylim(0, 5)
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# One value needs care: a probability of exactly 0, which softmax can return in floating point (`exp` of a very
# negative number underflows to 0). Then $\log 0 = -\infty$: NumPy warns and the loss becomes `inf`, and an `inf`
# in training turns everything it touches into `inf` or `nan`.

# %%
# turn NumPy's warning into an error we can show
with np.errstate(divide="raise"):
    try:
        np.log(np.array([0.0]))
    except FloatingPointError as err:
        print("log(0):", err)

# %% [markdown]
# The usual remedy is to keep $y$ away from 0. "Deep Learning from Scratch" adds $10^{-7}$ to it; we replace values
# below the smallest positive float64 ($2.2 \times 10^{-308}$) by that number, which leaves every other value exactly
# as it is and caps the loss at $-\log(2.2 \times 10^{-308}) \approx 708$.

# %%
TINY = np.finfo(np.float64).tiny


def cross_entropy_one_hot(y, t):
    """Cross-entropy of one prediction y against a one-hot
    target t."""
    return -np.sum(t * np.log(np.maximum(y, TINY)))


print("right guess:", cross_entropy_one_hot(y_good, t))
print("wrong guess:", cross_entropy_one_hot(y_bad, t))
print("probability 0 for the true class:",
      cross_entropy_one_hot(np.eye(10)[7], t))

# %% [markdown]
# The two guesses give $-\log 0.6 = 0.51$ and $-\log 0.1 = 2.30$.
#
# ## Squared error or cross-entropy?
#
# Both losses prefer the right guess. The difference shows when the network is confidently wrong. Take the scores
# (the inputs of softmax) of a 10-class network, all zero except the score $a$ of the true class, and make $a$ very
# negative: the network becomes surer and surer that the answer is not the true class.

# %%
a = np.linspace(-10, 6, 321)
scores = np.zeros((len(a), 10))
# class 2 is the true class
scores[:, 2] = a
y = softmax(scores)
t = one_hot(2, 10)
se = 0.5 * np.sum((y - t) ** 2, axis=1)
ce = -np.log(y[:, 2])

fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.plot(a, se, label="squared error")
ax.plot(a, ce, label="cross-entropy")
ax.set_xlabel("score $a$ of the true class (other scores 0)")
ax.set_ylabel("loss")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
print(
    f"a = -10: squared error {se[0]:.5f}, cross-entropy "
    f"{ce[0]:.3f}"
)
print(
    f"a =  -8: squared error {se[40]:.5f}, cross-entropy "
    f"{ce[40]:.3f}"
)

# %% [markdown]
# As $a$ falls, the squared error flattens out near $\tfrac12 (1 + \tfrac19) \approx 0.556$: from $a = -8$ to
# $a = -10$ it hardly changes, so a small change of the weights would hardly change it either, and training, which
# follows such changes, stalls exactly where the network is most wrong. The cross-entropy keeps growing (almost
# linearly, by 1 for each unit of $a$), so its pull towards the right answer stays strong. That, together with its
# meaning in probability (it is the negative log-likelihood of the labels), is why classifiers with softmax outputs
# use cross-entropy. Squared error remains the usual loss for regression, where the outputs are numbers, not
# probabilities.
#
# ## Labels instead of one-hot vectors
#
# Multiplying by a one-hot vector only picks one element, so we can skip the one-hot vector and index with the label:
# $E = -\log y_t$. For a batch of $N$ predictions (the rows of $Y$, shape $N \times 10$) and $N$ labels, NumPy's
# *integer array indexing* `Y[np.arange(N), labels]` picks the element of row $n$ in column `labels[n]`, for every $n$
# at once:

# %%
Y = np.array([[0.1, 0.8, 0.1],
              [0.7, 0.2, 0.1],
              [0.2, 0.2, 0.6],
              [0.3, 0.4, 0.3]])
labels = np.array([1, 0, 2, 2])
print(Y[np.arange(4), labels])

# %% [markdown]
# ## The batch form
#
# For a batch we average the losses of the samples, so that the loss does not grow with the batch size and one
# learning rate suits any batch:
#
# $$E = -\frac1N \sum_{n=1}^{N} \sum_k t_{nk} \log y_{nk} = -\frac1N \sum_{n=1}^{N} \log y_{n, t_n}.$$
#
# The left form takes one-hot targets $T$ (shape $N \times C$), the right one labels $t_n$ (shape $N$). The left
# form in NumPy is one sum over the whole array:

# %%
def cross_entropy_batch_one_hot(Y, T):
    return -np.sum(T * np.log(np.maximum(Y, TINY))) / len(Y)


print(cross_entropy_batch_one_hot(Y, one_hot(labels, 3)))

# %% [markdown]
# ### Exercise: the batch form with labels
#
# Write `cross_entropy_batch_labels(Y, labels)`, the right-hand form: pick each row's probability of its true class
# with integer array indexing, guard it against 0 as above, and average $-\log$ over the $N$ rows. On `Y` and
# `labels` it must give the same value as the one-hot form. Then press **Check** (in Jupyter, run the cell after it).

# %% tags=["exercise"] exercise="cross-entropy-labels"
def cross_entropy_batch_labels(Y, labels):
    """Mean cross-entropy of the rows of Y (N, C) against the
    integer labels (N,)."""
    return 0.0      # your code


# %% tags=["check"] exercise="cross-entropy-labels"
from nnlib import exercises as ex
from nnlib.functions import cross_entropy_error

rng = np.random.default_rng(1)
ex.report(
    ex.same_function(
        "the example above, and 50 random rows of 10 classes",
        cross_entropy_batch_labels, cross_entropy_error,
        cases=[(Y, labels),
               (softmax(rng.normal(size=(50, 10))),
                rng.integers(0, 10, 50))],
        hint="Y[np.arange(len(Y)), labels] has one "
             "probability per row; take -log of it and the "
             "mean."
    ),
    ex.same_function(
        "a probability of exactly 0 gives a large finite "
        "loss",
        cross_entropy_batch_labels, cross_entropy_error,
        cases=[(np.array([[0.0, 1.0], [0.5, 0.5]]),
                np.array([0, 1]))],
        hint="log(0) is -inf: replace the picked "
             "probabilities by np.maximum(p, TINY) first."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="cross-entropy-labels"
def cross_entropy_batch_labels(Y, labels):
    """Mean cross-entropy of the rows of Y (N, C) against the
    integer labels (N,)."""
    picked = Y[np.arange(len(Y)), labels]
    return -np.sum(np.log(np.maximum(picked, TINY))) / len(Y)


print(cross_entropy_batch_labels(Y, labels))

# %% [markdown]
# The label form does not build the $N \times C$ one-hot array nor take $N \times C$ logarithms, only $N$: with 10
# classes that is ten times fewer, and with thousands of classes it is what makes the loss affordable.
#
# [`nnlib.functions.cross_entropy_error`](../../reference/functions/#nnlib.functions.cross_entropy_error) accepts
# both kinds of targets and both shapes (one sample or a batch); it agrees with ours. Its squared error,
# [`nnlib.functions.mean_squared_error`](../../reference/functions/#nnlib.functions.mean_squared_error), is the same
# $\tfrac12 \sum_k (y_k - t_k)^2$, averaged over a batch. From here on the lesson uses nnlib's functions, so the
# cells below work whether or not your exercise passes.

# %%
from nnlib.functions import (
    cross_entropy_error, mean_squared_error)

print(cross_entropy_error(Y, labels),
      cross_entropy_batch_one_hot(Y, one_hot(labels, 3)))
print(cross_entropy_error(y_good, 2),
      cross_entropy_one_hot(y_good, one_hot(2, 10)))
print(mean_squared_error(y_good, one_hot(2, 10)),
      squared_error(y_good, one_hot(2, 10)))

# %% [markdown]
# ## The loss of a real network
#
# Back to the MNIST network of lesson 3. Its loss on the 1,000 test images is one number that says how well it does,
# in a finer way than the accuracy: it also counts how sure the network was.

# %%
from nnlib.datasets import bundled_path, load_mnist
from nnlib.io import load_params

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
params = load_params(bundled_path("mnist_sigmoid_mlp.npz"))


def predict(x):
    """The forward pass of lesson 3: probabilities, one row
    per image."""
    z1 = sigmoid(x @ params["W1"] + params["b1"])
    z2 = sigmoid(z1 @ params["W2"] + params["b2"])
    return softmax(z2 @ params["W3"] + params["b3"])


Y_test = predict(x_test)
print("cross-entropy on the test images:",
      cross_entropy_error(Y_test, t_test))
print("accuracy on the test images:     ",
      np.mean(Y_test.argmax(axis=1) == t_test))

# %% [markdown]
# ## Mini-batches
#
# Training needs the loss over the whole training set many thousands of times. MNIST has 60,000 training images,
# and large data sets have millions: computing the loss over all of them at every step would be far too slow. So we
# estimate it from a random **mini-batch**, say 100 images drawn without replacement, the way a poll estimates an
# election from a sample of voters. Below we compute the loss of every training image once, and then the estimates
# of 1,000 random mini-batches.

# %%
# one loss per image
losses = -np.log(
    np.maximum(
        predict(x_train)[np.arange(len(x_train)), t_train],
        TINY))
full = losses.mean()
print(
    f"loss over all {len(x_train)} training images: "
    f"{full:.4f}"
)

rng = np.random.default_rng(0)
estimates = np.array([
    losses[rng.choice(len(x_train), size=100,
                      replace=False)].mean()
    for _ in range(1000)
])
print("the first five mini-batches of 100:",
      np.round(estimates[:5], 4))
print(
    f"mean of {len(estimates)} estimates: "
    f"{estimates.mean():.4f}, median: "
    f"{np.median(estimates):.4f}"
)

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.hist(estimates, bins=50, color="#9fa8da")
ax.axvline(full, color="#3949ab",
           label="loss over all images")
ax.set_xlabel("loss estimated from a mini-batch of 100")
ax.set_ylabel("mini-batches")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The estimates scatter around the loss of the whole set, and on average they hit it: the mean of the 1,000
# estimates, 0.1665, is close to the full loss, 0.1659, and the mean over all possible mini-batches would equal it
# exactly (the estimate is *unbiased*). A single estimate is more often a little low than high, because a few badly recognised images carry large losses and most mini-batches happen to miss
# them. For training that noise is acceptable: a mini-batch costs a fiftieth of the full computation here (100 images
# instead of 5,000), and training on mini-batches, which we will do later in the course, follows these estimates
# instead of the exact loss.
#
# ## Why not train on the accuracy?
#
# In the end we want a high accuracy, so why not maximise it directly? Because training works by asking how the
# quantity changes when a weight changes a little (that is the derivative, the subject of the next lesson), and the
# accuracy almost never changes when a weight changes a little.
#
# Let us see it. We take 100 test images and change one parameter of the network, the bias $b^{(3)}_3$ of the output
# neuron of digit 3, over a range of values, keeping everything else fixed, and compute the accuracy and the
# cross-entropy for each value. The hidden layers do not depend on this bias, so we compute them once.

# %%
# 100 images, 10 of each digit
x_small, t_small = x_test[::10], t_test[::10]
z1 = sigmoid(x_small @ params["W1"] + params["b1"])
z2 = sigmoid(z1 @ params["W2"] + params["b2"])

# scores without the bias
base = z2 @ params["W3"]

values = np.linspace(-10, 10, 401)
accuracy, loss = [], []
for value in values:
    b3 = params["b3"].copy()
    b3[3] = value
    Y = softmax(base + b3)
    accuracy.append(np.mean(Y.argmax(axis=1) == t_small))
    loss.append(cross_entropy_error(Y, t_small))
accuracy, loss = np.array(accuracy), np.array(loss)

changes = np.count_nonzero(np.diff(accuracy))
print(
    f"the accuracy changed in {changes} of the "
    f"{len(values) - 1} steps"
)
print(
    f"the loss changed in {np.count_nonzero(np.diff(loss))} "
    "of them"
)

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
left.plot(values, accuracy, color="#e65100")
left.set_title("accuracy")
right.plot(values, loss, color="#3949ab")
right.set_title("cross-entropy")
for ax in (left, right):
    ax.axvline(params["b3"][3], color="gray", linestyle=":",
               label="trained value")
    ax.set_xlabel("bias $b^{(3)}_3$")
    ax.grid(alpha=0.3)
left.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The accuracy is a staircase. Between its jumps it is perfectly flat: moving the bias a little changes no image's
# predicted class, so the accuracy stays the same and its derivative is exactly zero. At the jumps (one image
# switching class) the derivative does not exist. A method that follows the derivative therefore gets no direction
# from the accuracy, almost everywhere. The cross-entropy changes at every step and has a clear slope and a minimum.
# The step function of the perceptron had the same defect, which is why networks use smooth activation functions.
#
# ## Summary
#
# * A loss function turns "how wrong is the network" into one number that training makes small.
# * One-hot targets: row $k$ of the identity matrix. Squared error $\tfrac12 \sum_k (y_k - t_k)^2$; cross-entropy
#   $-\sum_k t_k \log y_k = -\log y_{\text{true}}$.
# * Guard the logarithm against a probability of 0. Cross-entropy keeps a strong slope when the network is
#   confidently wrong; squared error after a softmax flattens out there.
# * Label form: `Y[np.arange(N), labels]`; batch form: average over the $N$ samples. A random mini-batch estimates the
#   loss of the whole data set at a fraction of the cost.
# * The accuracy is a staircase: its derivative is zero almost everywhere, so it cannot guide training; the loss can.
#
# Next: [numerical gradients and gradient descent](../05-numerical-gradients/), where we compute how the loss
# changes with each weight and use it to train a network. API reference:
# [`nnlib.functions.cross_entropy_error`](../../reference/functions/#nnlib.functions.cross_entropy_error),
# [`nnlib.functions.mean_squared_error`](../../reference/functions/#nnlib.functions.mean_squared_error),
# [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. To measure the loss
# and the mini-batch estimates on the full MNIST data (60,000 training images; nnlib downloads the files, about
# 11 MB, the first time, or reads the folder in the environment variable `NNLIB_DATA`), load it with
#
# ```python
# (x_train, t_train), (x_test, t_test) = load_mnist()
# ```
#
# instead of the subset, and run the cells below it again.
