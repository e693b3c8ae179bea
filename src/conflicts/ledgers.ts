import type { GroupConfig, HubConfig } from '../config/types.js';
import type { Catalog, CatalogEntry } from '../core/catalog.js';
import type { PolicyContext } from './policy.js';

/** One capacity ledger as detection sees it: what it is measured against, who sells it. */
export interface LedgerInfo {
  ledger: string;
  bookedBy: 'night' | 'time';
  capacity: number;
  entries: CatalogEntry[];
  sites: string[];
  group: GroupConfig;
  shared?: string;
  /** The time zone its nights are counted in (its home site's). */
  tz: string;
}

/** The catalog by ledger: a shared resource's members share one ledger (`s:<sharedId>`). */
export class Ledgers {
  private readonly byLedger = new Map<string, CatalogEntry[]>();

  constructor(private readonly catalog: Catalog, private readonly config: HubConfig) {
    for (const site of catalog.sites()) {
      for (const entry of catalog.entriesOf(site.id)) {
        const list = this.byLedger.get(entry.ledger) ?? [];
        list.push(entry);
        this.byLedger.set(entry.ledger, list);
      }
    }
  }

  has(ledger: string): boolean {
    return this.byLedger.has(ledger);
  }

  /** The ledgers a site's resources count on. */
  ofSite(siteId: string): string[] {
    return [...new Set(this.catalog.entriesOf(siteId).map((e) => e.ledger))];
  }

  /** A known ledger's figures; a shared one takes its first member's resource and group. */
  info(ledger: string): LedgerInfo {
    const entries = this.byLedger.get(ledger)!;
    const shared = ledger.startsWith('s:') ? ledger.slice(2) : undefined;
    let home = entries[0]!;
    if (shared) {
      const first = this.config.shared.find((s) => s.id === shared)?.members[0];
      home = entries.find((e) => e.site.id === first?.site && e.resource.id === first?.resource) ?? home;
    }
    return {
      ledger, bookedBy: home.resource.bookedBy, capacity: home.capacity, entries,
      sites: [...new Set(entries.map((e) => e.site.id))], group: home.group, tz: home.site.timezone,
      ...(shared ? { shared } : {}),
    };
  }

  /** The resource a site sells on this ledger. */
  resourceAt(ledger: string, site: string): string {
    return this.byLedger.get(ledger)?.find((e) => e.site.id === site)?.resource.id ?? '';
  }

  policyContext(info: LedgerInfo): PolicyContext {
    return {
      policy: info.group.conflictPolicy,
      origins: info.group.priority,
      sitePriority: (site) => this.catalog.site(site)?.priority ?? 100,
    };
  }

  siteName(site: string): string {
    return this.catalog.site(site)?.name ?? site;
  }
}
