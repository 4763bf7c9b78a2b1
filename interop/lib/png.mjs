// A real PNG for media scenarios: a width x height RGB gradient, made without any image library.
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});

function crc(bytes) {
    let c = 0xffffffff;
    for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
}

export function png(width, height) {
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

/** Width and height from a PNG's header, or from a baseline/progressive JPEG's SOF marker. */
export function imageSize(bytes) {
    if (bytes.subarray(1, 4).toString("ascii") === "PNG") {
        return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    }
    for (let i = 2; i + 9 < bytes.length;) {
        if (bytes[i] !== 0xff) throw new Error("not a JPEG");
        const marker = bytes[i + 1];
        if (marker >= 0xc0 && marker <= 0xc2) {
            return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
        }
        i += 2 + bytes.readUInt16BE(i + 2);
    }
    throw new Error("no image size found");
}
