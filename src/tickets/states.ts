import type { TicketState } from '../engine/ports/tickets.js';
import { STATES as GLPI_STATES } from './glpi.js';
import { stateOf as jiraStateOf } from './jira.js';
import { STATES as SERVICENOW_STATES } from './servicenow.js';
import { STATES as ZENDESK_STATES } from './zendesk.js';

/**
 * A ticket system's own status (a code or a label, as a business rule or an automation sends it)
 * as the normalised lifecycle state, with the same mappings the providers use for lookups, then the
 * usual English labels ("In Progress", "On Hold", "Solved", "Canceled"…).
 */
export const TICKET_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled', 'unknown'] as const;

const LABELS: Array<[RegExp, TicketState]> = [
  [/^(?:new|open(?:ed)?|assigned|incoming|waiting for support|to do|todo)$/, 'new'],
  [/^(?:in progress|work in progress|wip|processing.*|in_progress)$/, 'in_progress'],
  [/^(?:on hold|hold|pending|waiting.*|awaiting.*|on_hold)$/, 'on_hold'],
  [/^(?:resolved|solved|done|fixed)$/, 'resolved'],
  [/^(?:closed|complete|completed)$/, 'closed'],
  [/^(?:cancell?ed|rejected|declined|won'?t do)$/, 'cancelled'],
];

function byProvider(provider: string, status: string): TicketState | undefined {
  const s = status.trim().toLowerCase();
  switch (provider) {
    case 'servicenow':
      return SERVICENOW_STATES[s];
    case 'glpi':
      return /^\d+$/.test(s) ? GLPI_STATES[Number(s)]?.state : undefined;
    case 'zendesk':
      return ZENDESK_STATES[s];
    case 'jira': {
      const state = jiraStateOf(undefined, status);
      return state === 'unknown' ? undefined : state;
    }
    default:
      return (TICKET_STATES as readonly string[]).includes(s) ? (s as TicketState) : undefined;
  }
}

export function normaliseState(provider: string, status: string): TicketState {
  const s = status.trim().toLowerCase().replace(/\s+/g, ' ');
  return byProvider(provider, status) ?? LABELS.find(([re]) => re.test(s))?.[1] ?? 'unknown';
}
