import type { Activity, TurnContext } from 'botbuilder';
import { StreamingResponse } from '@microsoft/teams-ai';
import type { OutboundMessage, TurnProgress } from '../../engine/contract.js';
import { feedbackChoices, isGenerated, messageEntity, MESSAGE_ENTITY_TYPE } from './ai-entities.js';

/**
 * One streamed reply in a Teams personal chat, with teams-ai's StreamingResponse (typing
 * activities carrying a `streaminfo` entity: informative, then streaming with a growing text and
 * a sequence number, then the final message, all with the stream id the first one got):
 * https://learn.microsoft.com/microsoftteams/platform/bots/streaming-ux
 *
 * The stream opens only when the engine reports progress and is ended by the turn's reply: at once
 * when a language model starts writing, and for a search only once it has taken INFORMATIVE_AFTER_MS.
 * teams-ai waits 1.5 s after every streamed activity (Teams' rate for streams), so an informative
 * update for an answer that is ready in milliseconds would hold it back by 3 s (informative update,
 * then final); a quick answer goes out as one plain message after the typing indicator instead. Teams streams in 1:1 chats only, one at a time per chat: the channel
 * creates one for personal chats only, and turns of a chat run one after another (deps.inOrder).
 *
 * The final message is the engine's reply, not what was streamed: StreamingResponse sends its
 * accumulated text, so an onSendActivities hook puts the reply's checked text, the card, the AI
 * label and the citations (with their links, which teams-ai's own citations lack) on it.
 */
/** A search that takes longer than this gets the informative update (Searching the knowledge base…). */
export const INFORMATIVE_AFTER_MS = 800;

export class TeamsReplyStream {
  private streamer: StreamingResponse | undefined;
  private reading: Promise<void> | undefined;
  private final: Partial<Activity> | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private settled = false;
  private finalSent: (() => void) | undefined;

  constructor(
    private readonly context: TurnContext,
    private readonly informative: string,
    private readonly report: (err: unknown) => void,
    private readonly informativeAfterMs = INFORMATIVE_AFTER_MS,
  ) {
    context.onSendActivities(async (_ctx, activities, next) => {
      const finals = this.final ? activities.filter(isFinal) : [];
      for (const a of finals) finalize(a, this.final!);
      const sent = await next();
      if (finals.length > 0) this.finalSent?.();
      return sent;
    });
  }

  get started(): boolean {
    return this.streamer !== undefined;
  }

  private open(): StreamingResponse {
    this.streamer ??= new StreamingResponse(this.context);
    return this.streamer;
  }

  /** Opens the stream with the informative update (once). */
  private begin(): StreamingResponse {
    this.cancelPending();
    if (this.streamer) return this.streamer;
    const streamer = this.open();
    streamer.queueInformativeUpdate(this.informative);
    return streamer;
  }

  private cancelPending(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** What the engine calls while it works on the turn. */
  readonly progress: TurnProgress = {
    searching: () => {
      if (this.streamer || this.pending || this.settled) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        if (!this.settled) this.begin();
      }, this.informativeAfterMs);
    },
    answering: (text) => {
      const streamer = this.begin();
      this.reading = (async () => {
        for await (const piece of text) streamer.queueTextChunk(piece);
      })().catch((err: unknown) => this.report(err));
    },
  };

  /** The turn's replies are ready: a search still under INFORMATIVE_AFTER_MS opens no stream any more. */
  settle(): void {
    this.settled = true;
    this.cancelPending();
  }

  /**
   * Ends the stream with `activity` (the rendered reply `message`) as its final message and
   * returns the message id (the stream id).
   */
  async finish(activity: Partial<Activity>, message: OutboundMessage): Promise<string | undefined> {
    const streamer = this.open();
    await this.reading;
    streamer.setAttachments(activity.attachments ?? []);
    streamer.setFeedbackLoop(feedbackChoices(message) !== undefined);
    streamer.setGeneratedByAILabel(isGenerated(message));
    const entity = messageEntity(message);
    this.final = { ...activity, ...(entity ? { entities: [entity] } : {}) };
    // Done once the final message is out: teams-ai then still waits 1.5 s (its pace between
    // streamed activities), which would only hold the turn, not show anything sooner.
    const sent = new Promise<void>((resolve) => (this.finalSent = resolve));
    const ended = streamer.endStream();
    let returned = false;
    // A failure before the final message is the caller's (thrown below); after it, only reported.
    ended.catch((err: unknown) => returned && this.report(err));
    await Promise.race([sent, ended]);
    returned = true;
    return streamer.streamId;
  }
}

function isFinal(activity: Partial<Activity>): boolean {
  return activity.type === 'message' && (activity.channelData as { streamType?: string } | undefined)?.streamType === 'final';
}

/** The final streamed activity as the reply: its text and card, one root message entity (ours) next to `streaminfo`. */
function finalize(sent: Partial<Activity>, reply: Partial<Activity>): void {
  sent.text = reply.text ?? '';
  if (reply.textFormat) sent.textFormat = reply.textFormat;
  if (reply.summary) sent.summary = reply.summary;
  if (reply.locale) sent.locale = reply.locale;
  sent.attachments = reply.attachments ?? [];
  const ours = (reply.entities ?? []).filter((e) => e.type === MESSAGE_ENTITY_TYPE);
  sent.entities = [...(sent.entities ?? []).filter((e) => e.type !== MESSAGE_ENTITY_TYPE), ...ours];
}
