/**
 * JSON for journal lines that keeps `Date`s: a date is written as `{"$date": "<ISO 8601>"}` and read
 * back as a `Date`, so a replayed write carries the same timestamps as the original call.
 */
export function encodeJournalValue(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
    // `item` is already `Date.prototype.toJSON`'s string; the holder still has the Date itself.
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : item;
  });
}

/** Parses a journal line written by {@link encodeJournalValue}; throws on malformed JSON. */
export function decodeJournalValue(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const keys = Object.keys(item);
      const tagged = (item as { $date?: unknown }).$date;
      if (keys.length === 1 && typeof tagged === 'string') {
        const date = new Date(tagged);
        if (!Number.isNaN(date.getTime())) return date;
      }
    }
    return item;
  });
}
