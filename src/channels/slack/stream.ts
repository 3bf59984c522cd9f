import type { webApi } from '@slack/bolt';
import type { SlackMessage, StreamedMessage } from './blocks.js';

/**
 * A language-model answer shown in Slack while it is written, with Slack's chat streaming methods
 * (chat.startStream, chat.appendStream, chat.stopStream) through the SDK's ChatStreamer, which
 * buffers the text and makes those calls. The text comes from the engine's TurnProgress: each
 * piece only once the answer up to it passed the grounding check. The turn's reply stays the
 * truth: the stream is closed with the reply's source links, disclosure and buttons
 * (chat.stopStream `blocks`), and when the reply differs from what was shown (citations
 * renumbered, an intro, or the extractive answer because the whole answer failed a later check)
 * the streamed message is replaced by it (chat.update).
 */

/** Who the stream is for: required by chat.startStream outside a DM, harmless inside one. */
export interface StreamRecipient {
  userId: string;
  teamId?: string;
}

/** Characters the SDK buffers before each call: about a sentence, so an answer arrives in steps. */
export const STREAM_BUFFER = 64;

type Streamer = ReturnType<webApi.WebClient['chatStream']>;

export class LiveAnswer {
  private streamer: Streamer | undefined;
  private consumed: Promise<void> | undefined;
  /** Markdown handed to the streamer so far (shown, or in its buffer). */
  private shown = '';

  constructor(
    private readonly client: webApi.WebClient,
    private readonly target: { channel: string; threadTs: string; recipient: StreamRecipient },
    private readonly onError: (err: unknown) => void,
  ) {}

  /** TurnProgress.answering: follows the checked text as it comes. */
  follow(text: AsyncIterable<string>): void {
    const streamer = this.client.chatStream({
      channel: this.target.channel,
      thread_ts: this.target.threadTs,
      recipient_user_id: this.target.recipient.userId,
      ...(this.target.recipient.teamId ? { recipient_team_id: this.target.recipient.teamId } : {}),
      buffer_size: STREAM_BUFFER,
    });
    this.streamer = streamer;
    this.consumed = (async () => {
      let failed = false;
      for await (const piece of text) {
        // After a failed call the rest is still read (the engine's stream is not left waiting), not sent.
        if (failed) continue;
        try {
          await streamer.append({ markdown_text: piece });
          this.shown += piece;
        } catch (err) {
          failed = true;
          this.onError(err);
        }
      }
    })();
  }

  /**
   * Ends the live message with the turn's reply. False when nothing was shown (or the stream could
   * not start): the caller posts the reply as an ordinary message.
   */
  async finish(streamed: StreamedMessage | undefined, full: SlackMessage): Promise<boolean> {
    if (!this.consumed || !this.streamer) return false;
    await this.consumed;
    const streamer = this.streamer;
    this.streamer = undefined;
    try {
      if (streamed && streamed.markdown.startsWith(this.shown)) {
        const rest = streamed.markdown.slice(this.shown.length);
        await streamer.stop({ ...(rest ? { markdown_text: rest } : {}), ...(streamed.closing.length ? { blocks: streamed.closing } : {}) });
        return true;
      }
      // Only the SDK's buffer held text: nothing reached Slack, nothing to take back.
      if (streamer.ts === undefined) return false;
      await streamer.stop();
      await this.client.chat.update({ channel: this.target.channel, ts: streamer.ts, text: full.text, blocks: full.blocks });
      return true;
    } catch (err) {
      if (streamer.ts === undefined) return false;
      throw err;
    }
  }
}
