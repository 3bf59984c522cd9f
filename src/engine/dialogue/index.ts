export { createEngine, type DialogueEngine } from './engine.js';
export type { ProactiveMessage, TicketUpdate } from './proactive.js';
export type { EngineDeps, EngineLogger } from './deps.js';
export { messageToText } from './plain-text.js';
