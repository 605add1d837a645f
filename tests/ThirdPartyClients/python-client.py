# Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.
#
# Drives Debian's python3-consul2 (0.1.5) against a Consul-compatible agent and asserts what Consul's API docs
# say it returns. Usage: /usr/bin/python3 python-client.py <port>. Exits non-zero on the first failed assertion.

import http.server
import os
import sys
import threading
import time

import consul

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8500
c = consul.Consul(host="127.0.0.1", port=port)
name = "py-web-%d" % os.getpid()


class Health(http.server.BaseHTTPRequestHandler):
    """A health endpoint the agent's HTTP check probes for real."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Health)
threading.Thread(target=server.serve_forever, daemon=True).start()
health_url = "http://127.0.0.1:%d/health" % server.server_address[1]


def step(title, fn):
    try:
        fn()
        print("ok   python: " + title)
    except Exception as e:  # noqa: BLE001 - report and fail
        print("FAIL python: %s: %r" % (title, e), file=sys.stderr)
        server.shutdown()
        sys.exit(1)


def eventually(probe, done, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %ss: %r" % (timeout, value))
        time.sleep(0.05)


def status_leader():
    assert c.status.leader() != "", "a dev agent knows its leader"
    peers = c.status.peers()
    assert isinstance(peers, list) and len(peers) >= 1, peers


def register():
    # The client sends lower-case keys ("name", "check", "ttl") and mixed "DeregisterCriticalServiceAfter".
    assert c.agent.service.register(name, service_id=name + "-1", port=8080, tags=["v1"],
                                    check=consul.Check.ttl("15s")) is True
    assert c.agent.service.register(name, service_id=name + "-2", port=8081, tags=["v2"],
                                    check=consul.Check.http(health_url, "1s", timeout="2s", deregister="1m")) is True
    services = c.agent.services()
    assert services[name + "-1"]["Port"] == 8080, services
    assert services[name + "-2"]["Tags"] == ["v2"], services


def ttl_starts_critical():
    index, nodes = c.health.service(name)
    assert int(index) >= 1
    assert len(nodes) == 2, nodes
    checks = {ch["CheckID"]: ch for n in nodes for ch in n["Checks"]}
    assert checks["service:%s-1" % name]["Status"] == "critical", checks
    assert checks["serfHealth"]["Status"] == "passing", checks


def http_check_passes():
    _, nodes = eventually(lambda: c.health.service(name, passing=True),
                          lambda r: any(n["Service"]["ID"] == name + "-2" for n in r[1]))
    assert [n["Service"]["ID"] for n in nodes] == [name + "-2"], nodes
    check = [ch for ch in nodes[0]["Checks"] if ch["CheckID"] == "service:%s-2" % name][0]
    assert check["Output"] == "HTTP GET %s: 200 OK Output: ok" % health_url, check["Output"]


def blocking_query():
    index, _ = c.health.service(name, passing=True)
    result = {}

    def block():
        result["value"] = c.health.service(name, passing=True, index=index, wait="30s")

    waiter = threading.Thread(target=block)
    waiter.start()
    time.sleep(0.2)  # let the query reach the agent and block; the assertion below does not depend on it
    assert c.agent.check.ttl_pass("service:%s-1" % name, "fine") is True
    waiter.join(timeout=10)
    assert not waiter.is_alive(), "blocking query returned after the change"
    new_index, nodes = result["value"]
    assert int(new_index) > int(index), (new_index, index)
    assert sorted(n["Service"]["ID"] for n in nodes) == [name + "-1", name + "-2"], nodes


def blocking_timeout():
    index, _ = c.health.service(name)
    started = time.monotonic()
    same, _ = c.health.service(name, index=index, wait="100ms")
    assert same == index, (same, index)
    assert time.monotonic() - started >= 0.09


def kv():
    prefix = name + "/config"
    assert c.kv.put(prefix + "/a", "1") is True
    assert c.kv.put(prefix + "/b/c", "2", flags=7) is True
    index, item = c.kv.get(prefix + "/a")
    assert item["Value"] == b"1", item
    assert int(index) == item["ModifyIndex"], (index, item)
    _, bc = c.kv.get(prefix + "/b/c")
    assert bc["Flags"] == 7, bc
    _, keys = c.kv.get(prefix + "/", keys=True, separator="/")
    assert keys == [prefix + "/a", prefix + "/b/"], keys
    _, items = c.kv.get(prefix + "/", recurse=True)
    assert [i["Key"] for i in items] == [prefix + "/a", prefix + "/b/c"], items
    assert c.kv.put(prefix + "/a", "x", cas=1) is False
    blocked_index, _ = c.kv.get(prefix + "/a")
    holder = {}
    waiter = threading.Thread(target=lambda: holder.update(v=c.kv.get(prefix + "/a", index=blocked_index, wait="30s")))
    waiter.start()
    time.sleep(0.2)  # let the query block; correctness does not depend on it
    assert c.kv.put(prefix + "/a", "3") is True
    waiter.join(timeout=10)
    assert holder["v"][1]["Value"] == b"3", holder
    assert c.kv.delete(prefix + "/", recurse=True) is True
    _, missing = c.kv.get(prefix + "/a")
    assert missing is None, missing


def maintenance_and_deregister():
    assert c.agent.service.maintenance(name + "-1", "true", "deploy") is True
    _, nodes = c.health.service(name, passing=True)
    assert all(n["Service"]["ID"] != name + "-1" for n in nodes), nodes
    assert c.agent.service.maintenance(name + "-1", "false") is True
    assert c.agent.service.deregister(name + "-1") is True
    assert c.agent.service.deregister(name + "-2") is True
    _, nodes = c.health.service(name)
    assert nodes == [], nodes


def unknown_check_is_not_found():
    # The client's bool callback tolerates 404 and reports it as False; a 500 (old Consul's text) would raise.
    assert c.agent.check.ttl_pass(name + "-nope") is False


def non_ttl_check_update_is_500():
    try:
        c.agent.check.ttl_pass("service:%s-2" % name)
    except consul.ConsulException as e:
        assert "does not have associated TTL" in str(e), e
        return
    raise AssertionError("expected a 500 for a TTL update of an HTTP check")


def sessions_and_lock():
    sid = c.session.create(name=name + "-lock", lock_delay=0, ttl=30)
    _, info = c.session.info(sid)
    assert info["ID"] == sid and info["Name"] == name + "-lock" and info["TTL"] == "30s", info
    renewed = c.session.renew(sid)
    assert renewed["ID"] == sid, renewed
    other = c.session.create(name=name + "-other")
    key = name + "/lock"
    assert c.kv.put(key, "held", acquire=sid) is True
    _, held = c.kv.get(key)
    assert held["Session"] == sid and held["LockIndex"] == 1, held
    assert c.kv.put(key, "stolen", acquire=other) is False
    assert c.kv.put(key, "free", release=other) is False
    assert c.kv.put(key, "free", release=sid) is True
    _, released = c.kv.get(key)
    assert "Session" not in released and released["Value"] == b"free", released
    assert c.session.destroy(sid) is True
    assert c.session.destroy(other) is True
    _, gone = c.session.info(sid)
    assert gone is None, gone
    assert c.kv.delete(key) is True


def txn():
    import base64
    prefix = name + "/txn"
    b64 = lambda v: base64.b64encode(v.encode()).decode()
    sid = c.session.create(name=name + "-txn", lock_delay=0)
    result = c.txn.put([
        {"KV": {"Verb": "set", "Key": prefix + "/a", "Value": b64("1")}},
        {"KV": {"Verb": "lock", "Key": prefix + "/l", "Value": b64("x"), "Session": sid}},
        {"KV": {"Verb": "get", "Key": prefix + "/a"}},
    ])
    assert result["Errors"] is None, result
    kvs = [r["KV"] for r in result["Results"]]
    assert kvs[0]["Value"] is None and kvs[1]["Session"] == sid and kvs[2]["Value"] == b64("1"), kvs
    assert kvs[0]["ModifyIndex"] == kvs[1]["ModifyIndex"], kvs
    # A rolled-back transaction is a 409, which this client raises as a ClientError carrying the body.
    try:
        c.txn.put([
            {"KV": {"Verb": "set", "Key": prefix + "/b", "Value": b64("2")}},
            {"KV": {"Verb": "check-not-exists", "Key": prefix + "/a"}},
        ])
    except consul.base.ClientError as e:
        assert str(e).startswith("409 ") and ('key \\"%s/a\\" exists' % prefix) in str(e), e
    else:
        raise AssertionError("expected a 409 for a rolled-back transaction")
    _, missing = c.kv.get(prefix + "/b")
    assert missing is None, missing
    assert c.session.destroy(sid) is True
    assert c.kv.delete(prefix + "/", recurse=True) is True


step("status leader and peers", status_leader)
step("register two instances with TTL and HTTP checks", register)
step("a new TTL check starts critical", ttl_starts_critical)
step("the HTTP check is probed and turns passing", http_check_passes)
step("a blocking query returns when the TTL check passes", blocking_query)
step("a blocking query with a short wait returns at timeout", blocking_timeout)
step("KV put, get, keys, recurse, cas, blocking, delete", kv)
step("an unknown check ID is a 404", unknown_check_is_not_found)
step("a TTL update of an HTTP check is a 500", non_ttl_check_update_is_500)
step("maintenance mode and deregistration", maintenance_and_deregister)
step("sessions create, info, renew, destroy and a KV lock", sessions_and_lock)
step("a transaction commits at one index and a failed one rolls back", txn)
server.shutdown()
