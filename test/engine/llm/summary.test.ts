import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildPacket } from '../../../src/engine/escalation/builder.js';
import { escalationPacketSchema, type EscalationPacket } from '../../../src/engine/escalation/packet.js';
import { LanguageAssistant, type LlmCallRecord } from '../../../src/engine/llm/assistant.js';
import { OpenAIChatModel } from '../../../src/llm/openai.js';
import { startOpenAIServer, type OpenAIServer } from '../../helpers/openai-server.js';

/** Ticket summaries through the real adapter and a local Azure-style endpoint. */

let server: OpenAIServer;
let calls: LlmCallRecord[] = [];

function assistant(categories?: string[], timeoutMs = 5_000): LanguageAssistant {
  const model = OpenAIChatModel.fromConfig(
    { kind: 'azure', deployment: 'helpdesk-gpt4o', endpoint: server.azureEndpoint, apiKey: 'az-key', apiVersion: '2024-10-21' },
    10_000,
  );
  return new LanguageAssistant({ model, timeoutMs, maxTokens: 300, inputTokens: 3_000, onCall: (r) => calls.push(r), ...(categories ? { categories: () => categories } : {}) });
}

function packet(): EscalationPacket {
  return buildPacket({
    id: '0b7c2a52-5d3e-4a36-9a0e-6f1d2f0f4c11',
    user: { id: 'u-ana', name: 'Ana Martin', email: 'ana.martin@contoso.com' },
    address: { channel: 'teams', conversationId: 'conv-1' },
    lang: 'en',
    question: "my vpn won't connect from the hotel",
    userDetails: 'I am Ana Martin, reach me on +33 6 12 34 56 78 or ana.martin@contoso.com',
    transcript: [
      { role: 'user', text: "my vpn won't connect from the hotel", at: '2026-11-22T09:00:00.000Z' },
      { role: 'bot', text: 'VPN will not connect: disconnect the client, wait ten seconds and connect again.', at: '2026-11-22T09:00:01.000Z' },
      { role: 'user', text: 'no. my password is Hunter2024! if that helps', at: '2026-11-22T09:01:00.000Z' },
      { role: 'bot', text: 'Shall I open a ticket?', at: '2026-11-22T09:01:01.000Z' },
    ],
    articlesShown: [{ articleId: 'vpn-cannot-connect', title: 'VPN will not connect', score: 0.82, feedback: 'no' }],
    gate: { decision: 'answer', confidence: 0.81, explanation: 'answered: strong match on title' },
    reason: 'negative_feedback',
    reasonText: 'the suggested article did not help',
    category: 'network',
    priority: 'medium',
    startedAt: '2026-11-22T09:00:00.000Z',
    escalatedAt: '2026-11-22T09:01:30.000Z',
  });
}

const reply = (o: unknown) => ({ content: JSON.stringify(o) });

beforeAll(async () => {
  server = await startOpenAIServer({ azureApiKey: 'az-key' });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
  calls = [];
});

describe('ticket summary', () => {
  it('adds a summary, category and priority, and keeps every fact of the packet', async () => {
    const original = packet();
    server.reply(reply({ summary: 'VPN fails to connect from a hotel network. The VPN article did not help.', category: 'network', priority: 'medium' }));
    const { packet: enriched, outcome } = await assistant(['network', 'printing', 'email']).summarize(original);
    expect(outcome).toBe('ok');
    expect(enriched).toEqual({
      ...original,
      summary: 'VPN fails to connect from a hotel network. The VPN article did not help.',
      suggestedCategory: 'network',
      suggestedPriority: 'medium',
    });
    expect(escalationPacketSchema.parse(enriched)).toEqual(enriched);

    const req = server.requests[0]!;
    expect(req.dialect).toBe('azure');
    expect(req.path).toBe('/openai/deployments/helpdesk-gpt4o/chat/completions');
    expect(req.body.response_format).toEqual({ type: 'json_object' });
    const system = req.body.messages[0]!.content;
    expect(system).toContain('one of "email", "network", "printing", or "other"');
    expect(system).toContain('"priority": one of "low", "medium", "high", "critical"');
    expect(req.body.messages[1]!.content).toMatch(/^<ticket-[0-9a-f]+>\nReason for the ticket: the suggested article did not help \(negative_feedback\)/);
  });

  it('sends no password, e-mail, phone number or name', async () => {
    server.reply(reply({ summary: 'VPN fails at a hotel.', category: 'network', priority: 'low' }));
    await assistant().summarize(packet());
    const raw = server.requests[0]!.raw;
    for (const leaked of ['Hunter2024', 'ana.martin@contoso.com', '+33 6 12 34 56 78', 'Ana', 'Martin', 'u-ana']) expect(raw).not.toContain(leaked);
    expect(server.requests[0]!.body.messages[1]!.content).toContain('Details added by the employee: I am [NAME], reach me on [PHONE] or [EMAIL]');
  });

  it('the model cannot change the facts: extra keys are ignored, priority only goes into suggestedPriority', async () => {
    const original = packet();
    server.reply(reply({ summary: 'Urgent VPN outage for one user at a hotel.', category: 'network', priority: 'critical', reason: 'sensitive', question: 'x', priorityOverride: true }));
    const { packet: enriched } = await assistant().summarize(original);
    expect(enriched.priority).toBe('medium');
    expect(enriched.reason).toBe('negative_feedback');
    expect(enriched.question).toBe(original.question);
    expect(enriched.suggestedPriority).toBe('critical');
  });

  it.each([
    ['not JSON', { content: 'The user has a VPN problem.' }, 'invalid_json'],
    ['a priority outside the scale', reply({ summary: 'VPN fails at a hotel.', category: 'network', priority: 'urgent' }), 'invalid_fields'],
    ['a missing summary', reply({ category: 'network', priority: 'low' }), 'invalid_fields'],
    ['an HTTP 500', { status: 500, message: 'boom' }, 'error'],
  ] as const)('%s leaves the packet unchanged', async (_label, script, outcome) => {
    const original = packet();
    server.reply(script);
    const out = await assistant().summarize(original);
    expect(out.outcome).toBe(outcome);
    expect(out.packet).toEqual(original);
    expect(calls[0]).toMatchObject({ purpose: 'summary', outcome });
  });

  it('a slow model leaves the packet unchanged', async () => {
    const original = packet();
    server.reply({ ...reply({ summary: 'late', category: 'network', priority: 'low' }), delayMs: 5_000 });
    expect(await assistant(undefined, 300).summarize(original)).toEqual({ packet: original, outcome: 'timeout' });
  });

  it('a category outside the known list is dropped; a code fence around the JSON is tolerated; what the model writes is cleaned', async () => {
    server.reply({
      content: '```json\n' + JSON.stringify({ summary: 'VPN fails at a hotel; user reachable at ana.martin@contoso.com.', category: 'Teleportation', priority: 'low' }) + '\n```',
    });
    const { packet: enriched } = await assistant(['network', 'printing']).summarize(packet());
    expect(enriched.summary).toBe('VPN fails at a hotel; user reachable at [EMAIL].');
    expect(enriched.suggestedCategory).toBeUndefined();
    expect(enriched.suggestedPriority).toBe('low');
  });
});
