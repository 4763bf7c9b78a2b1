// Starts and stops a fresh Myelin (through the ./myelin launcher, as a user would) for interop runs: a temporary data folder, a free port on
// loopback, TLS with a self-signed certificate (so clients use https as they would in production).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const LAUNCHER = join(ROOT, "myelin");

export function freePort() {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolvePort(port));
        });
    });
}

function selfSignedCertificate(dir) {
    const cert = join(dir, "tls.crt");
    const key = join(dir, "tls.key");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", key, "-out", cert], { stdio: "ignore" });
    return { cert, key };
}


/** Starts Myelin; resolves to { baseUrl, serverName, caFile, dir, stop() }. */
export async function startMyelin({ extraArgs = [] } = {}) {
    const dir = mkdtempSync(join(tmpdir(), "myelin-interop-"));
    const port = await freePort();
    const serverName = `localhost:${port}`;
    const { cert, key } = selfSignedCertificate(dir);
    const args = ["--data-dir", dir, "--server-name", serverName, "--port", String(port),
        "--set", "listeners.0.bind_address=127.0.0.1",
        "--set", `listeners.0.tls.certificate=${cert}`,
        "--set", `listeners.0.tls.private_key=${key}`,
        "--set", `public_baseurl=https://localhost:${port}/`,
        ...extraArgs];
    const log = createWriteStream(join(dir, "myelin.log"));
    const child = spawn(LAUNCHER, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const baseUrl = `https://localhost:${port}`;
    process.env.NODE_EXTRA_CA_CERTS = cert;
    try {
        await waitForHealthTls(baseUrl, cert, child);
    } catch (e) {
        child.kill("SIGKILL");
        const { readFileSync } = await import("node:fs");
        await new Promise((r) => setTimeout(r, 200));
        throw new Error(`${e.message}\n---- Myelin log ----\n${readFileSync(join(dir, "myelin.log"), "utf8")}`);
    }
    return {
        baseUrl, serverName, caFile: cert, dir, logFile: join(dir, "myelin.log"),
        async stop({ keep = false } = {}) {
            if (child.exitCode === null) {
                const exited = new Promise((r) => child.once("exit", r));
                child.kill("SIGTERM");
                await exited;
            }
            if (!keep) rmSync(dir, { recursive: true, force: true });
            return child.exitCode;
        },
    };
}

// The runner itself checks health over https with the test CA; Node reads NODE_EXTRA_CA_CERTS
// only at start, so this process uses an agent that trusts the certificate explicitly.
async function waitForHealthTls(baseUrl, certFile, child) {
    const https = await import("node:https");
    const { readFileSync } = await import("node:fs");
    const ca = readFileSync(certFile);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`Myelin exited early with code ${child.exitCode}`);
        const ok = await new Promise((done) => {
            const request = https.get(`${baseUrl}/health`, { ca }, (response) => {
                response.resume();
                done(response.statusCode === 200);
            });
            request.on("error", () => done(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Myelin did not answer ${baseUrl}/health within 60 s`);
}
