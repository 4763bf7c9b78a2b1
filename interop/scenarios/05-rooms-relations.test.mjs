// Relations with matrix-js-sdk: two users edit and react, reply in a thread, read the bundled aggregations back,
// paginate back through 1,000 messages, then alice upgrades the room and bob follows the tombstone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Direction, Filter, ClientPrefix, Method } from "matrix-js-sdk";
import { registerUser } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const newUser = (prefix) => registerUser(baseUrl, sharedSecret, prefix);
const state = {};

const text = (body) => ({ msgtype: "m.text", body });

test("alice and bob share a room; alice edits a message and bob reacts to it", async () => {
    state.alice = await newUser("relalice");
    state.bob = await newUser("relbob");
    const { room_id } = await state.alice.createRoom({ name: "Relations", preset: "public_chat", room_version: "12" });
    state.roomId = room_id;
    await state.bob.joinRoom(room_id, { syncRoom: false });

    const { event_id: original } = await state.alice.sendEvent(room_id, "m.room.message", text("I like cake"));
    state.original = original;
    await state.alice.sendEvent(room_id, "m.room.message", {
        ...text("* I like chocolate cake"),
        "m.new_content": text("I like chocolate cake"),
        "m.relates_to": { rel_type: "m.replace", event_id: original },
    });
    const { event_id: reaction } = await state.bob.sendEvent(room_id, "m.reaction", {
        "m.relates_to": { rel_type: "m.annotation", event_id: original, key: "🍰" },
    });
    // A second identical reaction is refused.
    await assert.rejects(state.bob.sendEvent(room_id, "m.reaction", {
        "m.relates_to": { rel_type: "m.annotation", event_id: original, key: "🍰" },
    }), (e) => e.errcode === "M_DUPLICATE_ANNOTATION");

    const event = await state.bob.fetchRoomEvent(room_id, original);
    assert.equal(event.content.body, "I like cake", "the original content is left as it was");
    assert.equal(event.unsigned["m.relations"]["m.replace"].content["m.new_content"].body, "I like chocolate cake");

    const reactions = await state.alice.fetchRelations(room_id, original, "m.annotation", "m.reaction");
    assert.deepEqual(reactions.chunk.map((e) => e.event_id), [reaction]);
    assert.equal(reactions.chunk[0].content["m.relates_to"].key, "🍰");
});

test("bob replies in a thread and both see it in the thread list", async () => {
    const { roomId, alice, bob } = state;
    const { event_id: root } = await alice.sendEvent(roomId, "m.room.message", text("Thread root"));
    state.root = root;
    const replies = [];
    for (const [client, body] of [[bob, "first reply"], [alice, "second reply"], [bob, "third reply"]]) {
        const { event_id } = await client.sendEvent(roomId, "m.room.message", {
            ...text(body),
            "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true,
                "m.in_reply_to": { event_id: replies.at(-1) ?? root } },
        });
        replies.push(event_id);
    }
    const thread = await bob.fetchRelations(roomId, root, "m.thread", null, { dir: Direction.Forward });
    assert.deepEqual(thread.chunk.map((e) => e.event_id), replies);

    const rootEvent = await bob.fetchRoomEvent(roomId, root);
    const summary = rootEvent.unsigned["m.relations"]["m.thread"];
    assert.equal(summary.count, 3);
    assert.equal(summary.latest_event.event_id, replies[2]);
    assert.equal(summary.current_user_participated, true);

    const path = `/rooms/${encodeURIComponent(roomId)}/threads`;
    const list = await alice.http.authedRequest(Method.Get, path, { include: "all" }, undefined,
        { prefix: ClientPrefix.V1 });
    assert.deepEqual(list.chunk.map((e) => e.event_id), [root]);
    const mine = await bob.http.authedRequest(Method.Get, path, { include: "participated" }, undefined,
        { prefix: ClientPrefix.V1 });
    assert.deepEqual(mine.chunk.map((e) => e.event_id), [root]);
});

test("bob paginates back through 1,000 messages", async () => {
    const { roomId, alice, bob } = state;
    const sent = [];
    for (let i = 0; i < 1000; i++) {
        const { event_id } = await alice.sendEvent(roomId, "m.room.message", text(`bulk ${i}`), `bulk-${i}`);
        sent.push(event_id);
    }
    const filter = new Filter(bob.getUserId());
    filter.setDefinition({ room: { timeline: { types: ["m.room.message"] } } });
    const seen = [];
    let from = null;
    for (let page = 0; page < 50; page++) {
        const response = await bob.createMessagesRequest(roomId, from, 100, Direction.Backward, filter);
        seen.push(...response.chunk.map((e) => e.event_id));
        if (!response.end) {
            break;
        }
        from = response.end;
    }
    assert.deepEqual(seen.slice(0, 1000), [...sent].reverse());
    assert.ok(seen.includes(state.original) && seen.includes(state.root));

    const { event_id } = await bob.timestampToEvent(roomId, Date.now() + 60_000, Direction.Backward);
    assert.equal(event_id, sent.at(-1));
});

test("alice upgrades the room and bob follows the tombstone", async () => {
    const { roomId, alice, bob } = state;
    const { replacement_room } = await alice.upgradeRoom(roomId, "12");
    assert.notEqual(replacement_room, roomId);
    const tombstone = await bob.getStateEvent(roomId, "m.room.tombstone", "");
    assert.equal(tombstone.replacement_room, replacement_room);
    await assert.rejects(bob.sendEvent(roomId, "m.room.message", text("still here?")), (e) => e.httpStatus === 403);

    const joined = await bob.joinRoom(tombstone.replacement_room, { syncRoom: false });
    assert.equal(joined.roomId, replacement_room);
    const create = await bob.getStateEvent(replacement_room, "m.room.create", "");
    assert.equal(create.predecessor.room_id, roomId);
    const name = await bob.getStateEvent(replacement_room, "m.room.name", "");
    assert.equal(name.name, "Relations");
    await bob.sendEvent(replacement_room, "m.room.message", text("made it"));
});
