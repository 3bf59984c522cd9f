import { describe, expect, it } from 'vitest';
import { packetHtml, packetText, ticketTitle, transcriptNote } from '../../src/tickets/format.js';
import { makePacket } from './fixtures/packet.js';

describe('ticket rendering', () => {
  it('renders every part of the packet for a technician, in the packet language', () => {
    const packet = makePacket();
    const text = packetText(packet);
    const order = ['Question', 'Details added by the user', 'What was already tried', 'Why this was escalated', 'Confidence check', 'Conversation (redacted)', 'Reference'];
    const positions = order.map((h) => text.indexOf(`${h}\n`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('- Articles shown: Wi-Fi power saving [wifi-power] (no answer from the user)');
    expect(text).toContain('- Guided fix: Flow vpn-troubleshoot, outcome: escalated');
    expect(text).toContain('-   step restart-client');
    expect(text).toContain('[2024-05-02 09:03] User: Did not help, my password is [REDACTED]');
    expect(text).toContain('- User: Léa Martin <lea.martin@example.org> (U123)');
    expect(text).toContain(`- Escalation id: ${packet.id}`);

    const fr = packetText(makePacket({ lang: 'fr', summary: 'VPN instable', articlesShown: [], flow: undefined, gate: undefined }));
    expect(fr).toContain('Résumé (généré par IA, à vérifier avec les faits ci-dessous)');
    expect(fr).toContain("- Rien n'a été essayé avant l'escalade.");
    expect(fr).toContain('- Priorité: haute');
    expect(fr).not.toContain('Contrôle de confiance');
  });

  it('escapes user text in HTML and can leave the transcript for a separate note', () => {
    const packet = makePacket({ question: 'Outlook says <script>alert(1)</script> & crashes\nsecond line' });
    const html = packetHtml(packet, { transcript: false });
    expect(html).toContain('<p>Outlook says &#60;script&#62;alert(1)&#60;/script&#62; &#38; crashes<br>second line</p>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('Conversation (redacted)');
    const note = transcriptNote(packet, 'text');
    expect(note.split('\n')[0]).toBe('Conversation transcript from the helpdesk bot (redacted):');
    expect(note).toContain(packet.id);
  });

  it('makes a one-line title from the user words only', () => {
    expect(ticketTitle(makePacket({ question: '\n  Printer   jammed\nagain', summary: 'LLM text' }))).toBe('Printer jammed');
    const long = ticketTitle(makePacket({ question: 'x'.repeat(300) }), 160);
    expect(long).toHaveLength(160);
    expect(long.endsWith('…')).toBe(true);
  });
});
