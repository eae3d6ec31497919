// A CNN without BatchNorm ([N, 1, 12, 12] -> 3 class logits: Conv2d, ReLU, MaxPool2d, Conv2d, ReLU,
// global average pooling, Linear) and its training graph (mean cross-entropy), the model
// scripts/fixtures/cnn_models.py (TrainCnn) trains with Adam; test/api/cnn-train.test.ts follows
// PyTorch's loss step by step from the same initial weights and batches.
import { F, type Sym, graph, nn } from '../src/index.ts';

export class TrainCnn extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3);
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(4, 8, 3, { padding: 1 });
  gap = new nn.AdaptiveAvgPool2d(1);
  fc = new nn.Linear(8, 3);
  forward(x: Sym): Sym {
    const y = this.conv2.forward(this.pool.forward(this.conv1.forward(x).relu())).relu();
    return this.fc.forward(F.flatten(this.gap.forward(y), 1));
  }
}

/** Outputs `loss` (mean cross-entropy against `labels`) and `logits`, for a batch of `batch` images. */
export const trainingGraph = (batch: number) =>
  graph('train_cnn', (g) => {
    const logits = new TrainCnn().forward(g.input('x', [batch, 1, 12, 12]));
    return { loss: F.crossEntropy(logits, g.input('labels', [batch], 'i64')), logits };
  });

export default () => graph('train_cnn_infer', (g) => new TrainCnn().forward(g.input('x', [8, 1, 12, 12])));
