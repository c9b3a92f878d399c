/**
 * TPM2_GetCapability (TPM 2.0 Part 3 §30.2): algorithms (TPM_CAP_ALGS), handles
 * (TPM_CAP_HANDLES, by handle type), commands (TPM_CAP_COMMANDS: TPMA_CC from the dispatcher
 * table), PCR banks (TPM_CAP_PCRS), TPM properties (TPM_CAP_TPM_PROPERTIES, the PT_FIXED and
 * PT_VAR groups of Part 2 §6.13), PCR properties and ECC curves. Each list starts at `property`,
 * holds at most `propertyCount` entries (and at most what fits MAX_CAP_BUFFER) and says in
 * moreData whether entries follow (Part 3 §30.2.1).
 * @module
 */
import { marshal, type TpmWriter } from '../../tpm2/marshal-writer.ts';
import { writePcrSelection } from '../../tpm2/pcr-selection.ts';
import { TPM_ALG, TPM_CC } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import { FIRMWARE_VERSION } from './commands-attest.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { RC } from './rc.ts';
import { HT, MAX_LOADED_OBJECTS, MAX_LOADED_SESSIONS, MAX_NV_BUFFER, MAX_NV_INDEX_SIZE, MAX_PERSISTENT, NO_INCREMENT_PCRS, PCR_COUNT, RESETTABLE_PCRS, RH, handleType } from './state.ts';

const CAP = { ALGS: 0, HANDLES: 1, COMMANDS: 2, PP_COMMANDS: 3, AUDIT_COMMANDS: 4, PCRS: 5, TPM_PROPERTIES: 6, PCR_PROPERTIES: 7, ECC_CURVES: 8 } as const;
const MAX_CAP_BUFFER = 1024;
/** commands that write NV (TPMA_CC.nv, Part 2 §8.9) */
const NV_WRITERS = new Set<number>([TPM_CC.Startup, TPM_CC.Shutdown, TPM_CC.EvictControl, TPM_CC.HierarchyChangeAuth, TPM_CC.NV_DefineSpace, TPM_CC.NV_UndefineSpace, TPM_CC.NV_Write, TPM_CC.Clear, TPM_CC.DictionaryAttackLockReset, TPM_CC.DictionaryAttackParameters]);

const ascii4 = (s: string) => ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;

function tpmProperties(tpm: EngineContext, commands: readonly CommandDef[]): [number, number][] {
  const p = tpm.persistent;
  const v = tpm.volatile;
  const permanent = (p.auth.owner.length ? 1 : 0) | (p.auth.endorsement.length ? 2 : 0) | (p.auth.lockout.length ? 4 : 0) | (p.da.failedTries >= p.da.maxTries ? 1 << 9 : 0) | (1 << 10);
  const nvIndices = p.nv.size;
  const loadedSessions = [...v.sessions.values()].filter((s) => s.savedSequence === null).length;
  return [
    [0x100, ascii4('2.0\0')], // TPM_PT_FAMILY_INDICATOR
    [0x101, 0], // LEVEL
    [0x102, 159], // REVISION: Part 3 of revision 1.59
    [0x103, 1], // DAY_OF_YEAR
    [0x104, 2026], // YEAR
    [0x105, ascii4('TZTC')], // MANUFACTURER
    [0x106, ascii4('TZTC')], // VENDOR_STRING_1
    [0x107, ascii4('M-en')],
    [0x108, ascii4('gine')],
    [0x109, 0],
    [0x10a, 1], // VENDOR_TPM_TYPE
    [0x10b, Number(FIRMWARE_VERSION >> 32n)],
    [0x10c, Number(FIRMWARE_VERSION & 0xffffffffn)],
    [0x10d, MAX_NV_BUFFER], // INPUT_BUFFER
    [0x10e, MAX_LOADED_OBJECTS], // HR_TRANSIENT_MIN
    [0x10f, MAX_PERSISTENT], // HR_PERSISTENT_MIN
    [0x110, MAX_LOADED_SESSIONS], // HR_LOADED_MIN
    [0x111, MAX_LOADED_SESSIONS], // ACTIVE_SESSIONS_MAX
    [0x112, PCR_COUNT],
    [0x113, 3], // PCR_SELECT_MIN
    [0x114, 0xffff], // CONTEXT_GAP_MAX
    [0x116, 0], // NV_COUNTERS_MAX
    [0x117, MAX_NV_INDEX_SIZE],
    [0x118, 0], // MEMORY
    [0x119, 4096], // CLOCK_UPDATE
    // the context blobs' protection (commands-context.ts): the mode's hash and 128-bit cipher
    [0x11a, tpm.algs.nameAlg], // CONTEXT_HASH
    [0x11b, tpm.algs.symAlg], // CONTEXT_SYM
    [0x11c, 128], // CONTEXT_SYM_SIZE
    [0x11d, 255], // ORDERLY_COUNT
    [0x11e, 4096], // MAX_COMMAND_SIZE
    [0x11f, 4096], // MAX_RESPONSE_SIZE
    [0x120, 64], // MAX_DIGEST
    [0x121, 2048], // MAX_OBJECT_CONTEXT
    [0x122, 512], // MAX_SESSION_CONTEXT
    [0x123, 1], // PS_FAMILY_INDICATOR: PC Client
    [0x124, 0],
    [0x125, 0x105],
    [0x126, 0],
    [0x127, 0],
    [0x128, 0], // SPLIT_MAX
    [0x129, commands.length], // TOTAL_COMMANDS
    [0x12a, commands.length], // LIBRARY_COMMANDS
    [0x12b, 0], // VENDOR_COMMANDS
    [0x12c, MAX_NV_BUFFER], // NV_BUFFER_MAX
    [0x12d, 0], // MODES
    [0x12e, MAX_CAP_BUFFER], // MAX_CAP_BUFFER
    [0x200, permanent], // PERMANENT
    [0x201, 0x0000000f], // STARTUP_CLEAR: phEnable, shEnable, ehEnable, phEnableNV
    [0x202, nvIndices], // HR_NV_INDEX
    [0x203, v.objects.size], // HR_LOADED
    [0x204, MAX_LOADED_OBJECTS - v.objects.size], // HR_LOADED_AVAIL
    [0x205, v.sessions.size - loadedSessions], // HR_ACTIVE (saved sessions)
    [0x206, MAX_LOADED_SESSIONS - v.sessions.size], // HR_ACTIVE_AVAIL
    [0x207, MAX_LOADED_OBJECTS - v.objects.size], // HR_TRANSIENT_AVAIL
    [0x208, p.persistent.size], // HR_PERSISTENT
    [0x209, MAX_PERSISTENT - p.persistent.size], // HR_PERSISTENT_AVAIL
    [0x20a, 0], // NV_COUNTERS
    [0x20b, 0], // NV_COUNTERS_AVAIL
    [0x20c, 0], // ALGORITHM_SET
    [0x20d, 1], // LOADED_CURVES
    [0x20e, p.da.failedTries], // LOCKOUT_COUNTER
    [0x20f, p.da.maxTries], // MAX_AUTH_FAIL
    [0x210, p.da.recoveryTime], // LOCKOUT_INTERVAL
    [0x211, p.da.lockoutRecovery], // LOCKOUT_RECOVERY
    [0x212, 0], // NV_WRITE_RECOVERY
    [0x213, 0],
    [0x214, 0],
  ];
}

function handlesOfType(tpm: EngineContext, type: number): number[] {
  const v = tpm.volatile;
  switch (type) {
    case HT.PCR:
      return Array.from({ length: PCR_COUNT }, (_, i) => i);
    case HT.NV_INDEX:
      return [...tpm.persistent.nv.keys()];
    case HT.HMAC_SESSION:
    case HT.POLICY_SESSION:
      return [...v.sessions.keys()].filter((h) => handleType(h) === type);
    case HT.PERMANENT:
      return [RH.OWNER, RH.NULL, RH.PW, RH.LOCKOUT, RH.ENDORSEMENT, RH.PLATFORM, 0x4000000d];
    case HT.TRANSIENT:
      return [...v.objects.keys()];
    case HT.PERSISTENT:
      return [...tpm.persistent.persistent.keys()];
    default:
      return [];
  }
}

/** TPMA_CC (Part 2 §8.9): commandIndex, nv, cHandles, rHandle. */
function commandAttributes(d: CommandDef): number {
  return ((d.code & 0xffff) | (NV_WRITERS.has(d.code) ? 1 << 22 : 0) | (d.code === TPM_CC.FlushContext ? 0 : 0) | (d.handles.length << 25) | (d.responseHandles ? 1 << 28 : 0)) >>> 0;
}

/** List entries from `first` on, at most `count` (and `fit` per buffer), with moreData. */
function page<T>(all: readonly T[], key: (t: T) => number, first: number, count: number, fit: number): { items: T[]; more: boolean } {
  const from = all.filter((t) => key(t) >>> 0 >= first >>> 0).sort((a, b) => (key(a) >>> 0) - (key(b) >>> 0));
  const n = Math.min(count, fit);
  return { items: from.slice(0, n), more: from.length > n };
}

export function getCapability(commands: () => readonly CommandDef[]): CommandDef {
  return {
    code: TPM_CC.GetCapability,
    name: 'TPM2_GetCapability',
    handles: [],
    auth: [],
    responseHandles: 0,
    decrypt: false,
    encrypt: false,
    run(tpm, { params }) {
      const p = new ParamReader(params, 'TPM2_GetCapability');
      const capability = p.next((r) => r.u32('capability'));
      const property = p.next((r) => r.u32('property'));
      const count = p.next((r) => r.u32('propertyCount'));
      p.end();
      let more = false;
      let body: (w: TpmWriter) => void;
      switch (capability) {
        case CAP.ALGS: {
          const pg = page([...tpm.algs.capabilityAlgs], ([a]) => a, property, count, (MAX_CAP_BUFFER - 8) / 6);
          more = pg.more;
          body = (w) => {
            w.u32(pg.items.length);
            for (const [a, attrs] of pg.items) w.u16(a).u32(attrs);
          };
          break;
        }
        case CAP.HANDLES: {
          const type = handleType(property);
          if (!(Object.values(HT) as number[]).includes(type)) throw badParam(RC.VALUE, 2, 'not a handle type');
          const pg = page(handlesOfType(tpm, type), (h) => h, property, count, (MAX_CAP_BUFFER - 8) / 4);
          more = pg.more;
          body = (w) => {
            w.u32(pg.items.length);
            for (const h of pg.items) w.u32(h);
          };
          break;
        }
        case CAP.COMMANDS: {
          const pg = page([...commands()], (d) => d.code, property, count, (MAX_CAP_BUFFER - 8) / 4);
          more = pg.more;
          body = (w) => {
            w.u32(pg.items.length);
            for (const d of pg.items) w.u32(commandAttributes(d));
          };
          break;
        }
        case CAP.PP_COMMANDS:
        case CAP.AUDIT_COMMANDS:
          body = (w) => w.u32(0);
          break;
        case CAP.PCRS: {
          if (property !== 0) throw badParam(RC.VALUE, 2, 'TPM_CAP_PCRS takes property 0');
          // property is not used; any propertyCount but 0 gives every bank (measured on libtpms)
          const pg = page([...tpm.algs.hashes], () => 0, 0, count === 0 ? 0 : 16, 16);
          more = pg.more;
          body = (w) => writePcrSelection(w, pg.items.map((hashAlg) => ({ hashAlg, pcrs: Array.from({ length: PCR_COUNT }, (_, i) => i) })));
          break;
        }
        case CAP.TPM_PROPERTIES: {
          const pg = page(tpmProperties(tpm, commands()), ([k]) => k, property, count, (MAX_CAP_BUFFER - 8) / 8);
          more = pg.more;
          body = (w) => {
            w.u32(pg.items.length);
            for (const [k, v] of pg.items) w.u32(k).u32(v >>> 0);
          };
          break;
        }
        case CAP.PCR_PROPERTIES: {
          // TPM_PT_PCR (Part 2 §6.14): SAVE 0x00, EXTEND_L0 0x01, RESET_L0 0x02, NO_INCREMENT 0x11
          const all = Array.from({ length: PCR_COUNT }, (_, i) => i);
          const tags: [number, number[]][] = [
            [0x00, all.filter((i) => i < 16)],
            [0x01, all.filter((i) => i <= 16 || i === 23)],
            [0x02, [...RESETTABLE_PCRS]],
            [0x11, [...NO_INCREMENT_PCRS]],
          ];
          const pg = page(tags, ([t]) => t, property, count, 64);
          more = pg.more;
          body = (w) => {
            w.u32(pg.items.length);
            for (const [t, pcrs] of pg.items) {
              const bm = new Uint8Array(3);
              for (const i of pcrs) bm[i >> 3] = (bm[i >> 3] as number) | (1 << (i & 7));
              w.u32(t).u8(3).bytes(bm);
            }
          };
          break;
        }
        case CAP.ECC_CURVES: {
          const pg = page([tpm.algs.curveId], (c) => c, property, count, 64);
          more = pg.more;
          body = (w) => {
            w.u32(pg.items.length);
            for (const c of pg.items) w.u16(c);
          };
          break;
        }
        case 9: // TPM_CAP_AUTH_POLICIES: a permanent handle; the engine sets no hierarchy policies
        case 10: // TPM_CAP_ACT: an ACT handle (0x40000110..0x4000011F); the engine has no ACTs
          if (capability === 9 ? handleType(property) !== HT.PERMANENT : property < 0x40000110 || property > 0x4000011f) throw badParam(RC.VALUE, 2, 'property is not a handle of this capability');
          body = (w) => w.u32(0);
          break;
        default:
          throw badParam(RC.VALUE, 1, `capability ${capability} not supported`);
      }
      return { params: marshal((w) => body(w.u8(more ? 1 : 0).u32(capability))) };
    },
  };
}
