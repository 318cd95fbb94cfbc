/** Placeholder filled in below. */
import type { EmulatorProcess } from './lib/emulator';
import type { N8nInstance } from './lib/n8n';
import type { Suite } from './lib/runner';

export async function agentTests(_s: Suite, _n8n: N8nInstance, _emulator: EmulatorProcess): Promise<void> {}
