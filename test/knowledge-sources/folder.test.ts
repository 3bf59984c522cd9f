import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderSource } from '../../src/knowledge-sources/folder.js';
import { createSource } from '../../src/knowledge-sources/registry.js';
import { makeDocx, makePdf } from './documents.js';
import { KnowledgeHarness } from './harness.js';

const VPN_EN = `<!doctype html><html><head><title>ignored</title><style>body{color:red}</style>
<script>document.cookie='x'</script></head><body onload="steal()">
<h1>Connect to the VPN</h1>
<p onclick="track()">Use the <strong>GlobalConnect</strong> client to reach internal sites. See the <a href="https://vpn.example.com/help" onmouseover="x()">VPN help</a>
or <a href="javascript:alert(1)">this</a>.</p>
<h2>Error codes</h2>
<table><thead><tr><th>Code</th><th>Meaning</th></tr></thead><tbody><tr><td>809</td><td>blocked port</td></tr><tr><td>691</td><td>wrong password</td></tr></tbody></table>
<h2>Steps</h2>
<ol><li>Open GlobalConnect</li><li>Enter vpn.example.com</li></ol>
<pre><code>ping vpn.example.com</code></pre>
<p><img src="https://vpn.example.com/shot.png" alt="client window"><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline"></p>
<p>Unclosed <b>bold <i>text
</body></html>`;

const VPN_FR = `<h1>Se connecter au VPN</h1><p>Utilisez le client <strong>GlobalConnect</strong> pour joindre les sites internes.</p><ol><li>Ouvrez GlobalConnect</li><li>Saisissez vpn.example.com</li></ol>`;

const ADMIN_MD = `---
title: Reset the domain controller trust
audience: IT staff
---

# Reset the domain controller trust

Run the netdom resetpwd command on the affected server with a domain admin account.
`;

let docs: string;
let kb: KnowledgeHarness;

beforeEach(async () => {
  docs = mkdtempSync(join(tmpdir(), 'docs-'));
  mkdirSync(join(docs, 'network'));
  writeFileSync(join(docs, 'network', 'vpn.en.html'), VPN_EN);
  writeFileSync(join(docs, 'network', 'vpn.fr.html'), VPN_FR);
  writeFileSync(join(docs, 'printer.docx'), await makeDocx());
  writeFileSync(join(docs, 'wifi.pdf'), await makePdf());
  writeFileSync(join(docs, 'dc-trust.md'), ADMIN_MD);
  writeFileSync(join(docs, 'notes.txt'), 'not a document type we read');
  kb = await new KnowledgeHarness().start();
});

afterEach(() => {
  kb.close();
  rmSync(docs, { recursive: true, force: true });
});

const read = (file: string) => readFileSync(join(kb.out, file), 'utf8');

describe('folder source', () => {
  it('converts HTML, Word and PDF into Markdown that keeps structure and drops scripts', async () => {
    const report = await kb.sync(new FolderSource({ path: docs }));
    expect(report.ok).toBe(true);
    expect(report.created.sort()).toEqual(['folder-dc-trust-md', 'folder-network-vpn-en-html', 'folder-network-vpn-fr-html', 'folder-printer-docx', 'folder-wifi-pdf']);
    expect(report.skipped).toEqual([{ sourceId: 'notes.txt', reason: 'unsupported file type .txt' }]);

    const vpn = read('folder-network-vpn-en-html.md');
    expect(vpn).toMatch(/^---\nid: folder-network-vpn-en-html\ntitle: Connect to the VPN\nlang: en\nsource:\n {2}system: folder\n {2}id: network\/vpn\.en\.html\n/);
    expect(vpn).toContain('| Code | Meaning |');
    expect(vpn).toContain('| 809 | blocked port |');
    expect(vpn).toContain('1.  Open GlobalConnect');
    expect(vpn).toContain('```\nping vpn.example.com\n```');
    expect(vpn).toContain('[VPN help](https://vpn.example.com/help)');
    expect(vpn).toContain('[client window](https://vpn.example.com/shot.png)');
    expect(vpn).toContain('## Error codes');
    for (const gone of ['<script', 'document.cookie', 'onclick', 'onload', 'onmouseover', 'javascript:', 'color:red', 'data:image', 'ignored']) expect(vpn).not.toContain(gone);

    const fr = read('folder-network-vpn-fr-html.md');
    expect(fr).toContain('lang: fr');
    expect(fr).toContain('translation_of: folder-network-vpn-en-html');

    const printer = read('folder-printer-docx.md');
    expect(printer).toContain('title: Clear a printer paper jam');
    expect(printer).toContain('## Steps');
    expect(printer).toMatch(/-\s+Open the rear tray of the printer/);
    expect(printer).toContain('| E-42 | rear |');
    expect(printer).toContain('[printer manual](https://printers.example.com/manual)');

    const wifi = read('folder-wifi-pdf.md');
    expect(wifi).toContain('title: Wi-Fi guest access');
    expect(wifi).toContain('guest wireless network named CorpGuest');

    expect(read('folder-dc-trust-md.md')).toContain('audience: IT staff');
  });

  it('a second run changes nothing and re-embeds nothing; an edit re-embeds only its chunks; a deletion is retired', async () => {
    const source = createSource('folder', { path: docs });
    await kb.sync(source);
    const first = await kb.reload();
    expect(first).toBeGreaterThan(0);
    // Every imported file is a valid article (ids never end in a file extension, which the knowledge schema refuses).
    expect(kb.service.status().brokenFiles).toEqual([]);
    expect((await kb.service.decide('guest wireless voucher code')).candidates[0]?.articleId).toBe('folder-wifi-pdf');

    const files = kb.files();
    const again = await kb.sync(source);
    expect(again).toMatchObject({ ok: true, created: [], updated: [], retired: [], failed: [] });
    expect(again.unchanged).toBe(5);
    expect(kb.files()).toEqual(files);
    expect(await kb.reload()).toBe(0);

    writeFileSync(join(docs, 'network', 'vpn.en.html'), VPN_EN.replace('<tr><td>691</td><td>wrong password</td></tr>', '<tr><td>691</td><td>expired password, reset it first</td></tr>'));
    const edited = await kb.sync(source);
    expect(edited.updated).toEqual(['folder-network-vpn-en-html']);
    const reembedded = await kb.reload();
    expect(reembedded).toBeGreaterThan(0);
    // Only the chunk holding the changed table is new: the title, steps and other articles come from the cache.
    expect(reembedded).toBeLessThan(kb.service.status().chunks);
    expect(kb.embedder.embedded.at(-1)).toContain('expired password');

    unlinkSync(join(docs, 'wifi.pdf'));
    const deleted = await kb.sync(source);
    expect(deleted.retired).toEqual([{ id: 'folder-wifi-pdf', reason: 'deleted or no longer published in the source' }]);
    await kb.reload();
    expect(kb.service.article('folder-wifi-pdf')).toBeUndefined();
    expect((await kb.service.decide('guest wireless voucher code')).candidates.map((c) => c.articleId)).not.toContain('folder-wifi-pdf');
  });

  it('never offers an article restricted to IT staff to an employee outside it', async () => {
    await kb.sync(new FolderSource({ path: docs }));
    await kb.reload();
    const employee = await kb.service.decide('reset the domain controller trust with netdom resetpwd');
    expect(employee.candidates.map((c) => c.articleId)).not.toContain('folder-dc-trust-md');
    expect(employee.chosen?.articleId).not.toBe('folder-dc-trust-md');
    const staff = await kb.service.decide('reset the domain controller trust with netdom resetpwd', { audiences: ['it staff'] });
    expect(staff.candidates[0]?.articleId).toBe('folder-dc-trust-md');
  });

  it('a folder that cannot be read changes nothing', async () => {
    await kb.sync(new FolderSource({ path: docs }));
    const files = kb.files();
    const report = await kb.sync(new FolderSource({ path: join(docs, 'missing') }));
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/folder not found/);
    expect(kb.files()).toEqual(files);
    await kb.reload();
    expect((await kb.service.decide('guest wireless voucher code')).candidates[0]?.articleId).toBe('folder-wifi-pdf');
  });
});
