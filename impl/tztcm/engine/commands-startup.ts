/**
 * Start-up and testing (TPM 2.0 Part 3 §9–§10): TPM2_Startup, TPM2_Shutdown, TPM2_SelfTest,
 * TPM2_GetTestResult. Startup(CLEAR) is a TPM Reset (Part 1 §12.2.3: PCRs zero, objects and
 * sessions gone, a new NULL seed, resetCount + 1); Startup(STATE) after Shutdown(STATE) is a
 * TPM Resume of the state saved then (PCRs kept, restartCount + 1). The engine's self-test is
 * its known-answer tests having passed at construction, so SelfTest succeeds at once.
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { TPM_CC, TPM_SU_CLEAR, TPM_SU_STATE } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { RC, TpmRc } from './rc.ts';
import { freshVolatileState } from './state-init.ts';

const base = { handles: [], auth: [], responseHandles: 0, decrypt: false, encrypt: false } as const;

/** TPM_SU (Part 2 §6.11): CLEAR or STATE, else TPM_RC_VALUE. */
function su(v: number): number {
  if (v !== TPM_SU_CLEAR && v !== TPM_SU_STATE) throw new TpmRc(RC.VALUE, 'not a TPM_SU');
  return v;
}

export const startup: CommandDef = {
  ...base,
  code: TPM_CC.Startup,
  name: 'TPM2_Startup',
  run(tpm, { params }) {
    if (tpm.volatile.started) throw new TpmRc(RC.INITIALIZE, 'already started');
    const p = new ParamReader(params, 'TPM2_Startup');
    // TPM_SU is checked as it is unmarshalled (before trailing bytes are looked at)
    const type = p.next((r) => su(r.u16('startupType')));
    p.end();
    const saved = tpm.savedState;
    if (type === TPM_SU_STATE) {
      // Part 3 §9.3.1: Startup(STATE) needs a preceding Shutdown(STATE)
      if (!saved || !tpm.persistent.orderlyState) throw badParam(RC.VALUE, 1, 'no saved state to resume');
      tpm.volatile = { ...saved, started: true, objects: new Map(), startedAt: tpm.now() };
      tpm.persistent.restartCount++;
    } else {
      tpm.volatile = { ...freshVolatileState(tpm.random, tpm.algs.hashes), started: true, startedAt: tpm.now() };
      tpm.persistent.resetCount++;
      tpm.persistent.restartCount = 0;
      // Part 1 §19.8.6.3: with no timed lockoutRecovery, a TPM Reset unlocks lockoutAuth
      tpm.persistent.da.lockoutAuthLocked = false;
    }
    tpm.persistent.orderlyState = false;
    tpm.savedState = null;
    tpm.commitNv();
    return {};
  },
};

export const shutdown: CommandDef = {
  ...base,
  code: TPM_CC.Shutdown,
  name: 'TPM2_Shutdown',
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_Shutdown');
    const type = p.next((r) => su(r.u16('shutdownType')));
    p.end();
    tpm.savedState = type === TPM_SU_STATE ? { ...tpm.volatile, sessions: new Map(tpm.volatile.sessions) } : null;
    tpm.persistent.orderlyState = type === TPM_SU_STATE;
    tpm.commitNv();
    return {};
  },
};

export const selfTest: CommandDef = {
  ...base,
  code: TPM_CC.SelfTest,
  name: 'TPM2_SelfTest',
  run(_tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_SelfTest');
    // TPMI_YES_NO (Part 2 §9.2): 0 or 1
    p.next((r) => {
      if (r.u8('fullTest') > 1) throw new TpmRc(RC.VALUE, 'fullTest');
    });
    p.end();
    return {};
  },
};

export const getTestResult: CommandDef = {
  ...base,
  code: TPM_CC.GetTestResult,
  name: 'TPM2_GetTestResult',
  run(_tpm, { params }) {
    new ParamReader(params, 'TPM2_GetTestResult').end();
    // outData (TPM2B_MAX_BUFFER) empty, testResult TPM_RC_SUCCESS (Part 3 §10.4)
    return { params: marshal((w) => w.tpm2b(new Uint8Array(0)).u32(RC.SUCCESS)) };
  },
};
