export { createEngine, type DialogueEngine, type ProactiveMessage, type TicketUpdate } from './engine.js';
export type { EngineDeps, EngineLogger } from './deps.js';
export { messageToText } from './plain-text.js';
