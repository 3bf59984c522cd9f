import type { webApi } from '@slack/bolt';
import { streamPieces } from '../stream-pieces.js';
import type { StreamedMessage } from './blocks.js';

/**
 * Posts a language-model answer with Slack's chat streaming methods (chat.startStream,
 * chat.appendStream, chat.stopStream) through the SDK's ChatStreamer, which buffers the text and
 * makes those calls. The text streamed here has already passed the engine's grounding check as a
 * whole: nothing is shown that the check would refuse. The source links, the disclosure and the
 * buttons arrive with chat.stopStream, as the blocks that close the message.
 */

/** Who the stream is for: required by chat.startStream outside a DM, harmless inside one. */
export interface StreamRecipient {
  userId: string;
  teamId?: string;
}

/** Characters the SDK buffers before each call; small enough that a paragraph arrives in several steps. */
export const STREAM_BUFFER = 64;

export interface StreamOutcome {
  /** ts of the streamed message. */
  ts?: string;
  /** False when chat.startStream itself failed: nothing was shown and the caller may post instead. */
  started: boolean;
}

export async function streamAnswer(
  client: webApi.WebClient,
  target: { channel: string; threadTs: string; recipient: StreamRecipient },
  message: StreamedMessage,
): Promise<StreamOutcome> {
  const streamer = client.chatStream({
    channel: target.channel,
    thread_ts: target.threadTs,
    recipient_user_id: target.recipient.userId,
    ...(target.recipient.teamId ? { recipient_team_id: target.recipient.teamId } : {}),
    buffer_size: STREAM_BUFFER,
  });
  try {
    for (const piece of streamPieces(message.markdown)) await streamer.append({ markdown_text: piece });
    await streamer.stop(message.closing.length ? { blocks: message.closing } : undefined);
  } catch (err) {
    if (streamer.ts === undefined) return { started: false };
    throw err;
  }
  return { ts: streamer.ts, started: true };
}
