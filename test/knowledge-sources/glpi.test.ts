import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSource } from '../../src/knowledge-sources/registry.js';
import type { KnowledgeSource } from '../../src/knowledge-sources/types.js';
import { KnowledgeHarness } from './harness.js';
import { createGlpiKbServer, GLPI_KB_TOKENS } from './servers/glpi.js';

let glpi: ReturnType<typeof createGlpiKbServer>;
let kb: KnowledgeHarness;
let source: KnowledgeSource;

beforeEach(async () => {
  glpi = createGlpiKbServer();
  await glpi.server.start();
  kb = await new KnowledgeHarness().start();
  source = createSource('glpi', { url: `${glpi.server.url}/apirest.php`, ...GLPI_KB_TOKENS, pageSize: 2 }, { sleep: async () => {} });
  glpi.put({ name: 'Map a network drive', answer: '<h2>Steps</h2><ol><li>Open File Explorer</li><li>Choose Map network drive and enter \\\\files\\shared</li></ol>' });
  glpi.put({ name: 'Printer queue stuck', answer: '<p>Restart the print spooler service, then resend the document.</p>', category: 'Printing' });
  glpi.put({ name: 'Reset a switch port', answer: '<p>Shut and no-shut the switch port from the core switch console.</p>', entities: [], groups: ['Network team'] });
  glpi.put({ name: 'Private notes', answer: '<p>only the author sees this</p>', entities: [] });
  glpi.put({ name: 'Old Windows 7 guide', answer: '<p>obsolete</p>', end_date: '2020-01-01 00:00:00' });
});

afterEach(async () => {
  kb.close();
  await glpi.server.stop();
});

const read = (file: string) => readFileSync(join(kb.out, file), 'utf8');

describe('GLPI knowledge source', () => {
  it('imports published items with range pagination, decodes rich text, maps visibility, ends its session', async () => {
    const report = await kb.sync(source);
    expect(report.ok).toBe(true);
    expect(report.created.sort()).toEqual(['glpi-1', 'glpi-2', 'glpi-3']);
    expect(report.skipped).toEqual([
      { sourceId: '4', reason: 'not published to anyone (no target)' },
      { sourceId: '5', reason: 'expired (end date 2020-01-01)' },
    ]);
    expect(glpi.server.requestsTo('GET', '/apirest.php/KnowbaseItem').map((r) => r.query.get('range'))).toEqual(['0-1', '2-3', '4-5']);
    expect(glpi.sessions.size).toBe(0);
    const drive = read('glpi-1.md');
    expect(drive).toContain('## Steps');
    expect(drive).toContain('1.  Open File Explorer');
    expect(drive).toContain(`url: ${glpi.server.url}/front/knowbaseitem.form.php?id=1`);
    expect(drive).toContain('category: Network');
    expect(drive).not.toContain('&lt;');
    expect(read('glpi-3.md')).toContain('audience: Network team');
    expect(read('glpi-2.md')).toContain('category: Printing');
  });

  it('second sync: zero changes and zero re-embedding; edit propagated; deletion and expiry retired; restricted item never answered', async () => {
    await kb.sync(source);
    await kb.reload();
    const files = kb.files();
    expect(await kb.sync(source)).toMatchObject({ ok: true, created: [], updated: [], retired: [], failed: [] });
    expect(kb.files()).toEqual(files);
    expect(await kb.reload()).toBe(0);

    glpi.put({ id: 2, name: 'Printer queue stuck', answer: '<p>Restart the print spooler service, clear C:\\Windows\\System32\\spool\\PRINTERS, then resend.</p>' });
    expect((await kb.sync(source)).updated).toEqual(['glpi-2']);
    expect(await kb.reload()).toBe(1);

    glpi.items.delete(1);
    glpi.put({ id: 2, name: 'Printer queue stuck', answer: '<p>x</p>', end_date: '2021-06-30 00:00:00' });
    const retired = await kb.sync(source);
    expect(retired.retired).toEqual([
      { id: 'glpi-2', reason: 'expired (end date 2021-06-30)' },
      { id: 'glpi-1', reason: 'deleted or no longer published in the source' },
    ]);
    await kb.reload();
    expect(kb.service.article('glpi-1')).toBeUndefined();

    const q = 'shut and no-shut the switch port from the core switch';
    expect((await kb.service.decide(q)).candidates.map((c) => c.articleId)).not.toContain('glpi-3');
    expect((await kb.service.decide(q, { audiences: ['Network team'] })).candidates[0]?.articleId).toBe('glpi-3');

    // Taking a group's restriction away from everyone else is seen although date_mod did not move.
    glpi.items.get(3)!.groups = ['Network team', 'Security'];
    expect((await kb.sync(source)).updated).toEqual(['glpi-3']);
  });

  it('imports English and French translations linked to their item (translation_of), with its visibility; a removed translation is retired', async () => {
    glpi.put({
      id: 1,
      name: 'Map a network drive',
      answer: glpi.items.get(1)!.answer,
      translations: {
        fr_FR: { name: 'Connecter un lecteur réseau', answer: '<p>Ouvrez l\'Explorateur de fichiers, choisissez Connecter un lecteur réseau et saisissez \\\\files\\shared.</p>' },
        de_DE: { name: 'Netzlaufwerk verbinden', answer: '<p>Öffnen Sie den Explorer.</p>' },
      },
    });
    glpi.put({ id: 3, name: 'Reset a switch port', answer: glpi.items.get(3)!.answer, translations: { fr_FR: { name: 'Réinitialiser un port de switch', answer: '<p>Faites shut puis no shut sur le port depuis la console du switch de cœur.</p>' } } });
    const report = await kb.sync(source);
    expect(report.created.sort()).toEqual(['glpi-1', 'glpi-1-fr', 'glpi-2', 'glpi-3', 'glpi-3-fr']);
    expect(report.skipped).toContainEqual({ sourceId: '1-de_de', reason: 'translation in de_DE: only English and French are served' });
    const fr = read('glpi-1-fr.md');
    expect(fr).toContain('lang: fr');
    expect(fr).toContain('translation_of: glpi-1');
    expect(fr).toContain('source:\n  system: glpi\n  id: 1-fr');
    expect(fr).toContain('Connecter un lecteur réseau');
    // The translation of a restricted item is restricted the same way.
    expect(read('glpi-3-fr.md')).toContain('audience: Network team');
    await kb.reload();
    const q = 'faites shut puis no shut sur le port du switch de cœur';
    expect((await kb.service.decide(q, { lang: 'fr' })).candidates.map((c) => c.articleId)).not.toContain('glpi-3-fr');
    expect((await kb.service.decide(q, { lang: 'fr', audiences: ['Network team'] })).candidates[0]?.articleId).toBe('glpi-3-fr');

    expect(await kb.sync(source)).toMatchObject({ created: [], updated: [], retired: [] });
    glpi.items.get(1)!.translations = {};
    expect((await kb.sync(source)).retired).toEqual([{ id: 'glpi-1-fr', reason: 'deleted or no longer published in the source' }]);
  });

  it('a wrong token or a failing server changes nothing; 503 with Retry-After is waited out', async () => {
    await kb.sync(source);
    const files = kb.files();
    const wrong = createSource('glpi', { url: `${glpi.server.url}/apirest.php`, appToken: GLPI_KB_TOKENS.appToken, userToken: 'not-the-token' }, { sleep: async () => {} });
    const denied = await kb.sync(wrong);
    expect(denied.ok).toBe(false);
    expect(denied.error).toMatch(/HTTP 401: ERROR_GLPI_LOGIN_USER_TOKEN/);
    expect(denied.error).not.toContain('not-the-token');
    expect(kb.files()).toEqual(files);

    const waits: number[] = [];
    const patient = createSource('glpi', { url: `${glpi.server.url}/apirest.php`, ...GLPI_KB_TOKENS }, { sleep: async (ms) => void waits.push(ms) });
    glpi.server.failNext({ status: 503, headers: { 'Retry-After': '2' }, body: ['ERROR', 'maintenance'] }, (r) => r.path.endsWith('/KnowbaseItem'));
    expect((await kb.sync(patient)).ok).toBe(true);
    expect(waits).toEqual([2000]);

    glpi.server.failTimes(4, { status: 500, body: ['ERROR', 'database gone'] }, (r) => r.path.endsWith('/KnowbaseItem'));
    const down = await kb.sync(patient);
    expect(down.ok).toBe(false);
    expect(kb.files()).toEqual(files);
    expect(glpi.sessions.size).toBe(0);
    // What was imported is still answered after the failed run.
    await kb.reload();
    expect((await kb.service.decide('restart the print spooler service')).candidates[0]?.articleId).toBe('glpi-2');
  });
});
