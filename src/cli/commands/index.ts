import type { Command } from 'commander';
import { registerAsk } from './ask.js';
import { registerBench } from './bench.js';
import { registerChat } from './chat.js';
import { registerCalibrate } from './calibrate.js';
import { registerEval } from './eval.js';
import { registerImport } from './import.js';
import { registerIndex } from './index-kb.js';
import { registerLearningCurve } from './learning-curve.js';
import { registerLint } from './lint.js';

/** Registry of sub-commands: add one import and one entry per command file. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerIndex, registerAsk, registerLint, registerEval, registerCalibrate, registerChat, registerBench, registerImport, registerLearningCurve];
