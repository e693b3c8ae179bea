import { z } from 'zod';

/** Request and response schemas: the server validates with these and /openapi.json is made of them. */

const id = z.string().min(1).max(100);
const when = z.string().min(10).max(40);

const HoldItem = z.strictObject({
  site: id.describe('Site id'),
  resource: id.describe('Resource id at the site'),
  quantity: z.int().min(1).max(1000).optional().describe('Units of a pool; default 1'),
  start: when.optional().describe('ISO date-time, for resources booked by time; without an offset it is the site\'s local time'),
  end: when.optional().describe('ISO date-time (exclusive), for resources booked by time'),
  checkIn: when.optional().describe('Local date YYYY-MM-DD, for resources booked by night'),
  checkOut: when.optional().describe('Local date YYYY-MM-DD (the morning of departure), for resources booked by night'),
});

const Customer = z.record(z.string().max(50), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .describe('Free-form guest details kept with the reservation; never shown in availability');

export const HoldRequest = z.strictObject({
  ...HoldItem.partial().shape,
  items: z.array(HoldItem).min(1).max(20).optional().describe('Several items, claimed all or none'),
  customer: Customer.optional(),
}).superRefine((body, ctx) => {
  const single = body.site !== undefined || body.resource !== undefined;
  if (body.items && single) {
    ctx.addIssue({ code: 'custom', path: ['items'], message: 'send either items or one item\'s site/resource, not both' });
  } else if (!body.items && (body.site === undefined || body.resource === undefined)) {
    ctx.addIssue({ code: 'custom', path: [body.site === undefined ? 'site' : 'resource'], message: 'is required (or send items)' });
  }
});

export const HoldResponse = z.object({
  id: z.string().describe('Hold id; an unguessable capability, keep it private to the guest'),
  expiresAt: z.string().describe('When the hold lapses unless confirmed (ISO instant)'),
  status: z.enum(['held', 'confirmed', 'released', 'expired']),
  unconfirmedBySite: z.boolean().optional().describe('Hybrid group, site limited: held by the hub, not yet confirmed by the site\'s own system'),
});

export const ConfirmResponse = z.object({
  reservationId: z.string(),
  status: z.enum(['pending', 'confirmed']),
  token: z.string().describe('Reservation token: send as X-Reservation-Token to read or cancel the reservation'),
});

export const AvailabilityQuery = z.strictObject({
  site: z.union([z.string().max(2000), z.array(z.string().max(100)).max(100)])
    .describe('Site ids, repeated or comma-separated'),
  resource: id.optional(),
  group: id.optional(),
  from: when.describe('Local date (midnight at each site) or ISO instant'),
  to: when.describe('Exclusive; local date or ISO instant'),
  key: z.string().max(200).optional().describe('Widget key, instead of the X-Api-Key header'),
});

const Night = z.object({ date: z.string(), available: z.int() });
const Piece = z.object({ start: z.string(), end: z.string(), available: z.int() });
export const AvailabilityResponse = z.object({
  sites: z.array(z.object({
    id: z.string(), name: z.string(), timezone: z.string(),
    health: z.enum(['healthy', 'degraded', 'limited']),
    limited: z.boolean(),
    asOf: z.string().nullable().describe('Time of the data; null for a polled site without a good poll yet'),
    resources: z.array(z.object({
      id: z.string(), name: z.string(), kind: z.enum(['unit', 'pool']), group: z.string(),
      capacity: z.int(),
      withheld: z.boolean().optional().describe('The site is limited and its group hides stale data (whenLimited: hide): nothing is offered'),
      nights: z.array(Night).optional().describe('Resources booked by night: one entry per local date'),
      intervals: z.array(Piece).optional().describe('Resources booked by time: maximal pieces of constant availability'),
    })),
  })),
});

const ReservationItem = z.object({
  site: z.string(), resource: z.string(), quantity: z.int(),
  checkIn: z.string().optional(), checkOut: z.string().optional(),
  start: z.string().optional(), end: z.string().optional(),
});

export const ReservationResponse = z.object({
  id: z.string(),
  status: z.enum(['pending', 'confirmed', 'failed', 'cancelled']),
  items: z.array(ReservationItem),
  externalIds: z.record(z.string(), z.string()),
  customer: Customer.nullable(),
  error: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const IdParams = z.strictObject({ id: id });

export const Problem = z.object({
  type: z.string().describe('Stable machine-readable reason, e.g. unavailable, hold-expired, site-limited'),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  field: z.string().optional(),
  retryAfter: z.int().optional().describe('429 and 503: seconds to wait before asking again, as in the Retry-After header'),
}).describe('RFC 9457 problem details');

const SiteSummary = z.object({
  id: z.string(), name: z.string(), timezone: z.string(), adapter: z.string(),
  pollEvery: z.string().optional(), priority: z.int(),
  health: z.enum(['healthy', 'degraded', 'limited']),
  resources: z.array(z.object({
    id: z.string(), kind: z.enum(['unit', 'pool']), capacity: z.int(), group: z.string(),
    bookedBy: z.enum(['night', 'time']), shared: z.string().optional(),
  })),
});
export const SitesResponse = z.object({ sites: z.array(SiteSummary) });

export const SiteDetail = SiteSummary.extend({
  sync: z.object({
    lastSuccessAt: z.string().nullable(), lastPollAt: z.string().nullable(),
    lastError: z.string().nullable(), lastErrorCode: z.string().nullable(), lastErrorAt: z.string().nullable(),
    consecutiveFailures: z.int(), lastFullSyncAt: z.string().nullable(), incremental: z.boolean(),
    nextPollNotBefore: z.string().nullable(),
    nextPollAt: z.string().nullable().describe('When the next scheduled poll runs (after any backoff or rate-limit pause); null when the site is not polled or no scheduler has run'),
    sourceBookings: z.int(),
  }),
  history: z.array(z.object({ at: z.string(), from: z.string(), to: z.string(), reason: z.string().nullable() })),
  resourceStatus: z.array(z.object({
    resource: z.string(),
    failure: z.object({ origin: z.string(), code: z.string(), message: z.string(), since: z.string() }).nullable()
      .describe('The resource\'s feed or calendar failed in the latest poll; its last good data is kept'),
    skipped: z.array(z.object({ externalId: z.string(), reason: z.string() }))
      .describe('Entries the source had that were skipped, capped or noted (newest first)'),
  })).describe('Per resource: what the latest polls could not read'),
  push: z.object({
    via: z.array(z.string()).describe('How the site\'s system may notify the hub (generic, google, apaleo, mews); empty: push is off'),
    active: z.boolean().describe('Notifications arrive (within push.inactiveAfter) and, for Google, a channel is open; polling carries on either way'),
    inactiveReason: z.string().nullable(),
    lastNotificationAt: z.string().nullable(), lastSource: z.string().nullable(),
    lastLagMs: z.int().nullable().describe('From the latest served notification received to the poll covering it applied'),
    pendingSince: z.string().nullable().describe('A notification no poll has covered yet'),
    notifications: z.int(),
    subscriptions: z.array(z.object({ id: z.string(), target: z.string(), expiresAt: z.string().nullable() })),
  }).describe('Change notifications: they only make the hub poll the site now'),
  advice: z.object({
    peakBookingsPerHour: z.int(), bookingsLast7Days: z.int(),
    recommendedPollEverySeconds: z.int().nullable().describe('Poll at least twice as often as bookings arrive at peak'),
    configuredPollEverySeconds: z.int(), tooSlow: z.boolean(), syncSuccessRate: z.number().nullable(),
  }),
});

export const NotifyResponse = z.object({
  status: z.literal('queued'),
  jobId: z.string().describe('The poll job; notifications arriving together share one'),
});

export const PushTokenQuery = z.strictObject({
  token: z.string().optional().describe('The site\'s push.secret, as the vendor was given it in the URL'),
});

export const SyncQuery = z.strictObject({
  full: z.enum(['true', 'false']).optional().describe('A full resync of the window instead of an incremental poll'),
  wait: z.enum(['true', 'false']).optional().describe('Answer when the poll has finished (up to 60 s)'),
});

export const SyncResponse = z.object({
  jobId: z.string(),
  status: z.string().describe('queued, completed, failed or timeout'),
  result: z.unknown().optional(),
  error: z.string().optional(),
});

export const ReservationPatch = z.strictObject({
  item: z.int().min(0).max(19).optional().describe('Which item to change (0-based); default 0'),
  resource: id.optional().describe('Another resource at the same site'),
  quantity: z.int().min(1).max(1000).optional(),
  checkIn: when.optional(), checkOut: when.optional(),
  start: when.optional(), end: when.optional(),
}).refine((b) => Object.keys(b).some((k) => k !== 'item'), { error: 'say what to change: checkIn/checkOut, start/end, quantity or resource' });

export const WritebackListQuery = z.strictObject({
  state: z.enum(['failed', 'pending']).optional()
    .describe('failed: out of attempts; pending: waiting, running or delayed (for a retry or a limited site). Both when absent'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('At most this many jobs per state, newest first; default 100'),
});

const WritebackJob = z.object({
  id: z.string().describe('BullMQ job id'),
  op: z.enum(['create', 'cancel']),
  reservation: z.string(),
  sites: z.array(z.string()).describe('Sites of the reservation\'s items that are written back'),
  reservationStatus: z.string().nullable().describe('The reservation\'s status now; null when it no longer exists'),
  state: z.string().describe('failed, active, waiting, prioritized, delayed or waiting-children'),
  attemptsMade: z.int(),
  attempts: z.int().describe('Attempts allowed in all'),
  failedReason: z.string().nullable(),
  createdAt: z.string(),
  processedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable().describe('For delayed jobs: when the next attempt is due'),
  retryable: z.boolean().describe('Whether POST …/retry can still do something: a failed cancel, or a failed create whose reservation is still pending'),
});

export const WritebackListResponse = z.object({ jobs: z.array(WritebackJob) });

export const WritebackJobParams = z.strictObject({ jobId: z.string().min(1).max(200) });

export const WritebackRetryResponse = z.object({ id: z.string(), state: z.string() });

// ---- Conflicts (src/conflicts, docs/workflows.md) ----------------------------------------------

export const ConflictListQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional().describe('Only open or only resolved conflicts; both when absent'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('At most this many, newest first; default 200'),
});

const bookingRef = z.string().min(1).max(300)
  .describe('A booking of the conflict: hub:<reservationId>, site:<siteId>:<externalId> or site:<siteId>:unlisted');

export const ConflictResolveRequest = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('keep'), keep: bookingRef.describe('This booking stands; the others give way in the policy\'s order until capacity is met') }),
  z.strictObject({ action: z.literal('cancel'), cancel: z.array(bookingRef).min(1).max(50).describe('Hub reservations are cancelled (and the cancellation written back); site bookings are listed for staff to cancel at the site') }),
  z.strictObject({ action: z.literal('accept'), note: z.string().max(500).optional().describe('Why the overbooking is accepted (kept in the audit trail)') }),
]);

const ConflictBookingView = z.object({
  ref: z.string(), origin: z.enum(['hub', 'site']), site: z.string(), resource: z.string(), quantity: z.int(),
  nights: z.array(z.string()).optional(), start: z.string().optional(), end: z.string().optional(),
  reservationId: z.string().optional(), externalId: z.string().optional(), status: z.string().optional(),
  title: z.string().optional().describe('Site bookings: what the source calls it (an event\'s summary); may name a guest'),
  link: z.string().optional().describe('Site bookings: a web page for it at the source, when the adapter knows one'),
  createdAt: z.string().nullable(), updatedAt: z.string().nullable(), firstSeenAt: z.string().nullable(),
});

export const ConflictView = z.object({
  id: z.string().describe('Stable per resource and first night or start: the same overbooking found again is the same conflict'),
  status: z.enum(['open', 'resolved']),
  ledger: z.string(), shared: z.string().optional(), bookedBy: z.enum(['night', 'time']),
  group: z.string(), workflow: z.enum(['centralized', 'hybrid', 'decentralized']),
  policy: z.enum(['first-come', 'last-write-wins', 'priority', 'manual']),
  capacity: z.int(), excess: z.int(),
  when: z.union([z.object({ nights: z.array(z.string()) }), z.object({ start: z.string(), end: z.string() })]),
  sites: z.array(z.string()), resources: z.array(z.object({ site: z.string(), resource: z.string() })),
  bookings: z.array(ConflictBookingView),
  outcome: z.object({
    decidedBy: z.enum(['policy', 'staff', 'none']), summary: z.string(), stands: z.array(z.string()),
    losers: z.array(z.object({ ref: z.string(), action: z.string() })), accepted: z.boolean().optional(),
  }).nullable(),
  resolution: z.enum(['cleared', 'accepted', 'past', 'merged']).optional(),
  openedAt: z.string(), updatedAt: z.string(), resolvedAt: z.string().optional(),
  audit: z.array(z.object({ at: z.string(), actor: z.enum(['hub', 'staff']), action: z.string(), detail: z.string() })),
});

export const ConflictListResponse = z.object({ conflicts: z.array(ConflictView) });

export const ConflictResolveResponse = z.object({
  conflict: ConflictView,
  cancelled: z.array(z.string()).describe('Hub reservations cancelled (their cancellation goes to the site through the outbox)'),
  cancelAtSite: z.array(z.string()).describe('Site bookings the hub cannot cancel: cancel them in the site\'s own system'),
});

// ---- feeds out (src/feeds) --------------------------------------------------------------------

export const FeedParams = z.strictObject({ site: id.describe('Site id'), resource: id.describe('Resource id at the site') });

// Not strict: importers append cache-busting parameters of their own, which change nothing.
export const FeedQuery = z.object({
  token: z.string().max(500).optional().describe('The feed\'s secret token (config `feeds[].token`); without it, or wrong: 401'),
});
