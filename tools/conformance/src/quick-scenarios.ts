/**
 * The server scenarios that need no fixture tool, resource or prompt: they test the protocol and
 * the Streamable HTTP transport themselves, so `--quick` runs them against the daemon as deployed
 * (fixtures off). Of the suite's other scenarios, each needs a `test_*` fixture by name.
 */
export const quickScenarios: readonly string[] = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'tools-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
];
