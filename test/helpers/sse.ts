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

/**
 * An event stream that reconnects as a browser's EventSource does: when the connection ends or
 * fails it opens a new one, sending the id of the last event received as `Last-Event-ID`. Every
 * event of every connection is kept, in order, so a test can count what the page received across
 * reconnections (a duplicate is visible as the same id twice).
 */
export interface ResumableStream {
  events: Array<{ id?: string; event?: string; data: any; connection: number }>;
  /** Connections tried so far (1 + reconnections). */
  connections: number;
  /** Connections the server accepted (200). */
  accepted: number;
  /** Non-200 answers to a (re)connection, which are retried too. */
  refused: number;
  close(): void;
}

export function openResumableEvents(url: string, headers: Record<string, string>, retryMs = 100): ResumableStream {
  const controller = new AbortController();
  const stream: ResumableStream = { events: [], connections: 0, accepted: 0, refused: 0, close: () => controller.abort() };
  let lastEventId: string | undefined;
  void (async () => {
    while (!controller.signal.aborted) {
      const connection = ++stream.connections;
      try {
        const res = await fetch(url, { signal: controller.signal, headers: { ...headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } });
        if (!res.ok || !res.body) {
          stream.refused++;
          await res.body?.cancel();
        } else {
          stream.accepted++;
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const raw = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const fields = Object.fromEntries(raw.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
              if (fields.id) lastEventId = fields.id;
              if (fields.data !== undefined) stream.events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data), connection });
            }
          }
        }
      } catch {
        // A cut connection: reconnect below, as EventSource does.
      }
      if (controller.signal.aborted) return;
      await new Promise((r) => setTimeout(r, retryMs));
    }
  })();
  return stream;
}
