import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import { redact } from '../../engine/redact.js';
import type { Logger } from '../../log.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/**
 * What Bolt and the Web API client log at debug level holds raw payloads: users.info profiles
 * (e-mail addresses) and message texts. Every line is scrubbed of e-mail addresses and secrets.
 */
export function scrubSlackLog(line: string): string {
  return redact(line.replace(EMAIL, '[EMAIL]')).text;
}

/** Bolt and the Web API client log through pino, under component "slack". */
export function boltLogger(logger: Logger): SlackLogger {
  const child = logger.child({ component: 'slack' });
  let level = LogLevel.INFO;
  const line = (...msg: unknown[]): string => scrubSlackLog(msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
  return {
    debug: (...msg) => child.debug(line(...msg)),
    info: (...msg) => child.info(line(...msg)),
    warn: (...msg) => child.warn(line(...msg)),
    error: (...msg) => child.error(line(...msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
