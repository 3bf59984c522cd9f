import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pullDeskCalibration, shareDeskCalibration } from '../../src/app/desk-sharing.js';
import type { DeskCalibration, DeskCalibrationStore } from '../../src/engine/ports/desk-calibrations.js';
import { openDatabase } from '../../src/storage/sqlite/database.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';
import { SqliteDeskCalibrationStore } from '../../src/storage/sqlite/desk-calibration-store.js';

const HASH = 'c'.repeat(64);
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'desk-sharing-'));
  dirs.push(d);
  return d;
};

describe('a desk refit shared between replicas', () => {
  it('goes from one DATA_DIR to another through the store, only when it changed', async () => {
    const root = tmp();
    const db = openDatabase(join(root, 'helpdesk.db'));
    migrateSqlite(db);
    try {
      const store = new SqliteDeskCalibrationStore(db);
      const a = join(root, 'a');
      const b = join(root, 'b');
      // What a refit leaves in replica A's folder, beside a file that is not part of it.
      mkdirSync(a);
      writeFileSync(join(a, 'gate-hybrid-use.json'), '{"answer":0.8}');
      writeFileSync(join(a, 'scored-hybrid.json'), '[]');
      writeFileSync(join(a, 'notes.txt'), 'not shared');
      await shareDeskCalibration(store, a, HASH, 'use');
      expect(Object.keys((await store.get(HASH, 'use'))!.files).sort()).toEqual(['gate-hybrid-use.json', 'scored-hybrid.json']);

      expect(await pullDeskCalibration(store, b, HASH, 'use')).toBe(true);
      expect(readdirSync(b).sort()).toEqual(['gate-hybrid-use.json', 'scored-hybrid.json']);
      expect(readFileSync(join(b, 'gate-hybrid-use.json'), 'utf8')).toBe('{"answer":0.8}');
      // Nothing new: nothing written. Another provider or knowledge version: nothing there.
      expect(await pullDeskCalibration(store, b, HASH, 'use')).toBe(false);
      expect(await pullDeskCalibration(store, b, HASH, 'transformers')).toBe(false);
      expect(await pullDeskCalibration(store, b, 'd'.repeat(64), 'use')).toBe(false);
    } finally {
      db.close();
    }
  });

  it('never writes a file outside the folder, whatever the store returns', async () => {
    const root = tmp();
    const dir = join(root, 'calibration');
    const hostile: DeskCalibrationStore = {
      save: async () => {
        throw new Error('not used');
      },
      get: async (): Promise<DeskCalibration> => ({ knowledgeHash: HASH, provider: 'use', savedAt: '2026-12-07T00:00:00.000Z', files: { '../escape.json': '{}', '/etc/evil.json': '{}', 'gate-lexical-only.json': '{"ok":true}' } }),
    };
    expect(await pullDeskCalibration(hostile, dir, HASH, 'use')).toBe(true);
    expect(readdirSync(dir)).toEqual(['gate-lexical-only.json']);
    expect(existsSync(join(root, 'escape.json'))).toBe(false);
  });
});
