import type { Response } from 'express';

/**
 * The Bot Framework adapter answers a failed request with the error's own message ("Signing Key
 * could not be retrieved.", a network error while fetching OpenID metadata) and turns any error
 * that is not its AuthenticationError into a 500. What it writes goes through this response:
 * a failure before the turn started is an authentication failure (401), and no error text leaves
 * the server.
 */
export interface AdapterResponse {
  status(code: number): AdapterResponse;
  header(name: string, value: unknown): AdapterResponse;
  send(body?: unknown): AdapterResponse;
  end(): AdapterResponse;
}

export function guardedAdapterResponse(res: Response, turnStarted: () => boolean): AdapterResponse {
  let code = 200;
  let failed = false;
  const guarded: AdapterResponse = {
    status(status) {
      code = status;
      failed = status >= 400;
      if (failed && !turnStarted() && status >= 500) code = 401;
      res.status(code);
      return guarded;
    },
    header(name, value) {
      res.header(name, value as string);
      return guarded;
    },
    send(body) {
      if (!failed) res.send(body);
      else if (code === 401 || code === 403) res.json({ error: 'unauthorized', message: 'The request is not authenticated by the Bot Framework.' });
      else if (code >= 500) res.json({ error: 'internal_error', message: 'Something went wrong on our side.' });
      else res.json({ error: 'invalid_activity', message: 'The activity could not be processed.' });
      return guarded;
    },
    end() {
      if (!res.headersSent && failed) this.send();
      res.end();
      return guarded;
    },
  };
  return guarded;
}
