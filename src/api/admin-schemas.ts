import { z } from 'zod';

/** Schemas of the admin's operations views: workers, alert deliveries, holds and reservations. */

export const WorkersResponse = z.object({
  redis: z.enum(['up', 'down']),
  ready: z.boolean().describe('What GET /readyz says: Redis reachable and at least one live worker'),
  staleAfterSeconds: z.int().describe('A worker that has not beaten for this long counts as gone'),
  workers: z.array(z.object({
    id: z.string().describe('host:pid of the worker process'),
    host: z.string(), pid: z.int().nullable(),
    lastBeatAt: z.string(), alive: z.boolean(),
  })).describe('Worker processes that beat recently, newest beat first (a gone one is remembered for a while)'),
  api: z.object({ roles: z.array(z.string()), version: z.string() }).describe('The process that answered'),
});

export const AlertDeliveryQuery = z.strictObject({
  state: z.enum(['sent', 'failed', 'pending']).optional().describe('Only these; all three when absent'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('At most this many per state, newest first; default 100'),
});

const AlertDelivery = z.object({
  id: z.string().describe('BullMQ job id (alert id and channel)'),
  state: z.enum(['sent', 'failed', 'pending']),
  event: z.string(), summary: z.string(), site: z.string().nullable(),
  alertId: z.string().describe('The alert\'s id, the same on every channel (receivers de-duplicate by it)'),
  channel: z.object({
    index: z.int().describe('Position in config alerts'),
    kind: z.string(),
    target: z.string().describe('Where it goes, without secrets: a webhook\'s or Slack\'s host only (their paths are secrets), an e-mail\'s recipients and SMTP host'),
  }),
  attemptsMade: z.int(), attempts: z.int(),
  error: z.string().nullable().describe('The last attempt\'s error'),
  queuedAt: z.string(), finishedAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable().describe('For a delivery waiting to retry: when the next attempt is due'),
});

export const AlertDeliveryResponse = z.object({
  configured: z.boolean().describe('Whether any alert channel is configured'),
  deliveries: z.array(AlertDelivery),
});

export const AlertDeliveryParams = z.strictObject({ jobId: z.string().min(1).max(300) });

export const AlertRetryResponse = z.object({ id: z.string(), state: z.string() });

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const BookingSearchQuery = z.strictObject({
  q: z.string().max(200).optional().describe('Words in the guest\'s details (name, e-mail, reference, any field), a reservation, hold or external id; case-insensitive, every word must match'),
  site: z.string().max(100).optional(),
  resource: z.string().max(100).optional(),
  from: date.optional().describe('Only bookings that take a night or time on or after this local date at their site'),
  to: date.optional().describe('Only bookings that take a night or time before this local date (exclusive)'),
  status: z.enum(['held', 'pending', 'confirmed', 'failed', 'cancelled']).optional(),
  kind: z.enum(['hold', 'reservation']).optional().describe('Only live holds, or only reservations; both when absent'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('At most this many; default 50'),
  cursor: z.coerce.number().int().min(0).optional().describe('Where to go on reading reservations (from the previous answer\'s next)'),
});

const BookingItem = z.object({
  site: z.string(), siteName: z.string(), resource: z.string(), resourceName: z.string(), quantity: z.int(),
  checkIn: z.string().optional(), checkOut: z.string().optional(),
  start: z.string().optional(), end: z.string().optional(), externalId: z.string().optional(),
});

const Booking = z.object({
  kind: z.enum(['hold', 'reservation']),
  id: z.string(), status: z.string(),
  customer: z.record(z.string(), z.unknown()).nullable().describe('The guest\'s details as given at hold time (admin only)'),
  items: z.array(BookingItem),
  createdAt: z.string(), updatedAt: z.string().nullable(),
  expiresAt: z.string().nullable().describe('Holds: when the hold lapses unless confirmed'),
  holdId: z.string().nullable(), error: z.string().nullable(),
});

export const BookingSearchResponse = z.object({
  bookings: z.array(Booking).describe('Live holds first (soonest expiry first), then reservations, newest first'),
  scanned: z.int().describe('Reservations read for this answer'),
  next: z.int().nullable().describe('Pass as cursor to read on; null when every reservation was read'),
});
