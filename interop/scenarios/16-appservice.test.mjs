// Application services: a small bot speaking the real wire protocol (a node HTTP server, registered with Myelin by
// run.mjs through app_service_config_files) pings the homeserver, registers a virtual user in its namespace, gets
// a matrix-js-sdk user's invite and message pushed in transactions (PUT /_matrix/app/v1/transactions/{txnId}, with
// the hs_token), joins and answers as the virtual user through identity assertion (?user_id=).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { RoomEvent } from "matrix-js-sdk";
import { registerUser, until, waitFor, started } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const registration = JSON.parse(process.env.MYELIN_APPSERVICE);
const virtualUser = `@_interop_echo:${serverName}`;
const state = { transactions: [], seenTxnIds: new Set(), badAuth: 0 };

/** A client-server call made by the bot with its as_token, as {@code userId} when given. */
async function asBot(method, path, body, userId) {
    const url = new URL(baseUrl + path);
    if (userId) {
        url.searchParams.set("user_id", userId);
    }
    const response = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${registration.asToken}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
}

/** What the bot does with each pushed event: join when its user is invited, echo messages from others. */
async function handle(event) {
    if (event.type === "m.room.member" && event.state_key === virtualUser && event.content.membership === "invite") {
        await asBot("POST", `/_matrix/client/v3/join/${encodeURIComponent(event.room_id)}`, {}, virtualUser);
    } else if (event.type === "m.room.message" && !event.sender.startsWith("@_interop_")) {
        await asBot("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(event.room_id)}/send/m.room.message/`
            + `echo-${encodeURIComponent(event.event_id)}`, { msgtype: "m.notice", body: `echo: ${event.content.body}` },
            virtualUser);
    }
}

const bot = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
        const reply = (status, json) => {
            response.writeHead(status, { "Content-Type": "application/json" });
            response.end(JSON.stringify(json));
        };
        if (request.headers.authorization !== `Bearer ${registration.hsToken}`) {
            state.badAuth++;
            return reply(403, { errcode: "M_FORBIDDEN" });
        }
        const path = new URL(request.url, "http://bot").pathname;
        if (request.method === "PUT" && path.startsWith("/_matrix/app/v1/transactions/")) {
            const txnId = decodeURIComponent(path.substring("/_matrix/app/v1/transactions/".length));
            reply(200, {});
            if (!state.seenTxnIds.has(txnId)) {
                state.seenTxnIds.add(txnId);
                const { events } = JSON.parse(body);
                state.transactions.push({ txnId, events });
                (async () => {
                    for (const event of events) {
                        await handle(event);
                    }
                })().catch((e) => console.error("bot failed", e));
            }
            return;
        }
        if (request.method === "POST" && path === "/_matrix/app/v1/ping") {
            state.pinged = JSON.parse(body || "{}");
            return reply(200, {});
        }
        return reply(404, { errcode: "M_NOT_FOUND" });
    });
});

after(() => {
    state.alice?.stopClient();
    bot.close();
});

test("the bot listens and the homeserver answers its ping", async () => {
    await new Promise((resolve) => bot.listen(registration.port, "127.0.0.1", resolve));
    const pong = await asBot("POST", `/_matrix/client/v1/appservice/${registration.id}/ping`,
        { transaction_id: "interop-ping" });
    assert.equal(pong.status, 200, JSON.stringify(pong.json));
    assert.equal(typeof pong.json.duration_ms, "number");
    assert.equal(state.pinged.transaction_id, "interop-ping");
    const whoami = await asBot("GET", "/_matrix/client/v3/account/whoami");
    assert.equal(whoami.json.user_id, `@_interop_bot:${serverName}`);
});

test("the bot registers its virtual user; a human cannot take its namespace", async () => {
    const registered = await asBot("POST", "/_matrix/client/v3/register",
        { type: "m.login.application_service", username: "_interop_echo", inhibit_login: true });
    assert.equal(registered.status, 200, JSON.stringify(registered.json));
    assert.equal(registered.json.user_id, virtualUser);
    const human = await fetch(`${baseUrl}/_matrix/client/v3/register`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "_interop_human", password: "correct horse battery" }),
    });
    assert.equal(human.status, 400);
    assert.equal((await human.json()).errcode, "M_EXCLUSIVE");
});

test("a matrix-js-sdk user's invite and message reach the bot, which answers as its virtual user", async () => {
    state.alice = await started(await registerUser(baseUrl, sharedSecret, "asalice"));
    const { room_id } = await state.alice.createRoom({ name: "Bridge", invite: [virtualUser] });
    await until(() => state.alice.getRoom(room_id)?.getMember(virtualUser)?.membership === "join", 20000);

    const answered = waitFor(state.alice, RoomEvent.Timeline,
        (event) => event.getSender() === virtualUser && event.getContent().body === "echo: hello bot", 20000);
    await state.alice.sendTextMessage(room_id, "hello bot");
    const [answer] = await answered;
    assert.equal(answer.getRoomId(), room_id);
    assert.equal(answer.getContent().msgtype, "m.notice");

    // The transactions carried the invite before the message, in stream order, under growing ids, with the hs_token.
    const pushed = state.transactions.flatMap((t) => t.events).filter((e) => e.room_id === room_id);
    const invite = pushed.findIndex((e) => e.type === "m.room.member" && e.content.membership === "invite");
    const message = pushed.findIndex((e) => e.content?.body === "hello bot");
    assert.ok(invite >= 0 && message > invite, JSON.stringify(pushed.map((e) => e.type)));
    const ids = state.transactions.map((t) => Number(t.txnId));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(state.badAuth, 0);
});
