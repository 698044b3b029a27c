import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; credentials are redacted wherever they appear in bound objects. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'devmesh' },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          'headers["x-api-key"]',
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'apiKey',
          '*.apiKey',
          'secret',
          '*.secret',
          'password',
          '*.password',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
