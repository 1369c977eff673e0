import { defineTool } from '../../tool-definition.js';
import { consensusInputShape } from './consensus-schema.js';
import { runConsensus } from './run-consensus.js';

/**
 * `consensus`: several models judge one proposal, each blinded to the others and given a stance.
 * Not built on the workflow engine: its default form is a single call with no step fields.
 */
export const consensusTool = defineTool({
  name: 'consensus',
  title: 'Multi-model consensus',
  description:
    'Have ≥2 GLM/Kimi models, each with a stance (for/against/neutral), judge one proposal independently and in parallel; returns every verdict for you to synthesise.',
  inputShape: consensusInputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  profile: 'standard',
  run: runConsensus,
});
