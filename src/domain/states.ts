import { InvalidTransitionError } from './invalid-transition.error.js';
import type { HoldStatus, ReservationStatus } from './types.js';

/**
 * The hold and reservation state machines. A transition to the same state is not a transition
 * (callers that retry should treat "already there" as success before asking).
 *
 * hold:        held → confirmed | released | expired (all three final)
 * reservation: pending → confirmed | failed | cancelled; confirmed → cancelled;
 *              failed and cancelled are final
 */

const HOLD: Readonly<Record<HoldStatus, readonly HoldStatus[]>> = {
  held: ['confirmed', 'released', 'expired'],
  confirmed: [],
  released: [],
  expired: [],
};

const RESERVATION: Readonly<Record<ReservationStatus, readonly ReservationStatus[]>> = {
  pending: ['confirmed', 'failed', 'cancelled'],
  confirmed: ['cancelled'],
  failed: [],
  cancelled: [],
};

/** True when a hold may move from `from` to `to`. */
export function canHoldTransition(from: HoldStatus, to: HoldStatus): boolean {
  return HOLD[from].includes(to);
}

/** True when a reservation may move from `from` to `to`. */
export function canReservationTransition(from: ReservationStatus, to: ReservationStatus): boolean {
  return RESERVATION[from].includes(to);
}

/** True when a hold in `status` can never change again. */
export function isFinalHoldStatus(status: HoldStatus): boolean {
  return HOLD[status].length === 0;
}

/** True when a reservation in `status` can never change again. */
export function isFinalReservationStatus(status: ReservationStatus): boolean {
  return RESERVATION[status].length === 0;
}

/** @throws InvalidTransitionError when a hold may not move from `from` to `to`. */
export function assertHoldTransition(from: HoldStatus, to: HoldStatus): void {
  if (!canHoldTransition(from, to)) throw new InvalidTransitionError('hold', from, to);
}

/** @throws InvalidTransitionError when a reservation may not move from `from` to `to`. */
export function assertReservationTransition(from: ReservationStatus, to: ReservationStatus): void {
  if (!canReservationTransition(from, to)) throw new InvalidTransitionError('reservation', from, to);
}
