/**
 * How a role's transitions map onto the commands of a real TPM 2.0, for the interpreters that
 * drive one (impl/tpm2-bridge: swtpm, the TZTCM, a hardware TPM through a TSS). The machine stays
 * the single description of the protocol; the binding only says, per transition, which TPM 2.0
 * command stands for it, which of the machine's variables the command reads (its parameters) and
 * which the TPM decides (nonces, handles, signatures — handed to the transition's own `fresh` /
 * `let` steps). Parameter names are the TPM 2.0 Part 3 parameter names; variable names come from
 * the machine's declarations (models/parties/vocabulary.ts), never restated by an interpreter.
 *
 * `checkRealTpmBinding` holds the binding against the machine read back with `roleOf`: every
 * transition bound, every variable read bound before the command runs, every variable decided
 * computed by that transition. An interpreter calls it before it talks to the TPM.
 * @module
 */
import type { RoleDecl } from './protocol.ts';
import { roleOf } from './role.ts';
import { type TransitionSpec, recvOf } from './steps.ts';
import { type Term, type Var, varsOf } from './terms.ts';

/** The TPM 2.0 operation a transition stands for, with its parameters bound to machine variables. */
export type Tpm2Operation =
  /** no command of its own: only the machine's signature checks, each run as TPM2_VerifySignature */
  | { readonly op: 'none' }
  /** the public point of the storage primary created at set-up (TPM2_CreatePrimary, Part 3 §24.1) */
  | { readonly op: 'PublicKey'; readonly decides: { readonly key: Var } }
  /** TPM2_Certify (Part 3 §18.2) of the storage key with the attestation key */
  | { readonly op: 'TPM2_Certify'; readonly reads: { readonly qualifyingData: Var }; readonly decides: { readonly certifiedKey: Var; readonly signature: Var } }
  /** TPM2_Quote (Part 3 §18.4) of the binding's PCR selection with the attestation key */
  | { readonly op: 'TPM2_Quote'; readonly reads: { readonly qualifyingData: Var }; readonly decides: { readonly signature: Var } }
  /** TPM2_StartAuthSession (Part 3 §11.1) salted with the storage key; the salt, Z and the session
   * key are computed inside the TPM (`inside`: machine variables the TSS cannot know) */
  | {
      readonly op: 'TPM2_StartAuthSession';
      readonly reads: { readonly encryptedSalt: Var; readonly nonceCaller: Var };
      readonly decides: { readonly nonceTPM: Var; readonly sessionHandle: Var };
      readonly inside: readonly Var[];
    }
  /** a command in the session (TPM2_GetRandom, Part 3 §16.1). The session's first one proves
   * both sides hold the session key: its HMAC keyed with the caller's session key
   * (`caller.sessionKey`), which the machine then `adopts`; a later one (neither given) runs in
   * the session the TSS already holds, its nonces rolled */
  | {
      readonly op: 'TPM2_GetRandom';
      readonly reads: { readonly nonceCaller: Var };
      readonly caller?: { readonly sessionKey: Var };
      /** the machine's session key, until now `inside`, takes the caller's value */
      readonly adopts?: { readonly sessionKey: Var };
      readonly decides: { readonly nonceTPM: Var };
    }
  /** TPM2_PolicySigned (Part 3 §23.3) with the caller's signing key over the session's nonceTPM;
   * with a sealed secret also TPM2_PolicyPCR (§23.7) */
  | {
      readonly op: 'TPM2_PolicySigned';
      readonly reads: { readonly authKey: Var };
      readonly caller: { readonly signingKey: Var };
      readonly decides: { readonly nonceTPM: Var };
    }
  /** TPM2_Unseal (Part 3 §12.7) in the policy session, response parameter encrypted (Part 1 §21.3);
   * the machine's `responseKey` must decrypt the TPM's real ciphertext */
  | {
      readonly op: 'TPM2_Unseal';
      readonly reads: { readonly nonceCaller: Var };
      readonly decides: { readonly nonceTPM: Var };
      /** the machine's set-up value of the secret takes the value the TPM unsealed */
      readonly adopts: { readonly secret: Var };
      readonly checks: { readonly responseKey: Var };
    }
  /** TPM2_NV_Write (Part 3 §31.7) of the caller's `data` to the TSS's NV index, in the session
   * with the decrypt attribute (Part 1 §21.2); the machine's received `ciphertext` must be the
   * encrypted parameter the TSS sent */
  | {
      readonly op: 'TPM2_NV_Write';
      readonly reads: { readonly nonceCaller: Var; readonly ciphertext: Var };
      readonly caller: { readonly data: Var };
      readonly decides: { readonly nonceTPM: Var };
    }
  /** TPM2_NV_Read (Part 3 §31.13) of the index in the session with the encrypt attribute (Part 1
   * §21.3); the machine's copy of the data takes what the TPM read, and the machine's `ciphertext`
   * must be the TPM's encrypted response parameter */
  | {
      readonly op: 'TPM2_NV_Read';
      readonly reads: { readonly nonceCaller: Var };
      readonly decides: { readonly nonceTPM: Var };
      readonly adopts: { readonly data: Var };
      readonly checks: { readonly ciphertext: Var };
    };

export type Tpm2OperationName = Tpm2Operation['op'];

/** A role that a real TPM 2.0 can play. */
export interface RealTpmBinding {
  /** the role the TSS belongs to (it sits inside that role's trust boundary and reads its values) */
  readonly caller: string;
  /** the long-term names of what the TPM holds (models/protocol.ts `longTerm`) */
  readonly longTerm: {
    /** the ECC storage primary whose public point the other roles know */
    readonly storageKey: string;
    /** the restricted signing key the TTP enrols (protocol 1) */
    readonly attestationKey?: string;
    /** the reference PCR state the verifier holds (protocol 1) */
    readonly pcrReference?: string;
  };
  /** a secret sealed into the TPM before the run, released by TPM2_Unseal (protocol 3) */
  readonly sealed?: {
    /** the caller's key the policy is signed with (TPM2_PolicySigned's authObject) */
    readonly authKey: Var;
    /** the caller's protected-storage slot the released secret ends in */
    readonly callerSlot: string;
  };
  /** per transition label of the role's machine */
  readonly transitions: Readonly<Record<string, Tpm2Operation>>;
}

/** The role of `roles` a real TPM can play, if any. */
export function realTpmRole(roles: readonly RoleDecl[]): (RoleDecl & { readonly realTpm: RealTpmBinding }) | undefined {
  return roles.find((r): r is RoleDecl & { readonly realTpm: RealTpmBinding } => r.realTpm !== undefined);
}

/** The variables an operation's parameters name, by direction. */
export function operationVariables(o: Tpm2Operation): { reads: Var[]; decides: Var[]; inside: Var[]; caller: Var[]; adopts: Var[]; checks: Var[] } {
  const vals = (x: object | undefined) => (x ? (Object.values(x) as Var[]) : []);
  return {
    reads: 'reads' in o ? vals(o.reads) : [],
    decides: 'decides' in o ? vals(o.decides) : [],
    inside: 'inside' in o ? [...o.inside] : [],
    caller: 'caller' in o ? vals(o.caller) : [],
    adopts: 'adopts' in o ? vals(o.adopts) : [],
    checks: 'checks' in o ? vals(o.checks) : [],
  };
}

/** Variables bound by a term pattern (receive or match). */
const patternVars = (t: Term): string[] => varsOf(t).map((x) => x.name);

/** Variables a transition binds (receive pattern, fresh, let, match), in order. */
function boundBy(t: TransitionSpec): string[] {
  return t.steps.flatMap((s) => (s.op === 'recv' || s.op === 'match' ? patternVars(s.pattern) : s.op === 'fresh' || s.op === 'let' ? [s.v.name] : []));
}

/** Variables a transition computes itself (fresh, let): what a real TPM may decide for it. */
function computedBy(t: TransitionSpec): Set<string> {
  return new Set(t.steps.flatMap((s) => (s.op === 'fresh' || s.op === 'let' ? [s.v.name] : [])));
}

/**
 * Problems of a binding against the role's machine and its caller's (empty: it fits). A problem
 * names the transition and the variable, so a model edit that breaks the binding is caught before
 * a TPM command is sent.
 */
export function checkRealTpmBinding(decl: RoleDecl, binding: RealTpmBinding, caller: RoleDecl | undefined): string[] {
  const def = roleOf(decl.machine);
  const problems: string[] = [];
  if (!caller) problems.push(`the caller role '${binding.caller}' is not a role of the protocol`);
  const callerDef = caller ? roleOf(caller.machine) : null;
  const callerVars = new Set([...(callerDef?.knows.map((x) => x.name) ?? []), ...(callerDef?.transitions.flatMap(boundBy) ?? [])]);
  const labels = new Set(def.transitions.map((t) => t.label));
  for (const label of Object.keys(binding.transitions)) if (!labels.has(label)) problems.push(`the binding names '${label}', not a transition of ${def.role}`);
  // variables bound before each transition: knows, then every transition (machines are linear)
  const before = new Set(def.knows.map((x) => x.name));
  for (const t of def.transitions) {
    const o = binding.transitions[t.label];
    if (!o) {
      problems.push(`${def.role} transition '${t.label}' has no TPM 2.0 operation`);
      continue;
    }
    const vars = operationVariables(o);
    const received = new Set(recvOf(t) ? patternVars(recvOf(t)!.pattern) : []);
    for (const x of vars.reads) if (!before.has(x.name) && !received.has(x.name)) problems.push(`${t.label}: ${o.op} reads '${x.name}', not bound before the command`);
    const computed = computedBy(t);
    for (const x of [...vars.decides, ...vars.inside, ...vars.checks])
      if (!computed.has(x.name)) problems.push(`${t.label}: ${o.op} decides '${x.name}', which the transition does not compute`);
    for (const x of vars.adopts) if (!before.has(x.name)) problems.push(`${t.label}: ${o.op} replaces '${x.name}', not bound before the command`);
    for (const x of vars.caller) if (!callerVars.has(x.name)) problems.push(`${t.label}: ${o.op} reads the caller's '${x.name}', which ${binding.caller} never binds`);
    for (const n of boundBy(t)) before.add(n);
  }
  if (binding.sealed && !callerVars.has(binding.sealed.authKey.name)) problems.push(`the sealed secret's policy key '${binding.sealed.authKey.name}' is not the caller's`);
  for (const [what, name] of Object.entries(binding.longTerm))
    if (!Object.values(decl.knows).some((u) => varsOf(u).some((x) => x.lt?.name === name))) problems.push(`long-term '${name}' (${what}) is not in ${def.role}'s set-up`);
  return problems;
}
