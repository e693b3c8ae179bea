import { DelayedError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AlertSink } from '../core/alerts.js';
import type { HubMetrics } from '../core/metrics.js';
import type { SiteConfig } from '../config/types.js';
import type { HubKeys } from '../store/keys.js';
import type { AvailabilityStore } from '../store/store.js';
import type { StoredItem } from '../store/types.js';
import type { SiteAdapters } from '../core/adapter/site-adapters.js';
import { AdapterRateLimitedError, AdapterUnavailableError } from '../core/adapter/errors.js';
import type { SourceAdapter, WriteRequest } from '../core/adapter/port.js';
import { writeChange } from '../core/adapter/write-change.js';
import type { RedisTarget } from '../store/connection.js';
import { bullConnection } from '../store/queues.js';
import type { Catalog } from '../core/catalog.js';
import type { SiteHealthReader } from '../health/site-health.js';
import { WRITEBACK_QUEUE, type WritebackJobData } from './writeback-queue.js';

interface Deps {
  redis: RedisTarget; keys: HubKeys; store: AvailabilityStore; catalog: Catalog; adapters: SiteAdapters;
  health: SiteHealthReader; logger: Logger; metrics: HubMetrics; alerts: AlertSink; concurrency: number;
}

/**
 * Writes reservations into their sites' systems and cancels them there. Every call carries an
 * idempotency key derived from the reservation and item, so a retry after a crash or timeout
 * finds the booking an earlier attempt made instead of making a second one.
 */
export function startWritebackWorker(deps: Deps): { close(): Promise<void> } {
  const connection = bullConnection(deps.redis);
  const worker = new Worker<WritebackJobData>(WRITEBACK_QUEUE, async (job, token) => {
    const log = deps.logger.child({ reservation: job.data.reservation, op: job.data.op, job: job.id });
    const resv = await deps.store.getReservation(job.data.reservation);
    if (!resv) return 'missing';
    const items = resv.items.map((item, i) => ({ item, index: i + 1, site: deps.catalog.site(item.site) }))
      .filter((x): x is { item: StoredItem; index: number; site: SiteConfig } => x.item.writeback && x.site !== undefined);

    // While a site is limited, wait without spending the retry budget (DESIGN §6).
    for (const { site } of items) {
      if (await deps.health.state(site.id) === 'limited') {
        log.info({ site: site.id }, 'site limited: write-back waits');
        await job.moveToDelayed(Date.now() + Math.max(5_000, site.pollEvery), token);
        throw new DelayedError();
      }
    }

    const request = (site: SiteConfig, item: StoredItem, index: number): WriteRequest => {
      const resource = deps.adapters.sourceSite(site).resources.find((r) => r.id === item.resource)!;
      return {
        site: deps.adapters.sourceSite(site), resource, reservationId: resv.id,
        idempotencyKey: item.version > 0 ? `${resv.id}-${index}-v${item.version}` : `${resv.id}-${index}`,
        span: item.nights ? { by: 'night', nights: item.nights } : { by: 'time', start: item.start!, end: item.end! },
        quantity: item.quantity, customer: (resv.meta.customer as Record<string, unknown> | null) ?? null,
        signal: AbortSignal.timeout(30_000), throttle: deps.adapters.throttle(site),
      };
    };

    if (job.data.op === 'cancel') {
      for (const { item, index, site } of items) {
        const externalId = item.externalId;
        if (!externalId) continue;
        await deps.adapters.get(site).cancel({ ...request(site, item, index), externalId });
      }
      deps.metrics.reservations.inc({ action: 'writeback-cancel', status: 'done' });
      return 'cancelled';
    }

    if (resv.status !== 'pending') {
      // Cancelled after an earlier run of this job: that run may have booked at the source with
      // its answer lost (a timeout, or a worker killed mid-call). reserve() is idempotent by the
      // same key, so it finds such a booking (or makes one) and it is withdrawn: nothing is left
      // behind. A killed worker's job comes back as stalled, which BullMQ counts in
      // stalledCounter, not attemptsMade: counting only failed attempts left the booking live at
      // the source (found by test/chaos/hub-crash.test.ts).
      if (resv.status === 'cancelled' && !job.data.withdrawn
        && (job.attemptsMade > 0 || job.stalledCounter > 0 || job.data.withdrawing !== undefined)) {
        await withdrawLost(items, request, (site) => deps.adapters.get(site), job, log);
        await job.updateData({ ...job.data, withdrawn: true });
        log.info('withdrawn at the source: what an earlier run of this job may have booked there');
      }
      return `not pending (${resv.status})`;
    }
    const written: Record<string, string> = {};
    const inPlace = new Set<number>();
    const timer = deps.metrics.writebackSeconds.startTimer();
    try {
      for (const { item, index, site } of items) {
        if (item.externalId) continue; // written before; a modification rewrites only what changed
        const change = await writeChange(deps.adapters.get(site), request(site, item, index), item.previousExternalId);
        written[String(index)] = change.externalId;
        if (change.inPlace) inPlace.add(index);
      }
      // A modification's old bookings go once the new ones stand (idempotent: gone is done); one
      // changed in place is the new booking itself.
      for (const { item, index, site } of items) {
        if (item.previousExternalId && !inPlace.has(index)) {
          await deps.adapters.get(site).cancel({ ...request(site, item, index), externalId: item.previousExternalId });
        }
      }
    } catch (err) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ attempt: job.attemptsMade + 1, last, err: (err as Error).message }, 'write-back failed');
      if (last) {
        await deps.store.writebackFailed(resv.id, (err as Error).message, written);
        deps.metrics.reservations.inc({ action: 'writeback', status: 'failed' });
        log.error({ event: 'writeback.failed' }, `reservation failed after ${job.attemptsMade + 1} attempts; capacity released`);
        const first = items[0];
        await deps.alerts.emit({
          event: 'writeback.failed', ...(first ? { site: first.site.id, group: deps.catalog.entry(first.site.id, first.item.resource)?.group.id } : {}),
          summary: `Reservation ${resv.id} could not be written to ${items.map((x) => x.site.name).join(', ')}: ${(err as Error).message}; it failed and its capacity was released`,
          details: { reservation: resv.id, attempts: job.attemptsMade + 1 },
        });
      }
      throw err;
    } finally {
      timer();
    }
    const done = await deps.store.writebackDone(resv.id, written);
    if (done.kind === 'not-pending') {
      // Cancelled while we were writing: take back what we wrote, saying first what (see
      // WritebackJobData.withdrawing).
      await job.updateData({ ...job.data, withdrawing: written });
      for (const { item, index, site } of items) {
        const externalId = written[String(index)];
        if (externalId) await deps.adapters.get(site).cancel({ ...request(site, item, index), externalId });
      }
      // A run of this job after a crash finds nothing live by its reference and would book anew
      // only to withdraw it (found by test/chaos/hub-crash.test.ts).
      await job.updateData({ ...job.data, withdrawn: true });
      return `withdrawn (${done.status})`;
    }
    deps.metrics.reservations.inc({ action: 'writeback', status: 'confirmed' });
    log.info({ externalIds: written }, 'reservation written back');
    return 'confirmed';
  }, {
    connection, prefix: deps.keys.queuePrefix(), concurrency: deps.concurrency,
    // A worker that dies mid-write loses its job lock after lockDuration; the stalled check then
    // hands the job to another worker. BullMQ's defaults (30 s and 30 s) made that take about a
    // minute; a guest waiting on "pending" deserves faster. The lock is renewed while a job runs.
    lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2,
  });
  worker.on('error', (err) => deps.logger.warn({ err: err.message }, 'write-back worker connection error'));
  // A job BullMQ fails without running it (stalled too often) never reached the processor's
  // last-attempt handling: fail the reservation here so it does not stay pending for ever.
  worker.on('failed', (job, err) => {
    if (!job || job.data.op !== 'create') return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled/i.test(err.message);
    if (!final) return;
    void deps.store.writebackFailed(job.data.reservation, err.message, {}).then((r) => {
      if (r.kind === 'ok') deps.logger.error({ reservation: job.data.reservation, event: 'writeback.failed' }, `write-back gave up: ${err.message}`);
    }).catch(() => undefined);
  });
  return {
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}


async function withdrawLost(items: Array<{ item: StoredItem; index: number; site: SiteConfig }>,
  request: (site: SiteConfig, item: StoredItem, index: number) => WriteRequest,
  adapterFor: (site: SiteConfig) => SourceAdapter, job: Job<WritebackJobData>, log: Logger): Promise<void> {
  for (const { item, index, site } of items) {
    if (item.externalId) continue;
    const req = request(site, item, index);
    // Saved by an earlier run that was cancelling it: cancel it again, never book anew.
    let externalId = job.data.withdrawing?.[String(index)];
    if (externalId === undefined) {
      try {
        externalId = (await adapterFor(site).reserve(req)).externalId;
      } catch (err) {
        // Down or busy: asked again on the next attempt. Any other refusal (sold out) means the
        // lost attempt made nothing there.
        if (err instanceof AdapterUnavailableError || err instanceof AdapterRateLimitedError) throw err;
        log.info({ site: site.id, err: (err as Error).message }, 'nothing to withdraw at the source');
        continue;
      }
      await job.updateData({ ...job.data, withdrawing: { ...job.data.withdrawing, [String(index)]: externalId } });
    }
    await adapterFor(site).cancel({ ...req, externalId });
  }
}
