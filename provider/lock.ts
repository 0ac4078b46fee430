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
