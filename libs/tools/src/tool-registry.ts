import type { AnyExaiTool, ToolProfile } from './tool-definition.js';

/** Tools every profile serves and no list can remove. */
export const ALWAYS_ON_TOOLS: readonly string[] = ['version', 'listmodels'];

const profileRank: Record<ToolProfile, number> = { lean: 0, standard: 1, full: 2 };

/** Which tools to serve: `TOOL_PROFILE`, then `ENABLED_TOOLS` (added), then `DISABLED_TOOLS` (removed). */
export interface ToolSelection {
  profile?: ToolProfile;
  enabled?: readonly string[];
  disabled?: readonly string[];
}

/**
 * Tool names as clients send them, without the suffixes some add to tell servers apart
 * (`chat_EXAI-WS`, `chat-exai-ws`, `chat_exai`), lower case.
 */
export function canonicalToolName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.](exai[-_]?ws|exai)$/, '');
}

/**
 * The tools of a profile adjusted by the lists, in catalogue order, plus a warning for each unknown
 * name in a list (a warning, not a crash: a typo must not take the server down).
 */
export function selectTools(catalogue: readonly AnyExaiTool[], selection: ToolSelection = {}): { tools: AnyExaiTool[]; warnings: string[] } {
  const profile = selection.profile ?? 'standard';
  const byName = new Map(catalogue.map((tool) => [tool.name, tool]));
  const warnings: string[] = [];
  const names = (list: readonly string[] | undefined, setting: string): string[] => {
    const known: string[] = [];
    for (const raw of list ?? []) {
      const name = canonicalToolName(raw);
      if (byName.has(name)) known.push(name);
      else warnings.push(`${setting}: unknown tool "${raw}" ignored (known: ${[...byName.keys()].join(', ')})`);
    }
    return known;
  };
  const enabled = new Set(names(selection.enabled, 'ENABLED_TOOLS'));
  const disabled = new Set(names(selection.disabled, 'DISABLED_TOOLS'));
  for (const name of disabled) {
    if (ALWAYS_ON_TOOLS.includes(name)) warnings.push(`DISABLED_TOOLS: ${name} is always on`);
  }
  const tools = catalogue.filter((tool) => {
    if (ALWAYS_ON_TOOLS.includes(tool.name)) return true;
    if (disabled.has(tool.name)) return false;
    return enabled.has(tool.name) || profileRank[tool.profile] <= profileRank[profile];
  });
  return { tools, warnings };
}
