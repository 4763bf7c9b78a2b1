// Media: one matrix-js-sdk client uploads an image (client.uploadContent); another downloads it and a thumbnail
// through the authenticated /_matrix/client/v1/media endpoints, with the URLs the SDK builds itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { registerUser } from "../lib/users.mjs";

const baseUrl = process.env.MYELIN_BASE_URL;
const sharedSecret = process.env.MYELIN_SHARED_SECRET;
const newUser = (prefix) => registerUser(baseUrl, sharedSecret, prefix);

/** A real PNG: a width x height RGB gradient. */
function png(width, height) {
    const crcTable = Array.from({ length: 256 }, (_, n) => {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        return c >>> 0;
    });
    const crc = (bytes) => {
        let c = 0xffffffff;
        for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
        return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type, data) => {
        const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
        const out = Buffer.alloc(8 + data.length + 4);
        out.writeUInt32BE(data.length, 0);
        body.copy(out, 4);
        out.writeUInt32BE(crc(body), 8 + data.length);
        return out;
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // RGB
    const rows = [];
    for (let y = 0; y < height; y++) {
        const row = Buffer.alloc(1 + width * 3);
        for (let x = 0; x < width; x++) {
            row[1 + x * 3] = (x * 255) / width;
            row[2 + x * 3] = (y * 255) / height;
            row[3 + x * 3] = 128;
        }
        rows.push(row);
    }
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header),
        chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

test("an uploaded image is downloaded, with a thumbnail, by another user through authenticated media", async () => {
    const alice = await newUser("alice");
    const bob = await newUser("bob");
    const image = png(640, 480);

    const { content_uri: mxc } = await alice.uploadContent(image, { name: "gradient.png", type: "image/png" });
    assert.match(mxc, /^mxc:\/\/[^/]+\/[A-Za-z0-9_-]+$/);

    const headers = { Authorization: `Bearer ${bob.getAccessToken()}` };
    const downloadUrl = bob.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
    assert.match(downloadUrl, /\/_matrix\/client\/v1\/media\/download\//);
    const download = await fetch(downloadUrl, { headers });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "image/png");
    assert.equal(download.headers.get("content-disposition"), 'inline; filename="gradient.png"');
    assert.equal(download.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.match(download.headers.get("content-security-policy"), /sandbox/);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), image);

    const thumbnailUrl = bob.mxcUrlToHttp(mxc, 96, 96, "crop", false, true, true);
    assert.match(thumbnailUrl, /\/_matrix\/client\/v1\/media\/thumbnail\//);
    const thumbnail = await fetch(thumbnailUrl, { headers });
    assert.equal(thumbnail.status, 200);
    assert.equal(thumbnail.headers.get("content-type"), "image/jpeg");
    const jpeg = Buffer.from(await thumbnail.arrayBuffer());
    assert.equal(jpeg[0], 0xff);
    assert.equal(jpeg[1], 0xd8);
    assert.ok(jpeg.length < image.length);

    // Without a token the authenticated endpoint refuses, and the frozen legacy endpoint does not serve it.
    assert.equal((await fetch(downloadUrl)).status, 401);
    const legacy = await fetch(bob.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, false));
    assert.equal(legacy.status, 404);

    const config = await bob.getMediaConfig(true);
    assert.equal(typeof config["m.upload.size"], "number");
});
