export { createEngine, type DialogueEngine, type ProactiveMessage } from './engine.js';
export type { EngineDeps, EngineLogger } from './deps.js';
export { messageToText } from './plain-text.js';
