// A keyword-spotting style 1-D CNN over a log-mel spectrogram [1, 40 mels, 98 frames] -> 12
// keyword logits: Conv1d + BatchNorm1d + ReLU + MaxPool1d, a depthwise-separable block (depthwise
// Conv1d, pointwise Conv1d, BatchNorm1d, ReLU), global average pooling and a Linear head.
// PyTorch's state_dict names; scripts/fixtures/cnn_models.py (KwsCnn) is the same model.
import { F, type Sym, graph, nn } from '../src/index.ts';

export class KwsCnn extends nn.Module {
  conv1 = new nn.Conv1d(40, 64, 3, { padding: 1, bias: false });
  bn1 = new nn.BatchNorm1d(64);
  pool = new nn.MaxPool1d(2);
  dw = new nn.Conv1d(64, 64, 3, { padding: 1, groups: 64, bias: false });
  pw = new nn.Conv1d(64, 96, 1, { bias: false });
  bn2 = new nn.BatchNorm1d(96);
  gap = new nn.AdaptiveAvgPool1d(1);
  fc = new nn.Linear(96, 12);
  forward(x: Sym): Sym {
    let y = this.pool.forward(this.bn1.forward(this.conv1.forward(x)).relu());
    y = this.bn2.forward(this.pw.forward(this.dw.forward(y))).relu();
    return this.fc.forward(F.flatten(this.gap.forward(y), 1));
  }
}

export default () => graph('kws_cnn', (g) => new KwsCnn().forward(g.input('x', [1, 40, 98])));
