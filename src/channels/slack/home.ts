import type { types as Slack } from '@slack/bolt';
import type { Translator } from '../../engine/i18n.js';
import type { Lang } from '../../engine/lang.js';
import type { TicketStatus } from '../../engine/ports/tickets.js';
import { MAX_COMMENT_CHARS } from '../../engine/tickets/self-service.js';
import { clip, escapeSlack } from '../markdown.js';
import { SLACK_LIMITS } from './blocks.js';

/**
 * The App Home tab (views.publish) listing the employee's open tickets with their status, each
 * with an "Add a comment" button that opens a modal (views.open); the modal's submission
 * (view_submission, callback_id below) carries the ticket number in private_metadata. Pure
 * functions: no SDK calls.
 */

export const HOME_COMMENT_ACTION = 'helpdesk.home.comment';
export const COMMENT_VIEW_CALLBACK = 'helpdesk.comment';
export const COMMENT_BLOCK = 'comment';
export const COMMENT_INPUT = 'text';
/** Tickets shown: each takes one section, and a Home view holds at most 100 blocks. */
export const HOME_MAX_TICKETS = 40;

type View = Slack.HomeView | Slack.ModalView;

function plain(text: string, max: number): Slack.PlainTextElement {
  return { type: 'plain_text', text: clip(text, max), emoji: true };
}

export interface HomeOptions {
  lang: Lang;
  /** Undefined when the ticket system could not be reached. */
  tickets: TicketStatus[] | undefined;
  canComment: boolean;
  stateLabel(ticket: TicketStatus): string;
}

export function renderHome(options: HomeOptions, t: Translator): Slack.HomeView {
  const k = (key: string, params?: Record<string, string>): string => t.t(options.lang, `channels.slack.home.${key}`, params);
  const blocks: Slack.KnownBlock[] = [
    { type: 'header', text: plain(k('title'), SLACK_LIMITS.header) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(k('intro')) }] },
  ];
  if (options.tickets === undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeSlack(k('unavailable')) } });
  else if (options.tickets.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeSlack(k('none')) } });
  for (const ticket of options.tickets?.slice(0, HOME_MAX_TICKETS) ?? []) {
    const number = escapeSlack(clip(ticket.number, 100));
    const head = ticket.url && /^https:\/\//.test(ticket.url) ? `<${ticket.url.replace(/[<>|]/g, '')}|${number}>` : number;
    const title = ticket.title ? ` · ${escapeSlack(clip(ticket.title.replace(/\s+/g, ' '), 200))}` : '';
    const section: Slack.SectionBlock = {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${head}*${title}\n${escapeSlack(clip(options.stateLabel(ticket), 100))}` },
    };
    if (options.canComment) {
      section.accessory = { type: 'button', action_id: HOME_COMMENT_ACTION, text: plain(k('comment'), SLACK_LIMITS.buttonText), value: clip(ticket.number, 200) };
    }
    blocks.push(section);
  }
  return { type: 'home', blocks };
}

export function renderCommentModal(lang: Lang, ticketNumber: string, t: Translator): Slack.ModalView {
  const k = (key: string, params?: Record<string, string>): string => t.t(lang, `channels.slack.home.${key}`, params);
  return {
    type: 'modal',
    callback_id: COMMENT_VIEW_CALLBACK,
    private_metadata: JSON.stringify({ ticket: ticketNumber, lang }),
    // Modal titles hold at most 24 characters.
    title: plain(k('modal_title', { number: ticketNumber }), 24),
    submit: plain(k('modal_submit'), 24),
    close: plain(k('modal_cancel'), 24),
    blocks: [
      {
        type: 'input',
        block_id: COMMENT_BLOCK,
        label: plain(k('modal_label'), 2000),
        hint: plain(k('modal_hint'), 2000),
        element: { type: 'plain_text_input', action_id: COMMENT_INPUT, multiline: true, max_length: MAX_COMMENT_CHARS },
      },
    ],
  };
}

export type { View };
