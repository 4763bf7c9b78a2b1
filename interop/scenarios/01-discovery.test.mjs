// A client finds the server from the server name alone (.well-known), then reads /versions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AutoDiscovery, AutoDiscoveryAction, createClient } from "matrix-js-sdk";

const baseUrl = process.env.MYELIN_BASE_URL;
const serverName = process.env.MYELIN_SERVER_NAME;

test("auto-discovery finds the homeserver through .well-known", async () => {
    const config = await AutoDiscovery.findClientConfig(serverName);
    const homeserver = config["m.homeserver"];
    assert.equal(homeserver.state, AutoDiscoveryAction.SUCCESS, JSON.stringify(config));
    assert.equal(homeserver.base_url, baseUrl);
});

test("the client reads /versions from the discovered server", async () => {
    const config = await AutoDiscovery.findClientConfig(serverName);
    const client = createClient({ baseUrl: config["m.homeserver"].base_url });
    const versions = await client.getVersions();
    assert.ok(Array.isArray(versions.versions));
    assert.equal(typeof versions.unstable_features, "object");
});

test("an unknown endpoint answers M_UNRECOGNIZED through the SDK's error type", async () => {
    const client = createClient({ baseUrl });
    await assert.rejects(
        client.http.request("GET", "/no_such_endpoint"),
        (error) => error.errcode === "M_UNRECOGNIZED" && error.httpStatus === 404,
    );
});
