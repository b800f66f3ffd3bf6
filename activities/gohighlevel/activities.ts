import type { Config } from '../../common/config';
import { GoHighLevelClient } from './client';

/** GoHighLevel (CRM) activities. Each is idempotent by its natural key (email; contact + tag). */
export function createGoHighLevelActivities(config: Pick<Config, 'GHL_BASE_URL' | 'GHL_ACCESS_TOKEN' | 'GHL_LOCATION_ID' | 'GHL_API_VERSION'>) {
  const client = new GoHighLevelClient({
    baseUrl: config.GHL_BASE_URL,
    accessToken: config.GHL_ACCESS_TOKEN,
    locationId: config.GHL_LOCATION_ID,
    apiVersion: config.GHL_API_VERSION,
  });
  return {
    async upsertCrmContact(input: { email: string; firstName?: string; lastName?: string }): Promise<{ contactId: string; created: boolean }> {
      const res = await client.upsertContact({ ...input, source: 'pagos-flow' });
      return { contactId: res.contact.id, created: res.new };
    },
    async tagCrmContact(input: { contactId: string; tags: string[] }): Promise<{ tags: string[] }> {
      return client.addTags(input.contactId, input.tags);
    },
  };
}
