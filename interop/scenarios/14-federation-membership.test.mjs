// Users of Myelin and of a real Synapse (from PyPI, see interop/synapse/install.sh) in one room: edits and redactions
// cross both ways and are seen as such; leave, kick, ban, unban and rejoin both ways, with the same memberships in
// both servers' /members; and while Synapse is stopped, Myelin queues its events and delivers them once Synapse is
// back (the sender's back-off and catch-up).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSynapse, synapseClient, synapseInstalled, SYNAPSE_VENV } from "../lib/synapse.mjs";
import { myelinJson, myelinUser, poll, roomPath } from "../lib/federation.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const skip = synapseInstalled() ? false : `Synapse is not installed in ${SYNAPSE_VENV} (run interop/synapse/install.sh)`;
let synapse;
let api;
let txn = 0;

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

/** One user of either server, with a Client-Server request function that asserts success unless told otherwise. */
function onMyelin(user) {
    return { ...user, server: "myelin", call: (method, path, body) => myelinJson(baseUrl, method, path, user.token, body) };
}

function onSynapse(user) {
    return { ...user, server: "synapse", call: (method, path, body) => api.json(method, path, user.token, body) };
}

async function ok(user, method, path, body) {
    const { status, json } = await user.call(method, path, body);
    assert.equal(status, 200, `${user.server} ${method} ${path}: ${JSON.stringify(json)}`);
    return json;
}

const send = (user, roomId, content, type = "m.room.message") =>
    ok(user, "PUT", `${roomPath(roomId)}/send/${type}/m${++txn}`, content);

/** The event as the user's server shows it, or null while it has not arrived. */
async function eventAt(user, roomId, eventId) {
    const { status, json } = await user.call("GET", `${roomPath(roomId)}/event/${encodeURIComponent(eventId)}`);
    return status === 200 ? json : null;
}

/** The membership of {@code userId} in the user's server's /members. */
async function membershipAt(user, roomId, userId) {
    const { status, json } = await user.call("GET", `${roomPath(roomId)}/members`);
    if (status !== 200) return null;
    return json.chunk.find((e) => e.state_key === userId)?.content.membership ?? null;
}

/** Waits until both servers' /members agree that {@code userId} has this membership. */
async function bothSee(viewers, roomId, userId, membership) {
    for (const viewer of viewers) {
        await poll(async () => (await membershipAt(viewer, roomId, userId)) === membership,
            `${userId} ${membership} in ${viewer.server}'s /members`, 60_000);
    }
}

async function join(user, roomId) {
    await ok(user, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(serverName)}`, {});
}

/** A room on Myelin where alice (Myelin) and bob (Synapse) are both admins, carol (Myelin) and dan (Synapse) members. */
async function sharedRoom() {
    const alice = onMyelin(await myelinUser(baseUrl, sharedSecret, "memalice"));
    const carol = onMyelin(await myelinUser(baseUrl, sharedSecret, "memcarol"));
    const bob = onSynapse(await api.register("membob"));
    const dan = onSynapse(await api.register("memdan"));
    const { room_id: roomId } = await ok(alice, "POST", "/_matrix/client/v3/createRoom", {
        preset: "public_chat",
        power_level_content_override: { users: { [alice.userId]: 100, [bob.userId]: 100 } },
    });
    for (const user of [bob, carol, dan]) {
        await join(user, roomId);
    }
    for (const user of [bob, carol, dan]) {
        await bothSee([alice, bob], roomId, user.userId, "join");
    }
    return { alice, bob, carol, dan, roomId };
}

test("Edits and redactions cross between Myelin and Synapse both ways", { skip, timeout: 180_000 }, async () => {
    const { alice, bob, roomId } = await sharedRoom();
    for (const [author, reader] of [[alice, bob], [bob, alice]]) {
        const { event_id: original } = await send(author, roomId, { msgtype: "m.text", body: "first draft" });
        const { event_id: edit } = await send(author, roomId, {
            msgtype: "m.text", body: "* final",
            "m.new_content": { msgtype: "m.text", body: "final" },
            "m.relates_to": { rel_type: "m.replace", event_id: original },
        });
        // The reader's server bundles the edit with the original and lists it among its relations.
        const bundled = await poll(async () => {
            const event = await eventAt(reader, roomId, original);
            return event?.unsigned?.["m.relations"]?.["m.replace"] ? event : null;
        }, `the edit bundled at ${reader.server}`, 60_000);
        assert.equal(bundled.unsigned["m.relations"]["m.replace"].event_id, edit);
        const relations = await ok(reader, "GET",
            `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(original)}/m.replace`);
        assert.deepEqual(relations.chunk.map((e) => e.event_id), [edit]);

        // A redaction by the author empties the message at the reader's server.
        const { event_id: doomed } = await send(author, roomId, { msgtype: "m.text", body: "regrettable" });
        await poll(() => eventAt(reader, roomId, doomed), `the message at ${reader.server}`, 60_000);
        const { event_id: redaction } = await ok(author, "PUT",
            `${roomPath(roomId)}/redact/${encodeURIComponent(doomed)}/r${++txn}`, { reason: "oops" });
        const redacted = await poll(async () => {
            const event = await eventAt(reader, roomId, doomed);
            return event?.unsigned?.redacted_because ? event : null;
        }, `the redaction at ${reader.server}`, 60_000);
        assert.deepEqual(redacted.content, {});
        assert.equal(redacted.unsigned.redacted_because.event_id, redaction);
    }
});

test("Leave, kick, ban, unban and rejoin both ways, with the same memberships on both servers",
    { skip, timeout: 300_000 }, async () => {
        const { alice, bob, carol, dan, roomId } = await sharedRoom();
        const viewers = [alice, bob];
        // Each admin acts on a member of the other server.
        for (const [admin, target] of [[bob, carol], [alice, dan]]) {
            await ok(admin, "POST", `${roomPath(roomId)}/kick`, { user_id: target.userId, reason: "kick" });
            await bothSee(viewers, roomId, target.userId, "leave");
            await join(target, roomId);
            await bothSee(viewers, roomId, target.userId, "join");

            await ok(admin, "POST", `${roomPath(roomId)}/ban`, { user_id: target.userId, reason: "ban" });
            await bothSee(viewers, roomId, target.userId, "ban");
            const refused = await target.call("POST",
                `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${encodeURIComponent(serverName)}`, {});
            assert.equal(refused.status, 403, JSON.stringify(refused.json));

            await ok(admin, "POST", `${roomPath(roomId)}/unban`, { user_id: target.userId });
            await bothSee(viewers, roomId, target.userId, "leave");
            await join(target, roomId);
            await bothSee(viewers, roomId, target.userId, "join");

            await ok(target, "POST", `${roomPath(roomId)}/leave`, {});
            await bothSee(viewers, roomId, target.userId, "leave");
            await join(target, roomId);
            await bothSee(viewers, roomId, target.userId, "join");
        }
        // Both servers end with the same member list.
        const lists = [];
        for (const viewer of viewers) {
            const { chunk } = await ok(viewer, "GET", `${roomPath(roomId)}/members`);
            lists.push(Object.fromEntries(chunk.map((e) => [e.state_key, e.content.membership])));
        }
        assert.deepEqual(lists[0], lists[1]);
    });

test("Events sent while Synapse is down reach it once it is back", { skip, timeout: 300_000 }, async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const bodies = ["while down 1", "while down 2", "while down 3"];
    const sent = [];
    await synapse.restart(async () => {
        for (const body of bodies) {
            sent.push((await send(alice, roomId, { msgtype: "m.text", body })).event_id);
        }
        // Long enough for Myelin to fail a transaction and back off.
        await new Promise((r) => setTimeout(r, 3000));
    });
    for (const eventId of sent) {
        await poll(() => eventAt(bob, roomId, eventId), `${eventId} at Synapse after its restart`, 120_000);
    }
    // And the room goes on both ways.
    const { event_id: reply } = await send(bob, roomId, { msgtype: "m.text", body: "back" });
    await poll(() => eventAt(alice, roomId, reply), "Synapse's reply at Myelin", 60_000);
});
