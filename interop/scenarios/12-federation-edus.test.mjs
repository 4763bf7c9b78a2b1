// EDUs and end-to-end encryption with a real Synapse (from PyPI, see interop/synapse/install.sh) on loopback: a
// Myelin user and a Synapse user in one room see each other's typing and read receipts, and exchange end-to-end
// encrypted messages (matrix-js-sdk with Rust crypto on both sides) that both decrypt: device lists, key queries
// and claims, and to-device messages all cross the federation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createClient, ClientEvent, RoomEvent, MatrixEventEvent } from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";
import { startSynapse, synapseInstalled, SYNAPSE_VENV } from "../lib/synapse.mjs";

logger.setLevel("warn");
// The throw-away Synapse presents a self-signed certificate; matrix-js-sdk uses the global fetch, which cannot be
// given a CA, so this test process does not check certificates (everything it talks to is on loopback).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const skip = synapseInstalled() ? false : `Synapse is not installed in ${SYNAPSE_VENV} (run interop/synapse/install.sh)`;
const PASSWORD = "interop-password-1";
let synapse;
const clients = [];

before(async () => {
    if (!skip) synapse = await startSynapse();
}, { timeout: 180_000 });

after(async () => {
    for (const client of clients) client.stopClient();
    await synapse?.stop();
});

/** Registers a user with the shared-secret admin API of a server; resolves to { user_id, access_token, device_id }. */
async function register(serverUrl, secret, prefix) {
    const { nonce } = await (await fetch(`${serverUrl}/_synapse/admin/v1/register`)).json();
    const username = `${prefix}${Date.now() % 100000}${Math.floor(Math.random() * 1000)}`;
    const mac = createHmac("sha1", secret).update(`${nonce}\0${username}\0${PASSWORD}\0notadmin`).digest("hex");
    const response = await fetch(`${serverUrl}/_synapse/admin/v1/register`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ nonce, username, password: PASSWORD, admin: false, mac }),
    });
    const json = await response.json();
    assert.equal(response.status, 200, JSON.stringify(json));
    return { ...json, serverUrl };
}

const myelinUser = (prefix) => register(baseUrl, sharedSecret, prefix);
const synapseUser = (prefix) => register(synapse.baseUrl, synapse.sharedSecret, prefix);

async function api(user, method, path, body) {
    const response = await fetch(`${user.serverUrl}/_matrix/client/v3${path}`, {
        method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${user.access_token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    assert.equal(response.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
    return json;
}

async function poll(check, what, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

const room = (roomId) => `/rooms/${encodeURIComponent(roomId)}`;

/**
 * Waits for an ephemeral event of this type in the room, whose content passes the check, in the user's incremental
 * syncs from {@code user.since} on (Synapse serves a repeated initial sync from a cache, so polling it proves little).
 */
async function ephemeralUntil(user, roomId, type, check, what, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const sync = await api(user, "GET", `/sync?timeout=1000&since=${encodeURIComponent(user.since)}`);
        user.since = sync.next_batch;
        const events = sync.rooms?.join?.[roomId]?.ephemeral?.events ?? [];
        if (events.some((e) => e.type === type && check(e.content))) return;
    }
    throw new Error(`timed out waiting for ${what}`);
}

async function startSyncing(user) {
    user.since = (await api(user, "GET", "/sync?timeout=0")).next_batch;
}

/** A room on Myelin that the Synapse user joined, with both sides seeing the join. */
async function sharedRoom(alice, bob, extra = {}) {
    const { room_id: roomId } = await api(alice, "POST", "/createRoom", { preset: "public_chat", ...extra });
    await api(bob, "POST", `/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(serverName)}`, {});
    await poll(async () => (await api(alice, "GET", `${room(roomId)}/joined_members`)).joined[bob.user_id],
        "the Synapse user's join at Myelin");
    return roomId;
}

test("Typing and read receipts cross between Myelin and Synapse both ways", { skip, timeout: 120_000 }, async () => {
    const alice = await myelinUser("edualice");
    const bob = await synapseUser("edubob");
    const roomId = await sharedRoom(alice, bob);

    await startSyncing(alice);
    await startSyncing(bob);
    const typing = (user, isTyping) =>
        api(user, "PUT", `${room(roomId)}/typing/${encodeURIComponent(user.user_id)}`, { typing: isTyping, timeout: 30000 });
    await typing(alice, true);
    await ephemeralUntil(bob, roomId, "m.typing", (c) => c.user_ids.includes(alice.user_id), "Myelin's typing at Synapse");
    await typing(bob, true);
    await ephemeralUntil(alice, roomId, "m.typing", (c) => c.user_ids.includes(bob.user_id), "Synapse's typing at Myelin");
    await typing(alice, false);
    await ephemeralUntil(bob, roomId, "m.typing", (c) => !c.user_ids.includes(alice.user_id),
        "Myelin's typing stopped at Synapse");

    const { event_id: fromAlice } = await api(alice, "PUT", `${room(roomId)}/send/m.room.message/r1`,
        { msgtype: "m.text", body: "read me" });
    await poll(async () => (await api(bob, "GET", `${room(roomId)}/messages?dir=b&limit=10`)).chunk
        .some((e) => e.event_id === fromAlice), "the message at Synapse");
    await api(bob, "POST", `${room(roomId)}/receipt/m.read/${encodeURIComponent(fromAlice)}`, {});
    await ephemeralUntil(alice, roomId, "m.receipt", (c) => c[fromAlice]?.["m.read"]?.[bob.user_id],
        "Synapse's read receipt at Myelin");

    const { event_id: fromBob } = await api(bob, "PUT", `${room(roomId)}/send/m.room.message/r2`,
        { msgtype: "m.text", body: "read me too" });
    await poll(async () => (await api(alice, "GET", `${room(roomId)}/messages?dir=b&limit=10`)).chunk
        .some((e) => e.event_id === fromBob), "the message at Myelin");
    await api(alice, "POST", `${room(roomId)}/receipt/m.read/${encodeURIComponent(fromBob)}`, {});
    await ephemeralUntil(bob, roomId, "m.receipt", (c) => c[fromBob]?.["m.read"]?.[alice.user_id],
        "Myelin's read receipt at Synapse");
});

/** A started matrix-js-sdk client with Rust crypto, after its first sync. */
async function startCrypto(user) {
    const client = createClient({ baseUrl: user.serverUrl, accessToken: user.access_token, userId: user.user_id,
        deviceId: user.device_id });
    await client.initRustCrypto({ useIndexedDB: false });
    const prepared = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${user.user_id} did not finish its first sync`)), 30_000);
        client.on(ClientEvent.Sync, (syncState) => {
            if (syncState === "PREPARED") {
                clearTimeout(timer);
                resolve();
            }
        });
    });
    await client.startClient({ initialSyncLimit: 20 });
    await prepared;
    clients.push(client);
    return client;
}

/** Waits until a decrypted message with this body arrives in the room. */
function receive(client, roomId, body, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${client.getUserId()} did not decrypt "${body}"`)), timeoutMs);
        const check = (event) => {
            if (event.getRoomId() === roomId && event.getType() === "m.room.message" && event.getContent().body === body) {
                clearTimeout(timer);
                client.off(RoomEvent.Timeline, onTimeline);
                resolve(event);
            }
        };
        const onTimeline = async (event) => {
            if (event.isEncrypted()) {
                await client.decryptEventIfNeeded(event);
                if (event.isDecryptionFailure()) {
                    event.once(MatrixEventEvent.Decrypted, check);
                    return;
                }
            }
            check(event);
        };
        client.on(RoomEvent.Timeline, onTimeline);
        const existing = client.getRoom(roomId);
        if (existing) for (const event of existing.getLiveTimeline().getEvents()) onTimeline(event);
    });
}

test("A Myelin user and a Synapse user exchange end-to-end encrypted messages", { skip, timeout: 180_000 }, async () => {
    const alice = await myelinUser("e2alice");
    const bob = await synapseUser("e2bob");
    const aliceClient = await startCrypto(alice);
    const bobClient = await startCrypto(bob);
    const roomId = await sharedRoom(alice, bob, {
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    await poll(() => aliceClient.getRoom(roomId)?.getMember(bob.user_id)?.membership === "join",
        "alice's client to see bob join");
    await poll(() => bobClient.getRoom(roomId)?.getMember(alice.user_id)?.membership === "join",
        "bob's client to see the room");

    const atBob = receive(bobClient, roomId, "hello Synapse");
    await aliceClient.sendTextMessage(roomId, "hello Synapse");
    const received = await atBob;
    assert.equal(received.getWireType(), "m.room.encrypted", "the message travelled encrypted");

    const atAlice = receive(aliceClient, roomId, "hello Myelin");
    await bobClient.sendTextMessage(roomId, "hello Myelin");
    assert.equal((await atAlice).getWireType(), "m.room.encrypted");
});
