import { DirectoryError } from './types.js';

/**
 * Reading every page of a user's groups (Graph @odata.nextLink, Okta Link rel="next"): a user in
 * many groups has the one that matters on any page. Pages are capped so a runaway directory cannot
 * hold a message forever; hitting the cap is logged, never silent. A throttled page (429) is asked
 * again after the provider's Retry-After when that wait is short; a longer wait fails the lookup.
 */

/** Pages read at most per lookup (999 groups a page on Graph, 200 on Okta: far beyond real users). */
export const MAX_GROUP_PAGES = 20;
/** Tries per page when throttled. */
const MAX_ATTEMPTS = 3;
/** Longest Retry-After honoured inline: the user is waiting for an answer. */
const MAX_WAIT_S = 10;

export interface PageLog {
  warn(obj: object, message: string): void;
}

export interface Page<T> {
  items: T[];
  /** Absolute URL of the next page, if any. */
  next?: string;
}

export interface PagingOptions {
  provider: string;
  maxPages?: number;
  log?: PageLog;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One page, asked again on 429 after Retry-After (or a short backoff when the provider gave none). */
async function withThrottleRetry<T>(read: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (!(err instanceof DirectoryError) || err.code !== 'throttled' || attempt >= MAX_ATTEMPTS) throw err;
      const wait = err.retryAfterSeconds ?? 2 ** (attempt - 1);
      if (wait > MAX_WAIT_S) throw err;
      await sleep(wait * 1000);
    }
  }
}

/** All items from `first` on, following `next` while it stays on `origin` (the token is never sent elsewhere). */
export async function readAllPages<T>(first: string, origin: string, readPage: (url: string) => Promise<Page<T>>, options: PagingOptions): Promise<T[]> {
  const maxPages = options.maxPages ?? MAX_GROUP_PAGES;
  const sleep = options.sleep ?? defaultSleep;
  const items: T[] = [];
  let url: string | undefined = first;
  for (let pages = 0; url; pages++) {
    if (pages >= maxPages) {
      options.log?.warn({ provider: options.provider, pages, items: items.length }, `${options.provider}: group list truncated at ${maxPages} pages; groups on later pages are not used`);
      break;
    }
    if (new URL(url).origin !== origin) throw new DirectoryError('rejected', `${options.provider} gave a next page on another host (${new URL(url).origin})`);
    const page: Page<T> = await withThrottleRetry(() => readPage(url as string), sleep);
    items.push(...page.items);
    url = page.next;
  }
  return items;
}
