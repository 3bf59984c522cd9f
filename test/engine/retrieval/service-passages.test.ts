import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { HybridKnowledgeService } from '../../../src/engine/retrieval/service.js';

/** What the knowledge service gives the language model: an article's sections, in the reply language. */

const KB = fileURLToPath(new URL('../../fixtures/kb-llm', import.meta.url));

describe('knowledge service: passages and categories', () => {
  let service: HybridKnowledgeService;
  beforeAll(async () => {
    service = await HybridKnowledgeService.create({ kbDir: KB });
  });

  it('one passage per section of the article, from the translation in the requested language', () => {
    const en = service.passages('vpn-cannot-connect', 'en');
    expect(en.map((p) => p.heading)).toEqual(['', 'Resolution', 'On macOS', "If it still doesn't work"]);
    expect(en[1]?.text).toBe(
      [
        'VPN will not connect',
        'Resolution',
        'Check that the internet works without the VPN: open any public website.',
        'Disconnect the client, wait ten seconds and connect again.',
        'Sign in with your work email address and approve the MFA request.',
        "If you see error 809, try another network such as your phone's hotspot.",
        'Update the VPN client from the Company Portal app, then restart the laptop.',
      ].join('\n'),
    );
    const fr = service.passages('vpn-cannot-connect', 'fr');
    expect(fr.every((p) => p.articleId === 'vpn-cannot-connect-fr')).toBe(true);
    expect(fr[1]?.heading).toBe('Résolution');
    expect(service.passages('vpn-cannot-connect-fr')[0]?.articleId).toBe('vpn-cannot-connect-fr');
  });

  it('an unknown article has no passages', () => {
    expect(service.passages('no-such-article', 'en')).toEqual([]);
  });

  it('lists the categories of the served articles', () => {
    expect(service.categories()).toEqual(['network', 'printing']);
  });
});
