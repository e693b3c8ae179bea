import type { SiteConfig } from '../../config/types.js';
import type { AdapterDefinition, SourceAdapter, SourceSite } from './port.js';

/**
 * The adapters of a process, one per site, as every part but sync sees them: write-back and the
 * conflict mirror call sites' systems through this without knowing the registry.
 */
export interface SiteAdapters {
  definition(site: SiteConfig): AdapterDefinition;
  /** The site's adapter instance (made on first use, shared by polls and write-backs). */
  get(site: SiteConfig): SourceAdapter;
  /** Waits for a token of the site's credential quota; call before each request to the source. */
  throttle(site: SiteConfig): () => Promise<void>;
  /** The site as the adapter port describes it (resources and their source mappings). */
  sourceSite(site: SiteConfig): SourceSite;
}
