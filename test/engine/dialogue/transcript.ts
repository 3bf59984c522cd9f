import { expect } from 'vitest';
import type { Choice, InboundEvent, OutboundMessage, ReplyPart, UserRef } from '../../../src/engine/contract.js';
import type { DialogueEngine } from '../../../src/engine/dialogue/index.js';
import { messageToText } from '../../../src/engine/dialogue/index.js';
import { translator } from '../../../src/engine/i18n.js';

/**
 * Conversation tests as readable transcripts:
 *
 *   await chat.run(`
 *     user says "my VPN won't connect"
 *     bot says "VPN will not connect"
 *     bot offers "Yes", "No"
 *     click "No"
 *     bot says "step by step"
 *   `);
 *
 * `bot says` checks that the last reply contains the text (case-insensitive), `click` presses a
 * button of the latest reply that has it, `click earlier` one from any earlier reply (stale buttons).
 */
export class Chat {
  readonly history: OutboundMessage[][] = [];
  private seq = 0;

  constructor(
    public engine: DialogueEngine,
    readonly conversationId = `conv-${Math.random().toString(36).slice(2)}`,
    readonly user: UserRef = { id: 'u-ana', name: 'Ana Martin', email: 'ana.martin@example.com', locale: 'en-GB' },
    readonly channel = 'test',
  ) {}

  get last(): OutboundMessage[] {
    return this.history[this.history.length - 1] ?? [];
  }

  get lastText(): string {
    return this.last.map((m) => messageToText(m, translator())).join('\n\n');
  }

  parts<K extends ReplyPart['kind']>(kind: K): Array<Extract<ReplyPart, { kind: K }>> {
    return this.last.flatMap((m) => m.parts).filter((p): p is Extract<ReplyPart, { kind: K }> => p.kind === kind);
  }

  event(body: Pick<InboundEvent, 'text' | 'action'>, messageId = `m${++this.seq}`): InboundEvent {
    return { address: { channel: this.channel, conversationId: this.conversationId }, user: this.user, messageId, ...body };
  }

  async send(event: InboundEvent): Promise<OutboundMessage[]> {
    const replies = await this.engine.handle(event);
    this.history.push(replies);
    return replies;
  }

  say(text: string): Promise<OutboundMessage[]> {
    return this.send(this.event({ text }));
  }

  findChoice(label: string, earlier = false): Choice {
    const turns = earlier ? this.history : [...this.history].reverse();
    for (const turn of turns) {
      const choice = turn.flatMap((m) => m.parts).flatMap((p) => (p.kind === 'choices' ? p.choices : [])).find((c) => c.label === label);
      if (choice) return choice;
    }
    throw new Error(`no button "${label}" in ${earlier ? 'the conversation' : 'recent replies'}; last reply:\n${this.lastText}`);
  }

  click(label: string, earlier = false): Promise<OutboundMessage[]> {
    return this.send(this.event({ action: { payload: this.findChoice(label, earlier).value } }));
  }

  async run(script: string): Promise<void> {
    for (const raw of script.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\"/g, '"'));
      const [a0 = ''] = args;
      const where = `\n  at: ${line}\n  last reply:\n${this.lastText}`;
      if (line.startsWith('user says ')) await this.say(a0);
      else if (line.startsWith('click earlier ')) await this.click(a0, true);
      else if (line.startsWith('click ')) await this.click(a0);
      else if (line.startsWith('bot says ')) expect(this.lastText.toLowerCase(), where).toContain(a0.toLowerCase());
      else if (line.startsWith('bot does not say ')) expect(this.lastText.toLowerCase(), where).not.toContain(a0.toLowerCase());
      else if (line.startsWith('bot offers ')) {
        const labels = this.parts('choices').flatMap((p) => p.choices.map((c) => c.label));
        expect(labels, where).toEqual(expect.arrayContaining(args));
      } else if (line.startsWith('bot shows article ')) {
        expect(this.parts('citation').map((c) => c.articleId), where).toContain(a0);
      } else if (line === 'bot opens a ticket') {
        expect(this.parts('ticket').map((t) => t.state), where).toContain('opening');
      } else throw new Error(`unknown transcript line: ${line}`);
    }
  }
}
