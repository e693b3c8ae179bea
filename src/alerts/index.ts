export { Alerts, type AlertDecision, type AlertsDeps, type CounterLike } from './alerts.js';
export { ALERT_QUEUE, DEFAULT_DELIVERY, openAlertQueue, type AlertJobData, type AlertPayload, type DeliveryPolicy } from './delivery.js';
export { ALERT_EVENT_NAMES } from '../domain/alert-events.js';
export { silentAlerts, type AlertEvent, type AlertEventName, type AlertSink } from '../core/alerts.js';
export { routes } from './routing.js';
export { PREVIOUS_SIGNATURE_HEADER, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature, type VerifyOptions } from './signature.js';
export { startAlertWorker, type AlertWorkerDeps } from './worker.js';
