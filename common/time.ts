/** The business time zone when none is configured (SCHEDULE_TIMEZONE's default). */
export const DEFAULT_TIMEZONE = 'America/Argentina/Buenos_Aires';
