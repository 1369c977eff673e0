const exaiErrorMarker = Symbol.for('exai.error.ExaiError');

/**
 * Marks `error` as an exai error named `name`: `Symbol.for('exai.error.<name>')`, plus the root
 * `Symbol.for('exai.error.ExaiError')` marker, so `ExaiError.isInstance` from `@exai/router/spec`
 * recognises our errors (and reads their `code`) although this leaf library cannot import it.
 */
export function markError(error: Error, name: string): void {
  Object.defineProperty(error, exaiErrorMarker, { value: true });
  Object.defineProperty(error, Symbol.for(`exai.error.${name}`), { value: true });
}

/** True when `error` carries the marker set by {@link markError} for `name`. */
export function hasErrorMarker(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[Symbol.for(`exai.error.${name}`)] === true;
}
