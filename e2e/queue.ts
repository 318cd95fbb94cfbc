import type { Runner } from './lib/runner';
export async function queueSuite(_runner: Runner, _tarball: string): Promise<void> {}
