/**
 * A push-fed async iterable of text: the model's callback pushes checked text, a channel reads
 * it with `for await`. One reader; pieces pushed before it starts reading are kept.
 */
export class TextStream implements AsyncIterable<string> {
  private readonly pieces: string[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(text: string): void {
    if (this.ended || !text) return;
    this.pieces.push(text);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const next = this.pieces.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
