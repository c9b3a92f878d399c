/**
 * The exit codes of every `tcv` command, in one place, and the table every `--help` ends with.
 * A script gates on them, so each class is distinct: a verdict that differs (1) is not a search
 * cut by a budget (4), a bad flag (2) is not a bug (3), and a report that could not be written
 * (5) is not any of those.
 * @module
 */

export const EXIT = Object.freeze({
  /** everything as expected */
  ok: 0,
  /** a verdict or a run differs from what is expected */
  differs: 1,
  /** usage or environment: a bad flag or name, a path that cannot be read or written, no swtpm */
  usage: 2,
  /** internal error: a defect of tcv (one line; the stack with TCV_DEBUG=1) */
  internal: 3,
  /** some verdict is inconclusive (a budget cut the search) and nothing else differs */
  inconclusive: 4,
  /** the output could not be written (stdout or stderr closed, full, EPIPE) */
  output: 5,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table appended to every command's `--help`. */
export const EXIT_TABLE = `exit codes (every command):
  0: as expected
  1: a verdict or a run differs from what is expected
  2: usage error: bad flag or name, a path that cannot be read or written, swtpm missing
  3: internal error (one line; TCV_DEBUG=1 shows the stack)
  4: inconclusive: a budget (time, states, memory) cut the search, nothing else differs
  5: the output could not be written (stdout/stderr closed or full, EPIPE)
  130/143: a --tpm run or --watch stopped by SIGINT/SIGTERM`;
