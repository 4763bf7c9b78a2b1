// Starts and stops a throw-away Synapse (installed by interop/synapse/install.sh) for federation scenarios:
// server name localhost:<port>, SQLite, one TLS listener (client + federation) with a self-signed certificate,
// certificate checks off and loopback allowed for federation, a registration shared secret, no rate limits, cheap
// password hashing (scenarios register many users), anyone may publish rooms, its room directory readable
// over federation. restart() stops it and starts it again on the same data and port.
import { spawn, execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { Agent, request } from "node:https";
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort } from "./myelin.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SYNAPSE_VENV = process.env.SYNAPSE_VENV ?? resolve(HERE, "..", "synapse", ".venv");
const PYTHON = join(SYNAPSE_VENV, "bin", "python");

/** Whether install.sh has installed Synapse. */
export function synapseInstalled() {
    return existsSync(PYTHON);
}

const UNLIMITED = "{per_second: 10000, burst_count: 10000}";

function config({ dir, port, serverName, sharedSecret }) {
    return `
server_name: "${serverName}"
pid_file: "${dir}/homeserver.pid"
public_baseurl: "https://localhost:${port}/"
listeners:
  - port: ${port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: true
    x_forwarded: false
    resources:
      - names: [client, federation]
        compress: false
tls_certificate_path: "${dir}/tls.crt"
tls_private_key_path: "${dir}/tls.key"
database:
  name: sqlite3
  args:
    database: "${dir}/homeserver.db"
log_config: "${dir}/log.yaml"
media_store_path: "${dir}/media_store"
signing_key_path: "${dir}/signing.key"
registration_shared_secret: "${sharedSecret}"
bcrypt_rounds: 4
macaroon_secret_key: "${randomBytes(24).toString("hex")}"
form_secret: "${randomBytes(24).toString("hex")}"
report_stats: false
enable_registration: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_verify_certificates: false
ip_range_blacklist: []
ip_range_whitelist: ["127.0.0.0/8", "::1/128"]
federation_ip_range_blacklist: []
allow_public_rooms_over_federation: true
room_list_publication_rules: [{action: allow}]
rc_message: ${UNLIMITED}
rc_registration: ${UNLIMITED}
rc_login:
  address: ${UNLIMITED}
  account: ${UNLIMITED}
  failed_attempts: ${UNLIMITED}
rc_joins:
  local: ${UNLIMITED}
  remote: ${UNLIMITED}
rc_joins_per_room: ${UNLIMITED}
rc_invites:
  per_room: ${UNLIMITED}
  per_user: ${UNLIMITED}
rc_federation:
  window_size: 1000
  sleep_limit: 10000
  sleep_delay: 1
  reject_limit: 10000
  concurrent: 100
`;
}

const LOG_CONFIG = (dir) => `
version: 1
formatters:
  precise:
    format: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s"
filters:
  context:
    (): synapse.logging.context.LoggingContextFilter
    request: ""
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: "${dir}/homeserver.log"
    filters: [context]
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
`;

/** Starts Synapse; resolves to { baseUrl, serverName, caFile, dir, logFile, sharedSecret, restart(), stop() }. */
export async function startSynapse() {
    if (!synapseInstalled()) throw new Error(`Synapse is not installed in ${SYNAPSE_VENV}: run interop/synapse/install.sh`);
    const dir = mkdtempSync(join(tmpdir(), "synapse-interop-"));
    const port = await freePort();
    const serverName = `localhost:${port}`;
    const sharedSecret = randomBytes(24).toString("hex");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt")], { stdio: "ignore" });
    const configFile = join(dir, "homeserver.yaml");
    writeFileSync(configFile, config({ dir, port, serverName, sharedSecret }));
    writeFileSync(join(dir, "log.yaml"), LOG_CONFIG(dir));
    execFileSync(PYTHON, ["-m", "synapse.app.homeserver", "-c", configFile, "--generate-keys"], { stdio: "ignore" });
    const baseUrl = `https://localhost:${port}`;
    const logFile = join(dir, "homeserver.log");
    let child = await launch(dir, configFile, baseUrl);
    const stopChild = async () => {
        if (child.exitCode === null) {
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGTERM");
            await exited;
        }
    };
    return {
        baseUrl, serverName, caFile: join(dir, "tls.crt"), dir, logFile, sharedSecret,
        /** Stops Synapse, waits (it is unreachable meanwhile), and starts it again on the same data. */
        async restart(whileStopped = async () => {}) {
            await stopChild();
            await whileStopped();
            child = await launch(dir, configFile, baseUrl);
        },
        async stop({ keep = false } = {}) {
            await stopChild();
            if (!keep) rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** Starts the Synapse process and waits until it answers /health. */
async function launch(dir, configFile, baseUrl) {
    const out = createWriteStream(join(dir, "stdout.log"), { flags: "a" });
    const child = spawn(PYTHON, ["-m", "synapse.app.homeserver", "-c", configFile], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    try {
        await waitForHealth(baseUrl, join(dir, "tls.crt"), child);
    } catch (e) {
        child.kill("SIGKILL");
        const tail = (file) => { try { return readFileSync(file, "utf8").split("\n").slice(-40).join("\n"); } catch { return ""; } };
        throw new Error(`${e.message}\n---- Synapse output ----\n${tail(join(dir, "stdout.log"))}\n---- Synapse log ----\n${tail(join(dir, "homeserver.log"))}`);
    }
    return child;
}

async function waitForHealth(baseUrl, certFile, child) {
    const https = await import("node:https");
    const ca = readFileSync(certFile);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`Synapse exited early with code ${child.exitCode}`);
        const ok = await new Promise((done) => {
            const request = https.get(`${baseUrl}/health`, { ca }, (response) => {
                response.resume();
                done(response.statusCode === 200);
            });
            request.on("error", () => done(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`Synapse did not answer ${baseUrl}/health within 120 s`);
}

/**
 * A client of a started Synapse's HTTP API over https (trusting its self-signed certificate, connections kept):
 * json(method, path, token, body) resolves to { status, json }; register(prefix, { admin }) registers a user with
 * the shared secret and resolves to { userId, token }.
 */
export function synapseClient(synapse) {
    const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: readFileSync(synapse.caFile) });
    const json = (method, path, token, body) => new Promise((resolve, reject) => {
        const headers = { "Content-Type": "application/json" };
        if (token) headers.Authorization = `Bearer ${token}`;
        const req = request(`${synapse.baseUrl}${path}`, { method, headers, agent }, (response) => {
            let text = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => { text += chunk; });
            response.on("end", () => {
                try {
                    resolve({ status: response.statusCode, json: text ? JSON.parse(text) : {} });
                } catch (e) {
                    reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`));
                }
            });
        });
        req.on("error", reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
    });
    let registered = 0;
    async function register(prefix, { admin = false } = {}) {
        const { json: { nonce } } = await json("GET", "/_synapse/admin/v1/register");
        const username = `${prefix}${Date.now() % 100000}${++registered}`;
        const password = "interop-password-1";
        const mac = createHmac("sha1", synapse.sharedSecret)
            .update(`${nonce}\0${username}\0${password}\0${admin ? "admin" : "notadmin"}`).digest("hex");
        const answer = await json("POST", "/_synapse/admin/v1/register", null, { nonce, username, password, admin, mac });
        if (answer.status !== 200) throw new Error(`registering ${username} at Synapse: ${JSON.stringify(answer.json)}`);
        return { userId: answer.json.user_id, token: answer.json.access_token };
    }
    return { json, register, close: () => agent.destroy() };
}
