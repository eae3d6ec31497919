// The ONNX op table: every supported op type (default domain) and training-domain op, by name.
import { attentionLowerings } from './attention.ts';
import { controlLowerings } from './control.ts';
import { loopLowerings } from './loops.ts';
import { sequenceLowerings } from './sequences.ts';
import { signalLowerings } from './signal.ts';
import { gridLowerings } from './grid-sample.ts';
import { statefulLowerings } from './stateful.ts';
import { nmsLowerings } from './nms.ts';
import { channelNormLowerings } from './channel-norm.ts';
import { convLowerings } from './conv.ts';
import { einsumLowerings } from './einsum.ts';
import { elementwiseLowerings } from './elementwise.ts';
import type { Lowerings } from './lowering.ts';
import { movementLowerings } from './movement.ts';
import { nnLowerings } from './nn.ts';
import { recurrentLowerings } from './recurrent.ts';
import { resizeLowerings } from './resize.ts';
import { lineLowerings } from './lines.ts';
import { indexingLowerings } from './indexing.ts';
import { bitwiseLowerings } from './bitwise.ts';
import { dataDependentLowerings } from './data-dependent.ts';
import { compositionLowerings } from './compositions.ts';
import { quantizeLowerings } from './quantize.ts';
import { rotaryLowerings } from './rotary.ts';
import { spatialLowerings } from './spatial.ts';
import { linalgLowerings } from './linalg.ts';
import { roiAlignLowerings } from './roi-align.ts';
import { optimizerLowerings } from './optimizers.ts';
import { mlLowerings } from './ml.ts';
import { trainingLowerings } from './training.ts';

/** The preview training domain (Adam). */
export const TRAINING_DOMAIN = 'ai.onnx.preview.training';

/** Lowerings keyed by op type, or `domain:OpType` outside the default domain. */
export const LOWERINGS: Lowerings = {
  ...elementwiseLowerings,
  ...movementLowerings,
  ...nnLowerings,
  ...einsumLowerings,
  ...recurrentLowerings,
  ...attentionLowerings,
  ...trainingLowerings,
  ...controlLowerings,
  ...loopLowerings,
  ...sequenceLowerings,
  ...signalLowerings,
  ...gridLowerings,
  ...statefulLowerings,
  ...nmsLowerings,
  ...resizeLowerings,
  ...lineLowerings,
  ...indexingLowerings,
  ...bitwiseLowerings,
  ...dataDependentLowerings,
  ...compositionLowerings,
  ...rotaryLowerings,
  ...convLowerings,
  ...channelNormLowerings,
  ...quantizeLowerings,
  ...spatialLowerings,
  ...linalgLowerings,
  ...roiAlignLowerings,
  ...optimizerLowerings,
  ...mlLowerings,
};
