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
# # 2. Activation functions
#
# A neuron does two things. It adds up its inputs, each multiplied by a weight, plus a bias:
#
# $$a = w_1 x_1 + w_2 x_2 + \dots + w_n x_n + b = \mathbf{w}^\top \mathbf{x} + b,$$
#
# and then passes that sum through an **activation function** $h$, so its output is $y = h(a)$.
#
# Why not output $a$ directly? Because a stack of linear maps is still one linear map:
# $W_2 (W_1 \mathbf{x}) = (W_2 W_1)\mathbf{x}$. However many layers we pile up, without a non-linear $h$ between
# them the whole network could only draw straight decision boundaries. The activation function is what lets depth
# pay off.
#
# In this lesson we write the classic activation functions with NumPy, plot them, look at their derivatives (which
# backpropagation will need from lesson 6 on), and make softmax safe against overflow. Each one also exists in
# [`nnlib.functions`](../../reference/functions/), and we check that our versions agree with it.
#
# Every code cell on this page can be edited and run in your browser; the outputs you see were produced when the
# site was built.

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnlib
from nnlib import functions as F

print("nnlib", nnlib.__version__, "· numpy", np.__version__)

# %% [markdown]
# ## The step function
#
# The perceptron of the 1950s fires when its input is positive and stays silent otherwise:
#
# $$h(a) = \begin{cases} 1 & a > 0 \\ 0 & a \le 0 \end{cases}$$
#
# With NumPy we do not loop over the elements: the comparison `a > 0` gives an array of booleans, which we turn into
# integers.

# %%
def step_function(a):
    return (np.asarray(a) > 0).astype(np.int64)


a = np.array([-1.0, 0.0, 2.5])
print(step_function(a))           # our version
print(F.step_function(a))         # nnlib's

# %% [markdown]
# Its derivative is $0$ everywhere except at $a = 0$, where it does not exist. A network trained by following
# gradients learns nothing through a step function: a small change of a weight changes nothing at the output.
# That is why the functions below replaced it.
#
# ## The sigmoid
#
# The sigmoid (logistic) function is a smooth step:
#
# $$\sigma(a) = \frac{1}{1 + e^{-a}}.$$
#
# It maps any real number into $(0, 1)$, $\sigma(0) = \tfrac12$, and it is symmetric: $\sigma(-a) = 1 - \sigma(a)$.
# Its derivative has a pleasant form that backpropagation uses all the time:
#
# $$\sigma'(a) = \frac{e^{-a}}{(1 + e^{-a})^2} = \sigma(a)\,\bigl(1 - \sigma(a)\bigr).$$
#
# The textbook formula has a trap: for a large negative $a$ (below about $-709$ in float64), $e^{-a}$ overflows. NumPy
# returns `inf` and prints a `RuntimeWarning`. The result, $1/(1 + \infty) = 0$, is the right answer, so this warning
# is harmless; but a training run that prints harmless warnings at every step buries the few that matter, such as the
# one that comes with a `nan` in the loss.
# [`nnlib.functions.sigmoid`](../../reference/functions/#nnlib.functions.sigmoid) computes exactly the textbook
# formula and silences that one warning (`np.errstate(over="ignore")` around the exponential), nothing else. In the
# exercise below you write a sigmoid that does not overflow at all.

# %%
def sigmoid(a):
    return 1 / (1 + np.exp(-a))


a = np.array([-3.0, 0.0, 3.0])
print(sigmoid(a))
print(F.sigmoid(a))

# make the overflow an error, to catch it and print its
# message
with np.errstate(over="raise"):
    try:
        sigmoid(np.array([-1000.0]))
    except FloatingPointError as err:
        print("textbook formula:", err)
print("nnlib:", F.sigmoid(np.array([-1000.0, 1000.0])))

# %% [markdown]
# ### Exercise: a sigmoid that never overflows
#
# For $a < 0$, multiply the numerator and the denominator of $\sigma(a)$ by $e^{a}$:
#
# $$\sigma(a) = \frac{1}{1 + e^{-a}} = \frac{e^{a}}{1 + e^{a}}.$$
#
# In this form every exponential gets a number $\le 0$, so it is at most $1$. Complete `stable_sigmoid` so that it
# uses the first form for $a \ge 0$ and the second for $a < 0$: the same values as nnlib's sigmoid, the input's
# dtype kept, and no overflow even for inputs of $\pm 10^4$. Then press **Check** (in Jupyter, run the cell after it).

# %% tags=["exercise"] exercise="stable-sigmoid"
def stable_sigmoid(a):
    a = np.asarray(a)
    # the textbook formula: overflows for a < -709
    return 1 / (1 + np.exp(-a))


# %% tags=["check"] exercise="stable-sigmoid"
from nnlib import exercises as ex

ex.report(
    ex.same_function(
        "same values as nnlib's sigmoid "
        "(float64 and float32, 1-D to 3-D)",
        stable_sigmoid, F.sigmoid,
        shapes=[(5,), (4, 3), (2, 3, 4)],
        dtypes=["float64", "float32"], scale=5.0,
        hint="For a >= 0 keep 1 / (1 + exp(-a)); for a < 0 "
             "use exp(a) / (1 + exp(a)). Build the result "
             "from arrays of the input's dtype."
    ),
    ex.same_function(
        "inputs of ±1e4 without overflow",
        stable_sigmoid, F.sigmoid,
        cases=[(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]),),
               (np.array([-1e4, 1e4], dtype=np.float32),)],
        hint="np.where(a >= 0, x, y) computes both x and y "
             "for every element, so an exp that overflows in "
             "the branch you do not keep still overflows. "
             "Compute e = np.exp(-np.abs(a)) once: it is at "
             "most 1, and both forms can be written with it."
    ),
    lang="en",
)

# %% tags=["solution"] exercise="stable-sigmoid"
def stable_sigmoid(a):
    a = np.asarray(a)
    # exp of a number <= 0: at most 1, never overflows
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


print(stable_sigmoid(np.array([-1e4, -1.0, 0.0, 1.0, 1e4])))

# %% [markdown]
# A derivative is the limit of $\bigl(f(a+h) - f(a-h)\bigr) / 2h$ as $h \to 0$. With a small $h$ this *central
# difference* is a good numerical estimate, and
# [`nnlib.gradient.numerical_diff`](../../reference/gradient/#nnlib.gradient.numerical_diff) computes it. Let us check
# the formula $\sigma' = \sigma(1-\sigma)$ against it at a few points.

# %%
from nnlib.gradient import numerical_diff

for a in [-4.0, -1.0, 0.0, 2.0]:
    exact = F.sigmoid_grad(np.array(a))
    numeric = numerical_diff(
        lambda v: float(F.sigmoid(np.array(v))), a
    )
    print(f"a = {a:5.1f}   formula {float(exact):.8f}   "
          f"numerical {numeric:.8f}")

# %% [markdown]
# ## ReLU
#
# The rectified linear unit keeps positive inputs and zeroes the others:
#
# $$\mathrm{ReLU}(a) = \max(0, a), \qquad \mathrm{ReLU}'(a) = \begin{cases} 1 & a > 0 \\ 0 & a < 0 \end{cases}$$
#
# It is cheap, and its gradient does not shrink for large inputs the way the sigmoid's does ($\sigma'(a) \le 0.25$,
# and close to $0$ as soon as $|a| > 5$). Most modern networks use ReLU or one of its relatives in their hidden
# layers. At $a = 0$ the derivative is undefined; implementations pick $0$.

# %%
def relu(a):
    return np.maximum(0, a)


a = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
print(relu(a))
print(F.relu(a))
print(F.relu_grad(a))      # 1 where the input was positive

# %% [markdown]
# ## tanh
#
# The hyperbolic tangent is a sigmoid stretched to the range $(-1, 1)$ and centred on zero:
#
# $$\tanh(a) = \frac{e^{a} - e^{-a}}{e^{a} + e^{-a}} = 2\,\sigma(2a) - 1, \qquad \tanh'(a) = 1 - \tanh^2(a).$$
#
# Zero-centred outputs help the next layer: its inputs are not all positive, so the gradients of its weights do not
# all share one sign. NumPy has it as `np.tanh`; the identity with the sigmoid is easy to confirm.

# %%
a = np.linspace(-3, 3, 7)
print(np.tanh(a))
print(2 * F.sigmoid(2 * a) - 1)
print("largest difference:",
      np.max(np.abs(np.tanh(a) - (2 * F.sigmoid(2 * a) - 1))))

# %% [markdown]
# ## All four side by side
#
# The solid lines are the functions, the dashed lines their derivatives. Notice where each derivative is close to
# zero: those are the inputs for which a neuron barely learns.

# %%
a = np.linspace(-5, 5, 401)
curves = [
    ("step", F.step_function(a), np.zeros_like(a)),
    ("sigmoid", F.sigmoid(a), F.sigmoid_grad(a)),
    ("ReLU", F.relu(a), F.relu_grad(a)),
    ("tanh", np.tanh(a), 1 - np.tanh(a) ** 2),
]
fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharex=True)
for ax, (name, y, dy) in zip(axes, curves):
    ax.plot(a, y, label="h(a)")
    ax.plot(a, dy, "--", label="h'(a)")
    ax.set_title(name)
    ax.set_ylim(-1.2, 2.2)
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.grid(alpha=0.3)
axes[0].legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Softmax: turning scores into probabilities
#
# The last layer of a classifier produces one score $a_k$ per class. Softmax turns the scores into probabilities that
# are positive and add up to one:
#
# $$y_k = \frac{e^{a_k}}{\sum_{i=1}^{n} e^{a_i}}.$$
#
# The order of the scores is kept (the largest score gets the largest probability), so for a prediction alone we could
# skip softmax and take the `argmax`; we need it for training, where the loss compares probabilities with the labels.
#
# Written literally, softmax overflows as soon as a score exceeds about $709$, because $e^{710}$ is larger than the
# largest float64. Large scores are not exotic: an untrained network with big weights produces them.

# %%
def softmax_naive(a):
    e = np.exp(a)
    return e / e.sum()


scores = np.array([1010.0, 1000.0, 990.0])
# we know it breaks; keep the output readable
with np.errstate(over="ignore", invalid="ignore"):
    print("naive:", softmax_naive(scores))

# %% [markdown]
# The fix is to subtract a constant $C$ from every score first. Multiplying the numerator and the denominator by
# $e^{-C}$ changes nothing:
#
# $$y_k = \frac{e^{a_k}}{\sum_i e^{a_i}} = \frac{e^{-C} e^{a_k}}{e^{-C}\sum_i e^{a_i}} = \frac{e^{a_k - C}}{\sum_i e^{a_i - C}}.$$
#
# With $C = \max_i a_i$ the largest exponent is $e^0 = 1$, so nothing overflows and the denominator is at least $1$.
# [`nnlib.functions.softmax`](../../reference/functions/#nnlib.functions.softmax) does exactly this, on the last axis,
# so it also handles a batch: one row per sample.

# %%
def softmax(a):
    shifted = a - np.max(a, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


print("stable:", softmax(scores))
print("nnlib: ", F.softmax(scores))

batch = np.array([[0.3, 2.9, 4.0],
                  [1000.0, 1000.0, 0.0]])
y = F.softmax(batch)
print(y)
print("row sums:", y.sum(axis=1),
      " predicted classes:", y.argmax(axis=1))

# %% [markdown]
# ## What to remember
#
# * Without a non-linear activation, a deep network collapses into a single linear map.
# * Step functions have no useful gradient; the sigmoid, tanh and ReLU do, and their derivatives are cheap to compute
#   from values we already have: $\sigma(1-\sigma)$, $1-\tanh^2$, and a mask of the positive inputs.
# * Watch the exponentials: $e^{a}$ overflows for $a$ above about $709$. In the sigmoid the overflow is harmless (nnlib
#   silences its warning; the $e^{-|a|}$ form of the exercise avoids it altogether); in softmax it gives `nan`, so
#   subtract the maximum first.
#
# Next, in [lesson 3](../03-forward-pass/), these functions go to work: a three-layer network computes its answer with
# matrix products, the sigmoid in its hidden layers and softmax at its output.
