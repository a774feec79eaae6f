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
# # 2. 激活函数
#
# 一个神经元做两件事。先把每个输入乘上各自的权重，加在一起，再加上偏置：
#
# $$a = w_1 x_1 + w_2 x_2 + \dots + w_n x_n + b = \mathbf{w}^\top \mathbf{x} + b,$$
#
# 然后把这个和送进**激活函数** $h$，输出 $y = h(a)$。
#
# 为什么不直接输出 $a$？因为线性映射叠起来仍然是一个线性映射：$W_2 (W_1 \mathbf{x}) = (W_2 W_1)\mathbf{x}$。
# 层数再多，只要层与层之间没有非线性的 $h$，整个网络就只能画出直线（超平面）形状的决策边界。
# 正是激活函数让“加深网络”变得有意义。
#
# 本课用 NumPy 写出几种经典的激活函数，画出它们的图像，观察它们的导数（从第 6 课开始的反向传播要用到），
# 并让 softmax 不再溢出。每个函数在 [`nnlib.functions`](../../reference/functions/) 里都有对应的实现，
# 我们会核对自己的版本与它是否一致。
#
# 本页的每个代码单元格都可以在浏览器里修改和运行；你现在看到的输出是构建网站时运行得到的。

# %%
import numpy as np
import matplotlib.pyplot as plt

import nnlib
from nnlib import functions as F

print("nnlib", nnlib.__version__, "· numpy", np.__version__)

# %% [markdown]
# ## 阶跃函数
#
# 上世纪五十年代的感知机在输入为正时“激活”，输出 1，否则输出 0：
#
# $$h(a) = \begin{cases} 1 & a > 0 \\ 0 & a \le 0 \end{cases}$$
#
# 用 NumPy 时不必逐个元素循环：比较运算 `a > 0` 得到一个布尔数组，再把它转换成整数即可。

# %%
def step_function(a):
    return (np.asarray(a) > 0).astype(np.int64)


a = np.array([-1.0, 0.0, 2.5])
print(step_function(a))           # 我们自己的版本
print(F.step_function(a))         # nnlib 的版本

# %% [markdown]
# 阶跃函数的导数除 $a = 0$ 处（那里导数不存在）以外处处为 $0$。靠梯度来训练的网络无法通过阶跃函数学到任何东西：
# 权重的微小变化不会让输出发生任何改变。因此后来它被下面这些函数取代了。
#
# ## sigmoid 函数
#
# sigmoid（logistic）函数是一个平滑的阶跃：
#
# $$\sigma(a) = \frac{1}{1 + e^{-a}}.$$
#
# 它把任意实数映射到区间 $(0, 1)$，$\sigma(0) = \tfrac12$，并且满足对称关系 $\sigma(-a) = 1 - \sigma(a)$。
# 它的导数形式很简洁，反向传播会反复用到：
#
# $$\sigma'(a) = \frac{e^{-a}}{(1 + e^{-a})^2} = \sigma(a)\,\bigl(1 - \sigma(a)\bigr).$$
#
# 教科书上的公式有个陷阱：当 $a$ 是很大的负数（float64 下小于约 $-709$）时，$e^{-a}$ 会溢出。NumPy 返回 `inf`，
# 并打印一条 `RuntimeWarning`。结果 $1/(1 + \infty) = 0$ 本身是对的，所以这条警告无害；可是训练时如果每一步都冒出
# 这种无害的警告，真正要紧的警告（比如损失变成 `nan` 时的那条）就会淹没在里面。
# [`nnlib.functions.sigmoid`](../../reference/functions/#nnlib.functions.sigmoid) 算的正是教科书上的公式，只是把这一条
# 溢出警告关掉了（在指数运算外面套上 `np.errstate(over="ignore")`），别的什么也没改。在下面的练习里，
# 你要写一个根本不会溢出的 sigmoid。

# %%
def sigmoid(a):
    return 1 / (1 + np.exp(-a))


a = np.array([-3.0, 0.0, 3.0])
print(sigmoid(a))
print(F.sigmoid(a))

# 让溢出变成错误，好捕获它并打印出错信息
with np.errstate(over="raise"):
    try:
        sigmoid(np.array([-1000.0]))
    except FloatingPointError as err:
        print("教科书公式：", err)
print("nnlib：", F.sigmoid(np.array([-1000.0, 1000.0])))

# %% [markdown]
# ### 练习：永不溢出的 sigmoid
#
# 当 $a < 0$ 时，把 $\sigma(a)$ 的分子和分母同时乘以 $e^{a}$：
#
# $$\sigma(a) = \frac{1}{1 + e^{-a}} = \frac{e^{a}}{1 + e^{a}}.$$
#
# 写成这种形式后，每个指数函数的自变量都 $\le 0$，结果至多为 $1$。请补全 `stable_sigmoid`：$a \ge 0$ 时用第一种形式，
# $a < 0$ 时用第二种形式。要求结果与 nnlib 的 sigmoid 相同，保持输入的 dtype，并且即使输入为 $\pm 10^4$ 也不溢出。
# 写好后点击**检查**（在 Jupyter 中，运行它下面的单元格）。

# %% tags=["exercise"] exercise="stable-sigmoid"
def stable_sigmoid(a):
    a = np.asarray(a)
    # 教科书公式：a < -709 时溢出
    return 1 / (1 + np.exp(-a))


# %% tags=["check"] exercise="stable-sigmoid"
from nnlib import exercises as ex

ex.report(
    ex.same_function(
        "与 nnlib 的 sigmoid 结果相同"
        "（float64 和 float32，一维到三维）",
        stable_sigmoid, F.sigmoid,
        shapes=[(5,), (4, 3), (2, 3, 4)],
        dtypes=["float64", "float32"], scale=5.0,
        hint="a >= 0 时保留 1 / (1 + exp(-a))；"
             "a < 0 时改用 exp(a) / (1 + exp(a))。"
             "结果要由与输入 dtype 相同的数组算出。"
    ),
    ex.same_function(
        "输入为 ±1e4 时不溢出",
        stable_sigmoid, F.sigmoid,
        cases=[(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]),),
               (np.array([-1e4, 1e4], dtype=np.float32),)],
        hint="np.where(a >= 0, x, y) 会对每个元素把 x 和 y "
             "都算一遍，所以即使某个分支的结果最后不用，"
             "其中的 exp 照样会溢出。先算一次 "
             "e = np.exp(-np.abs(a))：它至多为 1，"
             "两种形式都能用它写出来。"
    ),
    lang="zh",
)

# %% tags=["solution"] exercise="stable-sigmoid"
def stable_sigmoid(a):
    a = np.asarray(a)
    # 自变量 <= 0 的指数：至多为 1，永不溢出
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


print(stable_sigmoid(np.array([-1e4, -1.0, 0.0, 1.0, 1e4])))

# %% [markdown]
# 导数是 $h \to 0$ 时 $\bigl(f(a+h) - f(a-h)\bigr) / 2h$ 的极限。取一个很小的 $h$，这个*中心差分*就是很好的数值近似，
# [`nnlib.gradient.numerical_diff`](../../reference/gradient/#nnlib.gradient.numerical_diff) 计算的正是它。
# 下面在几个点上用它检验公式 $\sigma' = \sigma(1-\sigma)$。

# %%
from nnlib.gradient import numerical_diff

for a in [-4.0, -1.0, 0.0, 2.0]:
    exact = F.sigmoid_grad(np.array(a))
    numeric = numerical_diff(
        lambda v: float(F.sigmoid(np.array(v))), a
    )
    print(f"a = {a:5.1f}   公式 {float(exact):.8f}   "
          f"数值 {numeric:.8f}")

# %% [markdown]
# ## ReLU
#
# 线性整流单元（ReLU）保留正的输入，把其余的置零：
#
# $$\mathrm{ReLU}(a) = \max(0, a), \qquad \mathrm{ReLU}'(a) = \begin{cases} 1 & a > 0 \\ 0 & a < 0 \end{cases}$$
#
# 它的计算量很小，而且输入很大时梯度不会像 sigmoid 那样变小（$\sigma'(a) \le 0.25$，$|a| > 5$ 时几乎为 $0$）。
# 如今大多数网络的隐藏层都使用 ReLU 或它的变体。$a = 0$ 处导数没有定义，实现时一般取 $0$。

# %%
def relu(a):
    return np.maximum(0, a)


a = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
print(relu(a))
print(F.relu(a))
print(F.relu_grad(a))      # 输入为正的位置是 1

# %% [markdown]
# ## tanh
#
# 双曲正切可以看作把 sigmoid 拉伸到区间 $(-1, 1)$、并以零为中心：
#
# $$\tanh(a) = \frac{e^{a} - e^{-a}}{e^{a} + e^{-a}} = 2\,\sigma(2a) - 1, \qquad \tanh'(a) = 1 - \tanh^2(a).$$
#
# 输出以零为中心对下一层有好处：下一层的输入不再全是正数，它的各个权重的梯度也就不会全都同号。
# NumPy 提供了 `np.tanh`，它与 sigmoid 的关系很容易验证。

# %%
a = np.linspace(-3, 3, 7)
print(np.tanh(a))
print(2 * F.sigmoid(2 * a) - 1)
print("最大差值：",
      np.max(np.abs(np.tanh(a) - (2 * F.sigmoid(2 * a) - 1))))

# %% [markdown]
# ## 四个函数放在一起比较
#
# 实线是函数本身，虚线是它们的导数。留意导数接近零的区域：输入落在那里时，神经元几乎学不到东西。

# %%
a = np.linspace(-5, 5, 401)
curves = [
    ("阶跃函数", F.step_function(a), np.zeros_like(a)),
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
# ## softmax：把得分变成概率
#
# 分类器的最后一层为每个类别给出一个得分 $a_k$。softmax 把这些得分变成全为正、总和为一的概率：
#
# $$y_k = \frac{e^{a_k}}{\sum_{i=1}^{n} e^{a_i}}.$$
#
# 得分的大小顺序保持不变（得分最大的类别概率也最大），所以只做预测时可以跳过 softmax，直接取 `argmax`；
# 训练时则离不开它，因为损失函数要拿概率和标签作比较。
#
# 按字面实现的 softmax，只要有得分超过约 $709$ 就会溢出，因为 $e^{710}$ 已经超过了 float64 能表示的最大值。
# 大得分并不罕见：权重较大的未训练网络就会产生它们。

# %%
def softmax_naive(a):
    e = np.exp(a)
    return e / e.sum()


scores = np.array([1010.0, 1000.0, 990.0])
# 我们知道它会出错，这里只是让输出保持整洁
with np.errstate(over="ignore", invalid="ignore"):
    print("朴素实现：", softmax_naive(scores))

# %% [markdown]
# 解决办法是先让每个得分减去同一个常数 $C$。分子分母同乘 $e^{-C}$，结果不变：
#
# $$y_k = \frac{e^{a_k}}{\sum_i e^{a_i}} = \frac{e^{-C} e^{a_k}}{e^{-C}\sum_i e^{a_i}} = \frac{e^{a_k - C}}{\sum_i e^{a_i - C}}.$$
#
# 取 $C = \max_i a_i$，最大的指数项就是 $e^0 = 1$，不会溢出，分母也至少为 $1$。
# [`nnlib.functions.softmax`](../../reference/functions/#nnlib.functions.softmax) 正是这样做的，
# 而且作用在最后一个轴上，所以也能处理一个批次：每行一个样本。

# %%
def softmax(a):
    shifted = a - np.max(a, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


print("稳定实现：", softmax(scores))
print("nnlib：  ", F.softmax(scores))

batch = np.array([[0.3, 2.9, 4.0],
                  [1000.0, 1000.0, 0.0]])
y = F.softmax(batch)
print(y)
print("每行之和：", y.sum(axis=1),
      " 预测的类别：", y.argmax(axis=1))

# %% [markdown]
# ## 小结
#
# * 没有非线性激活函数，再深的网络也会退化成一个线性映射。
# * 阶跃函数没有可用的梯度；sigmoid、tanh 和 ReLU 有，而且它们的导数都能直接由已经算出的值得到，几乎不费计算：
#   $\sigma(1-\sigma)$、$1-\tanh^2$，以及“输入是否为正”的掩码。
# * 指数运算要当心溢出：$a$ 超过约 $709$ 时 $e^{a}$ 就会溢出。sigmoid 里的溢出无害（nnlib 关掉了它的警告；
#   练习中用 $e^{-|a|}$ 的写法则根本不会溢出）；softmax 里的溢出会得到 `nan`，所以要先减去最大值。
#
# 下一课（[第 3 课](../03-forward-pass/)）让这些函数派上用场：一个三层网络用矩阵乘法算出结果，隐藏层用 sigmoid，
# 输出层用 softmax。
