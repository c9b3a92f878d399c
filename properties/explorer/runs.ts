/**
 * The bound in Scyther's terms (`--runs N`, Scyther's `--max-runs`): at most N role instances in
 * a trace, in all — each of any role, played by any honest agent, talking to any agents (honest
 * or the attacker's E). An honest agent may thus play both sides of a session (reflection) and
 * different roles in different sessions (role mix-up). Authorities (deployment agents without
 * an index, such as a key server) stay the one agent of their role kind.
 *
 * The scenario holds N copies of every kind of run (role × agent assignment); the search starts
 * at most N of them in a trace (an instance that has not started is invisible to every other
 * step and to the judge), and of identical copies that have not started the first starts first
 * (symmetry). START steps are not taken ahead in this bound: starting a run spends one.
 *
 * Agents. Scyther's agents are variables; here they are a finite set: the deployment's
 * non-authority agents (at least two: a second one is added beside a single one), and E. Two
 * honest agents are what a run's peers need to be told apart (Comon-Lundh and Cortier, "Security
 * properties: two agents are sufficient", ESOP 2003, for secrecy and authentication), but with
 * more runs than that a protocol whose attack needs three distinct honest agents is beyond
 * this bound; the bound line says which agents were used.
 * @module
 */
import type { RoleDecl } from '../../models/protocol.ts';

// the largest `--runs` (MAX_RUNS) is a bound of the target, checked once in models/target.ts

/** The attacker's own agent (as `scenario.ts` names it). */
const E = 'E';

/** The honest agents of the runs bound: the deployment's, at least two. */
export function honestAgents(deployed: readonly string[]): string[] {
  const out = [...new Set(deployed)];
  if (out.length === 1) out.push(/\d+$/.test(out[0]!) ? out[0]!.replace(/\d+$/, (d) => String(Number(d) + 1)) : `${out[0]}2`);
  return out;
}

/** Every kind of run: per role, every assignment of its agent variables — `self` one of the
 * honest agents, any other variable an honest agent or E; an authority kind its one agent. */
export function runKinds(roles: readonly RoleDecl[], authorityOf: (kind: string) => string | undefined, honest: readonly string[]): { role: string; agents: Record<string, string> }[] {
  const out: { role: string; agents: Record<string, string> }[] = [];
  for (const decl of roles) {
    let assignments: Record<string, string>[] = [{}];
    for (const [v, kind] of Object.entries(decl.agents)) {
      const fixed = authorityOf(kind);
      const choices = fixed !== undefined ? [fixed] : v === 'self' ? honest : [...honest, E];
      assignments = assignments.flatMap((a) => choices.map((x) => ({ ...a, [v]: x })));
    }
    for (const agents of assignments) out.push({ role: decl.role, agents });
  }
  return out;
}

/** What a runs bound covers, for every verdict's bound line. */
export function runsBound(runs: number, honest: readonly string[], kinds: number): string {
  return `${runs} run(s) in all, each of any role (Scyther's --max-runs=${runs}): honest agents ${honest.join(', ')} each playing any role, peers honest or the attacker's agent E (reflection and role mix-up included; authorities fixed); ${kinds} kinds of run`;
}
