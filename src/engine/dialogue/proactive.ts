import type { ConversationAddress, OutboundMessage } from '../contract.js';
import type { EscalationPacket } from '../escalation/packet.js';
import type { TicketRef } from '../ports/tickets.js';
import { payload } from './payload.js';
import type { Runtime } from './runtime.js';

/** Messages the bot sends without being asked: guided-fix timeouts and ticket news. */
export interface ProactiveMessage {
  address: ConversationAddress;
  message: OutboundMessage;
}

export type TicketUpdate = { packet: EscalationPacket; ticket: TicketRef } | { packet: EscalationPacket; failed: true };

/** Closes one idle guided fix (if it still is idle) with a polite follow-up offering to start again or get a technician. */
export async function sweepOne(rt: Runtime, conversationId: string, before: string, now: Date): Promise<ProactiveMessage | undefined> {
  const { store } = rt.deps;
  const record = await store.activeFlow(conversationId);
  const conversation = await store.getConversation(conversationId);
  if (!record || !conversation || record.updatedAt >= before) return undefined;
  const turn = rt.newTurn(conversation, undefined, conversation.lang, now, conversation.user);
  const flow = rt.activeFlowOf(record);
  const title = flow && flow !== 'gone' ? flow.flow.title[turn.lang] : record.flowId;
  if (flow && flow !== 'gone') {
    turn.flow = flow;
    turn.endFlow('timed_out');
  } else {
    turn.flowWrites.push({ ...record, status: 'timed_out', updatedAt: turn.at });
    turn.event('flow_ended', { flowId: record.flowId, stepId: record.stepId, value: 'timed_out' });
  }
  const nonce = turn.nonce();
  const restartable = flow && flow !== 'gone' ? record.flowId : undefined;
  turn.state.pending = { kind: 'offer', nonce, ...(restartable ? { flowId: restartable } : {}) };
  turn.send([
    {
      kind: 'choices',
      prompt: turn.t('flow.timeout', { title }),
      choices: [
        ...(restartable ? [{ label: turn.t('flow.start_again'), value: payload({ a: 'flow.start', f: restartable, n: nonce }) }] : []),
        { label: turn.t('clarify.open_ticket'), value: payload({ a: 'offer', n: nonce }) },
      ],
    },
  ]);
  await rt.commit(turn);
  const message = turn.messages[0];
  return message ? { address: conversation.address, message } : undefined;
}

/** "Your ticket HD-000123 is open" (or that it could not be created), recorded in the transcript. */
export async function ticketUpdateOne(rt: Runtime, update: TicketUpdate): Promise<ProactiveMessage | undefined> {
  const { store, config, clock } = rt.deps;
  const { packet } = update;
  const address: ConversationAddress = {
    channel: packet.channel,
    conversationId: packet.conversationId,
    ...(packet.threadId ? { threadId: packet.threadId } : {}),
  };
  const conversation = await store.findConversation(address);
  if (!conversation) return undefined;
  // An outcome is announced at least once (replayed when the process announcing it died before marking it
  // told, or by a replica starting meanwhile): one already in the transcript is sent again, not recorded again.
  const kind = 'ticket' in update ? 'ticket_opened' : 'ticket_failed';
  const told = (await store.events({ types: [kind], conversationId: conversation.id })).some((e) => e.data?.packetId === packet.id);
  // Told in the conversation's current language (the user may have switched since the escalation).
  const turn = rt.newTurn(conversation, undefined, conversation.lang, clock(), conversation.user);
  if ('ticket' in update) {
    const { ticket } = update;
    turn.send([
      {
        kind: 'ticket',
        state: 'opened',
        text: turn.t('escalation.opened', { number: ticket.number }),
        number: ticket.number,
        ...(ticket.url ? { url: ticket.url } : {}),
      },
    ]);
    turn.event('ticket_opened', { value: ticket.number, data: { packetId: packet.id, provider: ticket.provider } });
  } else {
    const contact = config.serviceDeskContact;
    turn.send([{ kind: 'ticket', state: 'failed', text: contact ? turn.t('escalation.dead_contact', { contact }) : turn.t('escalation.dead') }]);
    turn.event('ticket_failed', { data: { packetId: packet.id } });
  }
  if (!told) await rt.commit(turn);
  const message = turn.messages[0];
  // The same id every time it is sent, so a page that already has it drops the repeat.
  return message ? { address, message: { ...message, id: `${kind}-${packet.id}` } } : undefined;
}
