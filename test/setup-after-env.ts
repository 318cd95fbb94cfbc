/**
 * Each test starts from LlamaCloud's documented limits: the process's pacers (one per project, shared by every
 * execution, as in a real n8n process) would otherwise carry what one test's 429s taught them into the next.
 */
import { processPacers } from '../nodes/shared/sharedPacers';

afterEach(() => processPacers.clear());
