// Sync with matrix-js-sdk: two clients started with startClient() long-poll /sync; each sees the other's
// invite, join and messages as they happen, and a restarted client catches up from its stored token.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { RoomEvent, RoomMemberEvent } from "matrix-js-sdk";
import { registerUser, until, waitFor, started } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const state = {};

after(() => {
    state.alice?.stopClient();
    state.bob?.stopClient();
});

test("both clients start syncing", async () => {
    state.alice = await started(await registerUser(baseUrl, sharedSecret, "salice"));
    state.bob = await started(await registerUser(baseUrl, sharedSecret, "sbob"));
});

test("bob's client sees alice's invite arrive, and alice sees bob join", async () => {
    const invited = waitFor(state.bob, RoomMemberEvent.Membership,
        (_event, member) => member.userId === state.bob.getUserId() && member.membership === "invite");
    const { room_id } = await state.alice.createRoom({ name: "Live", invite: [state.bob.getUserId()] });
    state.roomId = room_id;
    const [, member] = await invited;
    assert.equal(member.roomId, room_id);
    const room = await until(() => state.bob.getRoom(room_id));
    assert.equal(room.name, "Live");

    const joined = waitFor(state.alice, RoomMemberEvent.Membership,
        (_event, member) => member.userId === state.bob.getUserId() && member.membership === "join");
    await state.bob.joinRoom(room_id);
    await joined;
    await until(() => state.alice.getRoom(room_id).getJoinedMemberCount() === 2);
});

test("messages arrive at the other client in real time, both ways", async () => {
    for (const [from, to, body] of [[state.alice, state.bob, "hi bob"], [state.bob, state.alice, "hi alice"]]) {
        const arrived = waitFor(to, RoomEvent.Timeline,
            (event) => event.getRoomId() === state.roomId && event.getContent().body === body);
        const started = Date.now();
        await from.sendTextMessage(state.roomId, body);
        const [event] = await arrived;
        assert.equal(event.getSender(), from.getUserId());
        assert.ok(Date.now() - started < 5000);
    }
});

test("a stopped client catches up with what it missed", async () => {
    state.bob.stopClient();
    for (let i = 0; i < 3; i++) {
        await state.alice.sendTextMessage(state.roomId, `while away ${i}`);
    }
    const caughtUp = waitFor(state.bob, RoomEvent.Timeline, (event) => event.getContent().body === "while away 2");
    await state.bob.startClient();
    await caughtUp;
    const bodies = state.bob.getRoom(state.roomId).getLiveTimeline().getEvents().map((e) => e.getContent().body);
    assert.deepEqual(bodies.filter((b) => b?.startsWith("while away")), ["while away 0", "while away 1", "while away 2"]);
});
