// A small 2-D CNN over images [2, 3, 32, 32] -> 10 class logits: twice Conv2d + BatchNorm2d +
// ReLU + MaxPool2d, then global average pooling and a Linear head. PyTorch's state_dict names;
// scripts/fixtures/cnn_models.py (SmallCnn) is the same model. `smallCnn(batch, size)` builds it
// at other sizes (the bench runs 1x3x224x224).
import { F, type Sym, graph, nn } from '../src/index.ts';

export class SmallCnn extends nn.Module {
  conv1 = new nn.Conv2d(3, 16, 3, { padding: 1 });
  bn1 = new nn.BatchNorm2d(16);
  conv2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
  bn2 = new nn.BatchNorm2d(32);
  pool = new nn.MaxPool2d(2);
  gap = new nn.AdaptiveAvgPool2d(1);
  fc = new nn.Linear(32, 10);
  forward(x: Sym): Sym {
    let y = this.pool.forward(this.bn1.forward(this.conv1.forward(x)).relu());
    y = this.pool.forward(this.bn2.forward(this.conv2.forward(y)).relu());
    return this.fc.forward(F.flatten(this.gap.forward(y), 1));
  }
}

/** The model on [batch, 3, size, size] images. */
export const smallCnn = (batch = 2, size = 32) => graph('small_cnn', (g) => new SmallCnn().forward(g.input('x', [batch, 3, size, size])));

export default () => smallCnn();
