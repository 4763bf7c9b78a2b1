// The interop runner: starts a fresh Myelin, runs every scenario in scenarios/ with Node's test
// runner against it, and stops it. Scenario files read MYELIN_BASE_URL and MYELIN_SERVER_NAME.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startMyelin } from "./lib/myelin.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const scenarios = readdirSync(join(here, "scenarios"))
    .filter((name) => name.endsWith(".test.mjs") && (!filter || name.includes(filter)))
    .sort()
    .map((name) => join("scenarios", name));

// Accounts scenarios register through a registration token that an admin (made with the shared secret) creates.
const sharedSecret = randomBytes(24).toString("hex");

// The application service scenario's bot: a registration whose namespace (@_interop_*) no other scenario uses.
const appService = { id: "interop-bot", port: await freePort(), asToken: randomBytes(16).toString("hex"),
    hsToken: randomBytes(16).toString("hex") };
const registrationFile = join(mkdtempSync(join(tmpdir(), "myelin-as-")), "interop-bot.yaml");
writeFileSync(registrationFile, [
    `id: ${appService.id}`, `url: "http://127.0.0.1:${appService.port}"`, `as_token: ${appService.asToken}`,
    `hs_token: ${appService.hsToken}`, "sender_localpart: _interop_bot", "rate_limited: false", "namespaces:",
    "  users:", "    - exclusive: true", `      regex: "@_interop_.*"`, "  aliases: []", "  rooms: []", ""].join("\n"));
const myelin = await startMyelin({
    extraArgs: ["--set", `registration_shared_secret=${sharedSecret}`, "--set", "registration.mode=token",
        "--set", "rate_limits.login.per_second=50", "--set", "rate_limits.login.burst=50",
        "--set", "rate_limits.registration.per_second=50", "--set", "rate_limits.registration.burst=50",
        "--set", 'voip.turn_uris=["turn:turn.interop.test:3478?transport=udp"]',
        "--set", "voip.turn_shared_secret=interop-turn-secret",
        "--set", `app_service_config_files=["${registrationFile}"]`,

        // Federation scenarios talk to a Synapse on loopback with a self-signed certificate.
        "--set", "federation.allow_private_addresses=true", "--set", "federation.tls_verify=false"],
});
console.log(`Myelin ${myelin.serverName} at ${myelin.baseUrl} (data in ${myelin.dir})`);
let code;
try {
    // --test-force-exit: a scenario file ends when its tests do, even if the SDK left a timer behind (a client
    // stopped while its capabilities fetch was in flight re-arms the refresh timer and kept the file open).
    const child = spawn(process.execPath, ["--test", "--test-concurrency=1", "--test-force-exit", ...scenarios], {
        cwd: here,
        stdio: "inherit",
        env: {
            ...process.env,
            MYELIN_BASE_URL: myelin.baseUrl,
            MYELIN_SERVER_NAME: myelin.serverName,
            MYELIN_SHARED_SECRET: sharedSecret,
            MYELIN_APPSERVICE: JSON.stringify(appService),
            NODE_EXTRA_CA_CERTS: myelin.caFile,
        },
    });
    code = await new Promise((r) => child.once("exit", (c) => r(c ?? 1)));
} finally {
    if (code !== 0) {
        console.log("---- Myelin log (last 60 lines) ----");
        try {
            console.log(readFileSync(myelin.logFile, "utf8").split("\n").slice(-60).join("\n"));
        } catch {
            // no log
        }
    }
    // INTEROP_KEEP=1 keeps a failed run's data folder (with myelin.log) for a look afterwards.
    const exit = await myelin.stop({ keep: code !== 0 && Boolean(process.env.INTEROP_KEEP) });
    console.log(`Myelin stopped (exit code ${exit})`);
}
process.exit(code);
