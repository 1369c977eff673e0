/** The trace modes: `ask` makes the agent ask the user which of the other two to run. */
export const traceModes = ['ask', 'precision', 'dependencies'] as const;
/** One of {@link traceModes}. */
export type TraceMode = (typeof traceModes)[number];

/** What the agent tells the user when the mode is `ask`. */
export const MODE_CHOICE = {
  precision: 'Execution flow: follows a method or function through the calls it makes, its branches and side effects. Best for "what happens when X runs".',
  dependencies: 'Structure: maps what a class or module depends on and what depends on it, in both directions. Best for "what does X touch, and what breaks if it changes".',
} as const;

/** How a precision trace is presented: a call-flow diagram, then branches, side effects and entry points. */
export const PRECISION_RENDERING = [
  'Present the trace as a CALL FLOW, vertically, one call per line, with file:line for every call:',
  '',
  '  [Controller.handle] (src/api/controller.ts:42)',
  '    |',
  '    v',
  '  [Service.process] (src/core/service.ts:88)',
  '    +-- if (cached)  --> [Cache.get] (src/core/cache.ts:17)',
  '    +-- else         --> [Repository.load] (src/db/repository.ts:55)',
  '                          |-- side effect: SQL SELECT on sessions',
  '',
  'Then, in this order:',
  '1. BRANCHES: each condition, where it is decided (file:line) and which path it takes.',
  '2. SIDE EFFECTS: writes to databases, files, network, global state, with file:line.',
  '3. ENTRY POINTS: every place that starts this flow.',
  '4. NOTES: surprises, dead paths, error handling gaps.',
  'Use plain ASCII for the diagram. State only what the code shows; mark anything inferred as such.',
].join('\n');

/** How a dependencies trace is presented: incoming and outgoing edges around the target, then type relations. */
export const DEPENDENCIES_RENDERING = [
  'Present the trace as a DEPENDENCY DIAGRAM, the target in the middle, callers on the left, dependencies on the right:',
  '',
  '  INCOMING                         TARGET                      OUTGOING',
  '  [Api.route] ------------+',
  '                          +----> [SessionStore] ----+----> [RedisClient.get]',
  '  [Worker.sweep] ---------+       (src/store.ts)    +----> [Clock.now]',
  '',
  'Then, in this order:',
  '1. INCOMING: every caller or importer, file:line, and what it uses of the target.',
  '2. OUTGOING: everything the target calls, imports or reads, file:line.',
  '3. TYPES: inheritance, implemented interfaces, shared types, and who else implements them.',
  '4. IMPACT: what a change to the target would affect, most exposed first.',
  'Use plain ASCII for the diagram. State only what the code shows; mark anything inferred as such.',
].join('\n');
