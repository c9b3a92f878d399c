/**
 * The pieces of a knowledge entry: every subterm the attacker may get out of it, with the keys
 * it needs on the way — tuples project, an encryption opens to its plaintext under the key one of
 * the table's decryptions opens it with (models/equations.ts `openingOf`). deduction.ts reads
 * them as the sources of a term.
 * @module
 */
import { openingOf } from '../../models/equations.ts';
import { type Term, show } from '../../models/terms.ts';
import { type Subst, resolve } from './unify.ts';

export interface Piece {
  readonly path: string;
  readonly term: Term;
  readonly keys: readonly Term[];
  /** printed term and keys: the same piece behind the same keys is one way to get it */
  readonly sig: string;
}

function piecesOf(t0: Term): Piece[] {
  const out: Piece[] = [];
  const walk = (t: Term, path: string, keys: Term[]) => {
    if (t.t === 'var' || t.t === 'const') return;
    out.push({ path, term: t, keys, sig: show(t) + '|' + keys.map(show).join(',') });
    if (t.t !== 'app') return;
    if (t.f === 'tuple') t.args.forEach((a, i) => walk(a, `${path}.${i}`, keys));
    else {
      // an encryption: its plaintext, behind the key a decryption of the table opens it with
      const o = openingOf(t);
      if (o) walk(o.plaintext, `${path}.${o.decryption}`, [...keys, o.key]);
    }
  };
  walk(t0, '', []);
  return out;
}

/** Pieces of resolved knowledge entries, per resolved term object: `resolve` keeps
 * returning the same object for an entry while no step binds its variables (see `unify.ts`). */
const PIECES = new WeakMap<Term, Piece[]>();

export function entryPieces(t: Term, s: Subst): Piece[] {
  const r = resolve(t, s);
  let ps = PIECES.get(r);
  if (!ps) {
    ps = piecesOf(r);
    PIECES.set(r, ps);
  }
  return ps;
}
