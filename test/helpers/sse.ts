import { rememberSession, sessionCookie } from './web-sessions.js';

/** Reads a text/event-stream with fetch, parsing events as the EventSource spec does (JSON data). */
export interface SseReader {
  status: number;
  contentType: string | null;
  events: Array<{ id?: string; event?: string; data: any }>;
  waitFor(predicate: (events: SseReader['events']) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController();
  // The web chat's stream is opened by the browser that holds the conversation (web-sessions.ts).
  const cookie = headers.cookie ?? sessionCookie(url);
  const res = await fetch(url, { signal: controller.signal, headers: { ...(cookie ? { cookie } : {}), ...headers } });
  rememberSession(url, undefined, cookie, res.headers);
  const events: SseReader['events'] = [];
  let failure: unknown;
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(raw.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
          if (fields.data !== undefined) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
      }
    })().catch((err: unknown) => {
      if (!controller.signal.aborted) failure = err;
    });
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error(`timed out; events: ${JSON.stringify(events).slice(0, 800)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => controller.abort(),
  };
}
