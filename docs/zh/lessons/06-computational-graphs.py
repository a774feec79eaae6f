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
# # 6. 计算图
#
# 训练网络，就是把每个权重都朝着让损失变小的方向挪一点，所以我们需要损失对每个权重的导数。
# 第 5 课用数值方法逐个估计，*每个权重*都要把整个网络算两遍：权重一多就慢得无法接受。
# **反向传播**（backpropagation）只需大约多算一遍网络，就能得到全部导数。
#
# 用**计算图**（computational graph）来看这个想法最清楚：每个节点只做一个简单的运算，数值沿着边向前流动，
# 导数沿着边向后流动。每个节点只需要知道自己的**局部导数**（local gradient），其余的交给**链式法则**（chain rule）：
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\,\frac{\partial z}{\partial x}
# \quad\text{（节点 } z = f(x)\text{）}.$$
#
# 每个节点从后一个节点收到 $\partial L/\partial z$，乘上自己的局部导数，再传给前一个节点。
# 这一课用一张购物小票来演示，它小到每个数都能用手验算；下一课再用同样的方法搭建真正网络中的各个层。
#
# **学完这一课，你能够**
#
# * 把一个计算画成计算图，并亲手做一遍正向传播和反向传播；
# * 把一个节点写成类：`forward` 负责计算并记下 `backward` 要用的东西，`backward` 负责传回梯度；
# * 说出乘法节点和加法节点怎样传递梯度，并自己推导一个没见过的节点的反向传播；
# * 把每个梯度读成“敏感度”：某个输入变一点，结果跟着变多少。
#
# **需要先学过** 第 5 课的偏导数和数值梯度。

# %%
import numpy as np
import matplotlib.pyplot as plt

from nnlib import layers
from nnlib.gradient import numerical_gradient

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
# ## 用数值梯度再算一遍
#
# 这些梯度对不对？第 5 课给了一个独立的检验办法：把小票写成五个输入的一个函数，让 `numerical_gradient`
# 逐个微调每个输入。它每个输入要算两次金额，一共十次；而上面的反向传播每个节点只走了一遍。

# %%
def bill(v):
    """v = (苹果单价, 苹果个数, 橘子单价, 橘子个数, 含税系数)
    时的支付金额。"""
    a, a_count, o, o_count, t = v
    return (a * a_count + o * o_count) * t


basket = np.array([apple, apple_count, orange,
                   orange_count, tax], dtype=float)
print("数值梯度：", np.round(
    numerical_gradient(bill, basket), 6))
print("反向传播：", np.round(
    [dapple, dapple_count, dorange, dorange_count, dtax], 6))

# %% [markdown]
# 两行完全一致。像这样拿数值梯度来核对反向传播的做法叫作**梯度确认**（gradient check），
# [第 8 课](../08-gradient-check/)会把它当作检验每个层的标准方法。
#
# ## 任何运算都可以是节点
#
# 计算图并不只限于乘法和加法。每个节点都按同一个套路来写：`forward` 计算结果，并记下局部导数要用的东西；
# `backward` 把传来的梯度乘上各个局部导数。下面两个节点以后还会见到：
#
# * **max 节点**：$z = \max(x, y)$ 把梯度全部传给较大的那个输入，另一个得到 $0$，因为只有较大的那个会影响 $z$。
#   下一课的 ReLU，即 $\max(0, x)$，就是这样分配梯度的。
# * **exp 节点**：$z = e^x$ 的局部导数是 $e^x = z$，所以这个节点记下的是自己的*输出*而不是输入。
#   下一课的 sigmoid 层也是这样做的。
#
# ### 练习：除法节点
#
# 五个朋友平摊 715 元的账单，每人付 $\text{每人份额} = \text{金额} / \text{人数} = 143$ 元。
# 请写出除法节点 $z = x / y$。`forward` 已经给出，请补全 `backward`：对传来的梯度
# $\texttt{dout} = \partial L/\partial z$，返回 $\bigl(\partial L/\partial x,\ \partial L/\partial y\bigr)$。
# 先在纸上求出两个局部导数 $\partial z/\partial x$ 和 $\partial z/\partial y$。检查会先平摊这张账单，再用几组金额和人数的数组来试。

# %% tags=["exercise"] exercise="div-backward"
class DivLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, dout):
        # 你的代码：x 的梯度和 y 的梯度
        dx = dout
        dy = dout
        return dx, dy


# %% tags=["check"] exercise="div-backward"
from nnlib import exercises as ex


def split_bill(price, people):
    node = DivLayer()
    node.forward(price, people)
    return node.backward(1.0)


def div_backward(x, y, dout):
    node = DivLayer()
    node.forward(x, y)
    return node.backward(dout)


def reference(x, y, dout):
    return dout / y, -dout * x / y**2


rng = np.random.default_rng(0)
ex.report(
    ex.close(
        "715 元由 5 人平摊：d 每人份额 / d 金额",
        split_bill(715.0, 5.0)[0], 1 / 5,
        hint="z = x / y = x * (1 / y)：对 x 来说，"
             "这个节点就是乘以 1 / y，所以 dx = dout / y。"
    ),
    ex.close(
        "715 元由 5 人平摊：d 每人份额 / d 人数",
        split_bill(715.0, 5.0)[1], -715 / 5**2,
        hint="dz/dy = -x / y**2：多一个朋友，"
             "每人的份额就变少，所以这个梯度是负的。"
    ),
    ex.same_function(
        "几组金额和人数的数组",
        div_backward, reference,
        cases=[(rng.normal(size=4), rng.uniform(1, 3, size=4),
                rng.normal(size=4))],
        hint="用保存下来的 self.x 和 self.y，乘上 dout，"
             "并按 (dx, dy) 的顺序返回。"
    ),
    lang="zh",
)

# %% tags=["solution"] exercise="div-backward"
class DivLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x / y

    def backward(self, dout):
        # dz/dx = 1 / y
        dx = dout / self.y
        # dz/dy = -x / y**2
        dy = -dout * self.x / self.y**2
        return dx, dy


split = DivLayer()
share = split.forward(715.0, 5.0)
print("每人份额：", share, " 梯度：", split.backward(1.0))

# %% [markdown]
# 同样可以把结果读成敏感度：账单多 1 元，每人多付 $1/5 = 0.2$ 元；多一个朋友，每人大约少付 $715/25 = 28.6$ 元
# （实际少付的是 $143 - 715/6 \approx 23.8$ 元，略少一些，因为导数只描述很小的变化）。
#
# ## 小结
#
# * 计算图把一个计算拆成若干节点，每个节点的局部导数都很简单；反向传播按相反的顺序访问各节点，
#   把传来的梯度乘上局部导数（链式法则）。
# * 乘法节点给每个输入传回“梯度乘以*另一个*输入”，所以要记住输入；加法节点把梯度原样传给两个输入。
#   其他任何节点都按同样的套路，用它自己的局部导数。
# * 一次反向传播就得到结果对所有输入的梯度：715 元的小票对应 2.2、110、3.3、165 和 650，
#   与数值梯度每个输入算两次得到的数完全一致。
#
# 下一课：[第 7 课](../07-layers/)把神经网络的各个层（ReLU、sigmoid、Affine、softmax 加损失函数）写成这样的节点，
# 处理的是整个数组。API 参考：
# [`nnlib.layers.MulLayer`](../../reference/layers/#nnlib.layers.MulLayer)、
# [`nnlib.layers.AddLayer`](../../reference/layers/#nnlib.layers.AddLayer)、
# [`nnlib.gradient.numerical_gradient`](../../reference/gradient/#nnlib.gradient.numerical_gradient)。
#
# **在本地运行。** 用页面顶部的按钮下载这个 notebook，从本仓库安装 nnlib（在克隆的仓库里运行 `pip install .`，
# 或安装页面提供的 wheel），再用 Jupyter 打开。这里的每个数都只是几个数值的算术，在任何电脑上结果都一样。
