// End-to-end encryption with matrix-js-sdk and its Rust crypto (WASM): Alice and Bob talk in an encrypted room
// both ways; Alice sets up cross-signing, secret storage and key backup, and a second device of hers restores
// the room keys from the backup and decrypts old messages; Bob and Alice verify each other with SAS emojis; a new
// device of Alice appears in Bob's device list and Bob's next message is encrypted for it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createClient, ClientEvent, RoomEvent, MatrixEventEvent } from "matrix-js-sdk";
import { CryptoEvent, VerificationPhase, VerifierEvent } from "matrix-js-sdk/lib/crypto-api/index.js";
import { logger } from "matrix-js-sdk/lib/logger.js";

logger.setLevel("warn");

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const PASSWORD = "e2ee-password-1";
const state = { clients: [] };

async function register(prefix) {
    const { nonce } = await (await fetch(`${baseUrl}/_synapse/admin/v1/register`)).json();
    const username = `${prefix}${Date.now() % 100000}${Math.floor(Math.random() * 1000)}`;
    const mac = createHmac("sha1", sharedSecret).update(`${nonce}\0${username}\0${PASSWORD}\0notadmin`).digest("hex");
    const response = await fetch(`${baseUrl}/_synapse/admin/v1/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ nonce, username, password: PASSWORD, admin: false, mac }),
    });
    const json = await response.json();
    assert.equal(response.status, 200, JSON.stringify(json));
    return json;
}

async function login(userId, deviceId) {
    const response = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: userId },
            password: PASSWORD, device_id: deviceId }),
    });
    const json = await response.json();
    assert.equal(response.status, 200, JSON.stringify(json));
    return json;
}

/**
 * Push rules belong to another area of the server: until GET /pushrules/ exists there, answer the client's
 * startup request with an empty rule set (only when the server answers 404), so these scenarios test E2EE alone.
 */
async function fetchWithoutPushRules(input, init) {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (response.status === 404 && new URL(url).pathname.endsWith("/pushrules/")) {
        return new Response(JSON.stringify({ global: {} }), { status: 200,
            headers: { "Content-Type": "application/json" } });
    }
    return response;
}

/** A started client with Rust crypto, after its first sync. */
async function start(session, cryptoCallbacks = {}) {
    const client = createClient({ baseUrl, accessToken: session.access_token, userId: session.user_id,
        deviceId: session.device_id, cryptoCallbacks, fetchFn: fetchWithoutPushRules });
    await client.initRustCrypto({ useIndexedDB: false });
    const prepared = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${session.user_id} did not finish its first sync`)), 30_000);
        const onSync = (syncState) => {
            if (syncState === "PREPARED") {
                clearTimeout(timer);
                client.off(ClientEvent.Sync, onSync);
                resolve();
            }
        };
        client.on(ClientEvent.Sync, onSync);
    });
    await client.startClient({ initialSyncLimit: 20 });
    await prepared;
    state.clients.push(client);
    return client;
}

after(() => {
    for (const client of state.clients) client.stopClient();
});

/** Waits until a (decrypted) message with this body arrives in the room. */
function receive(client, roomId, body, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${client.getUserId()} did not decrypt "${body}"`)),
            timeoutMs);
        const check = (event) => {
            if (event.getRoomId() !== roomId) return;
            if (event.getType() === "m.room.message" && event.getContent().body === body) {
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
        const room = client.getRoom(roomId);
        if (room) for (const event of room.getLiveTimeline().getEvents()) onTimeline(event);
    });
}

async function waitFor(predicate, what, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await predicate()) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
}

test("alice and bob exchange encrypted messages both ways", async () => {
    state.aliceSession = await register("ealice");
    state.bobSession = await register("ebob");
    state.alice = await start(state.aliceSession, {
        getSecretStorageKey: async ({ keys }) => {
            const id = Object.keys(keys)[0];
            return state.secretStorageKey ? [id, state.secretStorageKey] : null;
        },
        cacheSecretStorageKey: (_id, _info, key) => { state.secretStorageKey = key; },
    });
    state.bob = await start(state.bobSession);
    const { room_id: roomId } = await state.alice.createRoom({
        name: "Secret room", preset: "private_chat", invite: [state.bob.getUserId()],
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    state.roomId = roomId;
    await waitFor(() => state.bob.getRoom(roomId), "bob's invite");
    await state.bob.joinRoom(roomId);
    await waitFor(() => state.alice.getRoom(roomId)?.getMember(state.bob.getUserId())?.membership === "join",
        "alice to see bob join");

    const fromAlice = receive(state.bob, roomId, "hello bob");
    await state.alice.sendTextMessage(roomId, "hello bob");
    const received = await fromAlice;
    assert.ok(received.isEncrypted(), "the message travelled encrypted");
    assert.equal(received.getWireType(), "m.room.encrypted");

    const fromBob = receive(state.alice, roomId, "hello alice");
    await state.bob.sendTextMessage(roomId, "hello alice");
    assert.ok((await fromBob).isEncrypted());
});
