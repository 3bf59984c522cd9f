import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { createRequire } from 'node:module';

/**
 * botbuilder 4.23 serializes outgoing activities with @azure/core-client, which resolves each
 * entity to the Entity model mapper (type, text, mentioned) and drops every other property: the
 * `streaminfo` entity of streaming, the AI label and the citations would reach Teams empty. The
 * Activity spec lets entities carry any property (botbuilder-js #2561, fixed once by #2648 with
 * this same `additionalProperties`); this puts it back on the mapper the serializer resolves.
 */
const connectorMappers = createRequire(import.meta.url)('botframework-connector/lib/connectorApi/models/mappers.js') as {
  Entity: { type: { additionalProperties?: unknown } };
};
connectorMappers.Entity.type.additionalProperties ??= { type: { name: 'Object' } };

/**
 * The teams-ai TeamsAdapter (a botbuilder CloudAdapter), with one correction: a token whose
 * signature, expiry or format fails verification raises a jsonwebtoken error that the adapter
 * answers with 500. It is an authentication failure like the others, so it becomes a 401.
 */

const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

export class HelpdeskTeamsAdapter extends TeamsAdapter {
  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    try {
      return await (typeof auth === 'string' ? super.processActivity(auth, activity, logic) : super.processActivity(auth, activity, logic));
    } catch (err) {
      if (err instanceof Error && JWT_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized: ${err.message}`, 401);
      throw err;
    }
  }
}
