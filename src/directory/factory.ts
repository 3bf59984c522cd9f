import type { ActionsConfig } from '../config/sections/actions.js';
import type { ActionRegistry } from '../engine/flows/actions.js';
import type { Translator } from '../engine/i18n.js';
import type { ActionAuditLog } from '../engine/ports/action-audit.js';
import { directoryActions } from './actions.js';
import { directoryProvider } from './registry.js';
import type { DirectoryConnector } from './types.js';

/** Composition helper: the audit log, and the flows' account actions when a directory is configured. */
export interface DirectoryParts {
  audit: ActionAuditLog;
  /** Undefined without DIRECTORY_PROVIDER: every action is "not configured" and flows use their fallback. */
  actions?: ActionRegistry;
  connector?: DirectoryConnector;
}

export function createDirectoryParts(config: ActionsConfig, deps: { audit: ActionAuditLog; translator: Translator; fetch?: typeof fetch; log?: { warn(obj: object, message: string): void } }): DirectoryParts {
  const { audit } = deps;
  const descriptor = config.provider ? directoryProvider(config.provider.name) : undefined;
  if (!config.provider || !descriptor) return { audit };
  const connector = descriptor.create(config.provider.config, { timeoutMs: config.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.log ? { log: deps.log } : {}) });
  return { audit, connector, actions: directoryActions({ connector, config, audit, translator: deps.translator }) };
}
