import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { DevMeshError } from '../../errors/index.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is a single-process database: two processes opening one data dir corrupt it. This lock
 * file makes the second opener fail fast with a message instead. A lock left by a dead process is
 * taken over.
 */
export function acquireDataDirLock(lockPath: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8') === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DevMeshError(
          'conflict',
          `The embedded database in ${lockPath.replace(/\.lock$/, '')} is in use by process ${pid}. ` +
            'Stop that process, or use the REST API (/api/v1/api-keys) with the admin key while it runs.',
        );
      }
      unlinkSync(lockPath);
    }
  }
  throw new DevMeshError('conflict', `Could not lock ${lockPath}.`);
}
