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
}
