/**
 * Whether a requested model name asks the router to choose: `auto` in any case, with or without
 * spaces around it. (An absent name is not `auto`: it means the configured default.)
 */
export function isAutoModelName(name: string | undefined): boolean {
  return name !== undefined && name.trim().toLowerCase() === 'auto';
}
