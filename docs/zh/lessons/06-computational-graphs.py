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
# # 6. 计算图与反向传播
#
# 训练网络，就是把每个权重都朝着让损失变小的方向挪一点，所以我们需要损失对每个权重的导数。
# 用数值方法逐个估计，*每个权重*都要把整个网络算两遍：权重一多就慢得无法接受。
# **反向传播**只需大约多算一遍网络，就能得到全部导数。
#
# 用**计算图**来看这个想法最清楚：每个节点只做一个简单的运算，数值沿着边向前流动，导数沿着边向后流动。
# 每个节点只需要知道自己的*局部*导数，其余的交给链式法则：
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\,\frac{\partial z}{\partial x}
# \quad\text{（节点 } z = f(x)\text{）}.$$
#
# 每个节点从后一个节点收到 $\partial L/\partial z$，乘上自己的局部导数，再传给前一个节点。
# 我们先从买水果讲起，再用同样的方法搭建真正网络中的各个层。

# %%
import numpy as np

from nnlib import layers
from nnlib.gradient import numerical_gradient, gradient_check
from nnlib.nets import TwoLayerNet

# %% [markdown]
# ## 乘法节点
#
# 你买了 2 个苹果，每个 100 元，另付 10% 的消费税，也就是总价要乘以 1.1。代码里的 `tax` 就是这个 1.1：
# 它是**含税系数**，不是税率 10%。计算图里有两个乘法节点：先算 $\text{单价} \times \text{个数}$，
# 再 $\times\,\text{含税系数}$。
#
# 对 $z = x y$，局部导数是 $\partial z/\partial x = y$、$\partial z/\partial y = x$：反向传播时，
# 乘法节点把传来的梯度乘上*另一个*输入。所以它在正向传播时必须记住两个输入。
# 下面把这个节点写成一个带 `forward` 和 `backward` 方法的类：

# %%
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        # 记下输入，反向传播时要用
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        # 交换：x 的梯度用的是 y
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


apple, apple_count, tax = 100, 2, 1.1

mul_apple = MulLayer()
mul_tax = MulLayer()

apple_price = mul_apple.forward(apple, apple_count)
price = mul_tax.forward(apple_price, tax)
print("支付金额：", price)

# %% [markdown]
# 总价是 220；末尾的 `...00003` 来自二进制浮点数，它无法精确表示 1.1。之后打印的数字我们都做四舍五入。
#
# 接下来是反向传播。从 $\partial \text{金额}/\partial \text{金额} = 1$ 出发，按相反的顺序访问各个节点：

# %%
dprice = 1
dapple_price, dtax = mul_tax.backward(dprice)
dapple, dapple_count = mul_apple.backward(dapple_price)

print("d 金额 / d 苹果单价 =", round(dapple, 6))
print("d 金额 / d 苹果个数 =", round(dapple_count, 6))
print("d 金额 / d 含税系数 =", round(dtax, 6))

# %% [markdown]
# 可以把它们理解为“敏感度”：苹果单价涨 1 元，要多付 2.2 元（两个苹果，再加税）；多买一个苹果，多付 110 元；
# 金额对含税系数的导数是 200，正好是税前的价格：含税系数从 1.1 变成 1.11（税率 11%），大约多付
# $200 \times 0.01 = 2$ 元。
#
# ## 加法节点：苹果加橘子
#
# 对 $z = x + y$，两个局部导数都是 $1$：加法节点把梯度原封不动地传给两个输入。
# 再往篮子里放 3 个橘子，每个 150 元：
#
# $$\text{金额} = (100 \times 2 + 150 \times 3) \times 1.1 = 715.$$

# %%
class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        # 梯度原样传给两个输入
        return dout, dout


orange, orange_count = 150, 3

mul_apple, mul_orange, add_fruit, mul_tax = (
    MulLayer(), MulLayer(), AddLayer(), MulLayer()
)

# 正向：按计算图的顺序
apple_price = mul_apple.forward(apple, apple_count)
orange_price = mul_orange.forward(orange, orange_count)
fruit_price = add_fruit.forward(apple_price, orange_price)
price = mul_tax.forward(fruit_price, tax)

# 反向：按相反的顺序
dfruit_price, dtax = mul_tax.backward(1)
dapple_price, dorange_price = add_fruit.backward(dfruit_price)
dorange, dorange_count = mul_orange.backward(dorange_price)
dapple, dapple_count = mul_apple.backward(dapple_price)

print("支付金额：", round(price, 6))
print("苹果单价：", round(dapple, 6),
      " 苹果个数：", round(dapple_count, 6))
print("橘子单价：", round(dorange, 6),
      " 橘子个数：", round(dorange_count, 6))
print("含税系数：", round(dtax, 6))

# %% [markdown]
# 要付 715 元；各个梯度分别是：苹果单价 2.2、苹果个数 110、橘子单价 3.3、橘子个数 165、含税系数 650（即税前价格）。
# 每个数都只靠局部规则算出。
#
# 下面用上面算出的变量把整张计算图画出来：每条边的上方是前向传播时传递的值，下方（红色）是反向传播传回来的梯度。
# 红色的数字要从右往左读：含税系数的 $\times$ 节点把 $1 \times 1.1$ 传给水果总价，把 $1 \times 650$ 传给含税系数；
# $+$ 节点把 $1.1$ 原样分给两条支路；每个 $\times$ 节点都乘上*另一个*输入（苹果单价得到 $1.1 \times 2 = 2.2$）。

# %%
import matplotlib.pyplot as plt

names = {
    "apple": "苹果单价", "apple_count": "苹果个数",
    "orange": "橘子单价", "orange_count": "橘子个数",
    "tax": "含税系数", "price": "支付金额",
}
# 输入写在一段水平线的左端，运算画成圆圈，
# 输出写在最右边。
inputs = {"apple": (0, 5.0), "apple_count": (0, 3.4),
          "orange": (0, 1.8), "orange_count": (0, 0.2),
          "tax": (4.6, -0.4)}
ops = {"mul_apple": (4, 4.2, "×"),
       "mul_orange": (4, 1.0, "×"),
       "add_fruit": (6.5, 2.6, "+"),
       "mul_tax": (9, 2.6, "×")}
where = {**inputs, "price": (11.5, 2.6)}
where.update({name: (x, y)
              for name, (x, y, _) in ops.items()})
# （起点，终点，前向传递的值，支付金额对它的梯度）
edges = [
    ("apple", "mul_apple", apple, dapple),
    ("apple_count", "mul_apple", apple_count, dapple_count),
    ("orange", "mul_orange", orange, dorange),
    ("orange_count", "mul_orange",
     orange_count, dorange_count),
    ("mul_apple", "add_fruit", apple_price, dapple_price),
    ("mul_orange", "add_fruit", orange_price, dorange_price),
    ("add_fruit", "mul_tax", fruit_price, dfruit_price),
    ("tax", "mul_tax", tax, dtax),
    ("mul_tax", "price", price, 1),
]

fig, ax = plt.subplots(figsize=(7.5, 3.6))
for start, end, value, grad in edges:
    (x0, y0), (x1, y1) = where[start], where[end]
    if start in inputs:
        # 数字写在这段水平线的上下
        ax.plot([x0, x0 + 2], [y0, y0], color="0.35", lw=1.3)
        xm, ym, dx, dy = x0 + 1, y0, 0, 0.4
        x0 += 2
    else:
        # 数字写在边的中点两侧
        length = np.hypot(x1 - x0, y1 - y0)
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        dx = -(y1 - y0) / length * 0.4
        dy = (x1 - x0) / length * 0.4
        x0 += 0.35
    # 箭头停在运算节点的圆圈边上
    stop = 0.36 / np.hypot(x1 - x0, y1 - y0)
    if end not in ops:
        stop = 0
    tip = (x1 - (x1 - x0) * stop, y1 - (y1 - y0) * stop)
    arrow = dict(arrowstyle="-|>", color="0.35", lw=1.3,
                 shrinkA=0, shrinkB=0)
    ax.annotate("", xy=tip, xytext=(x0, y0), arrowprops=arrow)
    ax.text(xm + dx, ym + dy, f"{round(value, 6):g}",
            ha="center", va="center", fontsize=12)
    ax.text(xm - dx, ym - dy, f"{round(grad, 6):g}",
            ha="center", va="center", fontsize=12,
            color="tab:red")
for name, (x, y) in inputs.items():
    ax.text(x - 0.15, y, names[name], ha="right", va="center",
            fontsize=12)
x, y = where["price"]
ax.text(x + 0.15, y, names["price"], ha="left", va="center",
        fontsize=12)
for x, y, symbol in ops.values():
    ax.add_patch(plt.Circle((x, y), 0.35, facecolor="white",
                            edgecolor="0.2", lw=1.5,
                            zorder=3))
    ax.text(x, y, symbol, ha="center", va="center",
            fontsize=18, zorder=4)
ax.set_title("边的上方：前向传播的值；"
             "下方（红色）：支付金额对它的梯度",
             fontsize=10, color="0.3")
ax.set_xlim(-2.4, 13.3)
ax.set_ylim(-0.9, 5.6)
ax.set_aspect("equal")
ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# 这两个层在 nnlib 里就是 [`nnlib.layers.MulLayer`](../../reference/layers/#nnlib.layers.MulLayer) 和
# [`nnlib.layers.AddLayer`](../../reference/layers/#nnlib.layers.AddLayer)。nnlib 的版本不允许在 `forward` 之前调用
# `backward`，因为那时还没有记下任何输入。下面这个单元格故意演示这个错误。

# %% tags=["raises-exception"]
fresh = layers.MulLayer()
# 还没有做正向传播：没有可以相乘的值
fresh.backward(1.0)

# %% [markdown]
# ## 激活函数层
#
# **ReLU。** $y = \max(0, x)$ 的导数在 $x > 0$ 处为 $1$，其余为 $0$。这个层记住输入*在哪些位置*为正（一个布尔掩码），
# 梯度只在这些位置通过。
#
# **Sigmoid。** $y = \sigma(x)$ 的导数是 $y(1-y)$（见第 2 课），所以这个层只需保存自己的*输出*：
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\, y\,(1 - y).$$
#
# 两者 nnlib 里都有：[`Relu`](../../reference/layers/#nnlib.layers.Relu) 和
# [`Sigmoid`](../../reference/layers/#nnlib.layers.Sigmoid)。

# %%
x = np.array([[1.0, -0.5], [-2.0, 3.0]])

relu = layers.Relu()
print(relu.forward(x))
# x 为正的位置是 1，其余是 0
print(relu.backward(np.ones_like(x)))

sigmoid = layers.Sigmoid()
y = sigmoid.forward(x)
print(np.round(sigmoid.backward(np.ones_like(x)), 4))
print(np.round(y * (1 - y), 4))            # 数值完全相同

# %% [markdown]
# ## Affine 层
#
# 全连接层对一个批次计算 $Y = XW + \mathbf{b}$：$X$ 的形状是 $(N, D)$，权重 $W$ 是 $(D, M)$，偏置 $\mathbf{b}$ 是 $(M,)$，
# 加到每一行上。已知形状为 $(N, M)$ 的 $\partial L/\partial Y$，矩阵形式的链式法则给出
#
# $$\frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} W^\top, \qquad
# \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial Y}, \qquad
# \frac{\partial L}{\partial \mathbf{b}} = \sum_{n=1}^{N} \left(\frac{\partial L}{\partial Y}\right)_{n,:}.$$
#
# 一个好记的办法：每个梯度的形状都和它所对应的量相同，而用手头的矩阵相乘得到这个形状的方式只有一种。
# 正向传播时偏置被复制到了全部 $N$ 行，所以反向传播时它的梯度是各行之和。
# 参见 [`nnlib.layers.Affine`](../../reference/layers/#nnlib.layers.Affine)。

# %%
rng = np.random.default_rng(0)
W = rng.normal(size=(3, 2))
b = np.array([0.5, -0.5])
affine = layers.Affine(W, b)

# 一个批次：4 个样本，每个 3 个特征
X = rng.normal(size=(4, 3))
Y = affine.forward(X)
dY = np.ones_like(Y)
dX = affine.backward(dY)

print("Y 的形状", Y.shape, " dX 的形状", dX.shape,
      " dW 的形状", affine.dW.shape, " db", affine.db)
print(np.allclose(dX, dY @ W.T),
      np.allclose(affine.dW, X.T @ dY))

# %% [markdown]
# ### 练习：Affine 层的反向传播
#
# 请亲手写出 Affine 层的反向传播。`forward` 已经给出：它把形状为 $(N, d_1, d_2, \dots)$ 的输入（例如一批图片）展平成
# 形状为 $(N, D)$ 的 $X$，并把两者都保存下来。请用上面的三个公式补全 `backward`：设置 `self.dW` 和 `self.db`，
# 并返回形状与*原始*输入相同的 $\partial L/\partial X$。检查会做梯度确认（gradient check，用数值梯度来核对，
# 和本课最后一样），分别用 5 个样本的批次、只有 1 个样本的批次和一批图片。

# %% tags=["exercise"] exercise="affine-backward"
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        # (N, D)，图片则是 (N, d1, d2, ...)
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        # 你的代码：设置 self.dW 和 self.db，
        # 返回与输入形状相同的 dx
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        return np.zeros(self.x_shape)


# %% tags=["check"] exercise="affine-backward"
from nnlib import exercises as ex

rng = np.random.default_rng(0)
W_check, b_check = rng.normal(size=(6, 4)), rng.normal(size=4)


def new_layer():
    return MyAffine(W_check.copy(), b_check.copy())


ex.report(
    ex.layer_gradients(
        "5 个样本的批次", new_layer, (5, 6),
        hint="每个梯度的形状都与它所对应的量相同："
             "dW 与 W 一样是 (D, M)，dx 与 X 一样是 (N, D)。"
             "能得到这些形状的乘积只有 X.T @ dout 和 "
             "dout @ W.T。"
    ),
    ex.layer_gradients(
        "只有 1 个样本的批次", new_layer, (1, 6),
        hint="偏置被加到了每一行上，所以它的梯度是 dout "
             "沿行方向（axis 0）求和，"
             "与 N 是多少无关。"
    ),
    ex.layer_gradients(
        "3 张 2 x 3 像素的图片，形状为 (3, 2, 3)",
        new_layer, (3, 2, 3),
        hint="dx 的形状必须与该层收到的输入相同："
             "把它 reshape 成 self.x_shape。"
    ),
    lang="zh",
)

# %% tags=["solution"] exercise="affine-backward"
class MyAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        # (N, D)，图片则是 (N, d1, d2, ...)
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # (N, D)
        return self.x @ self.W + self.b

    def backward(self, dout):
        # (D, N) @ (N, M) -> (D, M)
        self.dW = self.x.T @ dout
        # 偏置加到了每一行上：沿行求和
        self.db = dout.sum(axis=0)
        # (N, M) @ (M, D) -> (N, D)
        dx = dout @ self.W.T
        # 恢复成输入的形状（图片仍是图片）
        return dx.reshape(self.x_shape)

# %% [markdown]
# ## softmax 与交叉熵损失
#
# 分类器的输出层对得分 $\mathbf{a}$ 做 softmax，再与 one-hot 标签 $\mathbf{t}$ 计算交叉熵：
#
# $$y_k = \frac{e^{a_k}}{\sum_i e^{a_i}}, \qquad L = -\sum_k t_k \log y_k .$$
#
# 分开来看，两者的导数都很繁琐；合在一起求导，结果却简单得出奇：
#
# $$\frac{\partial L}{\partial a_k} = y_k - t_k .$$
#
# （对真实类别 $c$ 写成 $L = -a_c + \log\sum_i e^{a_i}$ 再求导即可。）梯度就是“预测减去真值”；
# 对 $N$ 个样本的批次，损失取平均，所以梯度要除以 $N$。
# [`SoftmaxWithLoss`](../../reference/layers/#nnlib.layers.SoftmaxWithLoss) 既接受 one-hot 目标，也接受整数标签。

# %%
scores = np.array([[2.0, 1.0, 0.1],
                   [0.5, 2.5, 0.3]])
labels = np.array([0, 1])

loss_layer = layers.SoftmaxWithLoss()
loss = loss_layer.forward(scores, labels)
grad = loss_layer.backward()

print("损失：", round(loss, 4))
print("softmax：\n", np.round(loss_layer.y, 4))
print("梯度 = (softmax - one_hot) / N：\n",
      np.round(grad, 4))

# %% [markdown]
# ## 两层网络与梯度确认
#
# 把这些层串起来：Affine → ReLU → Affine → SoftmaxWithLoss。正向传播依次经过列表中的层，反向传播按相反顺序经过。
# `backward` 之后，每个 Affine 层都保存着自己参数的梯度。

# %%
rng = np.random.default_rng(1)
W1, b1 = rng.normal(scale=0.5, size=(4, 5)), np.zeros(5)
W2, b2 = rng.normal(scale=0.5, size=(5, 3)), np.zeros(3)
net = [
    layers.Affine(W1, b1),
    layers.Relu(),
    layers.Affine(W2, b2),
]
last = layers.SoftmaxWithLoss()

# 6 个样本，4 个特征
x = rng.normal(size=(6, 4))
# 6 个标签，共 3 个类别
t = rng.integers(0, 3, size=6)


def loss_of_net():
    h = x
    for layer in net:
        h = layer.forward(h)
    return last.forward(h, t)


print("损失：", round(loss_of_net(), 6))
dout = last.backward()
for layer in reversed(net):
    dout = layer.backward(dout)
backprop_dW1 = net[0].dW.copy()

# %% [markdown]
# 怎么知道反向传播算得对？拿它和第 5 课那种虽慢但可靠的数值梯度比一比。这种做法叫作**梯度确认**（gradient check），
# 亲手写的反向传播都应该这样检验一遍。
# 每个元素的相对误差是 $|a - n| / (|a| + |n|)$，其中 $a$ 是反向传播的值，$n$ 是数值梯度。整门课程都用同一条规则
# （来自 CS231n）来判读它：
#
# * 小于 $10^{-7}$：两者一致，反向传播是对的；
# * $10^{-5}$ 左右：要仔细看看，是否碰上了折点（ReLU 在 $0$ 处）或很小的梯度，那里舍入误差的影响更大；
# * 大于 $10^{-3}$：反向传播有错误。
#
# 调用方式 `numerical_gradient(lambda _: loss_of_net(), W1)` 常常让初学者困惑。
# [`numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient) 调用函数时会把正在微调的数组
# 传进去，而我们的函数根本不用这个参数（`_`）。它照样能用，是因为 `numerical_gradient` 是**就地**修改 `W1` 的：
# 每次只改一个元素（`W1[i] += h`，算一次损失，再改回去），而第一个 Affine 层保存的正是这个数组本身，不是副本，
# 即 `net[0].W is W1`。所以每次调用 `loss_of_net()`，用到的都是改动后的权重。假如层里存的是 `W1` 的副本，
# 损失就永远不会变，数值梯度会全是 0。

# %%
print("层里保存的就是 W1 本身：", net[0].W is W1)
numeric_dW1 = numerical_gradient(lambda _: loss_of_net(), W1)

rel_err = np.max(
    np.abs(backprop_dW1 - numeric_dW1) / np.maximum(
        1e-8, np.abs(backprop_dW1) + np.abs(numeric_dW1)
    )
)
print(f"W1 上最大的相对误差：{rel_err:.1e}")
print("小于 1e-7，两者一致：", rel_err < 1e-7)

# %% [markdown]
# nnlib 把这个网络封装成了 [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet)，
# 把对每个参数的梯度确认封装成了 [`gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check)，
# 它打印出每个参数最大的相对误差，四个都应当小于 $10^{-7}$：

# %%
net2 = TwoLayerNet(input_size=4, hidden_size=5,
                   output_size=3, weight_init_std=0.5, seed=2)
print(gradient_check(net2, x, t))

# %% [markdown]
# ## 小结
#
# * 计算图把一个计算拆成若干节点，每个节点的局部导数都很简单；反向传播从输出往输入方向把它们逐个相乘。
# * 每一层保存自己反向传播所需的东西：输入（乘法、Affine）、掩码（ReLU）或输出（sigmoid、softmax）。
# * Affine：$\partial L/\partial X = \partial L/\partial Y\, W^\top$，$\partial L/\partial W = X^\top \partial L/\partial Y$；
#   softmax 加交叉熵：$\mathbf{y} - \mathbf{t}$。
# * 新写的反向传播，一定要用数值梯度做一次梯度确认：最大相对误差小于 $10^{-7}$ 为好，$10^{-5}$ 左右要仔细看看，
#   大于 $10^{-3}$ 说明有错误。
#
# 下一课：[第 9 课](../09-digits-network/)用这些知识训练一个能识别手写数字的网络。API 参考：
# [`nnlib.layers`](../../reference/layers/)（`MulLayer`、`AddLayer`、`Relu`、`Sigmoid`、`Affine`、`SoftmaxWithLoss`）、
# [`nnlib.gradient.gradient_check`](../../reference/gradient/#nnlib.gradient.gradient_check)、
# [`nnlib.nets.TwoLayerNet`](../../reference/nets/#nnlib.nets.TwoLayerNet)。
