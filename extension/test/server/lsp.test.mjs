// Drives the built `hearth serve` binary with vscode-languageserver-protocol,
// the client library VS Code's language client is built on, against the
// scripted fake Ollama. Run by `make test-lsp-node` with HEARTH_BIN and
// FAKE_OLLAMA_BIN set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import rpc from "vscode-languageserver-protocol/node.js";

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = rpc;
const hearthBin = process.env.HEARTH_BIN;
const fakeBin = process.env.FAKE_OLLAMA_BIN;

async function startFake(script) {
  const dir = mkdtempSync(join(tmpdir(), "hearth-fake-"));
  const scriptPath = join(dir, "script.json");
  writeFileSync(scriptPath, JSON.stringify(script));
  const proc = spawn(fakeBin, ["--addr", "127.0.0.1:0", "--script", scriptPath], { stdio: ["pipe", "pipe", "inherit"] });
  const first = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout });
    rl.once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`fake-ollama exited with ${code}`)));
  });
  const url = first.replace(/^listening on /, "").trim();
  return { url, stop: () => proc.stdin.end() };
}

function startServer() {
  const proc = spawn(hearthBin, process.env.HEARTH_TEST_DEBUG ? ["serve", "--log-level", "debug"] : ["serve"], { stdio: ["pipe", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; if (process.env.HEARTH_TEST_DEBUG) process.stderr.write(d); });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const events = [];
  const waiters = [];
  conn.onNotification("hearth/event", (ev) => {
    events.push(ev);
    for (const w of [...waiters]) if (w.match(ev)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(ev); }
  });
  const statuses = [];
  conn.onNotification("hearth/status", (st) => statuses.push(st));
  conn.listen();
  const exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
  const waitEvent = (match, ms = 20000) => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for an event; server log:\n" + log)), ms);
      waiters.push({ match, resolve: (ev) => { clearTimeout(timer); resolve(ev); } });
    });
  };
  return { conn, events, statuses, exited, waitEvent, log: () => log };
}

test("hearth serve speaks LSP and the hearth/* contract to a real client library", { skip: !hearthBin || !fakeBin }, async () => {
  const fake = await startFake({ replies: [
    { chunks: ["Read ", "main.go, ", "then add the flag."] },
    { tool_calls: [{ name: "attempt_completion", arguments: { summary: "plan given" } }] },
  ] });
  const root = mkdtempSync(join(tmpdir(), "hearth-ws-"));
  const state = mkdtempSync(join(tmpdir(), "hearth-state-"));
  writeFileSync(join(root, "main.go"), "package main\n");
  const s = startServer();
  try {
    const init = await s.conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: {},
      initializationOptions: { stateDir: state, hearth: { ollama: { host: fake.url }, models: { plan: "qwen2.5-coder:7b" } } },
    });
    assert.equal(init.serverInfo.name, "hearth");
    assert.ok(init.capabilities.executeCommandProvider.commands.includes("hearth.applyProposal"));
    assert.ok(init.capabilities.experimental.hearth.methods.includes("hearth/chat"));
    await s.conn.sendNotification("initialized", {});

    const status = await s.conn.sendRequest("hearth/status", {});
    for (const key of ["health", "message", "busy", "mode", "gpu", "models", "context", "headroom"]) {
      assert.ok(key in status, `status lacks ${key}`);
    }

    const { sessionId, turnId } = await s.conn.sendRequest("hearth/chat", { text: "How do I add a flag?", mode: "plan" });
    assert.ok(sessionId && turnId);
    const text = await s.waitEvent((ev) => ev.kind === "text" && ev.delta.includes("main.go"));
    assert.equal(text.sessionId, sessionId);
    const done = await s.waitEvent((ev) => ev.kind === "done");
    assert.ok(["completed", "awaitingUser"].includes(done.reason), `done reason ${done.reason}`);

    const seqs = s.events.filter((ev) => ev.sessionId === sessionId).map((ev) => ev.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "seq increases by one");
    const history = await s.conn.sendRequest("hearth/history", { sessionId });
    assert.deepEqual(history.events.map((ev) => ev.seq), seqs, "history holds what was streamed");

    await assert.rejects(s.conn.sendRequest("hearth/noSuchMethod", {}), (err) => err.code === -32601);
    await assert.rejects(s.conn.sendRequest("hearth/chat", { text: "" }), (err) => err.code === -32602);

    await s.conn.sendRequest("shutdown");
    await s.conn.sendNotification("exit");
    assert.equal(await s.exited, 0, "exit status after shutdown");
  } finally {
    s.conn.dispose();
    fake.stop();
  }
});
