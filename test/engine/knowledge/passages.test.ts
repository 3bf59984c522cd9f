import { describe, expect, it } from 'vitest';
import { articlePassages } from '../../../src/engine/knowledge/passages.js';

describe('article passages for grounded answers', () => {
  it('one passage per heading section, each starting with the title and its heading, Markdown removed', () => {
    const body = [
      'Intro with **bold** text.',
      '',
      '## Resolution',
      '1. Open **Settings > Network**.',
      '2. Restart the [VPN client](https://example.org/vpn).',
      '',
      '## Empty section',
      '',
      '## If it still fails',
      'Ask for a ticket.',
    ].join('\n');
    expect(articlePassages({ id: 'vpn', title: 'VPN', body })).toEqual([
      { id: 'vpn#s0', articleId: 'vpn', heading: '', text: 'VPN\nIntro with bold text.' },
      { id: 'vpn#s1', articleId: 'vpn', heading: 'Resolution', text: 'VPN\nResolution\nOpen Settings > Network.\nRestart the VPN client.' },
      { id: 'vpn#s2', articleId: 'vpn', heading: 'If it still fails', text: 'VPN\nIf it still fails\nAsk for a ticket.' },
    ]);
  });
});
