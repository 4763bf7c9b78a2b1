// Push with matrix-js-sdk: bob's client registers a pusher pointing at a push gateway this test runs (node:http on
// loopback), alice mentions him, the gateway receives the notification (with the unread count), bob's syncing
// client shows the unread and highlight counts, and a read receipt clears them.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { NotificationCountType, ReceiptType, RoomEvent } from "matrix-js-sdk";
import { registerUser, waitFor, started } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const state = {};

/** A push gateway: records each POST /_matrix/push/v1/notify body and answers {"rejected": []}. */
async function startGateway() {
    const received = [];
    const waiting = [];
    const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => { body += chunk; });
        request.on("end", () => {
            const json = JSON.parse(body);
            response.writeHead(200, { "Content-Type": "application/json" });
            response.end(JSON.stringify({ rejected: [] }));
            const waiter = waiting.shift();
            if (waiter) {
                waiter(json);
            } else {
                received.push(json);
            }
        });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${server.address().port}/_matrix/push/v1/notify`,
        next: (timeoutMs = 15000) => received.length > 0 ? Promise.resolve(received.shift())
            : new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error("no notification reached the gateway")), timeoutMs);
                waiting.push((json) => { clearTimeout(timer); resolve(json); });
            }),
        close: () => new Promise((resolve) => server.close(resolve)),
    };
}

async function eventually(check, what, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

after(async () => {
    state.bob?.stopClient();
    await state.gateway?.close();
});

test("bob's client sets a pusher and reads the push rules", async () => {
    state.gateway = await startGateway();
    state.alice = await registerUser(baseUrl, sharedSecret, "palice");
    state.bob = await started(await registerUser(baseUrl, sharedSecret, "pbob"));
    await state.bob.setPusher({
        kind: "http", app_id: "org.example.interop", pushkey: "bob-pushkey", app_display_name: "Interop",
        device_display_name: "Node", lang: "en", data: { url: state.gateway.url },
    });
    const { pushers } = await state.bob.getPushers();
    assert.equal(pushers.length, 1);
    assert.equal(pushers[0].pushkey, "bob-pushkey");
    const rules = await state.bob.getPushRules();
    assert.ok(rules.global.override.some((rule) => rule.rule_id === ".m.rule.is_user_mention"));
});

test("alice mentions bob: the gateway is notified and bob's client shows the counts", async () => {
    const { room_id } = await state.alice.createRoom({ name: "Push", invite: [state.bob.getUserId()] });
    state.roomId = room_id;
    await state.bob.joinRoom(room_id);
    const arrived = waitFor(state.bob, RoomEvent.Timeline,
        (event) => event.getRoomId() === room_id && event.getContent().body === "bob, look");
    const { event_id } = await state.alice.sendMessage(room_id, {
        msgtype: "m.text", body: "bob, look", "m.mentions": { user_ids: [state.bob.getUserId()] },
    });

    // The invite notified bob first (.m.rule.invite_for_me), then the mention.
    const invite = (await state.gateway.next()).notification;
    assert.equal(invite.type, "m.room.member");
    assert.equal(invite.user_is_target, true);
    const { notification } = await state.gateway.next();
    assert.equal(notification.event_id, event_id);
    assert.equal(notification.room_id, room_id);
    assert.equal(notification.sender, state.alice.getUserId());
    assert.equal(notification.content.body, "bob, look");
    assert.equal(notification.counts.unread, 1);
    assert.equal(notification.devices[0].pushkey, "bob-pushkey");
    assert.equal(notification.devices[0].tweaks.highlight, true);

    const [event] = await arrived;
    state.event = event;
    const room = state.bob.getRoom(room_id);
    await eventually(() => room.getUnreadNotificationCount(NotificationCountType.Highlight) === 1,
        "a highlight count of 1");
    assert.equal(room.getUnreadNotificationCount(NotificationCountType.Total), 1);
});

test("a read receipt clears bob's counts", async () => {
    const room = state.bob.getRoom(state.roomId);
    await state.bob.sendReceipt(state.event, ReceiptType.Read, {}, true);
    await eventually(() => room.getUnreadNotificationCount(NotificationCountType.Total) === 0
        && room.getUnreadNotificationCount(NotificationCountType.Highlight) === 0, "counts cleared");
    const { notifications } = await state.bob.http.authedRequest("GET", "/notifications");
    // The mention, newest first, then the invite (read when bob joined).
    assert.deepEqual(notifications.map((n) => n.event.event_id).slice(0, 1), [state.event.getId()]);
    assert.equal(notifications.length, 2);
    assert.ok(notifications.every((n) => n.read), JSON.stringify(notifications));
});
