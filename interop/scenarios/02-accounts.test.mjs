// Accounts with matrix-js-sdk: an admin made with the shared secret creates a registration token; a user registers
// with it (UIA), logs in with a password, refreshes its token, manages devices (deletion through the SDK's
// InteractiveAuth), changes its password (other devices logged out) and deactivates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createClient, InteractiveAuth } from "matrix-js-sdk";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;

const username = `alice${Date.now() % 100000}`;
const userId = `@${username}:${serverName}`;
let password = "first-password-1";
const state = {};

async function api(method, path, body, accessToken) {
    const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { "Content-Type": "application/json", ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
}

function passwordAuth(session) {
    return { type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password, session };
}

/** Runs a UIA-protected call the way Element does: first without auth, then the password stage with the session. */
async function withUia(call) {
    try {
        return await call(undefined);
    } catch (error) {
        assert.equal(error.httpStatus, 401, String(error));
        assert.deepEqual(error.data.flows[0].stages, ["m.login.password"]);
        return await call(passwordAuth(error.data.session));
    }
}

test("an admin created with the shared secret makes a registration token", async () => {
    const { json: { nonce } } = await api("GET", "/_synapse/admin/v1/register");
    const adminName = `admin${Date.now() % 100000}`;
    const mac = createHmac("sha1", sharedSecret)
        .update(`${nonce}\0${adminName}\0admin-password-1\0admin`).digest("hex");
    const admin = await api("POST", "/_synapse/admin/v1/register",
        { nonce, username: adminName, password: "admin-password-1", admin: true, mac });
    assert.equal(admin.status, 200, JSON.stringify(admin.json));
    const created = await api("POST", "/_synapse/admin/v1/registration_tokens/new", { uses_allowed: 1 },
        admin.json.access_token);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    state.registrationToken = created.json.token;
});

test("the user registers with the registration token through UIA", async () => {
    const client = createClient({ baseUrl });
    assert.equal(await client.isUsernameAvailable(username), true);
    let session;
    await assert.rejects(client.registerRequest({ username, password }), (error) => {
        session = error.data.session;
        return error.httpStatus === 401 && error.data.flows.some((f) => f.stages.includes("m.login.registration_token"));
    });
    const registered = await client.registerRequest({
        username, password, initial_device_display_name: "interop first",
        auth: { type: "m.login.registration_token", token: state.registrationToken, session },
    });
    assert.equal(registered.user_id, userId);
    state.firstDevice = registered.device_id;
    state.firstToken = registered.access_token;
    const me = createClient({ baseUrl, accessToken: registered.access_token, userId });
    const whoami = await me.whoami();
    assert.equal(whoami.user_id, userId);
    assert.equal(whoami.device_id, registered.device_id);
});

test("login with a password, then refresh the access token", async () => {
    const client = createClient({ baseUrl });
    const flows = await client.loginFlows();
    assert.ok(flows.flows.some((f) => f.type === "m.login.password"));
    const login = await client.loginRequest({
        type: "m.login.password", identifier: { type: "m.id.user", user: username }, password,
        initial_device_display_name: "interop second", refresh_token: true,
    });
    assert.equal(login.user_id, userId);
    assert.ok(login.refresh_token, "a refresh token");
    assert.ok(login.expires_in_ms > 0);
    const refreshed = await client.refreshToken(login.refresh_token);
    assert.notEqual(refreshed.access_token, login.access_token);
    assert.ok(refreshed.refresh_token);
    const me = createClient({ baseUrl, accessToken: refreshed.access_token, userId });
    assert.equal((await me.whoami()).device_id, login.device_id);
    state.secondDevice = login.device_id;
    state.secondToken = refreshed.access_token;
});

test("devices are listed, renamed and deleted with UIA", async () => {
    const me = createClient({ baseUrl, accessToken: state.firstToken, userId });
    const third = await createClient({ baseUrl }).loginWithPassword(userId, password);
    const { devices } = await me.getDevices();
    const ids = devices.map((d) => d.device_id);
    assert.ok(ids.includes(state.firstDevice) && ids.includes(state.secondDevice) && ids.includes(third.device_id));
    await me.setDeviceDetails(state.secondDevice, { display_name: "renamed by interop" });
    const renamed = await me.getDevice(state.secondDevice);
    assert.equal(renamed.display_name, "renamed by interop");

    // The SDK's own UIA driver deletes the third device.
    const auth = new InteractiveAuth({
        matrixClient: me,
        doRequest: (authDict) => me.deleteDevice(third.device_id, authDict ?? undefined),
        stateUpdated: (stage) => {
            if (stage === "m.login.password") {
                auth.submitAuthDict({ type: "m.login.password", identifier: { type: "m.id.user", user: userId }, password });
            }
        },
        requestEmailToken: async () => { throw new Error("no email"); },
    });
    await auth.attemptAuth();
    const after = (await me.getDevices()).devices.map((d) => d.device_id);
    assert.ok(!after.includes(third.device_id));
    const gone = createClient({ baseUrl, accessToken: third.access_token, userId });
    await assert.rejects(gone.whoami(), (error) => error.errcode === "M_UNKNOWN_TOKEN");
});

test("a password change logs the other devices out", async () => {
    const me = createClient({ baseUrl, accessToken: state.firstToken, userId });
    await withUia((auth) => me.setPassword(auth, "second-password-2", true));
    password = "second-password-2";
    assert.equal((await me.whoami()).user_id, userId);
    const other = createClient({ baseUrl, accessToken: state.secondToken, userId });
    await assert.rejects(other.whoami(), (error) => error.errcode === "M_UNKNOWN_TOKEN");
    await assert.rejects(createClient({ baseUrl }).loginWithPassword(userId, "first-password-1"),
        (error) => error.errcode === "M_FORBIDDEN");
    const again = await createClient({ baseUrl }).loginWithPassword(userId, password);
    assert.equal(again.user_id, userId);
});

test("the user deactivates the account", async () => {
    const me = createClient({ baseUrl, accessToken: state.firstToken, userId });
    await withUia((auth) => me.deactivateAccount(auth, true));
    await assert.rejects(me.whoami(), (error) => error.errcode === "M_UNKNOWN_TOKEN");
    await assert.rejects(createClient({ baseUrl }).loginWithPassword(userId, password),
        (error) => error.errcode === "M_USER_DEACTIVATED");
});
