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
# # 9. 亲手搭建识别数字的网络
#
# 现在把前面几课学到的东西用起来：激活函数（第 2 课）、前向传播（第 3 课）、损失函数（第 4 课）、数值梯度（第 5 课）、
# 计算图和各个层（第 6、7 课）以及梯度确认（第 8 课）。我们只用 NumPy 搭一个两层网络，亲手推导它的反向传播，
# 用数值方法检查，然后训练它识别手写数字；一路上还要实际测一测每种做法的代价：每次一张图片与小批量相比、
# 数值梯度与反向传播相比。最后再用 nnlib 现成的组件，几行代码完成同样的事。
#
# 数据是 scikit-learn 自带的 1,797 张小图片（来自 UCI 的“手写数字光学识别”数据集）：$8 \times 8$ 像素，17 级灰度。
# 它们小到一秒内就能训练完，在浏览器里也一样。nnlib 内置了这份数据，所以
# [`nnlib.datasets.load_digits`](../../reference/datasets/#nnlib.datasets.load_digits) 不需要下载：
# 它返回一个固定的、按类别分层的划分，像素值缩放到 $[0, 1]$。

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
print("训练图片：", x_train.shape, x_train.dtype,
      " 标签：", t_train.shape, t_train.dtype)
print("测试图片：", x_test.shape)
print("像素取值范围：", x_train.min(), "到", x_train.max())
print("训练集中每个类别的图片数：",
      np.unique(t_train, return_counts=True)[1])

# %% [markdown]
# `x_train` 的每一行是一张图片，64 个像素排成一行。把它们变回 $8 \times 8$，就是下面的样子：

# %%
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, image, label in zip(axes.flat, x_train, t_train):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# 网络输出十个概率，每个数字一个，所以要把标签写成 **one-hot** 形式来比较：标签 $3$ 变成 $(0,0,0,1,0,0,0,0,0,0)$。
# [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot) 完成这个转换。

# %%
T_train = one_hot(t_train, 10)
print(t_train[:3])
print(T_train[:3])

# %% [markdown]
# ## 网络结构
#
# 输入 $\mathbf{x}$（64 个像素）→ 由 30 个 sigmoid 单元组成的隐藏层 → 输出 10 个得分的输出层 → softmax。
# 对一个由 $N$ 张图片组成的批次 $X$（每行一张）：
#
# $$H = \sigma(X W_1 + \mathbf{b}_1), \qquad Y = \operatorname{softmax}(H W_2 + \mathbf{b}_2),$$
#
# 损失函数是与 one-hot 目标 $T$ 之间的交叉熵，在批次上取平均：
#
# $$L = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{10} T_{nk} \log Y_{nk}.$$
#
# 形状：$W_1$ 是 $64 \times 30$，$\mathbf{b}_1$ 有 30 个元素，$W_2$ 是 $30 \times 10$，$\mathbf{b}_2$ 有 10 个元素，
# 一共 $64 \cdot 30 + 30 + 30 \cdot 10 + 10 = 2260$ 个要学习的数。我们从较小的随机权重出发：
# 如果权重全都相同，每个隐藏单元算出的值都一样，得到的更新也一样，无论训练多久，它们都没法分化开来。

# %%
def init_params(rng, n_in=64, n_hidden=30, n_out=10):
    return {
        "W1": rng.normal(0.0, 0.1, size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 0.1, size=(n_hidden, n_out)),
        "b2": np.zeros(n_out),
    }


def forward(params, X):
    # 隐藏层的激活值，(N, 30)
    H = sigmoid(X @ params["W1"] + params["b1"])
    # 各类别的概率，(N, 10)
    Y = softmax(H @ params["W2"] + params["b2"])
    return H, Y


params = init_params(np.random.default_rng(0))
_, Y = forward(params, x_train[:3])
# 未训练：每个类别都接近 0.1
print(np.round(Y, 3))
print("损失：", cross_entropy_error(Y, T_train[:3]),
      " （log 10 =", np.log(10), "）")

# %% [markdown]
# 未经训练的网络对什么都拿不准：每个类别约 $0.1$，所以损失接近 $\log 10 \approx 2.30$。
#
# ## 亲手推导反向传播
#
# 所需的零件第 7 课都已备齐。softmax 加交叉熵向后传出 $(Y - T)/N$；输出层的 Affine 把它变成 $W_2$、$\mathbf{b}_2$ 和 $H$
# 的梯度；sigmoid 逐元素（$\odot$）乘上 $H(1-H)$；第一个 Affine 层给出 $W_1$ 和 $\mathbf{b}_1$ 的梯度：
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
# 在信任它之前，先在几张图片上做一次梯度确认（第 8 课）：和数值梯度比一比，再按课程统一的规则判读最大相对误差：
# 小于 $10^{-7}$ 为好，$10^{-5}$ 左右要仔细看看（折点、很小的梯度），大于 $10^{-3}$ 说明有错误。图片是 float32，
# 参数是 float64；两者相乘时 NumPy 按 float64 计算，所以整个损失都是 float64，图片不必转换。
# 下面的单元格还会打印出每个参数误差最大处的梯度。

# %%
# 图片是 float32，参数是 float64：NumPy 按 float64 计算
X_small, T_small = x_train[:5], T_train[:5]
print("计算所用的类型：", (X_small @ params["W1"]).dtype)
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
    print(f"{name}：最大相对误差 "
          f"{errors.max():.1e}，该处的梯度为 "
          f"{grads[name].flat[worst]:.1e}")

# %% [markdown]
# $\mathbf{b}_1$、$W_2$ 和 $\mathbf{b}_2$ 的误差都远小于 $10^{-7}$。$W_1$ 的最大误差是几个 $10^{-6}$，落在“要仔细看看”的
# 范围里；仔细看的结果就打印在旁边：那个元素的梯度非常小，只有百万分之几。数值估计本身带有约 $10^{-11}$ 的舍入噪声
# （损失约为 $2.4$，有 $16$ 位有效数字，这点误差再除以 $2h$），相对这么小的梯度就不可忽略了。这个网络没有折点
# （sigmoid 处处光滑），所以原因就是梯度太小：反向传播是对的。
#
# 精度要紧的是*参数*。把参数换成 float32、反向传播不变，再做一次同样的检查：

# %%
params32 = {name: p.astype(np.float32)
            for name, p in params.items()}
print("计算所用的类型：", (X_small @ params32["W1"]).dtype)
grads32 = backward(params32, X_small, T_small)
numeric32 = numerical_gradient(
    lambda _: loss(params32, X_small, T_small),
    params32["W1"],
)
err32 = np.max(np.abs(grads32["W1"] - numeric32) / np.maximum(
    1e-8, np.abs(grads32["W1"]) + np.abs(numeric32)
))
print("float32 参数下 W1 的最大相对误差：",
      f"{err32:.1e}")
print("W1 中数值梯度恰好为 0 的有",
      np.sum(numeric32 == 0),
      "个，共", numeric32.size, "个")
print("数值梯度只取这几个值：",
      np.unique(np.round(numeric32, 4)))

# %% [markdown]
# 明明没有任何错误，相对误差却是 $1$。在 float32 下，约为 $2.4$ 的损失只能以 $2.4 \times 10^{-7}$ 为最小单位变化。
# 把一个权重加减 $10^{-5}$，损失大约变化梯度的 $2 \times 10^{-5}$ 倍，多数情况下远不到一个最小单位：两次算出的损失
# 要么完全相等（数值梯度恰好为 $0$），要么差一两个单位（每个单位对应 $2.4 \times 10^{-7} / 2h \approx 0.012$）。所以梯度确认必须
# 用 float64 的参数；[`gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check) 遇到其他类型的参数会直接报错。
#
# ## 一次学一张图片
#
# 经典的训练方法是：给网络看一张图片，算出它的梯度，让每个权重沿梯度反方向走一小步，
# 再看下一张。这就是批大小为一的*随机梯度下降*：
#
# $$W \leftarrow W - \eta\, \frac{\partial L}{\partial W}, \qquad \eta = \text{学习率}.$$
#
# 把训练集完整过一遍，叫作一**轮**（epoch）：

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
print(f"一轮，每步一张图片："
      f"{per_sample_seconds:.3f} 秒，"
      f"测试准确率 {per_sample_acc:.3f}")

# %% [markdown]
# 已经能用了：一轮就是 1,438 个小步。但每一步做的都是很小的矩阵乘法，时间大多花在 Python 自身的开销上，而不是算术上；
# 而且单张图片给出的梯度估计噪声很大。
#
# ## 小批量：向量化的版本
#
# 换个做法：打乱训练集，切成每批 32 张图片的**小批量**（mini-batch），每批走一步。上面的公式本来就能一次处理 $N$ 行，
# 所以代码几乎不用改；每一步变成了真正的矩阵乘法（NumPy 擅长的事），梯度也是 32 张图片的平均（噪声更小，
# 所以可以放心用更大的学习率）。计时只算更新参数的时间，好和上面每轮的时间对比；每轮结束后的评估不计在内。

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
print(f"20 轮，更新参数用时 {clock[-1]:.2f} 秒"
      f"（每轮 {clock[-1] / 20 * 1000:.1f} 毫秒）")
print(f"最终损失 {train_loss[-1]:.3f}，"
      f"训练准确率 {train_acc[-1]:.3f}，"
      f"测试准确率 {test_acc[-1]:.3f}")

# %% [markdown]
# 把上面两个单元格测得的结果放在一起：

# %%
batch_epoch = clock[-1] / 20
print("每步一张图片："
      f"每轮 {per_sample_seconds * 1000:6.1f} 毫秒")
print("每步 32 张：  "
      f"每轮 {batch_epoch * 1000:6.1f} 毫秒")
print(f"小批量每轮快 {per_sample_seconds / batch_epoch:.1f}"
      " 倍")
print("一轮后的测试准确率："
      f"{per_sample_acc:.3f} 对 {test_acc[0]:.3f}")
# 在逐个样本训练一轮的时间里，小批量能跑完的轮数
k = max(1, sum(c <= per_sample_seconds for c in clock))
print(f"同样的时间里：小批量跑完 {k} 轮，"
      f"测试准确率 {test_acc[k - 1]:.3f}")

# %% [markdown]
# 按轮来比，每次一张图片学到的更多：一轮里它更新 1,438 次，小批量只更新 45 次，所以一轮过后它遥遥领先
# （这里约 87% 对约 53%）。可它的每一轮都要花大约十倍的时间：32 张图片的一步，花的时间只是一张图片的一步的几倍，
# 远不到 32 倍，因为时间都花在调用 NumPy 上，而不是算术上。给小批量同样的时间（逐个样本训练一轮的时间），
# 它能跑好几轮，最后反而领先（见上面最后一行）。你测到的时间会和我们的不同，本地运行和在浏览器里也不同，
# 但这个倍数始终很大。下面是小批量训练 20 轮的曲线：

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
ax1.plot(range(1, 21), train_loss, marker="o")
ax1.set_xlabel("轮")
ax1.set_ylabel("训练损失")
ax1.grid(alpha=0.3)
ax2.plot(range(1, 21), train_acc, marker="o", label="训练集")
ax2.plot(range(1, 21), test_acc, marker="s", label="测试集")
ax2.set_xlabel("轮")
ax2.set_ylabel("准确率")
ax2.legend()
ax2.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# 真正重要的是测试准确率：它是在网络从未训练过的图片上测得的，说明网络的*泛化*能力。训练准确率最后更高，
# 约 99%，测试准确率约 94%：网络对学过的图片比对新图片拟合得更好。训练准确率与测试准确率之间的这个差距，
# 正是**过拟合**（overfitting）的标志；这里的差距还不算大，第 16 课会专门讲怎样把它控制住。

# %% [markdown]
# ## 数值梯度与反向传播
#
# 第 5 课用数值梯度训练过网络，在这里它同样可行：`numerical_gradient` 把 2,260 个参数逐个加一点、减一点，
# 每次都算一遍损失，求一次梯度要做 4,520 次前向传播。反向传播只用一次前向、一次反向就得到同样的梯度。
# 下面在同一个网络、同一个 32 张图片的小批量上，分别用两种方法算一步训练所需的梯度并计时，再确认两者一致：

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
print(f"数值梯度：{2 * n_params} 次前向传播，"
      f"{numeric_seconds * 1000:.0f} 毫秒")
print(f"反向传播：一次前向加一次反向，"
      f"{backprop_seconds * 1000:.2f} 毫秒")
print(f"反向传播快 {numeric_seconds / backprop_seconds:,.0f}"
      " 倍")
difference = max(np.abs(numeric[n] - grads[n]).max()
                 for n in params)
print("两种梯度的最大差：",
      f"{difference:.1e}")
steps = -(-len(x_train) // 32)
print(f"用数值梯度训练 20 轮（每轮 {steps} 步）："
      f"约 {20 * steps * numeric_seconds / 60:.0f} 分钟")

# %% [markdown]
# 两种梯度相差只有 $10^{-10}$ 左右，而数值梯度的代价是反向传播的几千倍：上面一秒左右就能完成的训练，
# 换成数值梯度要一刻钟甚至更久。网络越大，差距越大：每多一个参数，数值梯度就要多做两次前向传播，反向传播却几乎不增加开销。
# 下一课的 MNIST 网络有 39,760 个参数，差距还要悬殊得多。所以从现在起，训练网络都用反向传播，
# 数值梯度只留给它最擅长的事：检验反向传播。

# %% [markdown]
# ### 练习：ReLU 网络的一步训练
#
# 下面 nnlib 的 `TwoLayerNet` 在隐藏层用的是 ReLU，而不是我们的 sigmoid。请为这个网络写出一步小批量训练：
# 前向传播已经给出；请计算四个梯度（ReLU 只在它的输入 $A_1 = X W_1 + \mathbf{b}_1$ 为正的地方让梯度通过，见第 7 课），
# 然后由给出的循环更新参数。检查会把你的这一步与用 nnlib 的层搭出来的同一步做比较，分别用 32 张图片的批次和单张图片。

# %% tags=["exercise"] exercise="relu-train-step"
def relu_train_step(params, X, T, lr):
    """在批次 (X, T) 上做一步梯度下降：原地更新 params，
    返回更新前的损失。"""
    A1 = X @ params["W1"] + params["b1"]
    # 用 ReLU 代替 sigmoid
    H = np.maximum(0, A1)
    Y = softmax(H @ params["W2"] + params["b2"])
    # 你的代码：计算 W1、b1、W2、b2 的梯度，
    # 与上面的 backward() 一样，只是要经过 ReLU
    grads = {name: np.zeros_like(p)
             for name, p in params.items()}
    for name in params:
        params[name] -= lr * grads[name]
    return cross_entropy_error(Y, T)


# %% tags=["check"] exercise="relu-train-step"
from nnlib import exercises as ex
from nnlib import layers


def reference_step(params, X, T, lr):
    """用 nnlib 的层搭出来的同一步（第 7 课）。"""
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
        "32 张图片的批次：损失和更新后的参数",
        relu_train_step, reference_step,
        cases=[
            (start_params, x_train[:32], T_train[:32], 0.5)
        ],
        hint="和 backward() 一样从 delta2 = (Y - T) / N "
             "开始。反向经过 W2 时要用它的转置，"
             "而 ReLU 乘的是掩码 (A1 > 0)，"
             "不是 H * (1 - H)。"
    ),
    ex.same_function(
        "只有一张图片的批次",
        relu_train_step, reference_step,
        cases=[(start_params, x_train[:1], T_train[:1], 0.5)],
        hint="只有一张图片时，沿错误的轴求和不会引起"
             "形状错误：偏置的梯度要沿行方向（axis 0）求和，"
             "每个单元一个值。"
    ),
    lang="zh",
)

# %% tags=["solution"] exercise="relu-train-step"
def relu_train_step(params, X, T, lr):
    """在批次 (X, T) 上做一步梯度下降：原地更新 params，
    返回更新前的损失。"""
    A1 = X @ params["W1"] + params["b1"]
    # 用 ReLU 代替 sigmoid
    H = np.maximum(0, A1)
    Y = softmax(H @ params["W2"] + params["b2"])
    delta2 = (Y - T) / X.shape[0]  # (N, 10)
    # ReLU 的导数：A1 > 0 处为 1，其余为 0
    delta1 = (delta2 @ params["W2"].T) * (A1 > 0)
    grads = {
        "W1": X.T @ delta1, "b1": delta1.sum(axis=0),
        "W2": H.T @ delta2, "b2": delta2.sum(axis=0),
    }
    for name in params:
        params[name] -= lr * grads[name]
    return cross_entropy_error(Y, T)

# %% [markdown]
# ## 用 nnlib 做同样的事
#
# 我们亲手写的东西，nnlib 里都有：
# [`TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet) 把 Affine → ReLU → Affine → SoftmaxWithLoss 串起来
# （隐藏层用 ReLU 代替我们的 sigmoid），并用反向传播计算梯度；
# [`Trainer`](../../reference/trainer/#nnlib.trainer.Trainer) 负责小批量训练循环，记录损失和准确率，
# 并在每次迭代和每一轮之后把进度报告给 `callback`。在浏览器里，页面还会根据这些报告画出实时的进度条。

# %%
from nnlib.nets import TwoLayerNet
from nnlib.trainer import Trainer


def report(info):
    if info["event"] == "epoch" and info["epoch"] % 5 == 0:
        print(f"第 {info['epoch']:2d}/{info['epochs']} 轮  "
              f"损失 {info['loss']:.3f}  "
              f"训练准确率 {info['train_acc']:.1%}  "
              f"测试准确率 {info['test_acc']:.1%}")


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
print(f"测试准确率：{test_accuracy:.1%}，"
      f"用时 {trainer.elapsed:.2f} 秒")

# %% [markdown]
# 这个单元格有两处细节。`weight_init_std="he"` 让每一层的初始权重服从标准差为 $\sqrt{2 / n_\text{in}}$ 的正态分布，
# $n_\text{in}$ 是这一层的输入个数（$W_1$ 为 $\sqrt{2/64} \approx 0.18$，$W_2$ 为 $\sqrt{2/30} \approx 0.26$）。
# 这就是 **He 初始化**（以何恺明的名字命名），它让信号穿过一层层 ReLU 时既不衰减也不爆炸，第 14 课会讲其中的道理。
# 另外，每五轮打印一次的损失是这一轮*最后一个小批量*上的损失（44 个 32 张的小批量之后剩下的 30 张图片），
# 不是整个训练集上的：所以它忽高忽低，而在全部图片上测得的准确率变化要小得多。
#
# 最后看看：它认错了哪些数字？往往人看了也会犹豫。

# %%
predicted = net.predict(x_test).argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test)
print(len(wrong), "/", len(t_test),
      "张测试图片分类错误")

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
# 每张图的标题是“*真实标签 → 预测结果*”。
#
# ## 小结
#
# * 两层网络就是两个 Affine 映射，中间夹一个激活函数，最后接 softmax；它的反向传播就是把第 7 课各层的规则串起来。
# * 亲手写的反向传播要做梯度确认，而且参数要用 float64：最大相对误差小于 $10^{-7}$ 为好，$10^{-5}$ 左右要仔细看看
#   （折点、很小的梯度），大于 $10^{-3}$ 说明有错误。
# * 逐个样本更新可行，但时间都耗在 Python 上；小批量把计算变成矩阵乘法，梯度估计也更平稳。上面实测：
#   每轮快十倍左右，同样的时间里也学得更好。
# * 数值梯度每个参数要做两次前向传播，在这里是反向传播的几千倍：训练用反向传播，检验用数值梯度。
# * 评价一个网络，要看它在没训练过的数据上的准确率。
#
# 动手试试：修改上面单元格中的 `hidden_size`、学习率或轮数，再运行一遍。
#
# 下一课：[在 MNIST 上训练两层网络](../10-two-layer-mnist/)，把同样的方法用在 28 × 28 的图片上，
# 并讲清迭代、轮和学习曲线。
#
# API 参考：[`nnlib.datasets.load_digits`](../../reference/datasets/#nnlib.datasets.load_digits)、
# [`nnlib.util.one_hot`](../../reference/util/#nnlib.util.one_hot)、
# [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet)、
# [`nnlib.trainer.Trainer`](../../reference/trainer/#nnlib.trainer.Trainer)。
#
# **在本地运行。** 用页面顶部的按钮下载这个 notebook，从本仓库安装 nnlib（在克隆下来的目录里运行 `pip install .`，
# 或者安装页面提供的 wheel），再用 Jupyter 打开。在本地，NumPy 用优化过的 BLAS 库做矩阵乘法，所以上面的各项计时都会比
# 浏览器里短；但两组倍数（小批量对单张图片、反向传播对数值梯度）依然很大。
