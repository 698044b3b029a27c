import { createApp, type Role } from './app.js';
import { loadConfig } from './config/config.js';

/** Loads config, starts the app and runs until SIGINT/SIGTERM, then drains and stops. */
export async function runServer(role: Role): Promise<void> {
  const app = await createApp(loadConfig(), { role });
  await app.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        app.logger.warn('second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      app.logger.info({ signal }, 'shutting down');
      app.stop().then(resolve, (error: unknown) => {
        app.logger.error({ err: error }, 'error while shutting down');
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
