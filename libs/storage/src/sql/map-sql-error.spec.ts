import { describe, expect, it } from '@jest/globals';
import { InvalidStorageInputError, QuotaExceededError, StorageNotFoundError, StorageUnavailableError } from '../storage-errors.js';
import { isConnectionError, mapSqlError } from './map-sql-error.js';

const withCode = (code: string, message = 'failed', extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { code, ...extra });

describe('mapSqlError', () => {
  it.each([
    ['a refused socket', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset socket', withCode('ECONNRESET')],
    ['a socket timeout', withCode('ETIMEDOUT')],
    ['SQLSTATE 08006 (connection failure)', withCode('08006')],
    ['SQLSTATE 57P01 (admin shutdown)', withCode('57P01', 'terminating connection due to administrator command')],
    ['SQLSTATE 57P03 (cannot connect now)', withCode('57P03', 'the database system is starting up')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['a connect to every address failing', Object.assign(new AggregateError([withCode('ECONNREFUSED')], ''), { code: undefined })],
    ['a closed PGlite', new Error('PGlite is closed')],
  ])('treats %s as the database being unavailable', (_label, error) => {
    expect(isConnectionError(error)).toBe(true);
    const mapped = mapSqlError(error);
    expect(mapped).toBeInstanceOf(StorageUnavailableError);
    expect((mapped as StorageUnavailableError).cause).toBe(error);
  });

  it('maps a foreign-key violation to not found', () => {
    const mapped = mapSqlError(withCode('23503', 'insert or update on table "messages" violates foreign key constraint', { table: 'messages' }));
    expect(mapped).toBeInstanceOf(StorageNotFoundError);
    expect((mapped as StorageNotFoundError).resource).toBe('messages');
  });

  it('maps unique, check and input errors to invalid input naming the column or constraint', () => {
    expect(mapSqlError(withCode('23505', 'duplicate key', { constraint: 'file_metadata_bucket_path_key', detail: 'Key (bucket, path) exists.' }))).toMatchObject({
      code: 'invalid_storage_input',
      field: 'file_metadata_bucket_path_key',
    });
    expect(mapSqlError(withCode('23514', 'violates check constraint', { table: 'messages', constraint: 'messages_role_check' }))).toMatchObject({ field: 'messages_role_check' });
    expect(mapSqlError(withCode('22P02', 'invalid input syntax for type uuid'))).toBeInstanceOf(InvalidStorageInputError);
  });

  it('maps a row-level security refusal to invalid input naming the table', () => {
    const mapped = mapSqlError(withCode('42501', 'new row violates row-level security policy for table "workflow_states"'));
    expect(mapped).toMatchObject({ code: 'invalid_storage_input', field: 'workflow_states' });
  });

  it('passes exai errors and everything else through unchanged', () => {
    const quota = new QuotaExceededError({ quotaBytes: 1, usedBytes: 1, requestedBytes: 1 });
    expect(mapSqlError(quota)).toBe(quota);
    const denied = withCode('42501', 'permission denied for table audit_logs');
    expect(mapSqlError(denied)).toBe(denied);
    const syntax = withCode('42601', 'syntax error');
    expect(mapSqlError(syntax)).toBe(syntax);
    expect(isConnectionError(syntax)).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});
