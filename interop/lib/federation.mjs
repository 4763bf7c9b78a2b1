// Helpers shared by the federation scenarios that drive both servers through their Client-Server APIs.
import { registerUser } from "./users.mjs";

/** A Myelin user registered with the shared secret: { userId, token }. */
export async function myelinUser(baseUrl, sharedSecret, prefix) {
    const client = await registerUser(baseUrl, sharedSecret, prefix);
    return { userId: client.getUserId(), token: client.getAccessToken() };
}

/** A Client-Server request to Myelin (whose certificate NODE_EXTRA_CA_CERTS trusts); resolves to { status, json }. */
export async function myelinJson(baseUrl, method, path, token, body) {
    const response = await fetch(`${baseUrl}${path}`, {
        method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : {} };
}

/** Polls until the async check returns a truthy value, or rejects after the timeout naming what was awaited. */
export async function poll(check, what, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** Runs the task for every item with at most {@code limit} at a time. */
export async function inParallel(items, limit, task) {
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const item = items[next++];
            await task(item);
        }
    });
    await Promise.all(workers);
}

export const roomPath = (roomId) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
