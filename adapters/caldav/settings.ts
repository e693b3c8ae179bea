import { z } from 'zod';

/**
 * The `adapter:` block of a CalDAV site (without `kind`). `password` is a secret: the config
 * loader resolves it from the environment (`${CALDAV_PASSWORD}`) and nothing here logs it.
 */
export const caldavSettings = z.strictObject({
  /** The server (`https://dav.example.org/`) or the principal (`https://dav.example.org/north/`). */
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL of the CalDAV server or principal' })
    .refine((u) => { const url = new URL(u); return url.username === '' && url.password === ''; },
      { error: 'put the credentials in username and password, not in the URL' }),
  username: z.string().min(1, { error: 'the CalDAV user name' }),
  password: z.string().min(1, { error: 'the CalDAV password (a secret: use ${ENV} substitution)' }),
  /** Skips discovery (well-known, principal, home set) when the calendar home is known. */
  calendarHome: z.string().min(1).optional(),
});

export type CaldavSettings = z.infer<typeof caldavSettings>;

/**
 * Each resource's `source:` at a CalDAV site: the calendar that holds its bookings, as a URL path
 * (`/north/main-hall/`, or a unique suffix of it such as `main-hall/`) or as its display name.
 */
export const caldavSource = z.strictObject({
  calendar: z.string().trim().min(1, { error: 'a calendar path such as /north/main-hall/ or its display name' }),
});
