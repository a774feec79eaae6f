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
# # 8. 梯度确认
#
# 亲手写的反向传播可能是错的，却照样能运行：数组形状都对，损失甚至还会降一点，没有任何提示告诉你某个梯度算错了。
# 本课要做的，就是能指出这种错误的工具——**梯度确认**（gradient check）：先用反向传播求梯度，再用第 5 课那种
# 虽慢但可靠的数值梯度求一遍，然后用合适的尺度比较两者。接着我们故意把网络改坏，看梯度确认如何找出出错的参数；
# 最后认识两种让正确的网络也通不过检验的情况：float32 运算和 ReLU 的折点。
#
# **学完本课，你将能够**
#
# * 把网络的各层按顺序放进有序字典，正向传播时依次调用、反向传播时倒序调用，并使用做同样事情的
#   `nnlib.nets.Sequential`；
# * 用相对误差比较反向传播与数值梯度，并按课程统一的规则判读结果；
# * 说明梯度确认为什么必须用 float64，以及跨过 ReLU 折点时的检验结果是什么样子；
# * 根据梯度确认指出的参数，找到故意埋下的错误（漏掉的转置、沿错误的轴求和）。
#
# **前置知识**：[第 5 课](../05-numerical-gradients/)的数值梯度，[第 7 课](../07-layers/)的各个层（Affine、Relu、
# SoftmaxWithLoss，以及它们的 `forward` 和 `backward`）。从这里开始，这两样都直接用 nnlib 的版本，它们和你自己
# 写的用法一样。

# %%
from collections import OrderedDict

import numpy as np
import matplotlib.pyplot as plt

from nnlib import layers
from nnlib.datasets import load_digits
from nnlib.gradient import numerical_gradient

# %% [markdown]
# ## 网络就是一串有序的层
#
# 在第 7 课里，每个层都有 `forward`（计算输出，并记下反向传播要用的东西）和 `backward`（接收损失对输出的梯度，
# 返回损失对输入的梯度）。这样一来，网络不过是一串层：正向传播按顺序调用它们，反向传播按相反的顺序调用。
# 《深度学习入门：基于 Python 的理论与实现》把这些层放在 `OrderedDict` 里，每层有个名字，顺序也一目了然
# （从 Python 3.7 起普通 `dict` 也保持插入顺序；用 `OrderedDict` 是为了明确表示“顺序很重要”）。
#
# 下面是书中的两层网络：Affine → ReLU → Affine，最后一层是 softmax 加交叉熵误差。参数放在字典 `params` 里，
# 交给 Affine 层的正是**这些数组本身**：层训练的是传给它的数组，而不是它的副本。这一点对数值梯度很重要。

# %%
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size,
                 weight_init_std=0.01, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": weight_init_std * rng.standard_normal(
                (input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal(
                (hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        p = self.params
        self.layers = OrderedDict([
            ("Affine1", layers.Affine(p["W1"], p["b1"])),
            ("Relu1", layers.Relu()),
            ("Affine2", layers.Affine(p["W2"], p["b2"])),
        ])
        self.last_layer = layers.SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        # 先做正向传播，让每一层记下自己的输入
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        a1 = self.layers["Affine1"]
        a2 = self.layers["Affine2"]
        return {"W1": a1.dW, "b1": a1.db,
                "W2": a2.dW, "b2": a2.db}

    def numerical_gradient(self, x, t):
        # 参数被忽略：numerical_gradient 就地微调数组，
        # 而各层保存的正是这个数组
        loss = lambda _: self.loss(x, t)
        return {name: numerical_gradient(loss, p)
                for name, p in self.params.items()}

# %% [markdown]
# 数据用 nnlib 自带的 8×8 手写数字中的十张（每张 64 个像素，缩放到 $[0, 1]$）；网络有 64 个输入、10 个隐藏单元、
# 10 个类别，和书中一样用标准差为 0.01 的权重初始化。做梯度确认，十张图片的批次就够了，在网页里也足够快：
# 一共 760 个参数，每个参数要做两次前向传播。（图片是 float32 的，与 float64 的权重相乘得到 float64，所以整个网络都在
# float64 下计算。这一点为什么重要，后面会讲到。）

# %%
(x_train, t_train), _ = load_digits()
x, t = x_train[:10], t_train[:10]
print("图片", x.shape, "标签", t)

net = TwoLayerNet(64, 10, 10)
print("损失：", net.loss(x, t))
print("层里保存的就是 params['W1'] 本身：",
      net.layers["Affine1"].W is net.params["W1"])

# %% [markdown]
# 权重这么小，十个得分几乎相等，softmax 给每个类别的概率都约为 $1/10$，损失接近 $\ln 10 \approx 2.3026$。
#
# nnlib 为任意一串层提供了这样的容器：[`nnlib.nets.Sequential`](../../reference/nets/#nnlib.nets.Sequential)。
# 它按种类和序号给层命名（`Affine1`、`Relu1`、`Affine2`），用书中的名字收集参数（`W1`、`b1`、`W2`、`b2`），
# 如果不另外指定，就在最后加上 softmax 与交叉熵误差。给它同样的数组，它就是同一个网络：

# %%
from nnlib.nets import Sequential

p = net.params
seq = Sequential([layers.Affine(p["W1"], p["b1"]),
                  layers.Relu(),
                  layers.Affine(p["W2"], p["b2"])])
print(seq)
print("损失相同：", seq.loss(x, t) == net.loss(x, t))
ours, theirs = net.gradient(x, t), seq.gradient(x, t)
print("梯度相同：",
      all(np.allclose(ours[k], theirs[k]) for k in ours))

# %% [markdown]
# ## 怎样比较两个梯度
#
# 现在来做梯度确认本身：反向传播求出的梯度、数值梯度，再加上两者的比较。书中用的是每个参数各元素差的绝对值的平均：

# %%
grads = net.gradient(x, t)
numeric = net.numerical_gradient(x, t)
for name in grads:
    diff = np.mean(np.abs(grads[name] - numeric[name]))
    size = np.mean(np.abs(grads[name]))
    print(f"{name}：差的绝对值平均 {diff:.1e}，"
          f"梯度绝对值平均 {size:.1e}")

# %% [markdown]
# 差都在 $10^{-11}$ 左右，看上去很让人放心。可是“差”带着被比较的量的单位：不知道梯度本身有多大，它就说明不了
# 什么。这里的梯度很小（因为权重很小），而且不同参数之间相差很大。如果梯度只有 $10^{-12}$，$10^{-11}$ 的差就意味着
# 完全不一致。我们需要一个没有单位的数：每个元素的**相对误差**（relative error）。设反向传播的值为 $a$，数值梯度为
# $n$，
#
# $$e = \frac{|a - n|}{\max\bigl(10^{-8},\ |a| + |n|\bigr)} ,$$
#
# 每个参数取其所有元素中最大的 $e$：几百个元素里哪怕只有一个算错，也不能被平均值淹没。分母中的下限 $10^{-8}$
# 是为两个梯度都恰好为 0 的元素准备的：批次里没有一张图片能激活的隐藏单元，不会往回传任何梯度，此时 $0/0$ 会得到 NaN。
#
# 整门课程都用同一条规则（来自 CS231n）来判读每个参数的最大相对误差：
#
# * **小于 $10^{-7}$**：两者一致，反向传播是对的；
# * **$10^{-5}$ 左右**：要仔细看看，是否碰上了折点（ReLU 在 $0$ 处）或很小的梯度，那里舍入误差的影响更大；
# * **大于 $10^{-3}$**：反向传播有错误。

# %%
def relative_errors(a, n):
    """a 相对于 n 的逐元素相对误差。"""
    return np.abs(a - n) / np.maximum(1e-8,
                                      np.abs(a) + np.abs(n))


for name in grads:
    worst = relative_errors(grads[name], numeric[name]).max()
    print(f"{name}：最大相对误差 {worst:.1e}")

# %% [markdown]
# 没有一个大于 $10^{-3}$，所以看不出错误；但也没有一个明显小于 $10^{-7}$，$W_1$ 的 $1.4 \times 10^{-5}$ 正好落在
# “要仔细看看”的区间。这个网络用的是 ReLU，规则里的两种原因都可能存在。折点留到后面再说，先看很小的梯度。
# 把每个元素的相对误差对它的梯度大小画出来：

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for name in grads:
    a, n = grads[name].ravel(), numeric[name].ravel()
    # 两者都为 0 的元素没有误差可画
    keep = np.abs(a) + np.abs(n) > 0
    ax.loglog(np.abs(a[keep]), relative_errors(a, n)[keep],
              ".", label=name, alpha=0.7)
sizes = np.logspace(-7, -1, 50)
ax.loglog(sizes, 5e-12 / sizes, "k--", lw=1,
          label="5e-12 / |梯度|")
ax.axhline(1e-7, color="tab:green", lw=1)
ax.axhline(1e-3, color="tab:red", lw=1)
ax.set_xlabel("|梯度|（反向传播）")
ax.set_ylabel("相对误差")
ax.set_ylim(1e-14, 1e-2)
ax.grid(alpha=0.3)
ax.legend(fontsize=8, loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# 这些点沿着虚线分布：每个元素的**绝对**差都差不多，是几个 $10^{-12}$，只有梯度本身很小的地方，相对误差才大。
# 这个绝对差就是数值梯度的舍入噪声：损失约为 $2.3$，只精确到大约 16 位有效数字，每个损失值都带着约 $10^{-16}$ 的
# 误差，中心差分再把它除以 $2h = 2 \times 10^{-5}$。梯度只有 $10^{-7}$ 时出现 $10^{-5}$ 的相对误差，是噪声而不是错误。
# （如果有一个梯度不小的点落在红线上，那就是另一回事了。）
#
# 权重大一些，梯度也就大一些，同样的噪声就显得小了。把同一个网络的权重标准差改为 0.5：

# %%
big = TwoLayerNet(64, 10, 10, weight_init_std=0.5)
grads_big = big.gradient(x, t)
numeric_big = big.numerical_gradient(x, t)
for name in grads_big:
    worst = relative_errors(grads_big[name],
                            numeric_big[name]).max()
    print(f"{name}：最大相对误差 {worst:.1e}")

# %% [markdown]
# 四个都小于 $10^{-7}$：反向传播是对的。所以当梯度确认的结果落在中间区间时，先别急，看看大误差出现在**哪里**：
# 如果在很小的梯度上（或在折点附近），那是检验本身的噪声；如果在大小正常的梯度上，就不是了。
#
# ### 练习：对参数字典做梯度确认
#
# 写出 `check_gradients(loss, params, grads)`：对字典 `params` 中的每个数组，求 `loss(params)` 对它的数值梯度
# （用 `numerical_gradient`，它会就地微调数组），再返回一个字典，记录这个数值梯度与反向传播梯度 `grads[name]`
# 之间的**最大相对误差**。写好后点击**检查**（在 Jupyter 中，运行它下面的单元格）。检查用的是梯度已知的损失
# $\sum W^2 + \sum b^2$，并故意给你的函数传入错误的梯度：有的处处都错，有的只错一个元素。

# %% tags=["exercise"] exercise="check-gradients"
def check_gradients(loss, params, grads):
    """grads 中每个梯度与 loss(params) 的数值梯度之间的
    最大相对误差。"""
    errors = {}
    for name, p in params.items():
        # 你的代码：求对 p 的数值梯度，再求它与
        # grads[name] 之间的最大相对误差
        errors[name] = 0.0
    return errors


# %% tags=["check"] exercise="check-gradients"
from nnlib import exercises as ex
def bowl(params):
    # 梯度是 2 * W 和 2 * b
    return np.sum(params["W"]**2) + np.sum(params["b"]**2)


rng = np.random.default_rng(8)
W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
# 在 b = 0 处，b 的两个梯度都恰好为 0；W 的梯度大了
# 0.5 倍
at_zero = {"W": W, "b": np.zeros(4)}
too_large = {"W": 3 * W, "b": np.zeros(4)}
# W 有一个元素符号错了，b 的梯度翻了一倍
wrong_W = 2 * W
wrong_W[0, 0] *= -1
wrong = {"W": wrong_W, "b": 4 * b}
ex.report(
    ex.same_function(
        "梯度大了 0.5 倍，另一个梯度恰好为 0",
        check_gradients, lambda *_: {"W": 0.2, "b": 0.0},
        cases=[(bowl, at_zero, too_large)],
        rtol=1e-6, atol=1e-8,
        hint="数值梯度用 numerical_gradient(lambda _: "
             "loss(params), p) 求。两个梯度都为 0 时，"
             "|a - n| / (|a| + |n|) 是 0/0："
             "分母要写成 np.maximum(1e-8, "
             "np.abs(a) + np.abs(n))。"),
    ex.same_function(
        "W 有一个元素错了，b 的梯度翻了一倍",
        check_gradients, lambda *_: {"W": 1.0, "b": 1 / 3},
        cases=[(bowl, {"W": W, "b": b}, wrong)],
        rtol=1e-6, atol=1e-8,
        hint="返回各元素相对误差的最大值 .max()，"
             "而不是平均值：十二个元素里只错一个，也必须"
             "显示出来。分母是两者大小之和 "
             "np.abs(a) + np.abs(n)。"),
    lang="zh",
)

# %% tags=["solution"] exercise="check-gradients"
def check_gradients(loss, params, grads):
    """grads 中每个梯度与 loss(params) 的数值梯度之间的
    最大相对误差。"""
    errors = {}
    for name, p in params.items():
        # loss 通过 params 读取 p，所以能看到每次微调
        n = numerical_gradient(lambda _: loss(params), p)
        a = grads[name]
        e = np.abs(a - n) / np.maximum(1e-8,
                                       np.abs(a) + np.abs(n))
        errors[name] = e.max()
    return errors

# %% [markdown]
# 这两样 nnlib 都有。[`relative_error`](../../reference/gradient/#nnlib.gradient.relative_error) 求两个数组之间的
# 最大相对误差，分母同样有 $10^{-8}$ 的下限；[`gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check)
# 对整个网络做梯度确认，只要网络有 `params`、`gradient(x, t)` 和 `loss(x, t)` 就行，所以我们自己的 `TwoLayerNet`
# 和 `Sequential` 都可以。它返回各参数最大相对误差组成的字典，打印出来是一张表：

# %%
from nnlib.gradient import gradient_check, relative_error

print(gradient_check(big, x, t))
print(gradient_check(seq, x, t))

# %% [markdown]
# 数字和前面我们自己算的一样（`seq` 用的就是 `net` 的数组），现在只要调用一次函数。
#
# ## 故意埋下的错误
#
# 下面故意把第二个 Affine 层改坏，用的是两种谁都犯过的错误。下面每个类都是改写了 `backward` 的 nnlib Affine 层，
# 和正确写法相比，各自只差一行：
#
# * **漏掉转置**：传给前面各层的梯度是 $\frac{\partial L}{\partial Y} W^\top$，写成 `dout @ self.W` 就漏掉了 $\top$。
# * **沿错误的轴求和**：偏置被加到了每一**行**上，所以它的梯度是沿行求和，即 `axis=0`；写成 `axis=1` 就变成了
#   对每行的各列求和。
#
# 这两个错误在这里都能运行而不报错，因为形状恰好允许：$W_2$ 是方阵（10 个隐藏单元，10 个类别），批次里有 10 张
# 图片，正好和类别数一样多。换成别的大小，NumPy 会在错误的乘法处报错，或者 `gradient_check` 会发现形状不对——那是
# 运气好的情况。真正可怕的是不出声的错误。

# %%
class AffineNoTranspose(layers.Affine):
    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        # 错误：该用 W.T 的地方用了 W
        return dout @ self.W


class AffineWrongAxis(layers.Affine):
    def backward(self, dout):
        self.dW = self.x.T @ dout
        # 错误：沿列求和
        self.db = dout.sum(axis=1)
        return dout @ self.W.T


def with_second_layer(affine_class):
    """网络 net，但第二个 Affine 层换成了别的类。"""
    p = net.params
    return Sequential([layers.Affine(p["W1"], p["b1"]),
                       layers.Relu(),
                       affine_class(p["W2"], p["b2"])])


for affine_class in [AffineNoTranspose, AffineWrongAxis]:
    print(affine_class.__name__)
    print(gradient_check(with_second_layer(affine_class),
                         x, t))

# %% [markdown]
# 两个错误都被抓住了，相对误差都是 $1$，而且梯度确认还指出了错在**哪里**：
#
# * **轴错了**：只有 `b2` 错。偏置的梯度不再往下传给任何东西，所以错误停留在它产生的地方，也就是出错那一行
#   所对应的参数上。
# * **漏掉转置**：`W2` 和 `b2` 是对的，`W1` 和 `b1` 错了。第二层正确地算出了自己参数的梯度，却把错误的梯度
#   **往下**传了出去，下面的每个参数都继承了这个错误。从输出端往回读结果：最先出错的参数（`b1`、`W1`）在出错的
#   那一行下面，最后一个正确的参数（`W2`、`b2`）在它上面。所以错误出在第二个 Affine 层往下传的梯度，或者两层之间的
#   ReLU 上。
#
# 下图把每个参数的每个元素都画在规则的几个区间上（最底下一行的点是误差恰好为 0 的元素，来自没有图片能激活的隐藏
# 单元）。数值梯度用的是一开始算好的 `numeric`：它只取决于正向传播，而这两个错误都没有碰正向传播。

# %%
BANDS = [(1e-7, "tab:green", "一致"),
         (1e-3, "tab:orange", "仔细看看"),
         (10.0, "tab:red", "有错误")]
FLOOR = 1e-16


def plot_errors(ax, errors, title):
    """每个元素一个点，每个参数一列。"""
    low = FLOOR
    for high, color, label in BANDS:
        ax.axhspan(low, high, color=color, alpha=0.12, lw=0,
                   label=label)
        low = high
    jitter = np.random.default_rng(0)
    for i, e in enumerate(errors.values()):
        # 对数坐标画不出 0：把它放在最底下一行
        e = np.maximum(e.ravel(), FLOOR)
        ax.plot(i + jitter.uniform(-0.25, 0.25, e.size), e,
                ".", ms=3, color="#3949ab")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR / 3, 10)
    ticks = 10.0 ** np.arange(-16, 1, 4)
    ax.set_yticks(ticks, ["0"] + [f"1e{k}" for k in
                                  range(-12, 1, 4)])
    ax.set_xlim(-0.5, len(errors) - 0.5)
    ax.set_xticks(range(len(errors)), list(errors))
    ax.set_title(title, fontsize=10)


fig, axes = plt.subplots(1, 3, figsize=(7, 3.4), sharey=True)
classes = [layers.Affine, AffineNoTranspose, AffineWrongAxis]
titles = ["正确", "漏掉转置", "db 沿 axis 1 求和"]
for ax, affine_class, title in zip(axes, classes, titles):
    a = with_second_layer(affine_class).gradient(x, t)
    plot_errors(ax, {k: relative_errors(a[k], numeric[k])
                     for k in a}, title)
    print(affine_class.__name__, " ".join(
        f"{k} {np.mean(np.abs(a[k] - numeric[k])):.1e}"
        for k in a))
axes[0].set_ylabel("每个元素的相对误差")
fig.legend(*axes[0].get_legend_handles_labels(), ncol=3,
           loc="upper center", fontsize=9)
fig.tight_layout(rect=(0, 0, 1, 0.9))
plt.show()

# %% [markdown]
# 在正确的网络里，只有前面看过的那些很小的梯度让点进入了中间区间；在改坏的网络里，整个参数都跳进了红色区间。
#
# 图下打印的是书中的比较方法：差的绝对值的平均。它也能看出这两个错误，但请看它是怎么表达的。
#
# 漏掉转置时，$W_1$ 差的绝对值平均约为 $5 \times 10^{-4}$。这算小还是大？只有和 $W_1$ 梯度本身的大小（前面打印过，
# 约 $3 \times 10^{-4}$）比一比才知道——而这正是相对误差对每个元素所做的事，并且换算到同一个尺度上，同一条规则
# 对所有参数都适用。
#
# ## float32 与 float64
#
# 训练网络常用 float32：内存减半，速度也更快。可是用 float32 做梯度确认，反向传播明明是对的也通不过。
# `gradient_check` 干脆拒绝这样做；我们手动做一遍，看看原因。float32 网络的**反向传播**梯度没有问题：它和 float64
# 的结果在大约六位有效数字上一致，接近 float32 所能保存的七位。**数值**梯度就是另一回事了：

# %%
p32 = {name: a.astype(np.float32) for name, a in p.items()}
seq32 = Sequential([layers.Affine(p32["W1"], p32["b1"]),
                    layers.Relu(),
                    layers.Affine(p32["W2"], p32["b2"])])
try:
    gradient_check(seq32, x, t)
except ValueError as error:
    print("ValueError:", error)
grads64 = seq.gradient(x, t)
grads32 = seq32.gradient(x, t)
print("反向传播，float32 对 float64：",
      f"{relative_error(grads32['W2'], grads64['W2']):.1e}")
numeric32 = numerical_gradient(
    lambda _: seq32.loss(x, t), seq32.params["W2"])
print("float32 数值梯度对反向传播：",
      f"{relative_error(numeric32, grads64['W2']):.1e}")
print("恰好为 0 的数值梯度：",
      np.sum(numeric32 == 0), "/", numeric32.size)
print("损失附近相邻 float32 数的间距：",
      np.spacing(np.float32(seq32.loss(x, t))))

# %% [markdown]
# 几乎所有数值梯度都恰好是 0。在损失值 $2.3$ 附近，相邻两个 float32 数相差 $2.4 \times 10^{-7}$：损失只能以这么大的
# 台阶变化。把一个权重挪动 $\pm 10^{-5}$，损失大约改变梯度的 $2 \times 10^{-5}$ 倍：对 $W_2$ 的一个典型元素（梯度为
# $1.5 \times 10^{-3}$）来说约为 $3 \times 10^{-8}$，远小于一个台阶。于是 $f(x + h)$ 和 $f(x - h)$ 舍入成同一个
# float32 数，差为 0。即使两者不同，也相差整整一个台阶，而一个台阶除以 $2h$ 就是 $0.012$，比梯度本身还大。
#
# 把 $h$ 取大一些也帮不了多少。下面是 $W_2$ 的数值梯度相对于反向传播的误差，步长 $h$ 从 $10^{-1}$ 到 $10^{-9}$，
# 两种精度各一条曲线：

# %%
hs = 10.0 ** -np.arange(1, 10)
curves = {}
for label, net_h in [("float64", seq), ("float32", seq32)]:
    W2 = net_h.params["W2"]
    curves[label] = [relative_error(
        numerical_gradient(lambda _: net_h.loss(x, t), W2, h),
        grads64["W2"]) for h in hs]

fig, ax = plt.subplots(figsize=(6, 3.4))
low = FLOOR
for high, color, label in BANDS:
    ax.axhspan(max(low, 1e-10), high, color=color, alpha=0.12,
               lw=0, label=label)
    low = high
for label, errors in curves.items():
    ax.loglog(hs, errors, "o-", ms=4, label=label)
ax.invert_xaxis()
ax.set_ylim(1e-10, 3)
ax.set_xlabel("步长 h")
ax.set_ylabel("W2 的最大相对误差")
ax.legend(fontsize=8, ncol=2, loc="lower right")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# float64 有一个宽阔的谷底：$h$ 从 $10^{-3}$ 到 $10^{-5}$，误差都不超过 $10^{-7}$，在 $10^{-3}$ 处最低（这就是第 5 课
# 讲过的截断误差与舍入误差之间的权衡；$h$ 越小，$W_2$ 中那些很小的梯度越先受到舍入的影响）。float32 根本没有谷底：
# 步长小于 $10^{-3}$ 时被舍入吞掉，步长再大又量成了割线而不是切线的斜率，它最好的结果（$h = 0.1$ 时）仍在红色
# 区间。数值梯度的舍入误差约为 $\varepsilon |L| / h$，而 float32 的 $\varepsilon \approx 1.2 \times 10^{-7}$ 是
# float64 的 $5 \times 10^8$ 倍。所以：**用 float64 做梯度确认**，训练时再用你喜欢的精度——反向传播的代码是同一份。
#
# ## ReLU 的折点
#
# ReLU 在 0 处有一个折点：左边斜率为 0，右边斜率为 1。反向传播用的是输入所在那一侧的斜率。中心差分却同时看两侧
# $x \pm h$：如果某个 ReLU 的输入离 0 比微调的幅度还近，其中一侧就落到了另一段上，数值梯度就成了两个斜率的混合。
#
# 在真实的网络里这种情况很少见（输入得落在 0 附近约 $10^{-5}$ 以内），所以我们特意把它造出来。隐藏单元 5 只被
# 一张图片激活，即图片 1，它给这个单元的输入是 $0.016$。我们把这个单元的偏置调低，让这个输入变成
# $2 \times 10^{-6}$：仍然是正的，但在 $10^{-5}$ 的微调范围之内。反向传播是正确的，权重也没变，只是有一个输入靠近了折点。

# %%
kinked = {name: a.copy() for name, a in p.items()}
a1 = x @ kinked["W1"] + kinked["b1"]
print("隐藏单元 5 的输入：")
print(np.round(a1[:, 5], 3))
kinked["b1"][5] -= a1[1, 5] - 2e-6
a1 = x @ kinked["W1"] + kinked["b1"]
image, unit = np.unravel_index(np.abs(a1).argmin(), a1.shape)
print(f"最小的 |ReLU 输入| {np.abs(a1).min():.1e}："
      f"图片 {image}，单元 {unit}")
seq_kink = Sequential([
    layers.Affine(kinked["W1"], kinked["b1"]), layers.Relu(),
    layers.Affine(kinked["W2"], kinked["b2"])])
print(gradient_check(seq_kink, x, t))
grads_kink = seq_kink.gradient(x, t)
numeric_kink = seq_kink.numerical_gradient(x, t)
b15, h = kinked["b1"][5], 1e-5
L0 = seq_kink.loss(x, t)
shifts = np.linspace(-3e-5, 3e-5, 61)
curve = []
for s in shifts:
    kinked["b1"][5] = b15 + s
    curve.append(seq_kink.loss(x, t) - L0)
kinked["b1"][5] = b15
slope = grads_kink["b1"][5]
chord = numeric_kink["b1"][5]

fig, left = plt.subplots(figsize=(6, 3.4))
left.plot(shifts, curve, color="0.3", lw=2, label="损失")
left.plot(shifts, slope * shifts, "--", color="tab:blue",
          label=f"反向传播的斜率 {slope:.2e}")
left.plot([-h, h], [curve[20], curve[40]], "o-",
          color="tab:red",
          label=f"b ± h 之间割线的斜率 {chord:.2e}")
left.axvline(-2e-6, color="0.6", lw=1, ls=":")
left.set_xlabel("b1[5] 的偏移量")
left.set_ylabel("损失的变化")
left.legend(fontsize=8)
fig.tight_layout()
plt.show()
errors_W1 = relative_errors(grads_kink["W1"],
                            numeric_kink["W1"])
rows, cols = np.nonzero(errors_W1 > 1e-3)
print("W1 中大于 1e-3 的元素个数：", len(rows),
      "，所在的列：", np.unique(cols))
print(f"割线斜率 / 反向传播斜率 = {chord / slope:.3f}")

# %% [markdown]
# $W_1$ 和 $b_1$ 都是 $0.25$：按规则，这是错误。但其实什么错都没有，是梯度确认跨过了折点。上图以 $b_1[5]$ 为例：
# 在折点附近，损失随这个偏置的变化；反向传播用的斜率（输入所在那一侧的斜率）；以及中心差分实际量出的、从 $b - h$
# 到 $b + h$ 的割线。$W_1$ 中大于 $10^{-3}$ 的元素全都在第 5 列，也就是给单元 5 提供输入的那些权重。
#
# 点线在偏移量 $-2 \times 10^{-6}$ 处：在它左边，这个单元唯一的输入变成负数，单元关闭，损失不再变化；在它右边，
# 损失按反向传播的斜率上升。从 $-h$ 到 $+h$ 的割线横跨两边：在 $2h$ 的范围里只有 $h + 2 \times 10^{-6}$ 这一段在上升，
# 所以它的斜率是切线斜率的 $0.6$ 倍，相对误差为 $0.4 / 1.6 = 0.25$，正是表中的数。$W_1$ 第 5 列的元素也是如此：
# 只要 $h$ 乘以它所乘的像素值超过 $2 \times 10^{-6}$，就会跨过折点。（$W_2$ 的 $6 \times 10^{-4}$ 则属于规则里的
# 另一种原因：单元 5 的输出只有 $2 \times 10^{-6}$，所以 $W_2$ 梯度的第 5 行很小。）
#
# 怎样才不会被骗：
#
# * **知道折点在哪里。** 看一看各个 ReLU 的输入：如果某个输入离 0 比微调能挪动的幅度（约为 $h$ 乘以输入它的最大值）
#   还近，那么给它提供输入的参数，梯度确认的结果就不可靠。像这里这样，误差集中在某一个隐藏单元的参数上，正是折点的特征。
# * **换一个点再检验一次。** 折点属于某一批数据、某一组权重；错误属于代码。用接下来的十张图片检验同一个网络：

# %%
x_next, t_next = x_train[10:20], t_train[10:20]
a1_next = x_next @ kinked["W1"] + kinked["b1"]
print("接下来十张图片中最小的 |ReLU 输入|：",
      f"{np.abs(a1_next).min():.1e}")
print(gradient_check(seq_kink, x_next, t_next))

# %% [markdown]
# 没有哪个 ReLU 输入离 0 在 $10^{-4}$ 以内，也不再有大于 $10^{-3}$ 的误差；留在中间区间的，是第一次检验里见过的
# 那种很小的梯度带来的噪声。而漏掉转置这样真正的错误，在这一批数据上照样会通不过。（把 $h$ 取得更小也能避开这个
# 折点，但代价是更多的舍入噪声；换一批数据是更干净的检验。）用平滑激活函数（sigmoid、tanh）的网络没有折点，
# 规则可以直接使用。
#
# ## 小结
#
# * 网络就是一串有序的层：正向传播按顺序，反向传播倒序。书中把它们放在 `OrderedDict` 里；
#   [`nnlib.nets.Sequential`](../../reference/nets/#nnlib.nets.Sequential) 对任意一串层做同样的事。各层保存的就是
#   参数数组本身，所以就地微调 `params["W1"]` 的数值梯度能作用到网络上。
# * **梯度确认**比较反向传播和数值梯度，看的是每个参数的最大相对误差 $|a - n| / \max(10^{-8}, |a| + |n|)$，而不是
#   带单位的平均差。课程统一的规则：小于 $10^{-7}$ 两者一致；$10^{-5}$ 左右要仔细看看（折点、很小的梯度）；
#   大于 $10^{-3}$ 说明有错误。
# * 梯度确认会指出出错的参数：停留在一个参数里的错误（`db` 沿错误的轴求和）就显示在那个参数上；往下传的错误梯度
#   （漏掉转置）则显示在出错那一层下面的所有参数上。
# * 用 float64 做梯度确认：在 float32 下，损失以约 $10^{-7}$ 的台阶变化，无论 $h$ 取多少，数值梯度都淹没在舍入误差里。
# * 微调跨过 ReLU 的折点时，没有错误也会出现很大的误差；这些误差集中在给某一个单元提供输入的参数上，换一批数据就消失了。
#
# 下一课：[第 9 课](../09-digits-network/)用亲手写的反向传播在全部手写数字上训练网络，训练前先做梯度确认。
# API 参考：[`nnlib.nets.Sequential`](../../reference/nets/#nnlib.nets.Sequential)、
# [`nnlib.gradient.relative_error`](../../reference/gradient/#nnlib.gradient.relative_error)、
# [`nnlib.gradient.gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check)、
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载本课的 notebook，从本仓库安装 nnlib（在克隆下来的仓库里运行
# `pip install .`，或者安装页面提供的 wheel），再用 Jupyter 打开。书中在三张图片上检验它的 MNIST 网络（784 个输入、
# 50 个隐藏单元、10 个类别）：共 39,760 个参数，每个参数要两次前向传播，在网页里太慢，在本机上则没有问题
# （`load_mnist()` 第一次使用时会下载 MNIST）：
#
# ```python
# from nnlib.datasets import load_mnist
# from nnlib.gradient import gradient_check
# from nnlib.nets import TwoLayerNet
#
# (x_train, t_train), _ = load_mnist()
# net = TwoLayerNet(784, 50, 10, seed=0)
# print(gradient_check(net, x_train[:3], t_train[:3]))
# ```
#
# 在我们的机器上用了 31 秒，打印出 W1 2.07e-05、b1 7.22e-08、W2 1.56e-07、b2 1.44e-10：$W_1$ 落在中间区间，
# 原因和本课第一次检验相同（标准差为 0.01 的权重让它的许多梯度都很小）。
