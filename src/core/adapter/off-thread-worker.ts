import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { encodeError, type JobMessage, type ResultMessage } from './off-thread.js';

/** A task of the worker script: plain input in, structured-clonable output (or its promise) out. */
type Task = (input: never) => unknown;

/**
 * The worker side of {@link WorkerPool}: answers each job with its task's value or its error
 * (typed adapter errors keep their class across the boundary). Jobs arrive one at a time.
 */
export function serveTasks(tasks: Readonly<Record<string, Task>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs in a worker thread');
  lowerPriority();
  port.on('message', (msg: JobMessage) => {
    void (async () => {
      let answer: ResultMessage;
      try {
        const task = tasks[msg.task];
        if (!task) throw new Error(`no task "${msg.task}" in this worker`);
        answer = { id: msg.id, ok: true, value: await (task as (input: unknown) => unknown)(msg.input) };
      } catch (err) {
        answer = { id: msg.id, ok: false, error: encodeError(err) };
      }
      port.postMessage(answer);
    })();
  });
  // The pool runs a job's time limit from here: loading the script is not the job's time.
  port.postMessage({ ready: true });
}

/**
 * Parsing yields the CPU to the API's thread: on Linux a thread's nice value is its own, and
 * /proc/thread-self names this thread's id. Elsewhere (or when refused) nothing changes.
 */
function lowerPriority(): void {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: the worker runs at the process's priority.
  }
}
