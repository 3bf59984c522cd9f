import { ActivityTypes, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/engine/contract.js';
import { TeamsReplyStream } from '../../../src/channels/teams/streaming.js';

/**
 * When a Teams personal chat gets a stream (teams-ai's StreamingResponse, which waits 1.5 s after
 * each streamed activity): a search answered quickly opens none (one plain message, no 3 s of
 * waiting), a slow one gets the informative update, a language model's answer streams at once.
 * Driven through botbuilder's TestAdapter, which records what the turn sends.
 */

const AFTER_MS = 100;

function setup() {
  const adapter = new TestAdapter();
  const context = new TurnContext(adapter, {
    type: ActivityTypes.Message,
    id: 'm1',
    channelId: 'msteams',
    conversation: { id: 'a:personal', conversationType: 'personal', isGroup: false, name: '' },
    from: { id: '29:user', name: 'User' },
    recipient: { id: '28:bot', name: 'Bot' },
    serviceUrl: 'https://smba.example.com',
    text: 'I forgot my password',
  } as Activity);
  const errors: unknown[] = [];
  const stream = new TeamsReplyStream(context, 'Searching the knowledge base…', (err) => errors.push(err), AFTER_MS);
  const sent = () => adapter.activeQueue.map((a) => ({ type: a.type, streamType: (a.channelData as { streamType?: string } | undefined)?.streamType, text: a.text }));
  return { stream, sent, errors };
}

const reply: OutboundMessage = { lang: 'en', parts: [{ kind: 'text', text: 'Reset it at https://aka.ms/sspr.' }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TeamsReplyStream', () => {
  it('opens no stream for a search answered before the informative delay', async () => {
    const { stream, sent, errors } = setup();
    stream.progress.searching?.();
    await sleep(AFTER_MS / 4);
    stream.settle();
    await sleep(AFTER_MS * 2);
    expect(stream.started).toBe(false);
    expect(sent()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('sends the informative update once a search takes longer, and ends the stream with the reply', async () => {
    const { stream, sent, errors } = setup();
    stream.progress.searching?.();
    stream.progress.searching?.();
    await sleep(AFTER_MS * 3);
    expect(stream.started).toBe(true);
    expect(sent()).toEqual([{ type: 'typing', streamType: 'informative', text: 'Searching the knowledge base…' }]);
    stream.settle();
    const id = await stream.finish({ type: 'message', text: 'Reset it at https://aka.ms/sspr.' }, reply);
    expect(id).toBeTruthy();
    expect(sent().map((a) => [a.type, a.streamType])).toEqual([
      ['typing', 'informative'],
      ['message', 'final'],
    ]);
    expect(sent()[1]!.text).toBe('Reset it at https://aka.ms/sspr.');
    expect(errors).toEqual([]);
  }, 15_000);

  it("streams a language model's answer at once: informative update first, then the text", async () => {
    const { stream, sent } = setup();
    stream.progress.searching?.();
    async function* pieces() {
      yield 'Reset it ';
      yield 'at https://aka.ms/sspr.';
    }
    stream.progress.answering?.(pieces());
    expect(stream.started).toBe(true);
    stream.settle();
    await stream.finish({ type: 'message', text: 'Reset it at https://aka.ms/sspr.' }, reply);
    const kinds = sent().map((a) => a.streamType);
    expect(kinds[0]).toBe('informative');
    expect(kinds.at(-1)).toBe('final');
    expect(kinds.filter((k) => k === 'informative')).toHaveLength(1);
  }, 20_000);
});
