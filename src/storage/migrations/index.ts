import { foundation } from './001-foundation.js';
import { agentsWorkflows } from './002-agents-workflows.js';
import { webhooks } from './003-webhooks.js';
import { processes } from './004-processes.js';
import { recovery } from './005-recovery.js';

export interface Migration {
  version: number;
  name: string;
  /** Run in order, in one transaction. One statement each: PGlite's query() takes a single statement. */
  statements: readonly string[];
}

/** Forward-only: append new migrations, never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'foundation', statements: foundation },
  { version: 2, name: 'agents-workflows', statements: agentsWorkflows },
  { version: 3, name: 'webhooks', statements: webhooks },
  { version: 4, name: 'processes', statements: processes },
  { version: 5, name: 'recovery', statements: recovery },
];
