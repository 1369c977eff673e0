// Jest globalTeardown of every project: after the last suite, lists what still keeps the process
// alive (sockets, servers, timers, child processes) so a leak shows in the log by name. The preset's
// `forceExit` then ends the run: a suite that passed must never hang CI, and a leak is still visible.
export default async function reportOpenHandles() {
  // Give closes already under way (sockets ending, children exiting) a moment to finish.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const ignored = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback', 'Timeout']);
  const open = process.getActiveResourcesInfo().filter((name) => !ignored.has(name));
  if (open.length > 0) {
    process.stderr.write(`jest: still open after the last suite (closed by forceExit): ${open.join(', ')}\n`);
  }
}
