import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The reference's simple CNN: 3 x (conv3x3 'valid' + relu + maxpool 2), global average pool, dropout, dense 4. */
export function simpleCnn(size: number): tfl.Sequential {
  const model = tfl.sequential();
  [32, 64, 128].forEach((filters, i) => {
    const input = i === 0 ? { inputShape: [size, size, 1] } : {};
    model.add(tfl.layers.conv2d({ ...input, filters, kernelSize: 3, activation: 'relu' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tfl.layers.globalAveragePooling2d({}));
  model.add(tfl.layers.dropout({ rate: 0.5 }));
  model.add(tfl.layers.dense({ units: 4 }));
  return model;
}

/**
 * Training throughput of Adam steps on a random batch, like the PyTorch anchor (2 warm-up steps), by wall
 * clock and by this process's CPU time (the wasm backend is single-threaded and synchronous).
 */
export async function simpleCnnStepImgPerSec(
  size: number,
  batch: number,
  steps: number,
): Promise<{ wall: number; cpu: number }> {
  const model = simpleCnn(size);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomNormal([batch, size, size, 1]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 4, 'int32') as tf.Tensor1D, 4);
  const step = () =>
    tf.tidy(() => {
      optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      });
    });
  step();
  step();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  await (model.getWeights()[0] as tf.Tensor).data();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { wall: (batch * steps) / seconds, cpu: (batch * steps) / cpuSeconds };
}
