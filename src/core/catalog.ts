import type { GroupConfig, HubConfig, ResourceConfig, SiteConfig } from '../config/types.js';

/** Everything the hold path needs to know about one bookable resource, resolved once from config. */
export interface CatalogEntry {
  site: SiteConfig;
  resource: ResourceConfig;
  group: GroupConfig;
  /** Capacity ledger: a shared resource's members all claim from one ledger. */
  ledger: string;
  /** The resource's capacity, or for a shared resource the smallest of its members'. */
  capacity: number;
  /** The site has its own system, so a reservation must be written back into it. */
  writeback: boolean;
  holdTtl: number;
  /** The longest span one hold item may cover, ms (`defaults.maxHoldSpan`). */
  maxHoldSpan: number;
}

/** Read-only index of sites and resources, built from the validated configuration. */
export class Catalog {
  private readonly entries = new Map<string, CatalogEntry>();
  private readonly sitesById = new Map<string, SiteConfig>();

  constructor(readonly config: HubConfig) {
    const sharedOf = new Map<string, { id: string; capacity: number }>();
    for (const shared of config.shared) {
      const capacity = Math.min(...shared.members.map((m) =>
        config.sites.find((s) => s.id === m.site)?.resources.find((r) => r.id === m.resource)?.capacity ?? 1));
      for (const m of shared.members) sharedOf.set(`${m.site}/${m.resource}`, { id: shared.id, capacity });
    }
    for (const site of config.sites) {
      this.sitesById.set(site.id, site);
      for (const resource of site.resources) {
        const group = config.groups[resource.group]!;
        const shared = sharedOf.get(`${site.id}/${resource.id}`);
        this.entries.set(`${site.id}/${resource.id}`, {
          site, resource, group,
          ledger: shared ? `s:${shared.id}` : `r:${site.id}/${resource.id}`,
          capacity: shared ? shared.capacity : resource.capacity,
          writeback: site.adapter.kind !== 'none',
          holdTtl: group.holdTtl ?? config.defaults.holdTtl,
          maxHoldSpan: config.defaults.maxHoldSpan,
        });
      }
    }
  }

  site(id: string): SiteConfig | undefined {
    return this.sitesById.get(id);
  }

  sites(): SiteConfig[] {
    return this.config.sites;
  }

  entry(site: string, resource: string): CatalogEntry | undefined {
    return this.entries.get(`${site}/${resource}`);
  }

  entriesOf(site: string): CatalogEntry[] {
    return (this.sitesById.get(site)?.resources ?? []).map((r) => this.entries.get(`${site}/${r.id}`)!);
  }
}
