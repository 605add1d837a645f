// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.
//
// Drives the npm `consul` 2.0.1 client against a Consul-compatible agent and asserts what Consul's API docs say
// it returns. Usage: node node-client.mjs <port>. Exits non-zero on the first failed assertion.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Consul = require("consul");

const port = Number(process.argv[2] ?? 8500);
const consul = new Consul({ host: "127.0.0.1", port });
const name = `node-web-${process.pid}`;

// A tiny health endpoint the agent's HTTP check probes for real.
const health = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("ok");
});
await new Promise((resolve) => health.listen(0, "127.0.0.1", resolve));
const healthUrl = `http://127.0.0.1:${health.address().port}/health`;

// The client returns [response, body] when its request context asks for it; the context must be an emitter.
function withResponse() {
  const ctx = new EventEmitter();
  ctx.includeResponse = true;
  return ctx;
}

async function step(title, fn) {
  try {
    await fn();
    console.log(`ok   node: ${title}`);
  } catch (err) {
    console.error(`FAIL node: ${title}: ${err.stack ?? err}`);
    process.exitCode = 1;
    throw err;
  }
}

async function eventually(probe, done, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

try {
  await step("status leader is a JSON string", async () => {
    const leader = await consul.status.leader();
    assert.match(leader, /^\d+\.\d+\.\d+\.\d+:\d+$/);
  });

  await step("register two instances with TTL and HTTP checks", async () => {
    // The client lower-cases keys and sends durations as given; Consul matches keys case-insensitively.
    await consul.agent.service.register({
      name, id: `${name}-1`, port: 8080, tags: ["v1"],
      check: { checkid: `${name}-1-ttl`, ttl: "15s", deregistercriticalserviceafter: "1m" },
    });
    await consul.agent.service.register({
      name, id: `${name}-2`, port: 8081, tags: ["v2"],
      check: { checkid: `${name}-2-http`, http: healthUrl, interval: "1s", timeout: "2s" },
    });
    const services = await consul.agent.service.list();
    assert.ok(services[`${name}-1`], "instance 1 listed");
    assert.equal(services[`${name}-2`].Port, 8081);
    assert.deepEqual(services[`${name}-1`].Tags, ["v1"]);
  });

  await step("a new TTL check starts critical; passing hides it", async () => {
    const all = await consul.health.service({ service: name });
    assert.equal(all.length, 2);
    const entry = all.find((e) => e.Service.ID === `${name}-1`);
    const ttl = entry.Checks.find((c) => c.CheckID === `${name}-1-ttl`);
    assert.equal(ttl.Status, "critical");
    assert.ok(entry.Checks.some((c) => c.CheckID === "serfHealth" && c.Status === "passing"));
  });

  await step("the HTTP check is probed and turns passing", async () => {
    const passing = await eventually(
      () => consul.health.service({ service: name, passing: true }),
      (list) => list.some((e) => e.Service.ID === `${name}-2`));
    assert.deepEqual(passing.map((e) => e.Service.ID), [`${name}-2`]);
    const check = passing[0].Checks.find((c) => c.CheckID === `${name}-2-http`);
    assert.equal(check.Output, `HTTP GET ${healthUrl}: 200 OK Output: ok`);
  });

  await step("a blocking query returns when the TTL check passes", async () => {
    const [res] = await consul.health.service({ service: name, passing: true, ctx: withResponse() });
    const index = res.headers["x-consul-index"];
    assert.ok(Number(index) >= 1, "X-Consul-Index is at least 1");
    assert.equal(res.headers["x-consul-knownleader"], "true");
    const blocked = consul.health.service({ service: name, passing: true, index, wait: "30s", ctx: withResponse() });
    await consul.agent.check.pass({ id: `${name}-1-ttl`, note: "fine" });
    const [changedRes, changed] = await blocked;
    assert.ok(BigInt(changedRes.headers["x-consul-index"]) > BigInt(index), "index moved");
    assert.deepEqual(changed.map((e) => e.Service.ID).sort(), [`${name}-1`, `${name}-2`]);
  });

  await step("a blocking query with a short wait returns unchanged data at timeout", async () => {
    const [res] = await consul.health.service({ service: name, ctx: withResponse() });
    const index = res.headers["x-consul-index"];
    const started = Date.now();
    const [again] = await consul.health.service({ service: name, index, wait: "100ms", ctx: withResponse() });
    assert.equal(again.headers["x-consul-index"], index);
    assert.ok(Date.now() - started >= 90, "waited");
  });

  await step("TTL check on an unknown ID is a 404", async () => {
    // The client reports a 404 as "not found" whatever the body says.
    await assert.rejects(consul.agent.check.pass({ id: `${name}-nope` }), (err) => {
      assert.equal(err.statusCode, 404);
      return true;
    });
  });

  await step("KV set, get, keys, recurse, delete", async () => {
    const prefix = `${name}/config`;
    assert.equal(await consul.kv.set(`${prefix}/a`, "1"), true);
    assert.equal(await consul.kv.set({ key: `${prefix}/b/c`, value: "2", flags: 7 }), true);
    const a = await consul.kv.get(`${prefix}/a`);
    assert.equal(a.Key, `${prefix}/a`);
    assert.equal(a.Value, "1", "the client decodes the base64 value");
    const bc = await consul.kv.get(`${prefix}/b/c`);
    assert.equal(bc.Flags, 7);
    assert.deepEqual(await consul.kv.keys({ key: `${prefix}/`, separator: "/" }), [`${prefix}/a`, `${prefix}/b/`]);
    const all = await consul.kv.get({ key: `${prefix}/`, recurse: true });
    assert.equal(all.length, 2);
    // A failed CAS answers the JSON false (the client hands back a falsy value); the value is unchanged.
    assert.notEqual(await consul.kv.set({ key: `${prefix}/a`, value: "x", cas: 1 }), true, "cas mismatch");
    assert.equal((await consul.kv.get(`${prefix}/a`)).Value, "1");
    await consul.kv.del({ key: `${prefix}/`, recurse: true });
    assert.equal(await consul.kv.get(`${prefix}/a`), undefined, "a missing key reads as undefined (404)");
  });

  await step("sessions create, info, renew, destroy and a KV lock", async () => {
    const { ID: sid } = await consul.session.create({ name: `${name}-lock`, lockdelay: "0s", ttl: "30s" });
    const info = await consul.session.info(sid);
    assert.equal(info.ID, sid);
    assert.equal(info.TTL, "30s");
    const renewed = await consul.session.renew(sid);
    assert.equal((Array.isArray(renewed) ? renewed[0] : renewed).ID, sid);
    const { ID: other } = await consul.session.create({ name: `${name}-other` });
    const key = `${name}/lock`;
    assert.equal(await consul.kv.set({ key, value: "held", acquire: sid }), true);
    const held = await consul.kv.get(key);
    assert.equal(held.Session, sid);
    assert.equal(held.LockIndex, 1);
    // A refused acquire answers the JSON false, which this client hands back as a falsy value.
    assert.notEqual(await consul.kv.set({ key, value: "stolen", acquire: other }), true);
    assert.equal(await consul.kv.set({ key, value: "free", release: sid }), true);
    assert.equal((await consul.kv.get(key)).Session, undefined);
    await consul.session.destroy(sid);
    await consul.session.destroy(other);
    assert.equal(await consul.session.info(sid), undefined, "a destroyed session reads as undefined");
    await consul.kv.del(key);
  });

  await step("a transaction commits at one index and a failed one rolls back", async () => {
    const prefix = `${name}/txn`;
    const b64 = (v) => Buffer.from(v).toString("base64");
    const { ID: sid } = await consul.session.create({ lockdelay: "0s" });
    const ok = await consul.transaction.create([
      { KV: { Verb: "set", Key: `${prefix}/a`, Value: b64("1") } },
      { KV: { Verb: "lock", Key: `${prefix}/l`, Value: b64("x"), Session: sid } },
      { KV: { Verb: "get", Key: `${prefix}/a` } },
    ]);
    assert.equal(ok.Errors, null);
    const kvs = ok.Results.map((r) => r.KV);
    assert.equal(kvs[0].Value, null);
    assert.equal(kvs[1].Session, sid);
    assert.equal(kvs[2].Value, b64("1"));
    assert.equal(kvs[0].ModifyIndex, kvs[1].ModifyIndex);
    // A rolled-back transaction is a 409: the client rejects with the parsed body.
    await assert.rejects(
      consul.transaction.create([
        { KV: { Verb: "set", Key: `${prefix}/b`, Value: b64("2") } },
        { KV: { Verb: "check-not-exists", Key: `${prefix}/a` } },
      ]),
      (err) => {
        assert.equal(err.response?.statusCode ?? err.statusCode, 409);
        return true;
      },
    );
    assert.equal(await consul.kv.get(`${prefix}/b`), undefined);
    await consul.session.destroy(sid);
    await consul.kv.del({ key: `${prefix}/`, recurse: true });
  });

  await step("maintenance mode drops the instance from passing", async () => {
    await consul.agent.service.maintenance({ id: `${name}-1`, enable: true, reason: "deploy" });
    const passing = await consul.health.service({ service: name, passing: true });
    assert.ok(!passing.some((e) => e.Service.ID === `${name}-1`));
    await consul.agent.service.maintenance({ id: `${name}-1`, enable: false });
  });

  await step("deregister removes both instances", async () => {
    await consul.agent.service.deregister(`${name}-1`);
    await consul.agent.service.deregister({ id: `${name}-2` });
    assert.deepEqual(await consul.health.service({ service: name }), []);
  });
} catch {
  // step() has reported the failure.
} finally {
  health.close();
}
