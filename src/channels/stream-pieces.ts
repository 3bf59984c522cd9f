/**
 * Cuts an already checked answer into pieces of about a sentence (ends of sentences and lines), in
 * which order the channels that stream it (Slack chat streaming, the web chat's SSE) send it.
 */
export function streamPieces(text: string): string[] {
  return text.match(/[^.!?\n]*(?:[.!?]+(?:\s+|$)|\n+|$)/g)?.filter((p) => p.length > 0) ?? [text];
}
