/**
 * Admission limits raised far above any load the runners generate (connections, rate limits,
 * in-flight caps, queue): for runs that measure the daemon rather than its admission control.
 */
export function raisedLimitsEnv(): Record<string, string> {
  return {
    EXAI_MAX_CONNECTIONS: '10000',
    EXAI_MAX_CONNECTIONS_PER_IP: '10000',
    EXAI_RATE_GLOBAL_PER_SECOND: '1000000',
    EXAI_RATE_GLOBAL_BURST: '1000000',
    EXAI_RATE_USER_PER_SECOND: '1000000',
    EXAI_RATE_USER_BURST: '1000000',
    EXAI_RATE_IP_PER_SECOND: '1000000',
    EXAI_RATE_IP_BURST: '1000000',
    EXAI_WS_GLOBAL_MAX_INFLIGHT: '5000',
    EXAI_WS_GLM_MAX_INFLIGHT: '5000',
    EXAI_WS_KIMI_MAX_INFLIGHT: '5000',
    EXAI_QUEUE_SIZE: '10000',
  };
}
