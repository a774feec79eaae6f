// TensorFlow.js contender of scripts/bench_browser.py: one training step (Adam, lr 1e-3, batch 100, float32) of the
// benchmark's two networks, timed in the page with TensorFlow.js's wasm backend (SIMD where the browser has it).
// Loaded by bench_tfjs.html beside tf.min.js, tf-backend-wasm.min.js and its .wasm files, all from the benchmark's own
// npm project (scripts/tfjs/node_modules) and served by the benchmark from 127.0.0.1 (never a CDN). window.benchTfjs(backend, {mlpSteps, cnnSteps}) resolves to
// {backend, simd, mlp_ms, cnn_ms}: median milliseconds per step after a warm-up.
//
// The networks are nnlib's TwoLayerNet(784, 50, 10) and SimpleConvNet (conv 30 5x5 -> max-pool 2x2 -> ReLU ->
// affine 100 -> ReLU -> affine 10, softmax cross-entropy). TensorFlow.js 4.22's wasm backend has no kernel for the
// gradient of conv2d with respect to its filters, so the convolution is written as nnlib computes it: the patches
// gathered into a matrix (im2col) and one matrix product. The images are synthetic, like scripts/bench_data.py's:
// 80% zeros, the rest in [0, 1]; a step's time does not depend on the values.

const BATCH = 100;

function images(n, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) { const r = rand(); x[i] = r < 0.8 ? 0 : (r - 0.8) * 5; }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.floor(rand() * 10);
  return { x, labels };
}

function weights(shape, std) {
  return tf.variable(tf.randomNormal(shape, 0, std, "float32", 0));
}

function twoLayerNet() {
  const p = { W1: weights([784, 50], 0.01), b1: tf.variable(tf.zeros([50])),
              W2: weights([50, 10], 0.01), b2: tf.variable(tf.zeros([10])) };
  const scores = (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, p.W1), p.b1)), p.W2), p.b2);
  return { scores, flat: true };
}

// Column index (into a flattened 28x28 image) of every (output position, filter offset) pair: 24*24*25 of them.
function patchIndices() {
  const idx = new Int32Array(24 * 24 * 25);
  let k = 0;
  for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++)
    for (let dy = 0; dy < 5; dy++) for (let dx = 0; dx < 5; dx++) idx[k++] = (y + dy) * 28 + (x + dx);
  return tf.tensor1d(idx, "int32");
}

function simpleConvNet() {
  const p = { W1: weights([25, 30], 0.01), b1: tf.variable(tf.zeros([30])),
              W2: weights([4320, 100], 0.01), b2: tf.variable(tf.zeros([100])),
              W3: weights([100, 10], 0.01), b3: tf.variable(tf.zeros([10])) };
  const idx = patchIndices();
  const scores = (x) => {
    const n = x.shape[0];
    const cols = tf.reshape(tf.gather(x, idx, 1), [n * 576, 25]);          // im2col
    const conv = tf.reshape(tf.add(tf.matMul(cols, p.W1), p.b1), [n, 24, 24, 30]);
    const pooled = tf.relu(tf.maxPool(conv, 2, 2, "valid"));                // (n, 12, 12, 30)
    const hidden = tf.relu(tf.add(tf.matMul(tf.reshape(pooled, [n, 4320]), p.W2), p.b2));
    return tf.add(tf.matMul(hidden, p.W3), p.b3);
  };
  return { scores, flat: true };
}

function medianStepMs(net, steps) {
  const optimizer = tf.train.adam(1e-3);
  const data = images(BATCH * 10, 0);
  const batches = [];
  for (let i = 0; i < 10; i++) {
    batches.push({ x: tf.tensor2d(data.x.subarray(i * BATCH * 784, (i + 1) * BATCH * 784), [BATCH, 784]),
                   t: tf.oneHot(tf.tensor1d(data.labels.subarray(i * BATCH, (i + 1) * BATCH), "int32"), 10) });
  }
  const times = [];
  for (let i = 0; i < steps; i++) {
    const { x, t } = batches[i % batches.length];
    const start = performance.now();
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(t, net.scores(x)), true);
    loss.dataSync();  // wait for the step to finish
    times.push(performance.now() - start);
    loss.dispose();
  }
  optimizer.dispose();
  for (const b of batches) { b.x.dispose(); b.t.dispose(); }
  const sorted = times.slice(3).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

window.benchTfjs = async (backend, { mlpSteps = 40, cnnSteps = 10 } = {}) => {
  tf.wasm.setWasmPaths(new URL("./", location.href).href);
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} failed to start`);
  await tf.ready();
  const simd = backend === "wasm" ? await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") : false;
  const mlp = tf.tidy(() => medianStepMs(twoLayerNet(), mlpSteps));
  const cnn = tf.tidy(() => medianStepMs(simpleConvNet(), cnnSteps));
  return { backend: tf.getBackend(), simd, mlp_ms: mlp, cnn_ms: cnn };
};
