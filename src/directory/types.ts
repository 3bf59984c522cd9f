import type { z } from 'zod';

/**
 * Directory connectors: the identity provider behind the account actions of guided fixes (unlock,
 * MFA re-registration, sign-out everywhere, password state). One file per provider, each a
 * descriptor `{name, configSchema, create}` listed in registry.ts.
 */

export const DIRECTORY_ACTIONS = ['unlockAccount', 'resetMfa', 'revokeSessions', 'passwordStatus', 'resetPassword'] as const;
export type DirectoryAction = (typeof DIRECTORY_ACTIONS)[number];

/** Who the user is, as the channel verified it (never typed text). */
export interface DirectoryIdentity {
  /** Entra object id (Teams aadObjectId). */
  objectId?: string;
  /** E-mail / user principal name the channel or identity provider vouched for. */
  email?: string;
}

/** The user as the directory knows them. */
export interface DirectoryUser {
  /** The provider's own id (Graph object id, Okta user id, LDAP DN). */
  id: string;
  email?: string;
}

export interface AccountState {
  locked?: boolean;
  disabled?: boolean;
  passwordExpired?: boolean;
  /** ISO date the password expires (or expired), when the directory can tell. */
  passwordExpiresAt?: string;
  /** ISO date of the last password change. */
  passwordLastSet?: string;
  /** Failed sign-ins since the last good one (Active Directory badPwdCount). */
  failedAttempts?: number;
}

export interface ActionDone {
  /** Short technical note for the audit log and the transcript. */
  detail: string;
  /** The provider e-mailed the user about it (e.g. Okta's reset link). */
  notified?: boolean;
  /** Account state, for passwordStatus. */
  state?: AccountState;
}

export type DirectoryErrorCode = 'forbidden' | 'not_found' | 'throttled' | 'unavailable' | 'auth' | 'unsupported' | 'rejected';

/** A failure the action layer turns into a fallback to self-service (and into the ticket's packet). */
export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    /** Seconds the provider asked us to wait (HTTP 429 Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}

export interface DirectoryConnector {
  readonly name: string;
  /** Actions this provider can do; the others are never offered. */
  readonly supports: readonly DirectoryAction[];
  findUser(identity: DirectoryIdentity): Promise<DirectoryUser>;
  /** Names of the groups the user belongs to (for ACTION_GROUPS). */
  groupsOf(user: DirectoryUser): Promise<string[]>;
  run(action: DirectoryAction, user: DirectoryUser): Promise<ActionDone>;
  close?(): Promise<void>;
}

export interface DirectoryDeps {
  fetch?: typeof fetch;
  timeoutMs: number;
  /** Where a truncated group list is reported. */
  log?: { warn(obj: object, message: string): void };
}

export interface DirectoryDescriptor<C = unknown> {
  name: string;
  /** Reads the provider's settings from the environment; only checked when this provider is chosen. */
  configSchema: z.ZodType<C, z.ZodTypeDef, unknown>;
  create(config: C, deps: DirectoryDeps): DirectoryConnector;
}

/** Keeps the descriptor's config type while listing descriptors together. */
export function directoryDescriptor<C>(d: DirectoryDescriptor<C>): DirectoryDescriptor<C> {
  return d;
}
