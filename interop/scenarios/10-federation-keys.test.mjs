// Federation with a real Synapse (from PyPI, see interop/synapse/install.sh) on loopback: each server fetches the
// other's keys, and federation requests Synapse signs (directory and profile queries) are verified and answered by Myelin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { createClient } from "matrix-js-sdk";
import { startSynapse, synapseInstalled, SYNAPSE_VENV } from "../lib/synapse.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const skip = synapseInstalled() ? false : `Synapse is not installed in ${SYNAPSE_VENV} (run interop/synapse/install.sh)`;
let synapse;

before(async () => {
    if (!skip) synapse = await startSynapse();
}, { timeout: 180_000 });

after(async () => {
    await synapse?.stop();
});

/** A GET over https trusting the given certificate (Node reads NODE_EXTRA_CA_CERTS only at start). */
function getJson(url, caFile) {
    return sendJson("GET", url, caFile);
}

function sendJson(method, url, caFile, body) {
    return new Promise((resolve, reject) => {
        const headers = body === undefined ? {} : { "Content-Type": "application/json" };
        const req = request(url, { method, headers, ca: readFileSync(caFile) }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => { body += chunk; });
            response.on("end", () => {
                try {
                    resolve({ status: response.statusCode, json: JSON.parse(body) });
                } catch (e) {
                    reject(new Error(`${url} answered ${response.statusCode} with non-JSON: ${body}`));
                }
            });
        });
        req.on("error", reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
    });
}

async function myelinJson(path) {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, json: await response.json() };
}

test("Synapse fetches Myelin's keys and serves them, cosigned, as a notary", { skip }, async () => {
    const published = (await myelinJson("/_matrix/key/v2/server")).json;
    const [keyId] = Object.keys(published.verify_keys);
    // Synapse's notary fetches what it has not cached only for named key ids, so ask for Myelin's key by id.
    const { status, json } = await sendJson("POST", `${synapse.baseUrl}/_matrix/key/v2/query`, synapse.caFile,
        { server_keys: { [serverName]: { [keyId]: { minimum_valid_until_ts: Date.now() } } } });
    assert.equal(status, 200, JSON.stringify(json));
    const response = json.server_keys.find((keys) => keys.server_name === serverName);
    assert.ok(response, JSON.stringify(json));
    assert.deepEqual(response.verify_keys, published.verify_keys);
    assert.ok(response.signatures[serverName], "Myelin's own signature is kept");
    assert.ok(response.signatures[synapse.serverName], "Synapse added its signature");
});

test("Myelin fetches Synapse's keys and serves them, cosigned, as a notary", { skip }, async () => {
    const published = (await getJson(`${synapse.baseUrl}/_matrix/key/v2/server`, synapse.caFile)).json;
    const { status, json } = await myelinJson(`/_matrix/key/v2/query/${encodeURIComponent(synapse.serverName)}`);
    assert.equal(status, 200, JSON.stringify(json));
    const response = json.server_keys.find((keys) => keys.server_name === synapse.serverName);
    assert.ok(response, JSON.stringify(json));
    assert.deepEqual(response.verify_keys, published.verify_keys);
    assert.ok(response.signatures[synapse.serverName]);
    assert.ok(response.signatures[serverName], "Myelin added its signature");
});

test("Myelin verifies Synapse's signed directory and profile queries and answers them", { skip }, async () => {
    const nonce = (await (await fetch(`${baseUrl}/_synapse/admin/v1/register`)).json()).nonce;
    const username = `fed${Date.now() % 100000}`;
    const password = "federation-password-1";
    const mac = createHmac("sha1", sharedSecret).update(`${nonce}\0${username}\0${password}\0notadmin`).digest("hex");
    const registered = await (await fetch(`${baseUrl}/_synapse/admin/v1/register`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ nonce, username, password, admin: false, mac }),
    })).json();
    const alice = createClient({ baseUrl, accessToken: registered.access_token, userId: registered.user_id });
    const aliasName = `fedkeys${Date.now() % 100000}`;
    const { room_id } = await alice.createRoom({ room_alias_name: aliasName });
    const alias = `#${aliasName}:${serverName}`;

    // Synapse's client API resolves a remote alias with a signed GET /_matrix/federation/v1/query/directory.
    const { status, json } = await getJson(
        `${synapse.baseUrl}/_matrix/client/v3/directory/room/${encodeURIComponent(alias)}`, synapse.caFile);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.room_id, room_id);
    assert.ok(json.servers.includes(serverName), JSON.stringify(json));

    const missing = await getJson(
        `${synapse.baseUrl}/_matrix/client/v3/directory/room/${encodeURIComponent(`#nope${aliasName}:${serverName}`)}`,
        synapse.caFile);
    assert.equal(missing.status, 404, JSON.stringify(missing.json));

    // And a profile, with a signed GET /_matrix/federation/v1/query/profile.
    await alice.setDisplayName("Alice on Myelin");
    const profile = await getJson(
        `${synapse.baseUrl}/_matrix/client/v3/profile/${encodeURIComponent(registered.user_id)}`, synapse.caFile);
    assert.equal(profile.status, 200, JSON.stringify(profile.json));
    assert.equal(profile.json.displayname, "Alice on Myelin");
});
