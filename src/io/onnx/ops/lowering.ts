// The shape of an ONNX op lowering: one ONNX node in, its outputs (as IR values or constants) out.
import type { NodeContext, Val } from '../context.ts';

/** Lowers one node; returns one entry per ONNX output (undefined where the output is not produced). */
export type Lowering = (c: NodeContext) => readonly (Val | undefined)[];

/** A family's lowerings by op type. */
export type Lowerings = Readonly<Record<string, Lowering>>;
