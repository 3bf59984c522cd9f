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
 * The stream opens only when the engine reports progress (it searches the knowledge base) and is
 * ended by the turn's reply. Teams streams in 1:1 chats only, one at a time per chat: the channel
 * creates one for personal chats only, and turns of a chat run one after another (deps.inOrder).
 *
 * The final message is the engine's reply, not what was streamed: StreamingResponse sends its
 * accumulated text, so an onSendActivities hook puts the reply's checked text, the card, the AI
 * label and the citations (with their links, which teams-ai's own citations lack) on it.
 */
export class TeamsReplyStream {
  private streamer: StreamingResponse | undefined;
  private reading: Promise<void> | undefined;
  private final: Partial<Activity> | undefined;

  constructor(
    private readonly context: TurnContext,
    private readonly informative: string,
    private readonly report: (err: unknown) => void,
  ) {
    context.onSendActivities(async (_ctx, activities, next) => {
      for (const a of activities) if (this.final && isFinal(a)) finalize(a, this.final);
      return next();
    });
  }

  get started(): boolean {
    return this.streamer !== undefined;
  }

  private open(): StreamingResponse {
    this.streamer ??= new StreamingResponse(this.context);
    return this.streamer;
  }

  /** What the engine calls while it works on the turn. */
  readonly progress: TurnProgress = {
    searching: () => {
      if (!this.streamer) this.open().queueInformativeUpdate(this.informative);
    },
    answering: (text) => {
      const streamer = this.open();
      this.reading = (async () => {
        for await (const piece of text) streamer.queueTextChunk(piece);
      })().catch((err: unknown) => this.report(err));
    },
  };

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
    await streamer.endStream();
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
