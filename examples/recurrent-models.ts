// Seed 001's LSTMModel, GRUModel and BidirectionalLSTMModel: a recurrent layer over
// (seq, batch, input) from zero states, its output flattened to (seq * batch, features).
import { graph, nn, type Sym } from '../src/index.ts';

type Kind = 'lstm' | 'gru' | 'bilstm';

class RecurrentModel extends nn.Module {
  lstm?: nn.LSTM;
  gru?: nn.GRU;
  constructor(readonly kind: Kind, inputSize: number, readonly hiddenSize: number, numLayers: number) {
    super();
    if (kind === 'gru') this.gru = new nn.GRU(inputSize, hiddenSize, { numLayers });
    else this.lstm = new nn.LSTM(inputSize, hiddenSize, { numLayers, bidirectional: kind === 'bilstm' });
  }
  forward(input: Sym): Sym {
    const { output } = (this.lstm ?? this.gru)!.forward(input);
    return output.view(-1, this.kind === 'bilstm' ? this.hiddenSize * 2 : this.hiddenSize);
  }
}

/** The seed model of `kind` with input 4, hidden 3, 2 layers, on input [5, 2, 4]. */
export function recurrentModel(kind: Kind) {
  return graph(`seed_${kind}`, (g) => new RecurrentModel(kind, 4, 3, 2).forward(g.input('input', [5, 2, 4])));
}

export default () => recurrentModel('lstm');
