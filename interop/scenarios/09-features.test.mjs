// Room features with matrix-js-sdk: users set profiles and find each other in the user directory, search their
// history, open a space and list its rooms (hierarchy and room summary), and fetch TURN credentials.
import { test } from "node:test";
import assert from "node:assert/strict";
import { registerUser } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const tag = `t${Date.now() % 1000000}`;
const state = {};

test("users set their display names", async () => {
    state.alice = await registerUser(baseUrl, sharedSecret, "falice");
    state.bob = await registerUser(baseUrl, sharedSecret, "fbob");
    await state.alice.setDisplayName(`Alice ${tag}`);
    await state.bob.setDisplayName(`Bob ${tag}`);
    const profile = await state.bob.getProfileInfo(state.alice.getUserId());
    assert.equal(profile.displayname, `Alice ${tag}`);
});

test("they find each other in the user directory once they share a room", async () => {
    const { room_id } = await state.alice.createRoom({ name: `Chat ${tag}`, invite: [state.bob.getUserId()] });
    state.roomId = room_id;
    await state.bob.joinRoom(room_id);
    const found = await state.alice.searchUserDirectory({ term: `bob ${tag}` });
    assert.deepEqual(found.results.map((r) => r.user_id), [state.bob.getUserId()]);
    assert.equal(found.results[0].display_name, `Bob ${tag}`);
    assert.equal(found.limited, false);
    const back = await state.bob.searchUserDirectory({ term: tag, limit: 10 });
    assert.ok(back.results.some((r) => r.user_id === state.alice.getUserId()));
});

test("they search their history", async () => {
    await state.alice.sendTextMessage(state.roomId, `the quarterly report is ready ${tag}`);
    await state.bob.sendTextMessage(state.roomId, `thanks, reading the reports now ${tag}`);
    await state.bob.sendTextMessage(state.roomId, "unrelated");
    const response = await state.bob.search({
        body: { search_categories: { room_events: { search_term: `report ${tag}`, order_by: "recent",
            event_context: { before_limit: 1, after_limit: 1, include_profile: true } } } },
    });
    const events = response.search_categories.room_events;
    assert.equal(events.count, 2);
    assert.deepEqual(events.results.map((r) => r.result.content.body),
        [`thanks, reading the reports now ${tag}`, `the quarterly report is ready ${tag}`]);
    assert.equal(events.results[1].context.profile_info[state.alice.getUserId()].displayname, `Alice ${tag}`);
});

test("bob opens alice's space and lists its rooms", async () => {
    const { room_id: spaceId } = await state.alice.createRoom({
        name: `Space ${tag}`, preset: "public_chat", creation_content: { type: "m.space" },
    });
    const { room_id: lobby } = await state.alice.createRoom({ name: `Lobby ${tag}`, preset: "public_chat" });
    await state.alice.sendStateEvent(spaceId, "m.space.child", { via: [serverName], suggested: true }, lobby);
    await state.alice.sendStateEvent(spaceId, "m.space.child", { via: [serverName] }, state.roomId);

    const summary = await state.bob.getRoomSummary(spaceId);
    assert.equal(summary.name, `Space ${tag}`);
    assert.equal(summary.room_type, "m.space");

    const hierarchy = await state.bob.getRoomHierarchy(spaceId);
    const names = hierarchy.rooms.map((r) => r.name);
    assert.equal(names[0], `Space ${tag}`);
    assert.deepEqual([...names.slice(1)].sort(), [`Chat ${tag}`, `Lobby ${tag}`].sort());
    assert.equal(hierarchy.rooms[0].children_state.length, 2);
    const suggested = await state.bob.getRoomHierarchy(spaceId, undefined, undefined, true);
    assert.deepEqual(suggested.rooms.map((r) => r.name), [`Space ${tag}`, `Lobby ${tag}`]);
});

test("clients fetch TURN credentials", async () => {
    const turn = await state.alice.turnServer();
    assert.ok(turn.username.endsWith(`:${state.alice.getUserId()}`));
    assert.ok(turn.password.length > 0);
    assert.ok(turn.uris.length > 0 && turn.uris[0].startsWith("turn:"));
    assert.ok(turn.ttl > 0);
});
