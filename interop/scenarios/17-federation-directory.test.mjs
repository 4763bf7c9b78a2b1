// Myelin and a real Synapse (from PyPI, see interop/synapse/install.sh) read each other's rooms without being in
// them, both ways: restricted joins through membership of an allowed room (the resident server names a user who
// could invite and signs the join), the published room directory through /publicRooms?server=, space hierarchies and
// room summaries of rooms on the other server, and knocking through via.
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

function onMyelin(user) {
    return { ...user, server: "myelin", name: serverName,
        call: (method, path, body) => myelinJson(baseUrl, method, path, user.token, body) };
}

function onSynapse(user) {
    return { ...user, server: "synapse", name: synapse.serverName,
        call: (method, path, body) => api.json(method, path, user.token, body) };
}

async function ok(user, method, path, body) {
    const { status, json } = await user.call(method, path, body);
    assert.equal(status, 200, `${user.server} ${method} ${path}: ${JSON.stringify(json)}`);
    return json;
}

const createRoom = async (user, body) => (await ok(user, "POST", "/_matrix/client/v3/createRoom", body)).room_id;
const via = (server) => `via=${encodeURIComponent(server.name)}`;
const join = (user, roomId, server) =>
    ok(user, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?${via(server)}`, {});

/** A room only members of {@code allowed} may join (room version 10). */
const restrictedRoom = (owner, allowed) => createRoom(owner, {
    preset: "private_chat", room_version: "10", name: "Restricted",
    initial_state: [{ type: "m.room.join_rules", state_key: "",
        content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: allowed }] } }],
});

/** The user's membership event in the room, as the viewer's server has it, or null. */
async function memberEvent(viewer, roomId, userId) {
    const { status, json } = await viewer.call("GET",
        `${roomPath(roomId)}/state/m.room.member/${encodeURIComponent(userId)}?format=event`);
    return status === 200 ? json : null;
}

/**
 * A user's sync, followed with since tokens (Synapse caches an initial sync's answer for a while):
 * until(check, what) syncs until check(rooms) is truthy and returns its value.
 */
function syncing(user) {
    let since = null;
    return {
        until: (check, what) => poll(async () => {
            const query = since ? `?timeout=1000&since=${encodeURIComponent(since)}` : "?timeout=0";
            const { status, json } = await user.call("GET", `/_matrix/client/v3/sync${query}`);
            assert.equal(status, 200, JSON.stringify(json));
            since = json.next_batch;
            return check(json.rooms ?? {});
        }, what),
    };
}

async function bothRestricted(resident, joiner) {
    const allowed = await createRoom(resident, { preset: "public_chat", name: "Allowed" });
    const roomId = await restrictedRoom(resident, allowed);
    // Not in the allowed room yet: refused.
    const refused = await joiner.call("POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?${via(resident)}`, {});
    assert.equal(refused.status, 403, JSON.stringify(refused.json));
    await join(joiner, allowed, resident);
    await poll(async () => (await memberEvent(resident, allowed, joiner.userId))?.content?.membership === "join",
        `${joiner.userId} in the allowed room at ${resident.server}`);
    await join(joiner, roomId, resident);
    const event = await poll(() => memberEvent(resident, roomId, joiner.userId), `the join at ${resident.server}`);
    assert.equal(event.content.membership, "join");
    assert.equal(event.content.join_authorised_via_users_server, resident.userId);
}

test("A Myelin user joins a restricted Synapse room through an allowed room", { skip, timeout: 180_000 }, async () => {
    const sam = onSynapse(await api.register("dirsam"));
    const mia = onMyelin(await myelinUser(baseUrl, sharedSecret, "dirmia"));
    await bothRestricted(sam, mia);
});

test("A Synapse user joins a restricted Myelin room through an allowed room", { skip, timeout: 180_000 }, async () => {
    const mo = onMyelin(await myelinUser(baseUrl, sharedSecret, "dirmo"));
    const sol = onSynapse(await api.register("dirsol"));
    await bothRestricted(mo, sol);
});

test("Each lists the other's published rooms with /publicRooms?server=", { skip, timeout: 180_000 }, async () => {
    const sam = onSynapse(await api.register("pubsam"));
    const mia = onMyelin(await myelinUser(baseUrl, sharedSecret, "pubmia"));
    const tag = `pub${Date.now()}`;
    for (const [owner, reader] of [[sam, mia], [mia, sam]]) {
        const roomId = await createRoom(owner, { preset: "public_chat", visibility: "public", name: `Lobby ${tag}` });
        const spaceId = await createRoom(owner, { preset: "public_chat", visibility: "public", name: `Space ${tag}`,
            creation_content: { type: "m.space" } });
        const server = `?server=${encodeURIComponent(owner.name)}`;
        const listed = await poll(async () => {
            const { status, json } = await reader.call("GET", `/_matrix/client/v3/publicRooms${server}`);
            return status === 200 && json.chunk.some((room) => room.room_id === roomId) ? json : null;
        }, `${owner.server}'s room in ${reader.server}'s listing`);
        const entry = listed.chunk.find((room) => room.room_id === roomId);
        assert.equal(entry.name, `Lobby ${tag}`);
        assert.equal(entry.num_joined_members, 1);
        const spaces = await ok(reader, "POST", `/_matrix/client/v3/publicRooms${server}`,
            { filter: { generic_search_term: tag, room_types: ["m.space"] } });
        assert.deepEqual(spaces.chunk.map((room) => room.room_id), [spaceId]);
    }
});

test("Each reads a space on the other server: summary, then hierarchy", { skip, timeout: 180_000 }, async () => {
    const sam = onSynapse(await api.register("spcsam"));
    const mia = onMyelin(await myelinUser(baseUrl, sharedSecret, "spcmia"));
    for (const [owner, reader] of [[sam, mia], [mia, sam]]) {
        const spaceId = await createRoom(owner, { preset: "public_chat", name: `Space of ${owner.server}`,
            creation_content: { type: "m.space" } });
        const child = await createRoom(owner, { preset: "public_chat", name: "Child room", topic: "inside" });
        const secret = await createRoom(owner, { preset: "private_chat", name: "Secret child" });
        for (const roomId of [child, secret]) {
            await ok(owner, "PUT", `${roomPath(spaceId)}/state/m.space.child/${encodeURIComponent(roomId)}`,
                { via: [owner.name], suggested: true });
        }
        // A summary of a room the reader's server is not in.
        const summary = await ok(reader, "GET",
            `/_matrix/client/v1/room_summary/${encodeURIComponent(child)}?${via(owner)}`);
        assert.equal(summary.name, "Child room");
        assert.equal(summary.topic, "inside");
        assert.equal(summary.join_rule, "public");
        const hidden = await reader.call("GET",
            `/_matrix/client/v1/room_summary/${encodeURIComponent(secret)}?${via(owner)}`);
        assert.equal(hidden.status, 404, JSON.stringify(hidden.json));

        // Joined to the space, the reader's server fills in the children it is not in over federation.
        await join(reader, spaceId, owner);
        const hierarchy = await poll(async () => {
            const { status, json } = await reader.call("GET",
                `/_matrix/client/v1/rooms/${encodeURIComponent(spaceId)}/hierarchy`);
            return status === 200 && json.rooms.some((room) => room.room_id === child) ? json : null;
        }, `the child in ${reader.server}'s hierarchy`);
        const ids = hierarchy.rooms.map((room) => room.room_id);
        assert.equal(ids[0], spaceId);
        assert.ok(!ids.includes(secret), `${reader.server} shows the secret child`);
        assert.equal(hierarchy.rooms.find((room) => room.room_id === child).name, "Child room");
        assert.deepEqual(hierarchy.rooms[0].children_state.map((e) => e.state_key).sort(), [child, secret].sort());
    }
});

test("Each knocks on a room of the other through via", { skip, timeout: 180_000 }, async () => {
    const sam = onSynapse(await api.register("knksam"));
    const mia = onMyelin(await myelinUser(baseUrl, sharedSecret, "knkmia"));
    for (const [owner, knocker] of [[sam, mia], [mia, sam]]) {
        const roomId = await createRoom(owner, { preset: "private_chat", room_version: "10", name: "Knock knock",
            initial_state: [{ type: "m.room.join_rules", state_key: "", content: { join_rule: "knock" } }] });
        const knocked = await ok(knocker, "POST", `/_matrix/client/v3/knock/${encodeURIComponent(roomId)}?${via(owner)}`,
            { reason: "hello" });
        assert.equal(knocked.room_id, roomId);
        const event = await poll(() => memberEvent(owner, roomId, knocker.userId), `the knock at ${owner.server}`);
        assert.equal(event.content.membership, "knock");
        const sync = syncing(knocker);
        const knock = await sync.until((rooms) => rooms.knock?.[roomId], `the knock in ${knocker.server}'s sync`);
        assert.ok(knock.knock_state.events.some((e) => e.type === "m.room.name" && e.content.name === "Knock knock"));
        // The owner lets them in.
        await ok(owner, "POST", `${roomPath(roomId)}/invite`, { user_id: knocker.userId });
        await sync.until((rooms) => rooms.invite?.[roomId], `the invite in ${knocker.server}'s sync`);
        await join(knocker, roomId, owner);
        await poll(async () => (await memberEvent(owner, roomId, knocker.userId))?.content?.membership === "join",
            `the join at ${owner.server}`);
    }
});

test("Each reads the other's users' profiles", { skip, timeout: 180_000 }, async () => {
    const sam = onSynapse(await api.register("prosam"));
    const mia = onMyelin(await myelinUser(baseUrl, sharedSecret, "promia"));
    const profile = (userId) => `/_matrix/client/v3/profile/${encodeURIComponent(userId)}`;
    await ok(sam, "PUT", `${profile(sam.userId)}/displayname`, { displayname: "Sam on Synapse" });
    await ok(mia, "PUT", `${profile(mia.userId)}/displayname`, { displayname: "Mia on Myelin" });

    assert.equal((await ok(mia, "GET", profile(sam.userId))).displayname, "Sam on Synapse");
    assert.deepEqual(await ok(mia, "GET", `${profile(sam.userId)}/displayname`), { displayname: "Sam on Synapse" });
    assert.equal((await ok(sam, "GET", profile(mia.userId))).displayname, "Mia on Myelin");
    assert.deepEqual(await ok(sam, "GET", `${profile(mia.userId)}/displayname`), { displayname: "Mia on Myelin" });

    const unknown = await mia.call("GET", profile(`@nobody-here:${synapse.serverName}`));
    assert.equal(unknown.status, 404, JSON.stringify(unknown.json));
    assert.equal(unknown.json.errcode, "M_NOT_FOUND");
});
