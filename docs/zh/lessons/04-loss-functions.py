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
# # 4. 损失函数
#
# 训练网络，就是调整它的权重，让它变得更好。“更好”需要一个数来衡量：**损失函数**（loss function）度量网络的输出
# 离正确答案有多远，训练就是要让这个数变小。本课写出两种经典的损失函数：均方误差和交叉熵误差，并给出分类问题需要的
# 各种形式；最后说明，为什么我们最终关心的准确率不能拿来当损失函数。
#
# **学完本课，你将能够**
#
# * 把标签转换成独热编码（one-hot）向量；
# * 计算一个预测的均方误差和交叉熵误差，并说明分类问题为什么用交叉熵误差；
# * 针对独热编码目标和整数标签两种形式，分别写出单个样本和一批样本的交叉熵误差；
# * 用随机抽取的小批量（mini-batch）估计整个数据集上的损失；
# * 借助一幅图，解释训练为什么不能直接跟着准确率走。
#
# **前置知识**：softmax 函数（第 2 课），以及第 3 课的前向传播和批处理。我们还会用到第 3 课那个事先训练好的网络。

# %%
import numpy as np
import matplotlib.pyplot as plt

from nnlib.functions import sigmoid, softmax

# %% [markdown]
# ## 用独热编码表示目标
#
# 一个 10 类的分类器输出 10 个概率。为了和正确答案比较，我们把答案也写成同样的形式：一个含 10 个数的向量，
# 正确类别的位置为 1，其余为 0。这就是**独热编码**（one-hot），标签 2 变成 $(0, 0, 1, 0, 0, 0, 0, 0, 0, 0)$。
# $10 \times 10$ 单位矩阵的第 $k$ 行恰好就是类别 $k$ 的独热向量，所以用标签去索引单位矩阵，一次就能编码一整批标签。

# %%
def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


labels = np.array([2, 7, 0])
print(one_hot(labels, 10))

# %% [markdown]
# nnlib 里有同样的函数 [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot)（如果不另行指定，
# 它返回 float32，与图像数据的类型一致）：

# %%
from nnlib.util import one_hot as nnlib_one_hot

print(
    np.array_equal(one_hot(labels, 10),
                   nnlib_one_hot(labels, 10)))

# %% [markdown]
# ## 均方误差
#
# 衡量差距最常见的办法是把各个输出的误差平方后相加。乘上系数 $\tfrac12$（求导后形式更简洁），就是**均方误差**
# （squared error）：
#
# $$E = \frac12 \sum_k (y_k - t_k)^2,$$
#
# 其中 $y_k$ 是网络的输出，$t_k$ 是独热编码的目标。下面是对一张数字 2 的图像的两个预测：第一个给 2 的概率最高，
# 为 0.6；第二个把 0.6 给了 7。

# %%
def squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


t = one_hot(2, 10)
y_good = np.array(
    [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
y_bad = np.array(
    [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
print("猜对时：", squared_error(y_good, t))
print("猜错时：", squared_error(y_bad, t))

# %% [markdown]
# 猜对的那个误差更小，这正是我们想要的。
#
# ## 交叉熵误差
#
# **交叉熵误差**（cross-entropy error）比较的是两个概率分布：
#
# $$E = -\sum_k t_k \log y_k .$$
#
# 目标是独热编码时，除了正确类别那一项，其余各项都是零，所以 $E = -\log y_{\text{true}}$：损失只取决于网络给正确答案的
# 概率。这个概率最大为 1（$-\log 1 = 0$），越接近 0，损失就越大，而且没有上限。

# %%
p = np.linspace(0.001, 1, 500)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(p, -np.log(p))
ax.set_xlabel("正确类别的概率")
ax.set_ylabel("$-\\log y_{true}$")
ax.set_ylim(0, 5)
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# 有一个值要特别小心：概率恰好为 0。在浮点运算中 softmax 真的会给出 0（很小的负数取 `exp` 会下溢成 0）。
# 这时 $\log 0 = -\infty$：NumPy 发出警告，损失变成 `inf`；训练中一旦出现 `inf`，它碰到的一切都会变成 `inf` 或 `nan`。

# %%
# 把 NumPy 的警告变成可以展示的错误
with np.errstate(divide="raise"):
    try:
        np.log(np.array([0.0]))
    except FloatingPointError as err:
        print("log(0)：", err)

# %% [markdown]
# 常见的办法是让 $y$ 离开 0。《深度学习入门：基于 Python 的理论与实现》给它加上 $10^{-7}$；我们则把小于 float64
# 最小正数（$2.2 \times 10^{-308}$）的值换成这个数。这样其他的值完全不受影响，损失最大也只有
# $-\log(2.2 \times 10^{-308}) \approx 708$。

# %%
TINY = np.finfo(np.float64).tiny


def cross_entropy_one_hot(y, t):
    """单个预测 y 相对于独热编码目标 t 的交叉熵误差。"""
    return -np.sum(t * np.log(np.maximum(y, TINY)))


print("猜对时：", cross_entropy_one_hot(y_good, t))
print("猜错时：", cross_entropy_one_hot(y_bad, t))
print("正确类别的概率为 0 时：",
      cross_entropy_one_hot(np.eye(10)[7], t))

# %% [markdown]
# 两个预测的损失分别是 $-\log 0.6 = 0.51$ 和 $-\log 0.1 = 2.30$。
#
# ## 均方误差还是交叉熵误差？
#
# 两种损失都偏向猜对的那个预测。区别出现在网络“错得很自信”的时候。设一个 10 类网络的得分（softmax 的输入）
# 除了正确类别的得分 $a$ 以外全为 0，然后让 $a$ 变得很负：网络越来越确信答案不是正确的那一类。

# %%
a = np.linspace(-10, 6, 321)
scores = np.zeros((len(a), 10))
scores[:, 2] = a                       # 类别 2 是正确类别
y = softmax(scores)
t = one_hot(2, 10)
se = 0.5 * np.sum((y - t) ** 2, axis=1)
ce = -np.log(y[:, 2])

fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.plot(a, se, label="均方误差")
ax.plot(a, ce, label="交叉熵误差")
ax.set_xlabel("正确类别的得分 a（其余得分为 0）")
ax.set_ylabel("损失")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
print("a = -10：均方误差 "
      f"{se[0]:.5f}，交叉熵误差 {ce[0]:.3f}")
print(f"a =  -8：均方误差 {se[40]:.5f}，交叉熵误差 "
      f"{ce[40]:.3f}")

# %% [markdown]
# 随着 $a$ 减小，均方误差趋于平坦，停在 $\tfrac12 (1 + \tfrac19) \approx 0.556$ 附近：从 $a = -8$ 到 $a = -10$，
# 它几乎没有变化。于是权重的微小变化也几乎改变不了它，而训练恰恰是跟着这种变化走的，结果在网络错得最厉害的地方停滞不前。
# 交叉熵误差则持续增大（几乎是线性的，$a$ 每减小 1，它就增大 1），把网络拉向正确答案的力量始终很强。
# 再加上它在概率上的含义（它就是标签的负对数似然），这就是输出层用 softmax 的分类器都用交叉熵误差的原因。
# 对于回归问题，输出是数值而不是概率，均方误差仍然是常用的损失函数。
#
# ## 用标签代替独热向量
#
# 乘以独热向量只不过是挑出一个元素，所以可以省掉独热向量，直接用标签去索引：$E = -\log y_t$。对一批 $N$ 个预测
# （矩阵 $Y$ 的各行，形状 $N \times 10$）和 $N$ 个标签，NumPy 的*整数数组索引* `Y[np.arange(N), labels]`
# 一次就取出每一行 $n$ 中第 `labels[n]` 列的元素：

# %%
Y = np.array([[0.1, 0.8, 0.1],
              [0.7, 0.2, 0.1],
              [0.2, 0.2, 0.6],
              [0.3, 0.4, 0.3]])
labels = np.array([1, 0, 2, 2])
print(Y[np.arange(4), labels])

# %% [markdown]
# ## 批量形式
#
# 对一批样本，我们取各样本损失的平均值。这样损失不会随批量大小而增大，同一个学习率适用于任意批量大小：
#
# $$E = -\frac1N \sum_{n=1}^{N} \sum_k t_{nk} \log y_{nk} = -\frac1N \sum_{n=1}^{N} \log y_{n, t_n}.$$
#
# 左边的写法用独热编码目标 $T$（形状 $N \times C$），右边的用标签 $t_n$（形状 $N$）。左边那种用 NumPy 写，
# 只需对整个数组求一次和：

# %%
def cross_entropy_batch_one_hot(Y, T):
    return -np.sum(T * np.log(np.maximum(Y, TINY))) / len(Y)


print(cross_entropy_batch_one_hot(Y, one_hot(labels, 3)))

# %% [markdown]
# ### 练习：标签形式的批量交叉熵误差
#
# 写出右边那种形式 `cross_entropy_batch_labels(Y, labels)`：用整数数组索引取出每一行正确类别的概率，像上面那样防备概率为 0，
# 再对 $N$ 行的 $-\log$ 取平均。对 `Y` 和 `labels`，它的结果必须与独热编码形式相同。
# 写好后点“检查”（在 Jupyter 里则运行它下面的那个单元格）。

# %% tags=["exercise"] exercise="cross-entropy-labels"
def cross_entropy_batch_labels(Y, labels):
    """Y（N, C）的各行相对于整数标签 labels（N,）
    的平均交叉熵误差。"""
    return 0.0      # 在这里写代码


# %% tags=["check"] exercise="cross-entropy-labels"
from nnlib import exercises as ex
from nnlib.functions import cross_entropy_error

rng = np.random.default_rng(1)
ex.report(
    ex.same_function(
        "上面的例子，以及 10 个类别的 50 行随机数据",
        cross_entropy_batch_labels, cross_entropy_error,
        cases=[(Y, labels),
               (softmax(rng.normal(size=(50, 10))),
                rng.integers(0, 10, 50))],
        hint="Y[np.arange(len(Y)), "
             "labels] 每行给出一个概率；"
             "对它取 -log 再求平均。"
    ),
    ex.same_function(
        "概率恰好为 0 时，"
        "损失很大但有限",
        cross_entropy_batch_labels, cross_entropy_error,
        cases=[(np.array([[0.0, 1.0], [0.5, 0.5]]),
                np.array([0, 1]))],
        hint="log(0) 是 -inf：先用 np.maximum(p, TINY) 替换取"
             "出的概率。"),
    lang="zh",
)

# %% tags=["solution"] exercise="cross-entropy-labels"
def cross_entropy_batch_labels(Y, labels):
    """Y（N, C）的各行相对于整数标签 labels（N,）
    的平均交叉熵误差。"""
    picked = Y[np.arange(len(Y)), labels]
    return -np.sum(np.log(np.maximum(picked, TINY))) / len(Y)


print(cross_entropy_batch_labels(Y, labels))

# %% [markdown]
# 标签形式不必构造 $N \times C$ 的独热数组，也不必计算 $N \times C$ 个对数，只算 $N$ 个：10 个类别时少算九成，
# 类别数成千上万时，正是这一点让损失算得起。
#
# [`nnlib.functions.cross_entropy_error`](../../reference/functions/#nnlib.functions.cross_entropy_error)
# 两种目标形式都接受，单个样本和一批样本也都能处理；它的结果和我们的一致。nnlib 的均方误差
# [`nnlib.functions.mean_squared_error`](../../reference/functions/#nnlib.functions.mean_squared_error)
# 也是 $\tfrac12 \sum_k (y_k - t_k)^2$，对一批样本取平均。从这里开始，本课改用 nnlib 的函数，
# 所以无论你的练习是否通过，后面的单元格都能正常运行。

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
# ## 真实网络的损失
#
# 回到第 3 课的 MNIST 网络。它在 1,000 张测试图像上的损失是一个数，比准确率更细致地反映它的表现：
# 网络有多大把握，也算在里面。

# %%
from nnlib.datasets import bundled_path, load_mnist
from nnlib.io import load_params

(x_train, t_train), (x_test, t_test) = load_mnist(subset=True)
params = load_params(bundled_path("mnist_sigmoid_mlp.npz"))


def predict(x):
    """第 3 课的前向传播：输出概率，每张图像一行。"""
    z1 = sigmoid(x @ params["W1"] + params["b1"])
    z2 = sigmoid(z1 @ params["W2"] + params["b2"])
    return softmax(z2 @ params["W3"] + params["b3"])


Y_test = predict(x_test)
print("测试图像上的交叉熵误差：",
      cross_entropy_error(Y_test, t_test))
print("测试图像上的准确率：    ",
      np.mean(Y_test.argmax(axis=1) == t_test))

# %% [markdown]
# ## 小批量
#
# 训练过程中要成千上万次地用到整个训练集上的损失。MNIST 有 60,000 张训练图像，大型数据集更有数百万个样本：
# 每一步都在全部数据上计算损失，实在太慢了。所以我们从中随机抽取一个**小批量**（mini-batch），比如不放回地抽 100 张，
# 用它来估计整体的损失，就像民意调查用一部分选民的样本来估计选举结果一样。下面先把每张训练图像的损失算一遍，
# 再看 1,000 个随机小批量给出的估计。

# %%
# 每张图像一个损失
losses = -np.log(
    np.maximum(
        predict(x_train)[np.arange(len(x_train)), t_train],
        TINY))
full = losses.mean()
print(f"全部 {len(x_train)} 张训练"
      f"图像上的损失：{full:.4f}")

rng = np.random.default_rng(0)
estimates = np.array([
    losses[rng.choice(len(x_train), size=100,
                      replace=False)].mean()
    for _ in range(1000)
])
print("前五个 100 张的小批量：", np.round(estimates[:5], 4))
print(
    f"{len(estimates)} 个估计值的平均："
    f"{estimates.mean():.4f}，中位数："
    f"{np.median(estimates):.4f}"
)

fig, ax = plt.subplots(figsize=(5.5, 3))
ax.hist(estimates, bins=50, color="#9fa8da")
ax.axvline(full, color="#3949ab", label="全部图像上的损失")
ax.set_xlabel("由 100 张图像的小批量估计的损失")
ax.set_ylabel("小批量个数")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# 这些估计值散布在整体损失的周围，平均起来正好打中它：1,000 个估计值的平均为 0.1665，与整体损失 0.1659 很接近；
# 如果对所有可能的小批量求平均，两者会完全相等（这种估计是*无偏*的）。单个估计值偏低的时候比偏高的时候多，
# 因为少数认得很差的图像带着很大的损失，而大多数小批量恰好没有抽到它们。对训练来说，这点噪声是可以接受的：
# 这里一个小批量的计算量只有全部数据的五十分之一（100 张对 5,000 张）。本课程后面用小批量训练时，
# 跟着走的正是这些估计值，而不是精确的损失。
#
# ## 为什么不直接用准确率来训练？
#
# 我们最终想要的是高准确率，为什么不直接让它最大？因为训练靠的是考察“权重稍微变一点，这个量会怎样变化”
# （也就是导数，下一课的主题），而权重稍微变一点时，准确率几乎从来不变。
#
# 来看一看。取 100 张测试图像，只改变网络的一个参数，即数字 3 对应的输出神经元的偏置 $b^{(3)}_3$，让它在一个范围内取值，
# 其余参数都不动，对每个取值计算准确率和交叉熵误差。隐藏层与这个偏置无关，所以只需算一次。

# %%
# 100 张图像，每个数字 10 张
x_small, t_small = x_test[::10], t_test[::10]
z1 = sigmoid(x_small @ params["W1"] + params["b1"])
z2 = sigmoid(z1 @ params["W2"] + params["b2"])

# 不含偏置的得分
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
    f"在 {len(values) - 1} 步中，"
    f"准确率只变化了 {changes} 次"
)
print(
    f"损失则变化了 {np.count_nonzero(np.diff(loss))} "
    "次"
)

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
left.plot(values, accuracy, color="#e65100")
left.set_title("准确率")
right.plot(values, loss, color="#3949ab")
right.set_title("交叉熵误差")
for ax in (left, right):
    ax.axvline(params["b3"][3], color="gray", linestyle=":",
               label="训练得到的值")
    ax.set_xlabel("偏置 b₃⁽³⁾")
    ax.grid(alpha=0.3)
left.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# 准确率是一级一级的台阶。台阶之间完全平坦：偏置稍微变一点，没有哪张图像的预测类别会改变，准确率保持不变，
# 导数恰好为零。在跳变处（有图像改变了预测类别的地方），导数不存在。所以，一个跟着导数走的方法几乎在任何地方都
# 无法从准确率得到方向。交叉熵误差则每一步都在变化，有清楚的斜率，也有最小值。感知机的阶跃函数也有同样的毛病，
# 这正是神经网络要用平滑激活函数的原因。
#
# ## 小结
#
# * 损失函数把“网络错得有多厉害”变成一个数，训练就是让它变小。
# * 独热编码目标就是单位矩阵的第 $k$ 行。均方误差 $\tfrac12 \sum_k (y_k - t_k)^2$；交叉熵误差
#   $-\sum_k t_k \log y_k = -\log y_{\text{true}}$。
# * 对数要防备概率为 0 的情况。网络错得很自信时，交叉熵误差仍有很大的斜率；softmax 之后的均方误差在那里却变得平坦。
# * 标签形式用 `Y[np.arange(N), labels]`；批量形式对 $N$ 个样本取平均。随机小批量只花一小部分计算量，
#   就能估计整个数据集上的损失。
# * 准确率是台阶状的，导数几乎处处为零，无法指导训练；损失函数可以。
#
# 下一课：[数值微分与梯度下降法](../05-numerical-gradients/)，我们将计算损失随每个权重怎样变化，并用它来训练网络。
# API 参考：[`nnlib.functions.cross_entropy_error`](../../reference/functions/#nnlib.functions.cross_entropy_error)、
# [`nnlib.functions.mean_squared_error`](../../reference/functions/#nnlib.functions.mean_squared_error)、
# [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot)。
#
# **在自己的电脑上运行。** 用页面顶部的按钮下载本课的 notebook，从本仓库安装 nnlib（在克隆下来的仓库里运行
# `pip install .`，或者安装页面提供的 wheel），再用 Jupyter 打开。想在完整的 MNIST 数据上（60,000 张训练图像）
# 计算损失和小批量估计值，就把子集换成完整数据集（第一次运行时 nnlib 会下载这些文件，约 11 MB；
# 也可以用环境变量 `NNLIB_DATA` 指定存放它们的文件夹）：
#
# ```python
# (x_train, t_train), (x_test, t_test) = load_mnist()
# ```
#
# 然后重新运行它后面的单元格。
