// Rooms with matrix-js-sdk: two users (made with the shared-secret admin API) create a room, invite, join, send
// messages, and read them back with /messages (createMessagesRequest), paginating with the returned tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Direction, Filter } from "matrix-js-sdk";
import { registerUser } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const newUser = (prefix) => registerUser(baseUrl, sharedSecret, prefix);
const state = {};

test("alice creates a room and invites bob", async () => {
    state.alice = await newUser("ralice");
    state.bob = await newUser("rbob");
    const { room_id } = await state.alice.createRoom({
        name: "Interop room", topic: "matrix-js-sdk", preset: "private_chat", invite: [state.bob.getUserId()],
    });
    assert.match(room_id, /^!/);
    state.roomId = room_id;
    const member = await state.alice.getStateEvent(room_id, "m.room.member", state.bob.getUserId());
    assert.equal(member.membership, "invite");
    const name = await state.alice.getStateEvent(room_id, "m.room.name", "");
    assert.equal(name.name, "Interop room");
});

test("bob joins and both send messages", async () => {
    const joined = await state.bob.joinRoom(state.roomId, { syncRoom: false });
    assert.equal(joined.roomId, state.roomId);
    const rooms = await state.bob.getJoinedRooms();
    assert.ok(rooms.joined_rooms.includes(state.roomId));
    const members = await state.alice.getJoinedRoomMembers(state.roomId);
    assert.deepEqual(Object.keys(members.joined).sort(), [state.alice.getUserId(), state.bob.getUserId()].sort());
    state.sent = [];
    for (let i = 1; i <= 6; i++) {
        const sender = i % 2 ? state.alice : state.bob;
        const { event_id } = await sender.sendEvent(state.roomId, "m.room.message", { msgtype: "m.text", body: `message ${i}` }, `txn-${i}`);
        state.sent.push(event_id);
    }
    // A retried transaction id gives back the same event.
    const again = await state.alice.sendEvent(state.roomId, "m.room.message", { msgtype: "m.text", body: "message 1" }, "txn-1");
    assert.equal(again.event_id, state.sent[0]);
});

test("both read the messages back with /messages, paginating backwards then forwards", async () => {
    for (const client of [state.alice, state.bob]) {
        const filter = new Filter(client.getUserId());
        filter.setDefinition({ room: { timeline: { types: ["m.room.message"] } } });
        const bodies = [];
        let from = null;
        for (let page = 0; page < 10; page++) {
            const response = await client.createMessagesRequest(state.roomId, from, 4, Direction.Backward, filter);
            for (const event of response.chunk) {
                bodies.push(event.content.body);
            }
            if (!response.end) {
                break;
            }
            from = response.end;
        }
        assert.deepEqual(bodies, ["message 6", "message 5", "message 4", "message 3", "message 2", "message 1"]);
    }
    const filter = new Filter(state.bob.getUserId());
    filter.setDefinition({ room: { timeline: { types: ["m.room.message"] } } });
    const forward = await state.bob.createMessagesRequest(state.roomId, null, 100, Direction.Forward, filter);
    assert.deepEqual(forward.chunk.map((e) => e.event_id), state.sent);
    const event = await state.bob.fetchRoomEvent(state.roomId, state.sent[0]);
    assert.equal(event.content.body, "message 1");
});

test("bob leaves and no longer lists the room", async () => {
    await state.bob.leave(state.roomId);
    const rooms = await state.bob.getJoinedRooms();
    assert.ok(!rooms.joined_rooms.includes(state.roomId));
});
