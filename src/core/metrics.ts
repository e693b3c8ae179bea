import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one hub process (every role writes to it; api serves it); a registry per instance keeps tests independent. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly holds = new Counter({
    name: 'avhub_holds_total', help: 'Hold requests by outcome (created, replayed, or the problem type)',
    labelNames: ['outcome'], registers: [this.registry],
  });
  readonly reservations = new Counter({
    name: 'avhub_reservations_total', help: 'Reservation changes by action and resulting status',
    labelNames: ['action', 'status'], registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'avhub_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'], registers: [this.registry],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  readonly polls = new Counter({
    name: 'avhub_polls_total', help: 'Polls by site and outcome (ok, stale, skipped, auth, rate-limited, unavailable, error)',
    labelNames: ['site', 'outcome'], registers: [this.registry],
  });
  readonly pollSeconds = new Histogram({
    name: 'avhub_poll_duration_seconds', help: 'Poll duration by site, adapter and mode',
    labelNames: ['site', 'adapter', 'mode'], registers: [this.registry],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  readonly writebackSeconds = new Histogram({
    name: 'avhub_writeback_duration_seconds', help: 'Time of one write-back attempt (all items of a reservation)',
    registers: [this.registry], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  readonly skippedEvents = new Counter({
    name: 'avhub_skipped_events_total', help: 'Source events skipped as malformed or unmappable, by site',
    labelNames: ['site'], registers: [this.registry],
  });

  readonly skippedEntries = new Counter({
    name: 'avhub_skipped_entries_total', help: 'Source entries skipped, capped or noted, by site and resource',
    labelNames: ['site', 'resource'], registers: [this.registry],
  });

  readonly alerts = new Counter({
    name: 'avhub_alerts_total', help: 'Alert events by event and decision (opened, reminder, dropped, closed, ...)',
    labelNames: ['event', 'decision'], registers: [this.registry],
  });
  readonly alertDeliveries = new Counter({
    name: 'avhub_alert_deliveries_total', help: 'Alert deliveries by channel kind and outcome (sent, retry, failed)',
    labelNames: ['kind', 'outcome'], registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'avhub_' });
    // prom-client names three gauges `…_total`, which Prometheus keeps for counters (`promtool
    // check metrics` objects). Each is the sum of a per-type gauge it also registers
    // (`avhub_nodejs_active_handles{type}`, …), so dropping them loses nothing.
    for (const name of ['active_handles', 'active_requests', 'active_resources']) {
      this.registry.removeSingleMetric(`avhub_nodejs_${name}_total`);
    }
  }
}
