import { pino, type Logger } from 'pino';

export type { Logger };

/** The one root logger. Secrets and payloads are redacted wherever they appear. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { app: 'accessproof' },
      redact: {
        paths: ['payload', 'raw', 'password', 'token', 'authorization', '*.password', '*.token', '*.authorization',
          'req.headers.authorization', 'headers.authorization', 'client_secret', '*.client_secret', 'api_token', '*.api_token'],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream,
  );
}

/** A logger that discards everything (tests, `normalize`). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
