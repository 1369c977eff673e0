export { startSimulator } from './simulator.js';
export type { FaultRule, KimiFileLimits, RecordedRequest, Simulator, SimulatorOptions, Vendor } from './types.js';
export { glmErrorCodes } from './glm-errors.js';
export { glmModels, type GlmModel } from './glm-models.js';
export { kimiErrorTypes } from './kimi-errors.js';
export { kimiModels, type KimiModel } from './kimi-models.js';
export { kimiDefaultMaxTokens } from './kimi-validate.js';
export { kimiSearchTokens } from './kimi-completion.js';
