/** Seeded randomness for tests, so a failing run can be replayed exactly. */
import { seededRandom } from '../../emulator/faults';

/** Numbers in [0, 1) from a 32-bit seed (the emulator's fault generator). */
export const random = seededRandom;

/** A shuffled copy (Fisher-Yates) driven by `rand`. */
export function shuffle<T>(items: readonly T[], rand: () => number): T[] {
	const copy = [...items];
	for (let index = copy.length - 1; index > 0; index--) {
		const other = Math.floor(rand() * (index + 1));
		[copy[index], copy[other]] = [copy[other], copy[index]];
	}
	return copy;
}
