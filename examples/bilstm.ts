// Seed 001's bilstm model (see recurrent-models.ts): input 4, hidden 3, 2 layers, on [5, 2, 4].
import { recurrentModel } from './recurrent-models.ts';

export default () => recurrentModel('bilstm');

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_bilstm';
