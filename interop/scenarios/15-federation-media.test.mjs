// Media across servers with a real Synapse (from PyPI, see interop/synapse/install.sh) on loopback: a Synapse user's
// image downloaded, with a thumbnail, by a Myelin user through Myelin (Myelin fetches it over
// /_matrix/federation/v1/media), and the reverse: Synapse fetching a Myelin user's image from Myelin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { startSynapse, synapseInstalled, SYNAPSE_VENV } from "../lib/synapse.mjs";
import { registerUser } from "../lib/users.mjs";
import { png, imageSize } from "../lib/png.mjs";

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

/** A request to Synapse over https (trusting its self-signed certificate); resolves to { status, headers, body }. */
function synapseRequest(method, path, token, body, contentType = "application/json") {
    return new Promise((resolve, reject) => {
        const headers = { "Content-Type": contentType };
        if (token) headers.Authorization = `Bearer ${token}`;
        const req = request(`${synapse.baseUrl}${path}`, { method, headers, ca: readFileSync(synapse.caFile) },
            (response) => {
                const chunks = [];
                response.on("data", (chunk) => chunks.push(chunk));
                response.on("end", () => resolve({ status: response.statusCode, headers: response.headers,
                    body: Buffer.concat(chunks) }));
            });
        req.on("error", reject);
        req.end(body);
    });
}

async function synapseJson(method, path, token, body) {
    const answer = await synapseRequest(method, path, token, body === undefined ? undefined : JSON.stringify(body));
    return { status: answer.status, json: answer.body.length ? JSON.parse(answer.body.toString("utf8")) : {} };
}

async function synapseUser(prefix) {
    const { json: { nonce } } = await synapseJson("GET", "/_synapse/admin/v1/register");
    const username = `${prefix}${Date.now() % 100000}`;
    const password = "interop-password-1";
    const mac = createHmac("sha1", synapse.sharedSecret).update(`${nonce}\0${username}\0${password}\0notadmin`)
        .digest("hex");
    const { status, json } = await synapseJson("POST", "/_synapse/admin/v1/register", null,
        { nonce, username, password, admin: false, mac });
    assert.equal(status, 200, JSON.stringify(json));
    return { userId: json.user_id, token: json.access_token };
}

function mediaId(mxc, server) {
    const prefix = `mxc://${server}/`;
    assert.ok(mxc.startsWith(prefix), mxc);
    return mxc.slice(prefix.length);
}

test("a Myelin user downloads a Synapse user's image and a thumbnail of it through Myelin", { skip }, async () => {
    const sam = await synapseUser("sam");
    const image = png(800, 600);
    const uploaded = await synapseRequest("POST", "/_matrix/media/v3/upload?filename=sunset.png", sam.token, image,
        "image/png");
    assert.equal(uploaded.status, 200, uploaded.body.toString());
    const mxc = JSON.parse(uploaded.body.toString()).content_uri;
    const id = mediaId(mxc, synapse.serverName);

    const alice = await registerUser(baseUrl, sharedSecret, "alice");
    const auth = { headers: { Authorization: `Bearer ${alice.getAccessToken()}` } };
    const download = await fetch(`${baseUrl}/_matrix/client/v1/media/download/${synapse.serverName}/${id}`, auth);
    assert.equal(download.status, 200, await download.clone().text());
    assert.equal(download.headers.get("content-type"), "image/png");
    assert.match(download.headers.get("content-disposition") ?? "", /sunset\.png/);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), image);

    const thumbnail = await fetch(`${baseUrl}/_matrix/client/v1/media/thumbnail/${synapse.serverName}/${id}`
        + "?width=96&height=96&method=crop", auth);
    assert.equal(thumbnail.status, 200, await thumbnail.clone().text());
    assert.deepEqual(imageSize(Buffer.from(await thumbnail.arrayBuffer())), { width: 96, height: 96 });

    const missing = await fetch(`${baseUrl}/_matrix/client/v1/media/download/${synapse.serverName}/NoSuchMedia`, auth);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).errcode, "M_NOT_FOUND");
});

test("Synapse fetches a Myelin user's image and a thumbnail of it from Myelin over federation", { skip }, async () => {
    const bob = await registerUser(baseUrl, sharedSecret, "bob");
    const image = png(640, 480);
    const { content_uri: mxc } = await bob.uploadContent(image, { name: "meadow.png", type: "image/png" });
    const id = mediaId(mxc, serverName);

    const sam = await synapseUser("sam");
    const download = await synapseRequest("GET", `/_matrix/client/v1/media/download/${serverName}/${id}`, sam.token);
    assert.equal(download.status, 200, download.body.toString());
    assert.equal(download.headers["content-type"], "image/png");
    assert.deepEqual(download.body, image);

    const thumbnail = await synapseRequest("GET",
        `/_matrix/client/v1/media/thumbnail/${serverName}/${id}?width=32&height=32&method=crop`, sam.token);
    assert.equal(thumbnail.status, 200, thumbnail.body.toString());
    const size = imageSize(thumbnail.body);
    assert.ok(size.width >= 32 && size.height >= 32 && size.width <= 640, JSON.stringify(size));

    const missing = await synapseRequest("GET", `/_matrix/client/v1/media/download/${serverName}/NoSuchMedia`,
        sam.token);
    assert.equal(missing.status, 404, missing.body.toString());
});
