// Ephemeral events and account data with matrix-js-sdk: two clients started with startClient() see each other
// type and stop typing, see each other's read receipts (and a private receipt stays private), see their own
// account data, room tags and fully read marker arrive through sync, and see each other's presence.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { ClientEvent, RoomEvent, RoomMemberEvent, UserEvent, ReceiptType } from "matrix-js-sdk";
import { registerUser, until, waitFor, started } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const state = {};

after(() => {
    state.alice?.stopClient();
    state.bob?.stopClient();
});

test("both clients sync in a shared room", async () => {
    state.alice = await started(await registerUser(baseUrl, sharedSecret, "ealice"));
    state.bob = await started(await registerUser(baseUrl, sharedSecret, "ebob"));
    const { room_id } = await state.alice.createRoom({ name: "Ephemeral", invite: [state.bob.getUserId()] });
    state.roomId = room_id;
    await until(() => state.bob.getRoom(room_id));
    await state.bob.joinRoom(room_id);
    await until(() => state.alice.getRoom(room_id)?.getJoinedMemberCount() === 2);
});

test("bob sees alice start and stop typing", async () => {
    const typing = waitFor(state.bob, RoomMemberEvent.Typing,
        (_event, member) => member.userId === state.alice.getUserId() && member.typing);
    await state.alice.sendTyping(state.roomId, true, 20000);
    const [, member] = await typing;
    assert.equal(member.roomId, state.roomId);

    const stopped = waitFor(state.bob, RoomMemberEvent.Typing,
        (_event, member) => member.userId === state.alice.getUserId() && !member.typing);
    await state.alice.sendTyping(state.roomId, false, 0);
    await stopped;
});

test("alice sees bob's read receipt; a private receipt reaches only its sender", async () => {
    const arrived = waitFor(state.bob, RoomEvent.Timeline, (event) => event.getContent().body === "read me");
    const { event_id } = await state.alice.sendTextMessage(state.roomId, "read me");
    const [event] = await arrived;
    assert.equal(event.getId(), event_id);

    const receipt = waitFor(state.alice, RoomEvent.Receipt, (receiptEvent) =>
        receiptEvent.getContent()[event_id]?.[ReceiptType.Read]?.[state.bob.getUserId()] !== undefined);
    await state.bob.sendReadReceipt(event, ReceiptType.Read);
    await receipt;
    const room = state.alice.getRoom(state.roomId);
    assert.equal(room.getEventReadUpTo(state.bob.getUserId()), event_id);

    const second = waitFor(state.bob, RoomEvent.Timeline, (e) => e.getContent().body === "private");
    await state.alice.sendTextMessage(state.roomId, "private");
    const [privateEvent] = await second;
    const own = waitFor(state.bob, RoomEvent.Receipt, (receiptEvent) =>
        receiptEvent.getContent()[privateEvent.getId()]?.[ReceiptType.ReadPrivate]?.[state.bob.getUserId()]);
    await state.bob.sendReadReceipt(privateEvent, ReceiptType.ReadPrivate);
    await own;
    // A public receipt sent after it reaches alice without the private one ever having done so.
    const later = waitFor(state.alice, RoomEvent.Receipt, (receiptEvent) =>
        receiptEvent.getContent()[privateEvent.getId()]?.[ReceiptType.Read]?.[state.bob.getUserId()]);
    await state.bob.sendReadReceipt(privateEvent, ReceiptType.Read);
    const [publicReceipt] = await later;
    assert.equal(publicReceipt.getContent()[privateEvent.getId()][ReceiptType.ReadPrivate], undefined);
});

test("account data, tags and the fully read marker arrive through sync", async () => {
    const global = waitFor(state.alice, ClientEvent.AccountData, (event) => event.getType() === "org.example.settings");
    await state.alice.setAccountData("org.example.settings", { theme: "dark" });
    const [event] = await global;
    assert.equal(event.getContent().theme, "dark");
    assert.equal(state.alice.getAccountData("org.example.settings").getContent().theme, "dark");

    const tagged = waitFor(state.alice, RoomEvent.AccountData, (event) => event.getType() === "m.tag");
    await state.alice.setRoomTag(state.roomId, "m.favourite", { order: 0.5 });
    await tagged;
    assert.deepEqual(state.alice.getRoom(state.roomId).tags, { "m.favourite": { order: 0.5 } });

    const lastEvent = state.bob.getRoom(state.roomId).getLiveTimeline().getEvents().at(-1);
    const marker = waitFor(state.bob, RoomEvent.AccountData, (event) => event.getType() === "m.fully_read");
    await state.bob.setRoomReadMarkers(state.roomId, lastEvent.getId());
    const [fullyRead] = await marker;
    assert.equal(fullyRead.getContent().event_id, lastEvent.getId());
});

test("bob sees alice's presence and status message", async () => {
    const user = state.bob.getUser(state.alice.getUserId());
    assert.ok(user);
    const changed = waitFor(user, UserEvent.Presence, (_event, u) => u.presenceStatusMsg === "in a meeting");
    await state.alice.setPresence({ presence: "unavailable", status_msg: "in a meeting" });
    await changed;
    assert.equal(user.presence, "unavailable");
});
