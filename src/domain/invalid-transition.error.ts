/** A hold or reservation was asked to move between states its state machine does not connect. */
export class InvalidTransitionError extends Error {
  readonly code = 'DOMAIN.INVALID_TRANSITION';

  constructor(
    readonly machine: 'hold' | 'reservation',
    readonly from: string,
    readonly to: string,
  ) {
    super(`${machine} cannot go from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}
