import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Protocol, agent } from '../../models/protocol.ts';
import { roleMachine } from '../../models/role.ts';
import { claim, fresh, recv, send } from '../../models/steps.ts';
import { tup, v } from '../../models/terms.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';
import { modelProblems } from '../../proofs-export/proverif/check.ts';
import { targetOf } from '../../models/target.ts';

const self = agent('self');
const n = v('n', 'nonce');
const c = (name: string) => ({ t: 'const' as const, name });

/** A responder whose waiting state has two transitions: answer a ping, or stop. */
export const branching: Protocol = {
  name: 'branching',
  title: 'a role with a choice (test only)',
  source: 'test',
  roles: [
    {
      role: 'I',
      machine: roleMachine({ role: 'I', party: 'I', initial: 'start', knows: [self], transitions: [{ label: 'i.ping', from: 'start', to: 'done', trigger: 'START', steps: [fresh(n), send('R', 'ping', tup(c('ping'), n)), claim('Finish', 'run', null, self)] }] }),
      agents: { self: 'I' },
      initiator: true,
      knows: {},
    },
    {
      role: 'R',
      machine: roleMachine({
        role: 'R',
        party: 'R',
        initial: 'wait',
        knows: [self],
        transitions: [
          { label: 'r.pong', from: 'wait', to: 'done', trigger: 'MSG', steps: [recv('I', 'ping', tup(c('ping'), n)), send('I', 'pong', tup(c('pong'), n)), claim('Finish', 'run', null, self)] },
          { label: 'r.stop', from: 'wait', to: 'stopped', trigger: 'MSG', steps: [recv('I', 'stop', c('stop')), claim('Finish', 'stopped', null, self)] },
        ],
      }),
      agents: { self: 'R' },
      initiator: false,
      knows: {},
    },
  ],
  longTerm: [],
  deployment: { I: 'a1', R: 'b1' },
  properties: [],
  variants: [],
};

test('proverif: a state with two transitions is a choice the network makes, each branch with its own bindings (was: an error)', () => {
  const { text, decls } = exportProverif(targetOf(branching));
  assert.deepEqual(modelProblems(decls), []);
  assert.match(text, /in\(c, sel_wait: bitstring\);\n {2}if sel_wait = b_r_pong then\n {2}\(\n/);
  assert.match(text, /\n {2}else if sel_wait = b_r_stop then\n {2}\(\n {4}\(\* r\.stop: wait -> stopped \*\)\n {4}in\(c, m\d+_R: bitstring\);\n {4}if m\d+_R = c_stop then\n/);
  assert.match(text, /const b_r_pong: bitstring\./);
});
