import type { TicketStatus } from '../ports/tickets.js';
import { ownsTicket, requesterOf } from '../tickets/ownership.js';
import type { Turn } from './turn.js';

/** Most tickets listed for "my tickets". */
const MAX_LISTED = 5;

function stateLabel(turn: Turn, t: TicketStatus): string {
  return turn.t(`status.state.${t.state}`, { raw: t.rawStatus });
}

/** Runs a provider call; on failure the user is told the ticket system is not answering. */
async function lookup<T>(turn: Turn, work: () => Promise<T>): Promise<{ value: T } | undefined> {
  try {
    return { value: await work() };
  } catch (err) {
    turn.deps.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'ticket lookup failed');
    turn.text('status.error');
    return undefined;
  }
}

/** "status of HD-000123", "où en est INC0012345 ?" */
export async function ticketStatus(turn: Turn, number: string): Promise<void> {
  const tickets = turn.deps.tickets;
  turn.event('intent', { decision: 'ticket_status' });
  if (!tickets) {
    turn.text('status.unavailable');
    return;
  }
  const result = await lookup(turn, () => tickets.status(number));
  if (!result) return;
  const found = result.value;
  if (!found) {
    turn.text('status.not_found', { number });
    return;
  }
  // Only the requester sees a ticket; anyone else hears the same as for a ticket that does not exist.
  const mine = await lookup(turn, () => ownsTicket(found, requesterOf(turn.user, turn.address.channel), turn.deps.ticketOwnership));
  if (!mine) return;
  if (!mine.value) {
    turn.event('intent', { decision: 'ticket_status_refused' });
    turn.text('status.not_yours', { number });
    return;
  }
  const text = found.title
    ? turn.t('status.with_title', { number: found.number, title: found.title, state: stateLabel(turn, found) })
    : turn.t('status.line', { number: found.number, state: stateLabel(turn, found) });
  turn.send([
    {
      kind: 'ticket',
      state: 'status',
      text,
      number: found.number,
      status: found.rawStatus,
      ...(found.url ? { url: found.url } : {}),
    },
  ]);
}

/** "my tickets", "mes tickets" */
export async function myTickets(turn: Turn): Promise<void> {
  const tickets = turn.deps.tickets;
  turn.event('intent', { decision: 'my_tickets' });
  if (!tickets) {
    turn.text('status.unavailable');
    return;
  }
  const me = requesterOf(turn.user, turn.address.channel);
  const result = await lookup(turn, async () => {
    const listed = await tickets.listForRequester(me);
    // The provider already asked for this requester's tickets; any naming someone else is left out.
    const kept = await Promise.all(listed.map(async (t) => !t.requester || (await ownsTicket(t, me, turn.deps.ticketOwnership))));
    return listed.filter((_t, i) => kept[i]);
  });
  if (!result) return;
  const list = result.value;
  if (list.length === 0) {
    turn.text('status.none');
    return;
  }
  const lines = list.slice(0, MAX_LISTED).map((t) =>
    t.title
      ? `- ${turn.t('status.list_item_titled', { number: t.number, state: stateLabel(turn, t), title: t.title })}`
      : `- ${turn.t('status.list_item', { number: t.number, state: stateLabel(turn, t) })}`,
  );
  turn.send([{ kind: 'text', text: `${turn.t('status.list_intro')}\n${lines.join('\n')}` }]);
}
