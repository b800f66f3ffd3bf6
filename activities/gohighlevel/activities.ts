import type { Config } from '../../common/config';
import { GoHighLevelClient } from './client';
import type { TokenRefreshResult } from '../../contracts/ops';
import { ghlTokenSource } from '../../domain/crm/gohighlevel-credentials';
import { refreshGhlToken } from './oauth';

/** GoHighLevel (CRM) activities. Each is idempotent by its natural key (email; contact + tag). */
export function createGoHighLevelActivities(
  config: Pick<Config, 'GHL_BASE_URL' | 'GHL_ACCESS_TOKEN' | 'GHL_LOCATION_ID' | 'GHL_API_VERSION'> & Partial<Pick<Config, 'GHL_CLIENT_ID' | 'GHL_CLIENT_SECRET' | 'GHL_REFRESH_TOKEN' | 'DATA_ENCRYPTION_KEY'>>,
) {
  const client = new GoHighLevelClient({
    baseUrl: config.GHL_BASE_URL,
    accessToken: config.DATA_ENCRYPTION_KEY ? ghlTokenSource({ ...config, DATA_ENCRYPTION_KEY: config.DATA_ENCRYPTION_KEY }) : config.GHL_ACCESS_TOKEN,
    locationId: config.GHL_LOCATION_ID,
    apiVersion: config.GHL_API_VERSION,
  });
  return {
    async upsertCrmContact(input: { email: string; firstName?: string; lastName?: string }): Promise<{ contactId: string; created: boolean }> {
      const res = await client.upsertContact({ ...input, source: 'pagos-flow' });
      return { contactId: res.contact.id, created: res.new };
    },
    /** The order as a CRM opportunity: won with its value when paid, lost when cancelled. */
    async syncOrderOpportunity(input: { email: string; name?: string; orderNumber: string; status: 'won' | 'lost'; monetaryValue: number; pipelineId: string }): Promise<{ contactId: string; opportunityId: string }> {
      const [firstName, ...rest] = (input.name ?? '').split(' ').filter(Boolean);
      const { contact } = await client.upsertContact({ email: input.email, firstName, lastName: rest.join(' ') || undefined, source: 'pagos-flow' });
      const { opportunity } = await client.upsertOpportunity({
        pipelineId: input.pipelineId,
        contactId: contact.id,
        name: `Pedido ${input.orderNumber}`,
        status: input.status,
        monetaryValue: input.monetaryValue,
      });
      return { contactId: contact.id, opportunityId: opportunity.id };
    },
    /** Renews the OAuth token pair (the `ghl-token-refresh` Schedule); a no-op without an OAuth app. */
    async refreshGoHighLevelToken(): Promise<TokenRefreshResult> {
      if (!config.DATA_ENCRYPTION_KEY) return { refreshed: false, reason: 'no DATA_ENCRYPTION_KEY' };
      return refreshGhlToken({ ...config, DATA_ENCRYPTION_KEY: config.DATA_ENCRYPTION_KEY });
    },
    async tagCrmContact(input: { contactId: string; tags: string[] }): Promise<{ tags: string[] }> {
      return client.addTags(input.contactId, input.tags);
    },
  };
}
