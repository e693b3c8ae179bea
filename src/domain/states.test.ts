import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from './invalid-transition.error.js';
import {
  assertHoldTransition,
  assertReservationTransition,
  canHoldTransition,
  canReservationTransition,
  isFinalHoldStatus,
  isFinalReservationStatus,
} from './states.js';
import type { HoldStatus, ReservationStatus } from './types.js';

const HOLD: HoldStatus[] = ['held', 'confirmed', 'released', 'expired'];
const RESERVATION: ReservationStatus[] = ['pending', 'confirmed', 'failed', 'cancelled'];

describe('hold state machine', () => {
  it('allows exactly held → confirmed | released | expired', () => {
    const allowed = HOLD.flatMap((from) => HOLD.filter((to) => canHoldTransition(from, to)).map((to) => `${from}>${to}`));
    expect(allowed).toEqual(['held>confirmed', 'held>released', 'held>expired']);
    expect(HOLD.filter(isFinalHoldStatus)).toEqual(['confirmed', 'released', 'expired']);
  });

  it('throws a coded error for a forbidden transition', () => {
    expect(() => assertHoldTransition('held', 'expired')).not.toThrow();
    const error = (() => {
      try {
        assertHoldTransition('expired', 'confirmed');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ code: 'DOMAIN.INVALID_TRANSITION', machine: 'hold', from: 'expired', to: 'confirmed' });
  });
});

describe('reservation state machine', () => {
  it('allows pending → confirmed | failed | cancelled and confirmed → cancelled', () => {
    const allowed = RESERVATION.flatMap((from) =>
      RESERVATION.filter((to) => canReservationTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed).toEqual(['pending>confirmed', 'pending>failed', 'pending>cancelled', 'confirmed>cancelled']);
    expect(RESERVATION.filter(isFinalReservationStatus)).toEqual(['failed', 'cancelled']);
  });

  it('throws for a forbidden transition, including a repeat', () => {
    expect(() => assertReservationTransition('confirmed', 'cancelled')).not.toThrow();
    expect(() => assertReservationTransition('failed', 'confirmed')).toThrow(InvalidTransitionError);
    expect(() => assertReservationTransition('confirmed', 'confirmed')).toThrow(/confirmed to confirmed/);
  });
});
