import { pino, type DestinationStream, type Logger } from 'pino';

/** Fields that may carry secrets; pino replaces them before a line is written. */
const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-reservation-token"]',
  'headers.authorization', 'headers["x-api-key"]', 'headers["x-reservation-token"]',
  'token', '*.token', 'secret', '*.secret', 'password', '*.password', 'adminToken', '*.adminToken',
  'apiKey', '*.apiKey', 'clientSecret', '*.clientSecret', 'refreshToken', '*.refreshToken',
  'privateKey', '*.privateKey', 'credentials', '*.credentials',
  // OAuth2 answers (the rest adapter's client credentials) if one is ever logged whole.
  'access_token', '*.access_token', 'accessToken', '*.accessToken',
];

/**
 * JSON lines in production; readable lines when a person watches a terminal. Redis URLs are
 * logged through redactUrl because they may embed a password.
 */
export function createLogger(level: string, pretty = process.stdout.isTTY === true, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } };
  if (destination) return pino(options, destination);
  if (!pretty) return pino(options);
  return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
}
