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
# # 10. A two-layer network on MNIST
#
# The digits of lesson 9 were $8 \times 8$ pixels. MNIST's are $28 \times 28$: 784 inputs, and 60,000 training
# images in the full set. This lesson trains the first network of "Deep Learning from Scratch" on them, the book's
# `TwoLayerNet` (784 inputs, 50 hidden ReLU units, 10 outputs), with the training loop written by you: mini-batches
# drawn at random, iterations counted in epochs, and the loss and the accuracies recorded as it learns. In the page it
# learns from the 5,000 MNIST images that nnlib bundles; the full set is a command to run on your own machine, and
# we give its result.
#
# **After this lesson you can**
#
# * write a mini-batch stochastic gradient descent loop, and say what an iteration and an epoch are;
# * record and plot the loss per iteration and the training and test accuracy per epoch, and read the curves;
# * draw the mini-batches of an epoch so that every image is used exactly once;
# * train the same network on full MNIST from the command line, and compare it with the page's run.
#
# **You need** the layers and their backward passes (lesson 7), a network as an ordered list of layers (lesson 8),
# and mini-batch updates (lesson 9).

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

from nnlib.datasets import load_mnist
from nnlib.functions import softmax
from nnlib.nets import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
print("training images:", x_train.shape, x_train.dtype)
print("test images:    ", x_test.shape)
print("training images per digit:",
      np.unique(t_train, return_counts=True)[1])

# %% [markdown]
# [`load_mnist(subset=True)`](../../reference/datasets/#nnlib.datasets.load_mnist) reads the subset bundled with
# nnlib: 500 training images of each digit and 100 test images of each, taken from MNIST's own training and test
# sets, pixels scaled to $[0, 1]$ and each image flattened to a row of 784 values (lesson 3 showed them). The
# images are float32, which is precise enough for training (a gradient check needs float64, lesson 8, but training
# does not) and halves the memory.
#
# ## The network
#
# [`TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet) is the network you assembled from layers in lessons 7
# and 8: Affine → ReLU → Affine, and SoftmaxWithLoss on top. With the book's settings its weights start as normal
# random numbers with standard deviation 0.01 and its biases at zero. We make it in float32, like the images:

# %%
net = TwoLayerNet(input_size=784, hidden_size=50,
                  output_size=10, weight_init_std=0.01,
                  dtype=np.float32, seed=0)
for name, p in net.params.items():
    print(f"{name}: {p.shape}")
print("parameters:", sum(p.size for p in net.params.values()))
print(f"loss of the untrained network: "
      f"{net.loss(x_train, t_train):.4f}  "
      f"(log 10 = {np.log(10):.4f})")
print("accuracy:", net.accuracy(x_test, t_test))

# %% [markdown]
# 39,760 parameters, and before training the loss is $\log 10$: with weights this small every score is nearly 0, so
# the softmax gives each digit $0.1$. The accuracy is that of a guess.
#
# ## Mini-batches, iterations and epochs
#
# One **iteration** is one step of stochastic gradient descent: take a mini-batch of images, compute the gradient of
# the loss on it by backpropagation, and move every parameter against it,
#
# $$W \leftarrow W - \eta \, \frac{\partial L}{\partial W},$$
#
# with the book's batch size 100 and learning rate $\eta = 0.1$. The book draws each mini-batch at random with
# `np.random.choice(train_size, batch_size)`; we do the same with a seeded generator. `net.gradient` runs the forward
# and the backward pass and keeps the loss of that forward pass in `net.last_loss`, so one iteration costs one
# forward and one backward pass:

# %%
train_size, batch_size, lr = len(x_train), 100, 0.1
rng = np.random.default_rng(0)

batch = rng.choice(train_size, batch_size)
grads = net.gradient(x_train[batch], t_train[batch])
for name in net.params:
    net.params[name] -= lr * grads[name]
print("loss on the batch before the step: "
      f"{net.last_loss:.4f}")
print("loss on the batch after it:        "
      f"{net.loss(x_train[batch], t_train[batch]):.4f}")

# %% [markdown]
# A small step downhill. An **epoch** is as many iterations as it takes to go through the training set once, on
# average: $5000 / 100 = 50$ iterations here (600 on full MNIST). It is the natural unit for counting training and
# for measuring progress, because after each epoch the network has, in total, seen as many images as the training set
# holds.
#
# *Seen as many images* is not *seen every image*, though. `np.random.choice` draws with replacement, each batch
# independently of the others, so some images come up twice in an epoch and others not at all. How many are left out?

# %%
iter_per_epoch = train_size // batch_size
seen = np.zeros(train_size, dtype=bool)
for _ in range(iter_per_epoch):
    seen[rng.choice(train_size, batch_size)] = True
print("iterations per epoch:", iter_per_epoch)
print(f"images used in one epoch: {seen.mean():.4f}")
print(f"1 - 1/e = {1 - np.exp(-1):.4f}")

# %% [markdown]
# About 63%: each image escapes each of the 5,000 draws with probability $1 - 1/5000$, so it escapes all of them with
# probability $(1 - 1/5000)^{5000} \approx 1/e \approx 0.37$. Over many epochs every image gets its turn, so the book's
# way works; the exercise below writes the other common way, a shuffled order cut into batches.
#
# ## The training loop
#
# Now the whole loop, as in the book: a fresh network, 20 epochs of 50 iterations, the mini-batch loss recorded at
# every iteration, and the accuracy on the whole training set and on the test set measured at the start and after
# every epoch. The accuracies, over all the images, say how the network does in general; the loss of one batch
# cannot.

# %%
net = TwoLayerNet(input_size=784, hidden_size=50,
                  output_size=10, weight_init_std=0.01,
                  dtype=np.float32, seed=0)
rng = np.random.default_rng(0)
epochs = 20
train_loss = []
train_acc = [net.accuracy(x_train, t_train)]
test_acc = [net.accuracy(x_test, t_test)]

start = time.perf_counter()
for i in range(epochs * iter_per_epoch):
    batch = rng.choice(train_size, batch_size)
    grads = net.gradient(x_train[batch], t_train[batch])
    for name in net.params:
        net.params[name] -= lr * grads[name]
    train_loss.append(net.last_loss)
    if (i + 1) % iter_per_epoch == 0:
        epoch = (i + 1) // iter_per_epoch
        train_acc.append(net.accuracy(x_train, t_train))
        test_acc.append(net.accuracy(x_test, t_test))
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  iteration {i + 1:4d}  "
                  f"train acc {train_acc[-1]:.3f}  "
                  f"test acc {test_acc[-1]:.3f}")
seconds = time.perf_counter() - start
print(f"{len(train_loss)} iterations in {seconds:.1f} s")

# %% [markdown]
# ## Learning curves
#
# The loss of every iteration, and the accuracies of every epoch:

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(np.arange(1, len(train_loss) + 1), train_loss,
         color="#9fa8da", linewidth=0.8,
         label="one mini-batch")
per_epoch = np.reshape(train_loss, (epochs, -1)).mean(axis=1)
ax1.plot(np.arange(1, epochs + 1) * iter_per_epoch, per_epoch,
         color="#283593", marker="o", markersize=3,
         label="mean over the epoch")
ax1.set_xlabel("iteration")
ax1.set_ylabel("loss")
ax1.legend()
ax1.grid(alpha=0.3)
ax2.plot(train_acc, marker="o", markersize=3, label="train")
ax2.plot(test_acc, marker="s", markersize=3, label="test")
ax2.set_xlabel("epoch")
ax2.set_ylabel("accuracy")
ax2.set_ylim(0, 1)
ax2.legend(loc="lower right")
ax2.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# How to read them:
#
# * The loss of a single mini-batch jumps up and down: every batch is a different sample of 100 images, some easier
#   than others. Its mean over each epoch falls steadily, fast at first and then slowly: the steps are the same size,
#   but the slope they follow flattens out.
# * The accuracies rise quickly in the first epochs and then creep. The training accuracy ends a few points above the
#   test accuracy (about 94% against 90% here): the network has begun to fit the 5,000 images it learns from better
#   than images it has never seen. That gap is **overfitting**; with more data it shrinks, as the full-MNIST run below
#   shows.
#
# The test accuracy is the one that counts. Here are some of the test images the network reads wrong, with the
# probability it gave to its answer:

# %%
probs = softmax(net.predict(x_test))
predicted = probs.argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test)
print(len(wrong), "of", len(t_test),
      "test images misclassified")

fig, axes = plt.subplots(2, 8, figsize=(8, 2.6))
for ax, i in zip(axes.flat, wrong):
    ax.imshow(x_test[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"{t_test[i]}→{predicted[i]} "
                 f"{probs[i, predicted[i]]:.0%}", fontsize=9)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# Each title reads *true label → prediction*, with the probability of the prediction. Some of these are hard for a
# person too; others are not, and a better network (lessons 13 to 18) gets them right.
#
# ### Exercise: the mini-batches of an epoch
#
# Write `epoch_batches(rng, n, batch_size)`: the mini-batches of one epoch over `n` training images, as a list of
# arrays of indices. Every index from 0 to `n - 1` must appear exactly once, in a random order drawn from the
# generator `rng`, cut into batches of `batch_size` (the last batch shorter when `batch_size` does not divide `n`).
# Each call is a new epoch, so it must give a new order. The check runs your function on 5,000 images in batches of
# 100 and on smaller cases, and looks at what an epoch covers, the sizes of the batches, and the order.

# %% tags=["exercise"] exercise="epoch-batches"
def epoch_batches(rng, n, batch_size):
    """The mini-batches of one epoch: a list of index arrays,
    every index of range(n) exactly once, in random order."""
    batches = []
    # your code: a random order of the n indices, cut into
    # pieces of batch_size
    return batches


# %% tags=["check"] exercise="epoch-batches"
from nnlib import exercises as ex


def reference_batches(rng, n, batch_size):
    order = rng.permutation(n)
    return [order[i:i + batch_size]
            for i in range(0, n, batch_size)]


def flat(batches):
    """All indices of an epoch in one int64 array."""
    return np.concatenate(
        [np.ravel(b) for b in batches]
        + [np.zeros(0, dtype=np.int64)]).astype(np.int64)


def what_an_epoch_covers(batches):
    """Every index used, sorted, and the batch sizes."""
    def one_epoch(seed, n, batch_size):
        rng = np.random.default_rng(seed)
        chosen = batches(rng, n, batch_size)
        return {"indices used": np.sort(flat(chosen)),
                "batch sizes": [len(b) for b in chosen]}
    return one_epoch


def how_it_is_ordered(batches):
    """Whether the order is shuffled, new at every epoch, and
    reproducible from the seed."""
    def epochs_in_a_row(n, size):
        one = batches(np.random.default_rng(1), n, size)
        rng = np.random.default_rng(2)
        first = batches(rng, n, size)
        second = batches(rng, n, size)
        again = batches(np.random.default_rng(2), n, size)
        order = flat(one)
        return {
            "a shuffled permutation": np.array_equal(
                np.sort(order), np.arange(n))
                and not np.array_equal(order, np.arange(n)),
            "new order each epoch": not np.array_equal(
                flat(first), flat(second)),
            "same seed, same batches": np.array_equal(
                flat(first), flat(again)),
        }
    return epochs_in_a_row


ex.report(
    ex.same_function(
        "5,000 images in batches of 100: every index once",
        what_an_epoch_covers(epoch_batches),
        what_an_epoch_covers(reference_batches),
        cases=[(0, 5000, 100)],
        hint="rng.permutation(n) is every index once, in a "
             "random order; cut it with order[i:i + "
             "batch_size] for i in range(0, n, batch_size). "
             "rng.choice(n, batch_size) draws with "
             "replacement: repeats and gaps."
    ),
    ex.same_function(
        "a last batch that is shorter (250 in batches of 64, "
        "7 in batches of 3)",
        what_an_epoch_covers(epoch_batches),
        what_an_epoch_covers(reference_batches),
        cases=[(0, 250, 64), (0, 7, 3)],
        hint="range(0, n, batch_size) reaches the last, "
             "shorter batch: 250 images in batches of 64 are "
             "64, 64, 64 and 58."
    ),
    ex.same_function(
        "the order: shuffled, new at every epoch, the same "
        "from the same seed",
        how_it_is_ordered(epoch_batches),
        how_it_is_ordered(reference_batches),
        cases=[(5000, 100)],
        hint="Draw the order from the rng you are given "
             "(rng.permutation(n)), at every call: not "
             "np.arange(n), and not a generator of your own."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="epoch-batches"
def epoch_batches(rng, n, batch_size):
    """The mini-batches of one epoch: a list of index arrays,
    every index of range(n) exactly once, in random order."""
    order = rng.permutation(n)
    batches = [order[i:i + batch_size]
               for i in range(0, n, batch_size)]
    return batches


rng = np.random.default_rng(0)
batches = epoch_batches(rng, 5000, 100)
print(len(batches), "batches; indices used:",
      len(np.unique(np.concatenate(batches))))

# %% [markdown]
# ## The same with nnlib's Trainer
#
# Your loop is what [`Trainer`](../../reference/trainer/#nnlib.trainer.Trainer) does, with the shuffled epochs of
# the exercise: each epoch it draws a permutation of the training set and cuts it into mini-batches, so every image is
# used once per epoch. It records the same lists (`train_loss_list`, `train_acc_list`, `test_acc_list`) and reports its
# progress to a `callback` after every iteration and epoch. The same network, the same settings:

# %%
from nnlib.trainer import Trainer


def report(info):
    if info["event"] == "epoch" and info["epoch"] % 5 == 0:
        print(f"epoch {info['epoch']:2d}  "
              f"train acc {info['train_acc']:.3f}  "
              f"test acc {info['test_acc']:.3f}")


net2 = TwoLayerNet(input_size=784, hidden_size=50,
                   output_size=10, weight_init_std=0.01,
                   dtype=np.float32, seed=0)
trainer = Trainer(
    net2, x_train, t_train, x_test, t_test, epochs=20,
    mini_batch_size=100, optimizer="sgd",
    optimizer_param={"lr": 0.1}, seed=0, callback=report,
)
trainer.train()
print(f"Trainer: test accuracy {trainer.final_test_acc:.3f} "
      f"in {trainer.elapsed:.1f} s")
print(f"our loop: test accuracy {test_acc[-1]:.3f}")

# %% [markdown]
# The two end within a point of each other: drawing batches with replacement or going through a shuffled order makes
# little difference over 20 epochs, since both use every image about equally often in the long run. The shuffled order
# is the usual choice because it guarantees it within every epoch.
#
# ## Full MNIST: run it locally
#
# 5,000 images are a twelfth of MNIST's training set. The full set is too big for a page (its training takes minutes
# on a native NumPy), so it runs on your machine, with nnlib's command line. This command trains the same network with
# the book's settings, 17 epochs of 600 iterations (10,200 iterations, the book's 10,000 rounded up to whole epochs):
#
# ```bash
# python -m nnlib train --model two-layer --data mnist --hidden 50 \
#     --optimizer sgd --lr 0.1 --batch-size 100 --epochs 17
# ```
#
# It finds MNIST through the environment variable `NNLIB_DATA` (a folder with the four files), or in nnlib's cache,
# or downloads it there the first time (`python -m nnlib info` shows where it looks). One difference from the page: the
# command starts from He initialisation (lesson 9) instead of the standard deviation 0.01.
#
# On our machine (two CPU cores shared with other work, float32) it ran its 17 epochs in about 12 minutes and
# printed `test accuracy: 0.9718`: **97.2%**, where the book reports about 97%. In the page, the same network on the
# 5,000-image subset reaches about 90% on its 1,000 test images. The network and the training are the same; the
# difference is twelve times as much data, which also narrows the gap between training and test accuracy: 98.2%
# against 97.2% after the last epoch on full MNIST, where the subset left about 94% against 90%.
#
# ## Summary
#
# * Mini-batch stochastic gradient descent repeats one **iteration**: a random mini-batch, its gradient by
#   backpropagation, a step of every parameter against it. An **epoch** is as many iterations as the training set
#   has batches (50 here, 600 on full MNIST).
# * Drawing batches with replacement leaves about $1/e \approx 37\%$ of the images out of any one epoch; a shuffled
#   order cut into batches uses each exactly once.
# * Record the mini-batch loss every iteration (noisy; average it per epoch) and the training and test accuracy every
#   epoch. A training accuracy above the test accuracy is the beginning of overfitting; more data reduces it.
# * The book's `TwoLayerNet` reaches about 90% on 5,000 MNIST images in the page and 97.2% on the full set.
#
# Next: [Michael Nielsen's network](../11-nielsen-network/), reading another author's training code and finding its
# bug. API reference: [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet),
# [`nnlib.trainer.Trainer`](../../reference/trainer/#nnlib.trainer.Trainer),
# [`nnlib.datasets.load_mnist`](../../reference/datasets/#nnlib.datasets.load_mnist).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. To train the
# notebook's own loop on full MNIST, change the first cell's `load_mnist(subset=True)` to `load_mnist()`: then an
# epoch is 600 iterations, and `iter_per_epoch` follows by itself.
