import { providerCall } from '../http/provider-call';

export interface GhlContact {
  id: string;
  locationId: string;
  email?: string;
  tags?: string[];
}

export interface GoHighLevelClientConfig {
  baseUrl: string;
  /** A fixed token, or where to get the current one (OAuth tokens rotate; see oauth.ts). */
  accessToken: string | (() => Promise<string>);
  locationId: string;
  apiVersion: string;
}

/** GoHighLevel API v2 client. Retries and token refresh stay in Temporal, not here. */
export class GoHighLevelClient {
  constructor(private readonly cfg: GoHighLevelClientConfig) {}

  private async headers() {
    const token = typeof this.cfg.accessToken === 'string' ? this.cfg.accessToken : await this.cfg.accessToken();
    return { authorization: `Bearer ${token}`, version: this.cfg.apiVersion };
  }

  /** Upsert by email: idempotent by nature, so a retried call never creates a second contact. */
  async upsertContact(input: { email: string; firstName?: string; lastName?: string; source?: string }): Promise<{ contact: GhlContact; new: boolean }> {
    return providerCall({
      provider: 'gohighlevel',
      baseUrl: this.cfg.baseUrl,
      method: 'POST',
      path: '/contacts/upsert',
      headers: await this.headers(),
      body: { locationId: this.cfg.locationId, ...input },
    });
  }

  /** Tags are a set: adding one twice leaves one. */
  async addTags(contactId: string, tags: string[]): Promise<{ tags: string[] }> {
    return providerCall({ provider: 'gohighlevel', baseUrl: this.cfg.baseUrl, method: 'POST', path: `/contacts/${encodeURIComponent(contactId)}/tags`, headers: await this.headers(), body: { tags } });
  }

  /** Upsert keyed by contact, pipeline and name (the order number), so a retry updates, never duplicates. */
  async upsertOpportunity(input: { pipelineId: string; contactId: string; name: string; status: 'open' | 'won' | 'lost' | 'abandoned'; monetaryValue?: number }): Promise<{ opportunity: { id: string; status: string }; new: boolean }> {
    return providerCall({
      provider: 'gohighlevel',
      baseUrl: this.cfg.baseUrl,
      method: 'POST',
      path: '/opportunities/upsert',
      headers: await this.headers(),
      body: { locationId: this.cfg.locationId, ...input },
    });
  }
}
