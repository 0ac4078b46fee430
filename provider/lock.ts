import type { CommandRunner } from "./runner";

/** Serializes work on one key within this provider process (handlers run concurrently). */
const tails = new Map<string, Promise<unknown>>();

export async function keyedLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    tails.set(key, current);
    try {
        return await current;
    } finally {
        if (tails.get(key) === current) tails.delete(key);
    }
}

/**
 * The {@link keyedLock} key for `parts` on the runner's host: work on one host always shares a key,
 * work on different hosts never waits on each other.
 */
export function lockKey(runner: CommandRunner, ...parts: string[]): string {
    return JSON.stringify([runner.target, ...parts]);
}
