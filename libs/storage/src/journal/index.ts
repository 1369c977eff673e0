export { createJournaledStorage, DEFAULT_PROBE_INTERVAL_MS, type JournaledStorage, type JournaledStorageOptions } from './journaled-storage.js';
export type { StorageBreakerSettings } from './journal-gateway.js';
export { openWriteJournal, type JournalEntry, type NewJournalEntry, type WriteJournal, type WriteJournalOptions } from './write-journal.js';
export type { StorageLogger } from './storage-logger.js';
