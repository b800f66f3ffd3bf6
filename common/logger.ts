import pino from 'pino';

/** One structured logger for every process; `name` says which part wrote the line. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info') {
  return pino({ name, level, base: { pid: process.pid } });
}
export type Logger = pino.Logger;
