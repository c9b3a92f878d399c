/**
 * The MAC bodies of protocol 4 (seed 002 §2.3, Fig. 5: the UUID-keyed TDDL–TZTCM session), each
 * defined once for both sides (models/messages.ts); variants M4.1 / M4.2 edit the command body by
 * input name.
 * @module
 */
import { messageConstructor } from '../messages.ts';
import { c, tup } from '../terms.ts';

/** OpenSession: the TDDL's nonce for this UUID. */
export const openBody = messageConstructor<'uuid' | 'nonce'>('open', (x) => tup(c('open'), x('uuid'), x('nonce')));
/** the TZTCM's answer: the session id, both nonces. */
export const openedBody = messageConstructor<'sid' | 'nonce' | 'nonceTZ'>('opened', (x) => tup(c('opened'), x('sid'), x('nonce'), x('nonceTZ')));
/** CloseSession after `count` commands. */
export const closeBody = messageConstructor<'sid' | 'count'>('close', (x) => tup(c('close'), x('sid'), x('count')));
/** InvokeCommand i of session sid. */
export const commandBody = messageConstructor<'sid' | 'index' | 'cmd'>('cmd', (x) => tup(c('cmd'), x('sid'), x('index'), x('cmd')));
/** its response, bound to the session's opening nonce. */
export const responseBody = messageConstructor<'sid' | 'index' | 'rsp' | 'nonce'>('rsp', (x) => tup(c('rsp'), x('sid'), x('index'), x('rsp'), x('nonce')));
