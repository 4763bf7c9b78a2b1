// Rooms shared with a real Synapse (from PyPI, see interop/synapse/install.sh) on loopback: a Synapse user joins a
// Myelin room and they chat both ways, and a Myelin user joins a Synapse room.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { startSynapse, synapseInstalled, SYNAPSE_VENV } from "../lib/synapse.mjs";
import { registerUser } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const skip = synapseInstalled() ? false : `Synapse is not installed in ${SYNAPSE_VENV} (run interop/synapse/install.sh)`;
let synapse;

before(async () => {
    if (!skip) synapse = await startSynapse();
}, { timeout: 180_000 });

after(async () => {
    await synapse?.stop();
});

/** A JSON request to Synapse over https, trusting its self-signed certificate. */
function synapseJson(method, path, token, body) {
    return new Promise((resolve, reject) => {
        const headers = { "Content-Type": "application/json" };
        if (token) headers.Authorization = `Bearer ${token}`;
        const req = request(`${synapse.baseUrl}${path}`, { method, headers, ca: readFileSync(synapse.caFile) },
            (response) => {
                let text = "";
                response.setEncoding("utf8");
                response.on("data", (chunk) => { text += chunk; });
                response.on("end", () => resolve({ status: response.statusCode, json: text ? JSON.parse(text) : {} }));
            });
        req.on("error", reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
    });
}

async function synapseUser(prefix) {
    const { json: { nonce } } = await synapseJson("GET", "/_synapse/admin/v1/register");
    const username = `${prefix}${Date.now() % 100000}`;
    const password = "interop-password-1";
    const mac = createHmac("sha1", synapse.sharedSecret).update(`${nonce}\0${username}\0${password}\0notadmin`)
        .digest("hex");
    const { status, json } = await synapseJson("POST", "/_synapse/admin/v1/register", null,
        { nonce, username, password, admin: false, mac });
    assert.equal(status, 200, JSON.stringify(json));
    return { userId: json.user_id, token: json.access_token };
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

const room = (roomId) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
let txn = 0;

async function synapseBodies(user, roomId) {
    const { json } = await synapseJson("GET", `${room(roomId)}/messages?dir=b&limit=20`, user.token);
    return (json.chunk ?? []).filter((e) => e.type === "m.room.message").map((e) => e.content.body);
}

async function myelinBodies(client, roomId) {
    const { chunk } = await client.createMessagesRequest(roomId, null, 20, "b");
    return chunk.filter((e) => e.type === "m.room.message").map((e) => e.content.body);
}

test("A Synapse user joins a Myelin room and they chat both ways", { skip, timeout: 120_000 }, async () => {
    const alice = await registerUser(baseUrl, sharedSecret, "fedalice");
    const { room_id: roomId } = await alice.createRoom({ preset: "public_chat", name: "Myelin room" });
    const bob = await synapseUser("fedbob");

    const joined = await synapseJson("POST",
        `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(serverName)}`,
        bob.token, {});
    assert.equal(joined.status, 200, JSON.stringify(joined.json));
    await poll(async () => (await alice.getJoinedRoomMembers(roomId)).joined[bob.userId], "Bob's join at Myelin");

    await alice.sendTextMessage(roomId, "hello from Myelin");
    await poll(async () => (await synapseBodies(bob, roomId)).includes("hello from Myelin"), "Myelin's message at Synapse");

    const sent = await synapseJson("PUT", `${room(roomId)}/send/m.room.message/t${++txn}`, bob.token,
        { msgtype: "m.text", body: "hello from Synapse" });
    assert.equal(sent.status, 200, JSON.stringify(sent.json));
    await poll(async () => (await myelinBodies(alice, roomId)).includes("hello from Synapse"), "Synapse's message at Myelin");
});

test("A Myelin user joins a Synapse room", { skip, timeout: 120_000 }, async () => {
    const carol = await synapseUser("fedcarol");
    const created = await synapseJson("POST", "/_matrix/client/v3/createRoom", carol.token,
        { preset: "public_chat", name: "Synapse room" });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const roomId = created.json.room_id;
    const dave = await registerUser(baseUrl, sharedSecret, "feddave");

    await dave.joinRoom(roomId, { viaServers: [synapse.serverName] });
    const name = await dave.getStateEvent(roomId, "m.room.name", "");
    assert.equal(name.name, "Synapse room");

    await dave.sendTextMessage(roomId, "hello from Myelin");
    await poll(async () => (await synapseBodies(carol, roomId)).includes("hello from Myelin"), "Myelin's message at Synapse");
    await synapseJson("PUT", `${room(roomId)}/send/m.room.message/t${++txn}`, carol.token,
        { msgtype: "m.text", body: "welcome" });
    await poll(async () => (await myelinBodies(dave, roomId)).includes("welcome"), "Synapse's message at Myelin");
});
