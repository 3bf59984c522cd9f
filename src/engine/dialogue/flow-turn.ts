import type { Flow } from '../flows/schema.js';
import { continueFlow, currentStep, optionFromText, startFlow, type FlowInput, type FlowTurn } from '../flows/runner.js';
import { offerEscalation } from './escalation.js';
import { yesNo } from './intents.js';
import type { ActiveFlow, Turn } from './turn.js';

/** Applies what the runner did: replies, step analytics, and the flow's end (resolve, escalate, hand-over). */
async function apply(turn: Turn, flow: Flow, before: number, result: FlowTurn): Promise<void> {
  const active: ActiveFlow = { flow, run: result.run };
  for (const p of result.run.path.slice(before)) {
    turn.event('flow_step', { flowId: flow.id, stepId: p.stepId, ...(p.answer !== undefined ? { value: p.answer } : {}) });
  }
  // The answer to the step the user was on is set on an existing path entry.
  const answered = result.run.path[before - 1];
  if (before > 0 && answered?.answer !== undefined) {
    turn.event('flow_step', { flowId: flow.id, stepId: answered.stepId, value: answered.answer, data: { answered: true } });
  }
  turn.send(result.parts);
  const topic = turn.state.topic;
  const outcome = result.outcome;
  turn.flow = active;
  switch (outcome.kind) {
    case 'waiting':
      turn.saveFlow(active, 'active');
      if (topic) topic.flowTrace = { flowId: flow.id, path: result.run.path, outcome: 'in_progress' };
      return;
    case 'resolved':
      turn.endFlow('resolved');
      turn.event('resolved', { flowId: flow.id });
      turn.status = 'resolved';
      turn.state.pending = undefined;
      return;
    case 'escalate':
      // offerEscalation ends the flow as 'escalated'.
      offerEscalation(turn, {
        reason: 'flow',
        priority: outcome.step.priority,
        reasonText: outcome.reason,
        category: flow.category,
        queue: outcome.step.queue,
        question: topic?.question ?? flow.title[turn.lang],
      });
      return;
    case 'switch':
      turn.endFlow('abandoned', { switchedTo: outcome.flowId });
      await startFlowTurn(turn, outcome.flowId, {});
      return;
  }
}

/** Starts a guided fix (from an article, a trigger phrase, a choice or "start again"). */
export async function startFlowTurn(
  turn: Turn,
  flowId: string,
  origin: { intro?: string; /** Starts a new topic with this question (trigger phrases). */ newQuestion?: string },
): Promise<void> {
  const flow = turn.deps.flows.get(flowId);
  if (!flow) {
    turn.text('flow.unavailable');
    return;
  }
  turn.endFlow('abandoned', { switchedTo: flowId });
  if (origin.newQuestion !== undefined || !turn.state.topic) turn.newTopic(origin.newQuestion ?? flow.title[turn.lang]);
  const topic = turn.state.topic!;
  if (!topic.flowsTried.includes(flow.id)) topic.flowsTried.push(flow.id);
  if (!topic.category) topic.category = flow.category;
  turn.state.pending = undefined;
  if (origin.intro) turn.send([{ kind: 'text', text: origin.intro }]);
  turn.event('flow_started', { flowId: flow.id });
  const result = await startFlow(flow, turn.deps.newId(), turn.runnerEnv());
  await apply(turn, flow, 0, result);
}

/** Feeds a button press or typed answer to the active flow. Returns false when it does not fit the current step. */
export async function continueFlowTurn(turn: Turn, input: FlowInput): Promise<boolean> {
  const active = turn.flow;
  if (!active) return false;
  const before = active.run.path.length;
  const result = await continueFlow(active.flow, active.run, input, turn.runnerEnv());
  if (result.kind === 'mismatch') return false;
  if (result.kind === 'invalid') {
    turn.send(result.parts);
    turn.event('flow_step', { flowId: active.flow.id, stepId: active.run.stepId, value: 'invalid input' });
    return true;
  }
  await apply(turn, active.flow, before, result);
  return true;
}

/** Interprets typed text for the current step: an input answer, "yes"/"no" for a check, an option's number or label. */
export function flowInputFromText(turn: Turn, text: string): FlowInput | undefined {
  const active = turn.flow;
  const step = active ? currentStep(active.flow, active.run) : undefined;
  if (!step) return undefined;
  if (step.type === 'input') return { kind: 'text', text };
  if (step.type === 'check') {
    const yn = yesNo(text);
    return yn ? { kind: 'yesno', yes: yn.answer === 'yes' } : undefined;
  }
  if (step.type === 'choice') {
    const optionId = optionFromText(step, text, turn.lang, turn.runnerEnv());
    return optionId ? { kind: 'option', optionId } : undefined;
  }
  return undefined;
}
