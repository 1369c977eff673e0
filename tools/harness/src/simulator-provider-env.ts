/**
 * The four variables that point exai's GLM and Kimi providers at a simulator, with placeholder keys
 * `<keyPrefix>-glm-key` and `<keyPrefix>-kimi-key`.
 */
export function simulatorProviderEnv(sim: { glmBaseURL: string; kimiBaseURL: string }, keyPrefix: string): Record<string, string> {
  return {
    GLM_API_KEY: `${keyPrefix}-glm-key`,
    GLM_BASE_URL: sim.glmBaseURL,
    KIMI_API_KEY: `${keyPrefix}-kimi-key`,
    KIMI_BASE_URL: sim.kimiBaseURL,
  };
}
