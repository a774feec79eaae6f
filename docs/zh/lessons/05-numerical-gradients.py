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
# # 5. 数值微分与梯度下降法
#
# 损失函数告诉我们网络错得有多厉害。要让它少错一些，就得知道每个权重该往哪个方向调，也就是损失的**梯度**（gradient）。
# 本课用最简单的办法计算梯度：把每个数稍微挪动一点，看损失怎样变化，这就是**数值微分**（numerical differentiation）；
# 然后沿着梯度往下走，这就是**梯度下降法**（gradient descent）；最后用这个办法训练第一个小网络。
# 我们还会量一量这样做的代价，而这正是课程下一部分存在的理由。
#
# **学完本课，你将能够**
#
# * 用中心差分估计导数，并了解步长 $h$ 太小时浮点数会出什么问题，从而选好 $h$；
# * 计算多元函数的偏导数和梯度，并用 `np.nditer` 对任意形状的数组求梯度；
# * 运行梯度下降法，并从走过的路径判断学习率是太小、合适还是太大；
# * 用数值梯度训练一个小网络，并说明这种做法为什么无法推广到大网络。
#
# **前置知识**：损失函数（第 4 课）和前向传播（第 3 课）；微积分只需要中学学过的导数（“切线的斜率”）。

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

# %% [markdown]
# ## 用数值方法求导数
#
# $f$ 在 $x$ 处的导数是极限
#
# $$f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}.$$
#
# 计算机没法求极限，但可以取一个很小的 $h$。多小呢？“越小越好”听上去有道理，其实是错的。取 $f(x) = 0.01x^2 + 0.1x$，
# 它在 $x = 5$ 处的导数是 $0.02 \cdot 5 + 0.1 = 0.2$，再取 $h = 10^{-50}$：

# %%
def f(x):
    return 0.01 * x**2 + 0.1 * x


def forward_difference(f, x, h):
    return (f(x + h) - f(x)) / h


print("h = 1e-50：", forward_difference(f, 5.0, 1e-50))
print("h = 1e-4： ", forward_difference(f, 5.0, 1e-4))

# %% [markdown]
# $h = 10^{-50}$ 时，算出的导数恰好是 0。$10^{-50}$ 这个数本身没有问题（float64 能表示小到约 $10^{-308}$ 的数），
# 但 $5 + 10^{-50}$ 不是 float64 能表示的数：5 附近相邻两个浮点数相差约 $8.9 \times 10^{-16}$，
# 所以这个和被舍入到最近的浮点数，也就是 5 本身。于是 $f(x + h) - f(x) = 0$。

# %%
print(5.0 + 1e-50 == 5.0)
print("5 附近相邻 float64 数的间距：", np.spacing(5.0))
print("1 附近：", np.spacing(1.0), "（机器精度）")

# %% [markdown]
# 这里有两种方向相反的误差。$h$ 取大了，量到的是割线而不是切线的斜率，这是**截断误差**（truncation error），
# 前向差分的截断误差约为 $\tfrac{h}{2} |f''(x)|$。$h$ 取小了，就是在两个几乎相等、各自只有约 16 位有效数字的数之间做减法，
# 再除以 $h$，把舍入误差放大，这是**舍入误差**（rounding error），约为 $\varepsilon |f(x)| / h$，其中
# $\varepsilon \approx 2.2 \times 10^{-16}$。
#
# **中心差分**（central difference）同时看 $x$ 的两侧：
#
# $$f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}.$$
#
# 它的截断误差约为 $\tfrac{h^2}{6} |f'''(x)|$，随 $h^2$ 而不是 $h$ 缩小。下面取许多个 $h$，对两种差分分别测量误差。
# 函数用 $f = \exp$，在 $x = 1$ 处求导，因为它的导数 $e$ 我们确切知道。

# %%
def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


hs = 10.0 ** -np.arange(1, 17, 0.25)
forward_errors = np.abs(
    [forward_difference(np.exp, 1.0, h) - np.e for h in hs])
central_errors = np.abs(
    [central_difference(np.exp, 1.0, h) - np.e for h in hs])
# 误差恰好为 0 时无法画在对数坐标上
central_errors = np.maximum(central_errors, 1e-17)

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.loglog(hs, forward_errors, "o-", markersize=3,
          label="前向差分")
ax.loglog(hs, central_errors, "o-", markersize=3,
          label="中心差分")
ax.set_xlabel("步长 h")
ax.set_ylabel("导数的误差")
ax.invert_xaxis()
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
plt.show()
for name, errors in [("前向", forward_errors),
                     ("中心", central_errors)]:
    best = errors.argmin()
    print(
        f"{name}差分：最小误差 {errors[best]:.1e}，在 h = "
        f"{hs[best]:.0e} 处"
    )

# %% [markdown]
# 从左往右读这幅图，也就是 $h$ 越来越小：两种误差先下降（截断误差，前向差分的斜率为 1，中心差分的斜率为 2），
# 到达最低点后又回升，因为舍入误差占了上风。中心差分能达到的误差小得多，而且是在较大的 $h$ 处达到的。
# 所以我们用中心差分，float64 下 $h$ 取 $10^{-4}$ 到 $10^{-5}$ 左右。（$h = 10^{-50}$ 在图的右边之外，那里的误差就是导数本身。）
#
# ## 偏导数
#
# 现在来看一个二元函数：
#
# $$f(x_0, x_1) = x_0^2 + x_1^2 .$$
#
# 它对 $x_0$ 的**偏导数**（partial derivative）记作 $\partial f / \partial x_0$，就是把 $x_1$ 固定不动、只对 $x_0$ 求导，
# 这里是 $2x_0$。在 $(x_0, x_1) = (3, 4)$ 处它等于 6，而 $\partial f / \partial x_1 = 2x_1 = 8$。
# 用数值方法求偏导数，就是把另一个变量固定，变成一元函数来求导：

# %%
def f2(x):
    # 对 x = [x0, x1] 就是 x0**2 + x1**2；对任意数组是所有元素
    # 的平方和
    return np.sum(x**2)


print(
    "(3, 4) 处的 df/dx0：",
    central_difference(lambda x0: f2(np.array([x0, 4.0])),
                       3.0, 1e-4))
print(
    "(3, 4) 处的 df/dx1：",
    central_difference(lambda x1: f2(np.array([3.0, x1])),
                       4.0, 1e-4))

# %% [markdown]
# ## 数组的梯度
#
# 把所有偏导数汇总成一个向量，就是**梯度**：$\nabla f = (\partial f / \partial x_0, \partial f / \partial x_1)$。
# 网络的参数是矩阵，所以我们要对任意形状数组中的每个元素求 $f$ 的偏导数，并以同样的形状返回。
#
# 这就需要访问 n 维数组的每个元素。`np.nditer` 加上 `multi_index` 标志，可以逐个遍历元素，并给出每个元素的索引：

# %%
a = np.arange(12).reshape(2, 3, 2)
it = np.nditer(a, flags=["multi_index"])
while not it.finished:
    print(it.multi_index, end=" ")
    it.iternext()

# %% [markdown]
# 对每个元素：记下它的值，把它改成“原值 $+ h$”算一次 $f$，再改成“原值 $- h$”算一次，然后**把原值放回去**，再处理下一个元素
# （否则后面的偏导数都是在挪动过的点上求的，调用者的数组也会被改掉）。我们直接在原数组上修改，而不是复制一份，
# 这一点后面会用到：网络持有自己的权重数组，损失函数就是从那里读取权重的。
#
# ### 练习：用 `np.nditer` 写 `numerical_gradient`
#
# 把下面的循环补充完整：对索引为 `i` 的元素，把中心差分的结果存进 `grad[i]`，并让 `x` 保持原样。
# 写好后点“检查”（在 Jupyter 里则运行它下面的那个单元格）。检查会用一维、二维和三维数组来试，其中一个数组按列存储，
# 还会查看调用之后的 `x`。

# %% tags=["exercise"] exercise="numerical-gradient"
def numerical_gradient(f, x, h=1e-4):
    """用中心差分求标量函数 f
    在数组 x（任意形状）处的梯度。"""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        # 在这里写代码：分别在 x[i] + h 和 x[i] - h 处计算 f，
        # 把中心差分存进 grad[i]，再恢复 x[i]
        it.iternext()
    return grad


# %% tags=["check"] exercise="numerical-gradient"
from nnlib import exercises as ex
from nnlib.gradient import (
    numerical_gradient as reference_gradient)


def bumpy(x):
    return np.sum(np.sin(3 * x) + x**3)


rng = np.random.default_rng(2)
ex.report(
    ex.same_function(
        "sum(x**2) 在 (3, 4) 处的梯度，以及一个起伏函数在二维"
        "、三维数组上的梯度",
        numerical_gradient,
        lambda f, x: reference_gradient(f, x, h=1e-4),
        cases=[(f2, np.array([3.0, 4.0])),
               (bumpy, rng.normal(size=(3, 4))),
               (bumpy, rng.normal(size=(2, 3, 2)))],
        hint="先记下 original = x[i]；令 x[i] = original + "
             "h，调用 f(x)；再令 x[i] = original - h，调用 "
             "f(x)；最后 x[i] = original，grad[i] = (f_plus "
             "- f_minus) / (2 * h)。"
    ),
    ex.same_function(
        "按列存储的数组（"
        "转置后的矩阵）", numerical_gradient,
        lambda f, x: reference_gradient(f, x, h=1e-4),
        cases=[(bumpy, rng.normal(size=(4, 3)).T)],
        hint="用元组 it.multi_index 来索引（x[i]、grad[i]），"
             "不要用自己数的序号："
        "nditer 按内存顺序访问元素，"
        "对转置后的数组，这不是逐行的顺序。"),
    lang="zh",
)

# %% tags=["solution"] exercise="numerical-gradient"
def numerical_gradient(f, x, h=1e-4):
    """用中心差分求标量函数 f
    在数组 x（任意形状）处的梯度。"""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original                       # 原样恢复
        grad[i] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


x = np.array([3.0, 4.0])
print(numerical_gradient(f2, x))
print(numerical_gradient(f2, np.array([[3.0, 4.0],
                                       [3.0, 4.0]])))
print("调用后的 x：", x)

# %% [markdown]
# 无论数组是什么形状，$\sum x^2$ 的梯度都是逐元素的 $2x$。nnlib 里有同样的函数
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient)
# （默认 $h = 10^{-5}$）；在一个随机的三维数组上，两者彼此一致，也都与 $2x$ 一致。从这里开始，本课调用 nnlib 的版本，
# 所以无论你的练习是否通过，后面的单元格都能正常运行；练习通过之后，你写的函数可以替换其中任何一处。

# %%
from nnlib.gradient import (
    numerical_gradient as nnlib_numerical_gradient)

x = np.random.default_rng(0).normal(size=(2, 3, 4))
ours = numerical_gradient(f2, x)
theirs = nnlib_numerical_gradient(f2, x)
print("我们的与 nnlib 的最大差值：",
      np.abs(ours - theirs).max())
print("我们的与 2x 的最大差值：   ",
      np.abs(ours - 2 * x).max())

# %% [markdown]
# ## 梯度指向哪里
#
# 在每一点，梯度都指向 $f$ 增长最快的方向；它的反方向指向下坡，它的长度表示坡有多陡。
# 下图是 $x_0^2 + x_1^2$ 在网格点上的负梯度：每个箭头都指向 $(0, 0)$ 处的最小值，越靠近最小值，曲面越平，箭头也越短。

# %%
g0, g1 = np.meshgrid(np.linspace(-2, 2, 9),
                     np.linspace(-2, 2, 9))
arrows = np.array([
    nnlib_numerical_gradient(f2, np.array([a, b]))
    for a, b in zip(g0.ravel(), g1.ravel())
])

fig, ax = plt.subplots(figsize=(4, 4))
ax.quiver(g0.ravel(), g1.ravel(), -arrows[:, 0],
          -arrows[:, 1], color="#3949ab", angles="xy")
ax.plot(0, 0, "o", color="#e65100")
ax.set_xlabel("$x_0$")
ax.set_ylabel("$x_1$")
ax.set_title("$-\\nabla f$")
ax.set_aspect("equal")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 梯度下降法
#
# 要找最小值，就从某一点出发，一次次地沿梯度的反方向走一小步：
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta \, \nabla f(\mathbf{x}).$$
#
# 步长 $\eta$ 称为**学习率**（learning rate）。它不是学出来的，而是由我们选定的，所以它是一个**超参数**（hyperparameter）。
# 整个方法只有三行：

# %%
def gradient_descent(f, init_x, lr, steps):
    """从 init_x 出发做梯度下降；
    返回走过的路径，每个经过的点占一行。"""
    x = init_x.copy()
    path = [x.copy()]
    for _ in range(steps):
        x -= lr * nnlib_numerical_gradient(f, x)
        path.append(x.copy())
    return np.array(path)


path = gradient_descent(f2, np.array([-3.0, 4.0]), lr=0.1,
                        steps=100)
print("100 步之后：", path[-1], " f =", f2(path[-1]))

# %% [markdown]
# 从 $f = 25$ 的 $(-3, 4)$ 出发，它走到了离最小值约 $10^{-9}$ 的地方，那里 $f \approx 10^{-18}$。不过学习率的影响很大。下面用四个学习率各走 20 步：

# %%
rates = [0.01, 0.1, 0.9, 1.1]
fig, axes = plt.subplots(2, 2, figsize=(7, 7))
for ax, lr in zip(axes.flat, rates):
    path = gradient_descent(f2, np.array([-3.0, 4.0]), lr=lr,
                            steps=20)
    limit = max(5.5, np.abs(path).max() * 1.1)
    c0, c1 = np.meshgrid(np.linspace(-limit, limit, 61),
                         np.linspace(-limit, limit, 61))
    ax.contour(c0, c1, c0**2 + c1**2, levels=12,
               colors="#c5cae9", linewidths=0.8)
    ax.plot(path[:, 0], path[:, 1], "o-", color="#3949ab",
            markersize=3)
    ax.plot(0, 0, "x", color="#e65100")
    ax.set_title(
        f"学习率 {lr}：20 步后 f = {f2(path[-1]):.3g}",
        fontsize=10)
    ax.set_aspect("equal")
fig.tight_layout()
plt.show()

# %% [markdown]
# * $\eta = 0.01$，**太小**：每一步都很稳，但步子太小，20 步只走完了三分之一的路。
# * $\eta = 0.1$，**大小合适**：径直走向最小值。
# * $\eta = 0.9$，**偏大**：每一步都冲过头，跑到山谷的另一侧；不过来回的幅度在缩小。
# * $\eta = 1.1$，**太大**：每一步都比上一步离得更远，数值越来越大，最终发散。
#
# 对这个函数，原因可以看得清清楚楚。梯度是 $2\mathbf{x}$，所以每一步是 $\mathbf{x} \leftarrow (1 - 2\eta)\,\mathbf{x}$。
# $\eta < 0.5$ 时这个系数在 0 和 1 之间（稳步逼近）；$\eta$ 在 0.5 和 1 之间时系数为负、但绝对值小于 1（来回振荡着收敛）；
# $\eta > 1$ 时系数小于 $-1$：发散。实际的损失函数没有这么简单，但这三种表现是一样的。网络训练不起来时，
# 首先要检查的就是学习率。
#
# ## 用数值梯度训练网络
#
# 网络的损失是它全部权重的函数，所以梯度下降法同样适用：对每个权重数组求损失的梯度，再沿反方向走一步。
# 数据用**3 位奇偶校验**（3-bit parity）问题：三位二进制数共 8 种模式，标签表示其中 1 的个数是否为奇数。
# 它和异或（也就是 2 位的奇偶校验）一样不是线性可分的，所以网络需要隐藏层。

# %%
from nnlib.datasets import load_parity
from nnlib.functions import softmax, cross_entropy_error

x_parity, t_parity = load_parity()
for bits, label in zip(x_parity, t_parity):
    print(bits, "->", label)

# %% [markdown]
# 网络结构：3 个输入，4 个 tanh 隐藏神经元，2 个输出接 softmax，损失用第 4 课的交叉熵误差。它的 26 个参数存放在一个字典里。
# 函数 `loss` 从字典中读取参数，所以 `numerical_gradient` 在原地挪动 `params["W1"]` 的某个元素时，损失就能看到这个变化：
# lambda 的参数用不着，直接忽略即可。

# %%
rng = np.random.default_rng(0)
params = {
    "W1": rng.normal(size=(3, 4)), "b1": np.zeros(4),
    "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2),
}


def predict(x):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    return softmax(hidden @ params["W2"] + params["b2"])


def loss():
    return cross_entropy_error(predict(x_parity), t_parity)


def accuracy():
    return np.mean(
        predict(x_parity).argmax(axis=1) == t_parity)


print("参数个数：", sum(p.size for p in params.values()),
      "  损失：", loss(), "  准确率：", accuracy())

# %%
losses, accuracies = [loss()], [accuracy()]
start = time.perf_counter()
for step in range(100):
    grads = {
        name: nnlib_numerical_gradient(lambda _: loss(), p)
        for name, p in params.items()
    }
    for name in params:
        # 学习率 1.0
        params[name] -= 1.0 * grads[name]
    losses.append(loss())
    accuracies.append(accuracy())
seconds = time.perf_counter() - start
print(
    f"100 步之后：损失 {losses[-1]:.4f}，准确率 "
    f"{accuracies[-1]:.3f}，用时 {seconds:.2f} s"
    f"（每步 {seconds / 100 * 1000:.1f} ms）")
print("预测：",
      predict(x_parity).argmax(axis=1), " 标签：", t_parity)

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(losses, label="损失")
ax.plot(accuracies, label="准确率")
ax.set_xlabel("步数")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# 网络学会了奇偶校验：损失不断下降，8 种模式全部分类正确。我们从头到尾没有手推过一个导数，挪动每个权重就够了。
#
# ## 代价有多大
#
# 每一步都要为每个参数调用两次损失函数：26 个参数就是 52 次前向传播。其他都不变，只把隐藏层加宽，测一测一步要多长时间。

# %%
def time_one_step(hidden):
    rng = np.random.default_rng(0)
    # 在同一个字典里换上新数组，loss() 读的就是这个字典
    params.update(W1=rng.normal(size=(3, hidden)),
                  b1=np.zeros(hidden),
                  W2=rng.normal(size=(hidden, 2)),
                  b2=np.zeros(2))
    start = time.perf_counter()
    for p in params.values():
        nnlib_numerical_gradient(lambda _: loss(), p)
    return (sum(p.size for p in params.values()),
            time.perf_counter() - start)


sizes = [2, 8, 32, 128]
counts, seconds = zip(*[time_one_step(h) for h in sizes])
for h, n, s in zip(sizes, counts, seconds):
    print(
        f"隐藏层 {h:3}：{n:5} 个参数，{2 * n:5} 次前向传播，"
        f"每步 {s * 1000:7.1f} ms"
    )

fig, ax = plt.subplots(figsize=(5, 3))
ax.loglog(counts, np.array(seconds) * 1000, "o-")
ax.set_xlabel("参数个数")
ax.set_ylabel("每步用时（ms）")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# 用时几乎与参数个数成正比，因为每个参数都要两次前向传播。而网络越大，一次前向传播本身也越费时，
# 两者相乘，代价大致随网络规模的*平方*增长。对一个识别 MNIST 数字的网络（784 个输入、50 个隐藏神经元、10 个输出），
# 在 100 张图像的小批量上，我们可以测出一次前向传播的时间，再乘上次数：

# %%
from nnlib.datasets import load_mnist

(x_train, t_train), _ = load_mnist(subset=True)
x_batch, t_batch = x_train[:100], t_train[:100]
rng = np.random.default_rng(0)
W1, b1 = rng.normal(scale=0.01, size=(784, 50)), np.zeros(50)
W2, b2 = rng.normal(scale=0.01, size=(50, 10)), np.zeros(10)

start = time.perf_counter()
for _ in range(10):
    cross_entropy_error(
        softmax(np.tanh(x_batch @ W1 + b1) @ W2 + b2),
        t_batch)
forward_seconds = (time.perf_counter() - start) / 10

n_params = W1.size + b1.size + W2.size + b2.size
step_seconds = 2 * n_params * forward_seconds
print(
    f"{n_params} 个参数；一次前向传播 "
    f"{forward_seconds * 1000:.2f} ms")
print("用数值梯度走一步：约 "
      f"{step_seconds:.0f} s")
print(
    "走 10,000 步（一次不算长的训练）：约 "
    f"{10_000 * step_seconds / 3600 / 24:.0f} 天"
)

# %% [markdown]
# 这完全不可行，何况这还只是个小网络。出路在于一次算出所有偏导数：沿着网络反向走一遍，重复利用前向传播的中间结果，
# 这就是**反向传播**（backpropagation），课程下一部分的主题。nnlib 已经实现了它；先睹为快，下面用这种方法
# 计算一个同样大小的网络（隐藏层用 ReLU）的梯度，39,760 个偏导数一个不少：

# %%
from nnlib.nets import TwoLayerNet

net = TwoLayerNet(784, 50, 10, seed=0)
start = time.perf_counter()
grads = net.gradient(x_batch, t_batch)
print(
    "反向传播："
    f"{(time.perf_counter() - start) * 1000:.1f} ms，"
    f"共 {sum(g.size for g in grads.values())} "
    "个偏导数"
)

# %% [markdown]
# ## 小结
#
# * 用函数的两个值就能估计导数。用中心差分 $\bigl(f(x+h) - f(x-h)\bigr)/2h$，它的误差随 $h^2$ 缩小，直到舍入误差占上风。
#   float64 下 $h$ 取 $10^{-4}$ 到 $10^{-5}$ 左右；$h = 10^{-50}$ 只会得到 0，因为 $x + h$ 被舍入回了 $x$。
# * 偏导数是固定其他变量求出的导数，梯度把它们汇总在一起。`numerical_gradient` 用 `np.nditer` 访问每个元素，
#   原地挪动它，再把它恢复。
# * 梯度下降法沿梯度的反方向、按学习率的大小迈步：太小就走得慢，太大就来回振荡甚至发散。
# * 数值梯度能训练小网络，但每个参数都需要两次前向传播，对真正的网络来说太慢了。接下来要学的反向传播，
#   求同样的梯度只需大约一次前向传播加一次反向传播的时间。
#
# 下一课：[计算图](../06-computational-graphs/)，走向反向传播的第一步。API 参考：
# [`nnlib.gradient.numerical_diff`](../../reference/gradient/#nnlib.gradient.numerical_diff)、
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient)、
# [`nnlib.datasets.load_parity`](../../reference/datasets/#nnlib.datasets.load_parity)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载本课的 notebook，从本仓库安装 nnlib（在克隆下来的仓库里运行
# `pip install .`，或者安装页面提供的 wheel），再用 Jupyter 打开。测得的时间会与这里打印的不同：在本机上，NumPy 用优化过的
# BLAS 库做矩阵乘法，MNIST 上的前向传播比在浏览器里快，但结论不会变。
