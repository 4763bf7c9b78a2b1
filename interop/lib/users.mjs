// Registers users through the shared-secret admin API (as an operator's tooling would) and returns
// matrix-js-sdk clients for them.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ClientEvent, createClient } from "matrix-js-sdk";

export async function registerUser(baseUrl, sharedSecret, prefix) {
    const nonceResponse = await fetch(`${baseUrl}/_synapse/admin/v1/register`);
    const { nonce } = await nonceResponse.json();
    const username = `${prefix}${Date.now() % 100000}${Math.floor(Math.random() * 1000)}`;
    const password = "interop-password-1";
    const mac = createHmac("sha1", sharedSecret).update(`${nonce}\0${username}\0${password}\0notadmin`).digest("hex");
    const response = await fetch(`${baseUrl}/_synapse/admin/v1/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ nonce, username, password, admin: false, mac }),
    });
    const json = await response.json();
    assert.equal(response.status, 200, JSON.stringify(json));
    return createClient({ baseUrl, accessToken: json.access_token, userId: json.user_id, deviceId: json.device_id });
}

/** Resolves with the first emitted value that passes the test, or rejects after the timeout. */
export function waitFor(emitter, eventName, test, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            emitter.off(eventName, listener);
            reject(new Error(`timed out waiting for ${eventName}`));
        }, timeoutMs);
        function listener(...args) {
            if (test(...args)) {
                clearTimeout(timer);
                emitter.off(eventName, listener);
                resolve(args);
            }
        }
        emitter.on(eventName, listener);
    });
}

/** Polls until the function returns a truthy value, or rejects after the timeout. */
export async function until(check, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error("timed out waiting for a condition");
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

/** Starts the client's sync loop and resolves once its first sync is processed. */
export async function started(client, initialSyncLimit = 20) {
    const ready = waitFor(client, ClientEvent.Sync, (syncState) => syncState === "PREPARED");
    await client.startClient({ initialSyncLimit });
    await ready;
    return client;
}
