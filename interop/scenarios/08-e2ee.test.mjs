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

/** A started client with Rust crypto, after its first sync. */
async function start(session, cryptoCallbacks = {}) {
    const client = createClient({ baseUrl, accessToken: session.access_token, userId: session.user_id,
        deviceId: session.device_id, cryptoCallbacks });
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

/** The cryptoCallbacks.getSecretStorageKey of Alice's devices: the key she made when bootstrapping. */
async function secretStorageKey({ keys }) {
    const id = Object.keys(keys)[0];
    return state.secretStorageKey ? [id, state.secretStorageKey] : null;
}

async function api(session, method, path, body) {
    const response = await fetch(`${baseUrl}/_matrix/client/v3${path}`, {
        method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.access_token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
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
        getSecretStorageKey: secretStorageKey,
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

test("alice bootstraps cross-signing, secret storage and key backup; her new device restores old keys", async () => {
    const aliceId = state.alice.getUserId();
    const crypto = state.alice.getCrypto();
    await crypto.bootstrapCrossSigning({
        authUploadDeviceSigningKeys: async (makeRequest) => {
            await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: aliceId },
                password: PASSWORD });
        },
    });
    await crypto.bootstrapSecretStorage({
        createSecretStorageKey: () => crypto.createRecoveryKeyFromPassphrase(),
        setupNewSecretStorage: true,
        setupNewKeyBackup: true,
    });
    assert.ok(await crypto.isCrossSigningReady(), "cross-signing is ready");
    assert.ok(await crypto.isSecretStorageReady(), "secret storage is ready");
    await waitFor(() => crypto.getActiveSessionBackupVersion(), "key backup to be enabled");
    // Both room keys Alice holds (her own session and Bob's) reach the backup.
    await waitFor(async () => (await api(state.aliceSession, "GET", "/room_keys/version")).json.count >= 2,
        "alice's room keys in the backup");

    const session = await login(aliceId, "ALICENEW1");
    const second = await start(session, { getSecretStorageKey: secretStorageKey });
    const crypto2 = second.getCrypto();
    await crypto2.loadSessionBackupPrivateKeyFromSecretStorage();
    assert.ok(await crypto2.checkKeyBackupAndEnable(), "the new device finds the backup");
    const restored = await crypto2.restoreKeyBackup();
    assert.ok(restored.imported >= 2, `imported ${restored.imported} of ${restored.total} keys`);
    await receive(second, state.roomId, "hello bob");
    await receive(second, state.roomId, "hello alice");
});

test("bob and alice verify each other's devices with SAS emojis", async () => {
    const aliceId = state.alice.getUserId();
    const aliceReceived = new Promise((resolve) =>
        state.alice.once(CryptoEvent.VerificationRequestReceived, (request) => resolve(request)));
    const bobRequest = await state.bob.getCrypto().requestDeviceVerification(aliceId, state.alice.getDeviceId());
    const aliceRequest = await aliceReceived;
    await aliceRequest.accept();
    await waitFor(() => bobRequest.phase === VerificationPhase.Ready, "bob's request to be ready");
    const bobVerifier = await bobRequest.startVerification("m.sas.v1");
    await waitFor(() => aliceRequest.phase === VerificationPhase.Started && aliceRequest.verifier,
        "alice to see the verification start");
    const aliceVerifier = aliceRequest.verifier;
    const emojis = {};
    for (const [name, verifier] of [["bob", bobVerifier], ["alice", aliceVerifier]]) {
        verifier.on(VerifierEvent.ShowSas, (sas) => {
            emojis[name] = sas.sas.emoji.map(([emoji]) => emoji).join("");
            sas.confirm();
        });
    }
    await Promise.all([bobVerifier.verify(), aliceVerifier.verify()]);
    assert.equal(emojis.alice, emojis.bob, "both saw the same emojis");
    assert.equal(emojis.alice.length > 0, true);
    const status = await state.bob.getCrypto().getDeviceVerificationStatus(aliceId, state.alice.getDeviceId());
    assert.ok(status.isVerified(), "bob's view of alice's device is verified");
});

test("a new device of alice appears in bob's device list and bob's next message is encrypted for it", async () => {
    const aliceId = state.alice.getUserId();
    const session = await login(aliceId, "ALICENEW2");
    const third = await start(session, { getSecretStorageKey: secretStorageKey });
    await waitFor(async () => (await state.bob.getCrypto().getUserDeviceInfo([aliceId])).get(aliceId)
        ?.has("ALICENEW2"), "bob to learn of alice's new device");
    const arrived = receive(third, state.roomId, "hello new device");
    await state.bob.sendTextMessage(state.roomId, "hello new device");
    assert.ok((await arrived).isEncrypted());
});
