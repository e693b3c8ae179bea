/** The hub's pure domain: types, calendar and interval arithmetic, capacity, rules. */
export * from './types.js';
export * from './zone.js';
export * from './local-dates.js';
export * from './intervals.js';
export * from './capacity.js';
export * from './opening-hours.js';
export * from './rules.js';
