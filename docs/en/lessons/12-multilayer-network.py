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
# # 12. A multi-layer tanh/softmax network
#
# Here is a network of a kind you will find in many notebooks on the web: 784 inputs, 100 tanh units, 10 softmax
# outputs. Around it is everything that turns a network into an experiment: weights drawn with a formula
# ("Xavier"), MNIST read straight from its raw files, the data cut into three sets, a search for the learning rate,
# curves of training against validation, a look at the digits it gets wrong, and the trained weights saved to a
# file. Each step is a decision someone made. This lesson rebuilds every one of them, checks why it is done that way,
# and points out the two places where such notebooks usually go wrong: a learning rate too small to do anything, and
# weights saved with pickle.
#
# **After this lesson you can**
#
# * explain why the initial weights need a scale that depends on the layer's size, and draw Glorot's ("Xavier")
#   uniform weights;
# * read and write MNIST's idx files byte by byte, and say what the magic number, the type code, the dimensions and
#   "big-endian" mean;
# * split data into training, validation and test sets, and say which decision each one is for;
# * search for a learning rate on a log scale, read training against validation curves, and recognise overfitting;
# * look at the mistakes of a classifier through its predicted probabilities;
# * save and load a network's parameters without pickle, and explain why loading a pickle is dangerous.
#
# **You need** the layers and backpropagation of part II (lessons 6 to 9): here they come ready-made from nnlib,
# and this lesson is about everything around them.

# %%
import pickle
import tempfile
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## The data, as a file: idx
#
# MNIST is distributed as four files: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte` (60,000 images and their
# labels) and the same two for the 10,000 test images, `t10k-...`. Their format, **idx**, is as simple as a file
# format gets: a short header, then the numbers, one after the other.
#
# | bytes | what they hold |
# | --- | --- |
# | 0–1 | two zero bytes |
# | 2 | the **type code** of the values: `0x08` unsigned byte, `0x09` signed byte, `0x0B` 16-bit integer, `0x0C` 32-bit integer, `0x0D` float32, `0x0E` float64 |
# | 3 | the number of **dimensions** $d$: 3 for a stack of images, 1 for a list of labels |
# | 4 to $4 + 4d - 1$ | the size of each dimension, a 32-bit unsigned integer each, **big-endian** |
# | from $4 + 4d$ | the values, row after row (the last index changes fastest), each big-endian too |
#
# The first four bytes together are the **magic number**: a reader checks them first to know it has the right kind of
# file. **Big-endian** means the most significant byte comes first, as we write numbers: 5000 is `0x00001388`, stored
# as the bytes `00 00 13 88`. Most computers today are little-endian and keep the same number in memory as
# `88 13 00 00`, so a reader must say which order the file uses.
#
# The browser has no MNIST files, but nnlib bundles a subset of them, 5,000 training images (500 of each digit)
# and 1,000 test images. We write them into idx files ourselves, with the header above, and then read them back
# exactly as we would read the real ones.

# %%
from nnlib.datasets import load_mnist

(x_all, t_all), (x_test_all, t_test_all) = load_mnist(
    subset=True, normalize=False)
print("images:", x_all.shape, x_all.dtype,
      " labels:", t_all.shape, t_all.dtype)


def idx_bytes(array):
    """The bytes of an idx file that holds a uint8 array."""
    array = np.asarray(array, dtype=np.uint8)
    # two zero bytes, type code 0x08 (uint8), dimensions
    magic = bytes([0, 0, 0x08, array.ndim])
    sizes = np.array(array.shape, dtype=">u4").tobytes()
    return magic + sizes + array.tobytes()


folder = Path(tempfile.mkdtemp())
files = {
    "train-images-idx3-ubyte": x_all.reshape(-1, 28, 28),
    "train-labels-idx1-ubyte": t_all,
    "t10k-images-idx3-ubyte": x_test_all.reshape(-1, 28, 28),
    "t10k-labels-idx1-ubyte": t_test_all,
}
for name, array in files.items():
    (folder / name).write_bytes(idx_bytes(array))
    size = (folder / name).stat().st_size
    print(f"{name}: {size} bytes")

# %% [markdown]
# The image file holds $16 + 5000 \cdot 28 \cdot 28 = 3{,}920{,}016$ bytes: a 16-byte header, then one byte per
# pixel. The label file has an 8-byte header (one dimension) and one byte per label. Here are the first 16 bytes of
# the image file, in hexadecimal, and three ways of reading the header:

# %%
import struct

data = (folder / "train-images-idx3-ubyte").read_bytes()
print(data[:16].hex(" "))
print("type code:", hex(data[2]), " dimensions:", data[3])
ndim = data[3]
print("sizes, read big-endian:   ",
      np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
print("sizes, read little-endian:",
      np.frombuffer(data, dtype="<u4", count=ndim, offset=4))
# the classic way: four big-endian 32-bit integers
print("struct.unpack('>4I'):",
      struct.unpack(">4I", data[:16]))

# %% [markdown]
# Read big-endian, the sizes are $5000 \times 28 \times 28$. Read in the other order, they are nonsense: more than
# two billion images of 469,762,048 pixels a side. The first integer, $2051 = \texttt{0x00000803}$, is the magic
# number of every idx file of unsigned bytes with three dimensions; the label files start with
# $2049 = \texttt{0x00000801}$.
#
# After the header come the pixels. `np.frombuffer` views the bytes as an array without copying them; `offset`
# skips the header:

# %%
sizes = np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
pixels = np.frombuffer(data, dtype=np.uint8,
                       offset=4 + 4 * ndim)
images = pixels.reshape(sizes)
print(images.shape, images.dtype)
print("the same as the images we wrote:",
      np.array_equal(images, x_all.reshape(-1, 28, 28)))

# %% [markdown]
# ### Exercise: a reader for every idx file
#
# Write `parse_idx_bytes(data)` for any idx file: any number of dimensions, any type code. Read the type code and
# the number of dimensions from the header, the sizes as big-endian 32-bit integers, and find where the values start.
# The table `IDX_DTYPES` turns a type code into a NumPy dtype (`">f4"` is a big-endian float32), and the last line,
# given, converts the values to the machine's own byte order. The check compares your reader with
# [`nnlib.datasets.parse_idx`](../../reference/datasets/#nnlib.datasets.parse_idx) on an image file, a label file and
# a file of float32 numbers.

# %% tags=["exercise"] exercise="idx-parser"
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2",
              0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx_bytes(data):
    """The array stored in the bytes of an idx file, in the
    machine's own byte order."""
    # your code: the dtype from the type code, the shape from
    # the sizes, and where the values start
    dtype = np.dtype(">u1")
    shape = (len(data),)
    start = 0
    values = np.frombuffer(data, dtype=dtype, offset=start)
    native = dtype.newbyteorder("=")
    return values.reshape(shape).astype(native)


# %% tags=["check"] exercise="idx-parser"
from nnlib import exercises as ex
from nnlib.datasets import parse_idx

floats = np.random.default_rng(12).normal(size=(3, 4))
float_file = (bytes([0, 0, 0x0D, 2])
              + np.array([3, 4], dtype=">u4").tobytes()
              + floats.astype(">f4").tobytes())
ex.report(
    ex.same_function(
        "an image file (3 dimensions)",
        parse_idx_bytes, parse_idx,
        cases=[(idx_bytes(x_all[:20].reshape(-1, 28, 28)),)],
        hint="The number of dimensions is data[3]; the sizes "
             "are that many '>u4' numbers from offset 4, and "
             "the values start at 4 + 4 * ndim."),
    ex.same_function(
        "a label file (1 dimension) and float32 numbers "
        "(type code 0x0D, 2 dimensions)",
        parse_idx_bytes, parse_idx,
        cases=[(idx_bytes(t_all[:20]),), (float_file,)],
        hint="The header's length depends on data[3] (8 "
             "bytes for labels, not 16), the dtype on the "
             "type code: np.dtype(IDX_DTYPES[data[2]])."),
    lang="en",
)

# %% tags=["solution"] exercise="idx-parser"
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2",
              0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx_bytes(data):
    """The array stored in the bytes of an idx file, in the
    machine's own byte order."""
    dtype = np.dtype(IDX_DTYPES[data[2]])
    ndim = data[3]
    shape = tuple(np.frombuffer(data, dtype=">u4",
                                count=ndim, offset=4))
    start = 4 + 4 * ndim
    values = np.frombuffer(data, dtype=dtype, offset=start)
    native = dtype.newbyteorder("=")
    return values.reshape(shape).astype(native)


print(parse_idx_bytes(idx_bytes(t_all[:12])))

# %% [markdown]
# nnlib has this reader as [`parse_idx`](../../reference/datasets/#nnlib.datasets.parse_idx) (bytes in, array out)
# and [`read_idx`](../../reference/datasets/#nnlib.datasets.read_idx) (a file name in, gzipped or not: the files on
# the MNIST site are gzipped). It also checks what a quick reader does not: that the magic number is valid and that
# the file holds exactly as many bytes as the header announces, so a truncated download raises an error instead of
# becoming a shorter, wrong array. From here on the lesson reads with nnlib, and turns the bytes into what a network
# wants: rows of 784 floats between 0 and 1, and integer labels.

# %%
from nnlib.datasets import parse_idx, read_idx

x_file = read_idx(folder / "train-images-idx3-ubyte")
t_file = read_idx(folder / "train-labels-idx1-ubyte")
x_test_file = read_idx(folder / "t10k-images-idx3-ubyte")
t_test_file = read_idx(folder / "t10k-labels-idx1-ubyte")
print(x_file.shape, t_file.shape,
      x_test_file.shape, t_test_file.shape)
print("read back unchanged:",
      np.array_equal(x_file.reshape(-1, 784), x_all)
      and np.array_equal(t_file, t_all))
try:
    parse_idx(data[:-1], "a file one byte short")
except ValueError as error:
    print("ValueError:", error)

# bytes to floats in [0, 1], labels to integers
x = x_file.reshape(len(x_file), -1).astype(np.float32) / 255
t = t_file.astype(np.int64)
x_test = x_test_file.reshape(len(x_test_file), -1)
x_test = x_test.astype(np.float32) / 255
t_test = t_test_file.astype(np.int64)
print(x.shape, x.dtype, "values from", x.min(), "to", x.max())

# %% [markdown]
# ## Training, validation and test sets
#
# Training a network involves two kinds of choices. The **weights** are learned from the data. The rest, the
# learning rate, the number of epochs, the size of the hidden layer, are **hyperparameters**: we choose them by
# trying a few and comparing. Each kind of choice needs data that the other did not see:
#
# * the **training set** is what the weights learn from;
# * the **validation set** is what we compare hyperparameters on;
# * the **test set** is looked at once, at the very end, to report how well the finished network does on new data.
#
# Why not compare hyperparameters on the test set? Because then we pick the settings that happen to suit those
# particular 1,000 images, and the test accuracy stops being an honest estimate: it has been used to make a
# decision. With full MNIST the usual split is 50,000 training images, 10,000 validation images taken from the
# training file, and the 10,000 images of the test file. Here we hold out a fifth of our 5,000 training images.
#
# The simplest split shuffles the indices and cuts:

# %%
def split(x, t, validation_fraction, rng):
    """Shuffle, then hold out a fraction of (x, t)."""
    order = rng.permutation(len(x))
    n_val = round(validation_fraction * len(x))
    val, train = order[:n_val], order[n_val:]
    return (x[train], t[train]), (x[val], t[val])


(x_a, t_a), (x_b, t_b) = split(x, t, 0.2,
                               np.random.default_rng(0))
print("training:", x_a.shape, " validation:", x_b.shape)
print("validation images per digit:",
      np.unique(t_b, return_counts=True)[1])

# %% [markdown]
# Shuffling matters: if the file were sorted by digit, the last fifth would hold only 8s and 9s. But a random cut
# gives each digit its own share by chance: between 83 and 116 validation images per digit here, although the data
# hold exactly 500 of each. A **stratified** split draws the same fraction from every class.
# [`nnlib.datasets.train_validation_split`](../../reference/datasets/#nnlib.datasets.train_validation_split) does
# that by default; we use it from here on.

# %%
from nnlib.datasets import train_validation_split

(x_train, t_train), (x_val, t_val) = train_validation_split(
    x, t, validation_fraction=0.2, seed=0)
print("training:", x_train.shape, " validation:", x_val.shape,
      " test:", x_test.shape)
print("validation images per digit:",
      np.unique(t_val, return_counts=True)[1])
print("training images per digit:  ",
      np.unique(t_train, return_counts=True)[1])

# %% [markdown]
# ## Xavier initialisation
#
# Before training, the weights must be set to something. Zero will not do (every hidden unit would compute the same
# thing and get the same update forever), so they are drawn at random. But from how wide a range?
#
# A unit of a layer with $n_\text{in}$ inputs computes $a = \sum_{i=1}^{n_\text{in}} w_i x_i$. If the weights and the
# inputs are independent, with mean zero, the variances add up:
#
# $$\operatorname{Var}(a) = n_\text{in} \operatorname{Var}(w) \operatorname{Var}(x).$$
#
# So each layer multiplies the variance of the signal by $n_\text{in} \operatorname{Var}(w)$. Through several layers
# these factors multiply: below 1 the signal fades away, above 1 it grows until tanh **saturates**, stuck at $\pm 1$
# where its derivative $1 - \tanh^2$ is almost zero, so almost no gradient flows back. To keep the factor at 1 we
# need $\operatorname{Var}(w) = 1/n_\text{in}$. The same argument for the gradients, which flow backwards through
# $n_\text{out}$ connections, asks for $1/n_\text{out}$. Xavier Glorot and Yoshua Bengio (2010) took the compromise
#
# $$\operatorname{Var}(w) = \frac{2}{n_\text{in} + n_\text{out}}.$$
#
# A uniform distribution on $[-a, a]$ has variance $a^2/3$, which gives **Glorot's (Xavier) uniform initialisation**:
#
# $$w \sim U\!\left(-\sqrt{\frac{6}{n_\text{in} + n_\text{out}}},\ \sqrt{\frac{6}{n_\text{in} + n_\text{out}}}\right).$$
#
# For our first layer, $784 \to 100$, the limit is $\sqrt{6/884} \approx 0.082$; for the second, $100 \to 10$, it is
# $\sqrt{6/110} \approx 0.23$. (tanh is close to the identity near 0, which is why a linear argument fits it.)

# %%
def xavier_uniform(n_in, n_out, rng):
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


W = xavier_uniform(784, 100, np.random.default_rng(0))
print("limit:", np.sqrt(6 / 884),
      " largest |w|:", np.abs(W).max())
print("variance:", W.var(), " 2 / (784 + 100):", 2 / 884)

# nnlib's version takes the weight's shape
from nnlib import init

ours = xavier_uniform(784, 100, np.random.default_rng(3))
theirs = init.xavier_uniform((784, 100),
                             rng=np.random.default_rng(3))
print("identical to nnlib's:", np.array_equal(ours, theirs))

# %% [markdown]
# nnlib has this initialisation as
# [`nnlib.init.xavier_uniform`](../../reference/init/#nnlib.init.xavier_uniform): with the same random generator
# it draws exactly the same numbers as ours.
#
# Now the test: send 200 images through a stack of five tanh layers of 100 units, and look at the values each layer
# puts out, for weights drawn uniformly from $[-0.01, 0.01]$ (too small), from $[-1, 1]$ (too large), and with
# Xavier's limit.

# %%
def tanh_stack(x, limit, layers=5, width=100, seed=0):
    """The outputs of each layer of a stack of tanh layers."""
    rng = np.random.default_rng(seed)
    outputs, h = [], x
    for _ in range(layers):
        n_in = h.shape[1]
        if limit == "xavier":
            W = xavier_uniform(n_in, width, rng)
        else:
            W = rng.uniform(-limit, limit, size=(n_in, width))
        h = np.tanh(h @ W)
        outputs.append(h)
    return outputs


limits = {0.01: "±0.01 (too small)", 1.0: "±1 (too large)",
          "xavier": "Xavier"}
fig, axes = plt.subplots(3, 5, figsize=(9, 5.4), sharex=True,
                         sharey="row")
for row, (limit, label) in zip(axes, limits.items()):
    outputs = tanh_stack(x_train[:200], limit)
    for layer, (ax, h) in enumerate(zip(row, outputs), 1):
        ax.hist(h.ravel(), bins=40, range=(-1, 1),
                color="#3949ab")
        ax.set_yticks([])
        if limit == 0.01:
            ax.set_title(f"layer {layer}")
    row[0].set_ylabel(label)
    saturated = np.mean(np.abs(outputs[-1]) > 0.99)
    print(f"{label:18}: std per layer",
          np.round([h.std() for h in outputs], 4),
          f" layer 5 saturated: {saturated:.0%}")
fig.tight_layout()
plt.show()

# %% [markdown]
# * **Too small**: each layer shrinks the signal's variance by a factor of about $100 \cdot 0.01^2 / 3 \approx 0.003$
#   (its standard deviation by about 0.06): a few ten-thousandths in the third layer, 0 to four decimals from the
#   fourth on. The gradients shrink the same way on their way back, and the layers far from the output hardly learn.
# * **Too large**: the values pile up at $-1$ and $+1$; in the fifth layer most of them are beyond $\pm 0.99$.
#   Saturated tanh units pass back almost no gradient, so training starts stuck.
# * **Xavier**: the values stay spread over the range in every layer, neither vanishing nor saturated. They narrow a
#   little from layer to layer (tanh flattens the larger sums), but slowly.
#
# (You will also meet a simpler form, a normal distribution with standard deviation $\sqrt{1/n_\text{in}}$: it is
# what "Deep Learning from Scratch" calls Xavier, and nnlib's networks use it for `weight_init_std="xavier"`. It
# keeps the forward signal's variance, and is close to Glorot's for layers whose $n_\text{in}$ and $n_\text{out}$
# are similar. Lesson 14 compares initialisations on deeper networks.)
#
# ## The network
#
# Affine → tanh → Affine → softmax is a one-hidden-layer case of nnlib's
# [`MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet). We give it Glorot's uniform weights: the
# network's `params` are the very arrays its layers compute with, so we fill them in place. The parameters are
# float32, which is precise enough for training and makes every step faster.
#
# The loss is softmax with cross-entropy, whose gradient at the scores is simply $\mathbf{y} - \mathbf{t}$
# (lesson 7). You will also see networks trained with the squared error $\lVert \mathbf{y} - \mathbf{t} \rVert^2$ on
# the softmax outputs; that needs the full softmax Jacobian in the backward pass, and learns slowly exactly when the
# network is confidently wrong, because the softmax flattens there and its Jacobian becomes tiny.

# %%
from nnlib.nets import MultiLayerNet
from nnlib.trainer import Trainer


def new_net(seed=0):
    """784-100-10, tanh, softmax, Glorot uniform weights."""
    net = MultiLayerNet(784, [100], 10, activation="tanh",
                        dtype=np.float32, seed=seed)
    rng = np.random.default_rng(seed)
    for name in ("W1", "W2"):
        W = net.params[name]
        # in place: the layers hold these very arrays
        W[...] = init.xavier_uniform(W.shape, rng=rng)
    return net


net = new_net()
print(net)
print({name: p.shape for name, p in net.params.items()})
print("validation accuracy before training:",
      net.accuracy(x_val, t_val))

# %% [markdown]
# ## Searching for the learning rate
#
# The learning rate is the first hyperparameter to get right (lesson 5 showed what too small and too large do).
# Nobody knows the right value in advance, and it can be anywhere between $10^{-4}$ and $10$, so we try values
# spread evenly on a **log scale**, a factor of $\sqrt{10} \approx 3.2$ apart, and train a fresh network with each,
# starting from the same weights. Two epochs each are enough to see which rates learn at all; we compare them on the
# validation set. `Trainer` runs the mini-batch loop (batches of 100, shuffled every epoch); the data we give it as
# "test" data are used only to measure accuracy, so we pass the validation set there.

# %%
rates = 10.0 ** np.arange(-3, 0.6, 0.5)
search = []
for lr in rates:
    net = new_net()
    # we compare the final accuracies: after each epoch,
    # check only 100 images (evaluate_sample_num_per_epoch)
    trainer = Trainer(net, x_train, t_train, x_val, t_val,
                      epochs=2, optimizer="sgd",
                      optimizer_param={"lr": lr}, seed=0,
                      evaluate_sample_num_per_epoch=100,
                      verbose=False)
    val_acc = trainer.train()
    val_loss = net.loss(x_val, t_val)
    search.append((val_loss, val_acc))
    print(f"lr {lr:7.4f}: validation loss {val_loss:8.3f}, "
          f"accuracy {val_acc:.3f}")

val_losses, val_accs = np.array(search).T
best_lr = rates[np.argmin(val_losses)]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.loglog(rates, val_losses, "o-")
ax1.set_ylabel("validation loss")
ax2.semilogx(rates, val_accs, "o-")
ax2.set_ylabel("validation accuracy")
for ax in (ax1, ax2):
    ax.axvline(best_lr, color="#e65100", lw=1, ls="--")
    ax.set_xlabel("learning rate (log scale)")
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
print(f"lowest validation loss at lr = {best_lr:.3f}")

# %% [markdown]
# The curve has the shape such searches usually have. On the left the network learns, but too slowly for two
# epochs; the loss falls as the rate grows, until about $0.3$; beyond that the steps overshoot and the loss shoots
# up (at $3.2$ it is far above the $\log 10 \approx 2.3$ of a network that guesses). On a linear axis, all the rates
# below $0.1$ would be squeezed into one point: the log scale is what makes the search readable. We take the rate
# with the lowest validation loss.
#
# A **too small** rate is worse than slow. Here is one epoch with $\eta = 10^{-9.5}$, a value that such a search
# can end up with when it compares rates after a single step from the same weights (after one tiny step, every tiny
# rate gives the same loss, so the comparison says nothing):

# %%
net = new_net()
W1_before = net.params["W1"].copy()
trainer = Trainer(net, x_train, t_train, x_val, t_val,
                  epochs=1, optimizer="sgd",
                  optimizer_param={"lr": 10 ** -9.5}, seed=0,
                  verbose=False)
val_acc = trainer.train()
moved = net.params["W1"] != W1_before
print(f"weights of W1 that changed: {moved.mean():.2%}")
print("largest change:",
      np.abs(net.params["W1"] - W1_before).max())
print("spacing of float32 numbers near 0.05:",
      np.spacing(np.float32(0.05)))
print("validation accuracy:", val_acc)

# %% [markdown]
# Almost no weight of $W_1$ moved at all. The gradients are small, so each step would change a weight by about
# $10^{-11}$ or less: far below the gap between two neighbouring float32 numbers of the weights' size (a weight of
# $0.05$ has no float32 neighbour closer than $3.7 \times 10^{-9}$), so the update rounds back to the same number.
# Only weights very close to zero, where float32 numbers lie densely, move, by amounts that change nothing. In float64
# every weight would move, just as uselessly. The network stays as random as it started: the validation accuracy is
# the one it had before training.
#
# ## Training against validation
#
# Now we train with the rate we found, for 20 epochs, and after every epoch measure the loss and the accuracy on the
# validation set and on 1,000 of the training images (a sample is enough to follow the training loss, and saves
# time). `Trainer` calls our function `record` with its progress, and the
# page shows a progress bar from the same reports.

# %%
history = []


def record(info):
    if info["event"] == "epoch":
        # a sample of 1,000 training images, to save time
        history.append((net.loss(x_train[:1000],
                                 t_train[:1000]),
                        net.loss(x_val, t_val),
                        info["train_acc"], info["test_acc"]))


net = new_net()
trainer = Trainer(net, x_train, t_train, x_val, t_val,
                  epochs=20, optimizer="sgd",
                  optimizer_param={"lr": best_lr}, seed=0,
                  evaluate_sample_num_per_epoch=1000,
                  callback=record)
trainer.train()
train_loss, val_loss, train_acc, val_acc = np.array(history).T
print("epoch   loss: training  validation   "
      "accuracy: training  validation")
for e in (1, 5, 10, 15, 20):
    i = e - 1
    print(f"{e:5}  {train_loss[i]:15.3f} {val_loss[i]:11.3f}"
          f"  {train_acc[i]:19.3f} {val_acc[i]:11.3f}")

epochs = np.arange(1, 21)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(epochs, train_loss, "o-", ms=3, label="training")
ax1.plot(epochs, val_loss, "s-", ms=3, label="validation")
ax1.set_ylabel("loss")
ax2.plot(epochs, train_acc, "o-", ms=3, label="training")
ax2.plot(epochs, val_acc, "s-", ms=3, label="validation")
ax2.set_ylabel("accuracy")
for ax in (ax1, ax2):
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# For the first few epochs both curves improve together: the network learns what digits look like. Then they part.
# The training loss keeps falling, to a fraction of the validation loss, and the training accuracy heads for 100%,
# while the validation loss hardly moves after about ten epochs and the validation accuracy stalls around 91%. From
# there on the network is mostly learning the particular 4,000 images it trains on, their quirks and their odd
# examples, rather than anything that helps with new digits. That is **overfitting**, and the widening gap between
# the training and the validation curves is how you see it. With 4,000 training images and 79,510 parameters it
# comes early. Train longer, or with a larger rate, and the validation loss even starts to rise again.
#
# The validation curves tell us what to do about it: stop where the validation loss stops improving (**early
# stopping**; `Trainer` does it with `validation_split` and `patience`), or use more data, or a method that keeps
# the weights from fitting noise (weight decay, dropout: lesson 16).
#
# ## The test set, once
#
# All decisions are made. Now, and only now, the test set:

# %%
from nnlib.functions import softmax

probs = softmax(net.predict(x_test))
predicted = probs.argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test)
print(f"test accuracy: {np.mean(predicted == t_test):.3f} "
      f"({len(wrong)} of {len(t_test)} test images wrong)")

# %% [markdown]
# About what the validation set predicted: it has been a fair stand-in for new data. Which digits does the network
# get wrong, and how sure was it? Under each misclassified digit, its ten predicted probabilities: the bar of the true
# digit in green, the network's answer in red.

# %%
fig, axes = plt.subplots(
    2, 6, figsize=(9, 3.4),
    gridspec_kw={"height_ratios": [1.2, 1]})
for column, i in enumerate(wrong[:6]):
    axes[0, column].imshow(x_test[i].reshape(28, 28),
                           cmap="gray_r")
    axes[0, column].set_title(
        f"true {t_test[i]}, said {predicted[i]}", fontsize=9)
    axes[0, column].axis("off")
    colors = ["#9fa8da"] * 10
    colors[t_test[i]] = "#2e7d32"
    colors[predicted[i]] = "#c62828"
    ax = axes[1, column]
    ax.bar(range(10), probs[i], color=colors)
    ax.set_ylim(0, 1)
    ax.set_xticks(range(10))
    ax.tick_params(labelsize=7)
    if column > 0:
        ax.set_yticklabels([])
axes[1, 0].set_ylabel("probability")
fig.tight_layout()
plt.show()

confidence = probs[wrong, predicted[wrong]]
print("probability of the wrong answer, median over the "
      f"mistakes: {np.median(confidence):.2f}")

# %% [markdown]
# Some mistakes are hesitations, two bars of similar height, often on digits a person would hesitate over too. Others
# are confident: a tall red bar with the true digit barely visible. The probabilities of a network trained to the
# point of overfitting tend to be too confident, one more reason to stop earlier.
#
# ## Saving and loading the parameters
#
# Training took a while; the result is the arrays in `net.params`. A common way to save them is `np.save` on the
# whole structure, for example a list of dicts of arrays. That works, but only through **pickle**, Python's general
# format for objects, and NumPy refuses to load it back unless told to trust the file:

# %%
layers_as_dicts = [
    {"w": net.params["W1"], "b": net.params["b1"]},
    {"w": net.params["W2"], "b": net.params["b2"]},
]
np.save(folder / "parameters.npy", layers_as_dicts)
try:
    np.load(folder / "parameters.npy")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# NumPy is right to refuse. A pickle is not data but a small program that rebuilds the objects, and it may call any
# function while doing so. Any object can choose what its pickle calls, through `__reduce__`. This harmless one
# calls `print`; a malicious file would call `os.system` with a command of its choice, and `pickle.load` would run it
# on your computer:

# %%
class Surprise:
    def __reduce__(self):
        # "to rebuild me, call print with this text"
        return (print, ("this line ran while loading!",))


payload = pickle.dumps(Surprise())
print(payload)
pickle.loads(payload)

# %% [markdown]
# So load a pickle only if you would run a program from the same source. Parameters need nothing of the kind: they
# are named arrays of numbers.
# [`nnlib.io.save_params`](../../reference/io/#nnlib.io.save_params) writes them as an `.npz` file (a zip archive
# with one `.npy` array per name), [`load_params`](../../reference/io/#nnlib.io.load_params) reads them back with
# pickle switched off, and [`assign_params`](../../reference/io/#nnlib.io.assign_params) copies them into a network
# after checking every name and shape:

# %%
from nnlib import io as nnio

path = folder / "tanh-net.npz"
nnio.save_params(path, net.params)
loaded = nnio.load_params(path)
for name, array in loaded.items():
    print(name, array.shape, array.dtype)

other = new_net(seed=1)
print("a fresh network, test accuracy:",
      other.accuracy(x_test, t_test))
nnio.assign_params(other, loaded)
print("with the loaded parameters:    ",
      other.accuracy(x_test, t_test))
print("same predictions:",
      np.array_equal(other.predict(x_test),
                     net.predict(x_test)))

# %% [markdown]
# ## Summary
#
# * **Xavier (Glorot) initialisation** draws weights from $U(-a, a)$ with $a = \sqrt{6/(n_\text{in} + n_\text{out})}$,
#   so the signal neither fades nor saturates tanh as it passes through the layers.
# * An **idx file** is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), the sizes as
#   big-endian 32-bit integers, then the values. Read it with `np.frombuffer(..., dtype=">u4")` or nnlib's
#   `read_idx`, which also checks the length.
# * **Training** set for the weights, **validation** set for the hyperparameters, **test** set once at the end. Split
#   after shuffling, best stratified by class.
# * Search the **learning rate** on a log scale, training each candidate for a few epochs; a rate that is far too
#   small changes almost no weight at all in float32.
# * When the training loss keeps falling and the validation loss does not, the network is **overfitting**.
# * Save parameters as arrays (`nnlib.io`, `.npz`), never with pickle: loading a pickle runs code.
#
# Part IV, training well, takes each of these further: better optimisers than plain SGD, initialisation for deeper
# networks, batch normalisation, and regularisation against overfitting.
#
# API reference: [`nnlib.datasets.read_idx`](../../reference/datasets/#nnlib.datasets.read_idx),
# [`nnlib.datasets.parse_idx`](../../reference/datasets/#nnlib.datasets.parse_idx),
# [`nnlib.datasets.train_validation_split`](../../reference/datasets/#nnlib.datasets.train_validation_split),
# [`nnlib.init.xavier_uniform`](../../reference/init/#nnlib.init.xavier_uniform),
# [`nnlib.nets.MultiLayerNet`](../../reference/nets/#nnlib.nets.MultiLayerNet),
# [`nnlib.trainer.Trainer`](../../reference/trainer/#nnlib.trainer.Trainer),
# [`nnlib.io`](../../reference/io/).
#
# **Run it locally.** Download this notebook with the button at the top of the page, install nnlib from this
# repository (`pip install .` in a clone, or the wheel the page offers), and open it in Jupyter. With the four MNIST
# files on your computer, read the real thing instead of the files this page writes: in the cell that reads the files
# with nnlib, replace the lines after the comment on floats by
#
# ```python
# folder = Path("mnist")  # the four files, .gz or not
# x = read_idx(folder / "train-images-idx3-ubyte.gz")
# x = x.reshape(len(x), -1).astype(np.float32) / 255
# t = read_idx(folder / "train-labels-idx1-ubyte.gz")
# t = t.astype(np.int64)
# x_test = read_idx(folder / "t10k-images-idx3-ubyte.gz")
# x_test = x_test.reshape(len(x_test), -1)
# x_test = x_test.astype(np.float32) / 255
# t_test = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
# t_test = t_test.astype(np.int64)
# ```
#
# and in the split cell below it set `validation_fraction=1 / 6`: 50,000 training and 10,000 validation images.
# The other cells run unchanged, about twelve times longer: natively, with NumPy on one thread, the search took 35 s
# and the 20 epochs 76 s at a quiet moment of our shared machine, several times that when it was busy. The result:
# the search picks the rate 1.0 (validation accuracy 96.0% after two epochs); after 20 epochs the training loss is
# 0.004 against a validation loss of 0.100, whose lowest point came at epoch 14 (overfitting again, later and milder
# with twelve times the data); the test accuracy is 97.5% (253 of the 10,000 test images wrong).
