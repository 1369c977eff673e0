import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { textOf } from '../test-support/tool-harness.js';
import type { KimiManageFilesOutput } from './kimi-manage-files-tool.js';
import type { KimiUploadFilesOutput } from './kimi-upload-files-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

describe('kimi_manage_files', () => {
  let env: VendorSim;
  let uploaded: KimiUploadFilesOutput['files'];
  let untracked: string;

  const manage = async (args: Record<string, unknown>): Promise<KimiManageFilesOutput> => structuredOf<KimiManageFilesOutput>(await env.call('kimi_manage_files', args));
  const atKimi = async (): Promise<string[]> => (await env.kimi[0]!.files.list()).map((file) => file.id).sort();
  const deletions = async (): Promise<number> => (await env.storage.audit.list({ action: 'kimi_files.delete' })).length;
  const idOf = (name: string): string => uploaded.find((file) => file.filename === name)!.file_id!;

  beforeEach(async () => {
    env = await startVendorSim();
    const paths = ['a.txt', 'b.txt', 'c.txt'].map((name) => join(env.dir, name));
    for (const [index, path] of paths.entries()) await writeFile(path, `file ${index}\n`);
    uploaded = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: paths })).files;
    // Uploaded with the same key outside exai: not this user's record.
    untracked = (await env.kimi[0]!.files.upload({ data: new TextEncoder().encode('other\n'), filename: 'other.txt', purpose: 'file-extract' })).id;
  });
  afterEach(async () => {
    await env.close();
  });

  it('lists Kimi files, marking those exai has no record of', async () => {
    const output = await manage({ operation: 'list' });
    expect(output.files.map((file) => [file.filename, file.tracked, file.action])).toEqual(
      expect.arrayContaining([
        ['a.txt', true, 'listed'],
        ['b.txt', true, 'listed'],
        ['c.txt', true, 'listed'],
        ['other.txt', false, 'listed'],
      ]),
    );
    expect(output.files).toHaveLength(4);
    expect(output.files.find((file) => file.filename === 'a.txt')?.last_used).toEqual(expect.any(String));
  });

  it('cleans up orphaned uploads: a dry run changes nothing, the real run deletes and audits', async () => {
    await env.storage.files.delete(uploaded[0]!.stored_file_id!);
    const before = await atKimi();

    const dry = await manage({ operation: 'cleanup_orphaned', dry_run: true });
    expect(dry.files).toEqual([expect.objectContaining({ file_id: idOf('a.txt'), action: 'would_delete', reason: 'its stored file is gone' })]);
    expect(await atKimi()).toEqual(before);
    expect(env.requests('DELETE', /\/v1\/files\//)).toHaveLength(0);
    expect(await deletions()).toBe(0);
    expect((await env.storage.uploads.listOrphaned('kimi')).map((upload) => upload.providerFileId)).toEqual([idOf('a.txt')]);

    const real = await manage({ operation: 'cleanup_orphaned' });
    expect(real).toMatchObject({ deleted: 1, failed: 0, dry_run: false });
    expect(await atKimi()).toEqual(before.filter((id) => id !== idOf('a.txt')));
    expect(await env.storage.uploads.listOrphaned('kimi')).toEqual([]);
    const [entry] = await env.storage.audit.list({ action: 'kimi_files.delete' });
    expect(entry).toMatchObject({ outcome: 'success', resource: `kimi:file:${idOf('a.txt')}`, details: expect.objectContaining({ operation: 'cleanup_orphaned', filename: 'a.txt' }) });
    // The untracked file is left alone unless asked.
    expect(await atKimi()).toContain(untracked);
  });

  it('forgets records of files Kimi no longer has, and deletes untracked files only when asked', async () => {
    await env.kimi[0]!.files.delete(idOf('b.txt'));
    const output = await manage({ operation: 'cleanup_orphaned', include_untracked: true });
    expect(output.files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file_id: idOf('b.txt'), action: 'forgotten', reason: 'Kimi no longer has it' }),
        expect.objectContaining({ file_id: untracked, tracked: false, action: 'deleted', reason: 'exai has no record of it' }),
      ]),
    );
    expect(await atKimi()).toEqual([idOf('a.txt'), idOf('c.txt')].sort());
    const statuses = await env.storage.uploads.list({ provider: 'kimi' });
    expect(statuses.find((upload) => upload.providerFileId === idOf('b.txt'))?.status).toBe('deleted');
  });

  it('cleans up expired uploads by age of last use', async () => {
    const none = await manage({ operation: 'cleanup_expired', dry_run: true });
    expect(none.files).toEqual([]);
    expect(textOf(await env.call('kimi_manage_files', { operation: 'cleanup_expired', dry_run: true }))).toBe('cleanup_expired: nothing to do.');

    const dry = await manage({ operation: 'cleanup_expired', unused_days: 0, dry_run: true });
    expect(dry.files.map((file) => file.action)).toEqual(['would_delete', 'would_delete', 'would_delete']);
    expect(await atKimi()).toHaveLength(4);

    const real = await manage({ operation: 'cleanup_expired', unused_days: 0 });
    expect(real.deleted).toBe(3);
    expect(await atKimi()).toEqual([untracked]);
    expect((await env.storage.uploads.list({ provider: 'kimi' })).map((upload) => upload.status)).toEqual(['expired', 'expired', 'expired']);
    expect(await deletions()).toBe(3);
  });

  it('deletes named files: its own at once, untracked ones only when asked, unknown ones reported', async () => {
    const output = await manage({ operation: 'delete', file_ids: [idOf('c.txt'), untracked, 'file-unknown'] });
    expect(output.files.map((file) => [file.file_id, file.action])).toEqual([
      [idOf('c.txt'), 'deleted'],
      [untracked, 'kept'],
      ['file-unknown', 'failed'],
    ]);
    expect(output.files[1]?.reason).toMatch(/include_untracked: true/);
    expect(output.files[2]?.reason).toBe('Kimi has no such file');
    const forced = await manage({ operation: 'delete', file_ids: [untracked], include_untracked: true });
    expect(forced.deleted).toBe(1);
    expect(await atKimi()).toEqual([idOf('a.txt'), idOf('b.txt')].sort());

    const missing = await env.call('kimi_manage_files', { operation: 'delete' });
    expect(textOf(missing)).toMatch(/delete needs file_ids/);
  });
});

// Found by the hostile-input run (tools/fuzz): on the daemon, where users share the Kimi key, bob
// listed alice's uploads (ids, names, sizes) and could delete them with include_untracked.
describe('kimi_manage_files on keys shared by a server\'s users', () => {
  let env: VendorSim;
  let mine: string;
  let theirs: string;

  const manage = async (args: Record<string, unknown>): Promise<KimiManageFilesOutput> => structuredOf<KimiManageFilesOutput>(await env.call('kimi_manage_files', args));
  const atKimi = async (): Promise<string[]> => (await env.kimi[0]!.files.list()).map((file) => file.id);

  beforeEach(async () => {
    env = await startVendorSim({ providerAccounts: 'shared' });
    const path = join(env.dir, 'mine.txt');
    await writeFile(path, 'mine\n');
    mine = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [path] })).files[0]!.file_id!;
    // Another user's upload through the same key: no record in this user's storage.
    theirs = (await env.kimi[0]!.files.upload({ data: new TextEncoder().encode('theirs\n'), filename: 'theirs-secret-plan.txt', purpose: 'file-extract' })).id;
  });
  afterEach(async () => {
    await env.close();
  });

  it('lists only the files exai uploaded for this user', async () => {
    const output = await manage({ operation: 'list', include_untracked: true });
    expect(output.files.map((file) => file.file_id)).toEqual([mine]);
    expect(JSON.stringify(output)).not.toContain('theirs-secret-plan');
  });

  it("answers for another user's file exactly as for a file that does not exist, and never deletes it", async () => {
    for (const args of [{}, { include_untracked: true }, { include_untracked: true, dry_run: true }]) {
      const output = await manage({ operation: 'delete', file_ids: [theirs, 'file-unknown'], ...args });
      const [foreign, unknown] = output.files;
      expect(foreign).toEqual({ ...unknown, file_id: theirs });
      expect(foreign).toMatchObject({ action: 'failed', reason: 'no such file among your Kimi uploads', tracked: false });
    }
    await manage({ operation: 'cleanup_orphaned', include_untracked: true });
    await manage({ operation: 'cleanup_expired', unused_days: 0, dry_run: true });
    expect(await atKimi()).toContain(theirs);
    expect(env.requests('DELETE', `/files/${theirs}`)).toHaveLength(0);
  });
});
