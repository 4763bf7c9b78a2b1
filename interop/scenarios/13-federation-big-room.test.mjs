// A big room on a real Synapse (from PyPI, see interop/synapse/install.sh) on loopback: 1,000 members and a few
// hundred messages. A Myelin user joins it with faster joins (MSC3706 partial state) and sends and reads at once; the
// background resync completes Myelin's member list; /messages on Myelin reaches the room's creation through
// backfill; and messages cross both ways.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSynapse, synapseClient, synapseInstalled, SYNAPSE_VENV } from "../lib/synapse.mjs";
import { inParallel, myelinJson, myelinUser, poll, roomPath } from "../lib/federation.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const skip = synapseInstalled() ? false : `Synapse is not installed in ${SYNAPSE_VENV} (run interop/synapse/install.sh)`;
// Smaller rooms for a quick run while developing: BIG_ROOM_MEMBERS=100 node run.mjs 13-
const MEMBERS = Number(process.env.BIG_ROOM_MEMBERS ?? 1000);
const MESSAGES = Number(process.env.BIG_ROOM_MESSAGES ?? 300);
let synapse;
let api;

before(async () => {
    if (!skip) {
        synapse = await startSynapse();
        api = synapseClient(synapse);
    }
}, { timeout: 180_000 });

after(async () => {
    api?.close();
    await synapse?.stop();
});

async function ok(answer, what) {
    const { status, json } = await answer;
    assert.ok(status === 200 || status === 201, `${what}: ${status} ${JSON.stringify(json)}`);
    return json;
}

/**
 * The Synapse room: created by an admin, most messages sent (cheaper while the room is small: Synapse evaluates push
 * rules for every member), then 999 users created and joined through the admin API, then the last messages.
 */
async function bigSynapseRoom() {
    const admin = await api.register("bigadmin", { admin: true });
    const { room_id: roomId } = await ok(api.json("POST", "/_matrix/client/v3/createRoom", admin.token,
        { preset: "public_chat", name: "Big Synapse room" }), "createRoom");
    const sendHistory = (from, to) => inParallel(Array.from({ length: to - from }, (_, i) => from + i), 4,
        (i) => ok(api.json("PUT", `${roomPath(roomId)}/send/m.room.message/big${i}`, admin.token,
            { msgtype: "m.text", body: `history ${i}` }), `message ${i}`));
    await sendHistory(0, MESSAGES - 10);
    const host = synapse.serverName;
    let phase = Date.now();
    const users = Array.from({ length: MEMBERS - 1 }, (_, i) => `@big${i}:${host}`);
    await inParallel(users, 16, async (userId) => {
        await ok(api.json("PUT", `/_synapse/admin/v2/users/${encodeURIComponent(userId)}`, admin.token,
            { displayname: userId.slice(1, userId.indexOf(":")) }), `creating ${userId}`);
        await ok(api.json("POST", `/_synapse/admin/v1/join/${encodeURIComponent(roomId)}`, admin.token,
            { user_id: userId }), `joining ${userId}`);
    });
    console.log(`${MEMBERS - 1} users created and joined at Synapse in ${Date.now() - phase} ms`);
    await sendHistory(MESSAGES - 10, MESSAGES);
    return { admin, roomId };
}

/** Every event of the room on Myelin, newest first, paginating /messages backwards until it ends. */
async function wholeHistory(user, roomId) {
    const events = [];
    let from;
    for (let page = 0; page < 100; page++) {
        const query = `dir=b&limit=100${from ? `&from=${encodeURIComponent(from)}` : ""}`;
        const json = await ok(myelinJson(baseUrl, "GET", `${roomPath(roomId)}/messages?${query}`, user.token),
            "Myelin /messages");
        events.push(...json.chunk);
        if (!json.end || json.chunk.length === 0) return events;
        from = json.end;
    }
    throw new Error("/messages did not end after 100 pages");
}

test("A Myelin user joins a 1,000-member Synapse room with partial state, and the resync and backfill complete it",
    // About 100 s on a quiet machine (most of it Synapse joining 999 users); the margin is for a loaded one.
    { skip, timeout: 600_000 }, async () => {
        let started = Date.now();
        const { admin, roomId } = await bigSynapseRoom();
        console.log(`Synapse room with ${MEMBERS} members and ${MESSAGES} messages built in ${Date.now() - started} ms`);

        const zoe = await myelinUser(baseUrl, sharedSecret, "bigzoe");
        const joinStarted = Date.now();
        await ok(myelinJson(baseUrl, "POST",
            `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(synapse.serverName)}`,
            zoe.token, {}), "Myelin join");
        const joinMs = Date.now() - joinStarted;
        // Usable at once: the room's state, reading and sending, while the member list may still be partial.
        const name = await ok(myelinJson(baseUrl, "GET", `${roomPath(roomId)}/state/m.room.name/`, zoe.token), "name");
        assert.equal(name.name, "Big Synapse room");
        started = Date.now();
        const recent = await ok(myelinJson(baseUrl, "GET", `${roomPath(roomId)}/messages?dir=b&limit=10`, zoe.token),
            "recent messages");
        assert.ok(recent.chunk.some((e) => e.type === "m.room.message" && e.content.body.startsWith("history ")),
            JSON.stringify(recent.chunk.map((e) => e.type)));
        const readMs = Date.now() - started;
        started = Date.now();
        const sent = await ok(myelinJson(baseUrl, "PUT", `${roomPath(roomId)}/send/m.room.message/z1`, zoe.token,
            { msgtype: "m.text", body: "hello from Myelin" }), "Myelin send");
        console.log(`Myelin joined in ${joinMs} ms; the first /messages (backfilling) took ${readMs} ms, a send `
            + `${Date.now() - started} ms`);

        // Synapse gets Myelin's message.
        await poll(async () => (await api.json("GET", `${roomPath(roomId)}/event/${encodeURIComponent(sent.event_id)}`,
            admin.token)).status === 200, "Myelin's message at Synapse", 60_000);

        // The resync completes the member list: /members on Myelin lists all of them and Zoe.
        await poll(async () => {
            const { status, json } = await myelinJson(baseUrl, "GET", `${roomPath(roomId)}/members?membership=join`,
                zoe.token);
            return status === 200 && json.chunk.length === MEMBERS + 1;
        }, "Myelin's member list to complete", 120_000);
        console.log(`Resync complete (/members lists ${MEMBERS + 1}) ${Date.now() - joinStarted} ms after the join began`);
        const joined = await ok(myelinJson(baseUrl, "GET", `${roomPath(roomId)}/joined_members`, zoe.token),
            "joined_members");
        assert.equal(Object.keys(joined.joined).length, MEMBERS + 1);
        assert.ok(joined.joined[`@big${MEMBERS - 2}:${synapse.serverName}`]);

        // Backfill: /messages backwards on Myelin reaches the create event through every message and join.
        started = Date.now();
        const history = await wholeHistory(zoe, roomId);
        console.log(`Backfilled ${history.length} events in ${Date.now() - started} ms`);
        assert.equal(history.at(-1).type, "m.room.create");
        const bodies = new Set(history.filter((e) => e.type === "m.room.message").map((e) => e.content.body));
        for (let i = 0; i < MESSAGES; i++) assert.ok(bodies.has(`history ${i}`), `history ${i} missing`);
        const joins = history.filter((e) => e.type === "m.room.member" && e.content.membership === "join");
        assert.equal(new Set(joins.map((e) => e.state_key)).size, MEMBERS + 1);

        // A message from Synapse reaches Myelin's client through /sync.
        const { next_batch: since } = await ok(myelinJson(baseUrl, "GET", "/_matrix/client/v3/sync?timeout=0",
            zoe.token), "sync");
        await ok(api.json("PUT", `${roomPath(roomId)}/send/m.room.message/late`, admin.token,
            { msgtype: "m.text", body: "hello from Synapse" }), "Synapse send");
        let token = since;
        await poll(async () => {
            const sync = await ok(myelinJson(baseUrl, "GET",
                `/_matrix/client/v3/sync?timeout=5000&since=${encodeURIComponent(token)}`, zoe.token), "sync");
            token = sync.next_batch;
            return (sync.rooms?.join?.[roomId]?.timeline?.events ?? [])
                .some((e) => e.content?.body === "hello from Synapse");
        }, "Synapse's message in Myelin's sync", 60_000);
    });
