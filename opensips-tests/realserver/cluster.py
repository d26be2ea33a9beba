"""Two OpenSIPS nodes replicating dialogs over clusterer (BIN): the runner's server
is node 1, Server.peer() starts node 2 with the same config rendered for it."""
import time

from .infra import Fail, free_tcp_port


def cluster_globals(server):
    """clusterer without a database (3.6 clusterer README: db_mode 0, my_node_id,
    my_node_info, neighbor_node_info), node 1 = the runner's server (the seed),
    node 2 = its peer; one BIN listener each on 127.0.0.1."""
    peer = server.peer_of
    if peer is None:
        server.cluster = {"id": 1, "bin": free_tcp_port(), "peer_id": 2,
                          "peer_bin": free_tcp_port()}
    else:
        p = peer.cluster
        server.cluster = {"id": p["peer_id"], "bin": p["peer_bin"], "peer_id": p["id"],
                          "peer_bin": p["bin"]}
    c = server.cluster
    return "\n".join([
        'loadmodule "proto_bin.so"',
        'loadmodule "clusterer.so"',
        "socket=bin:127.0.0.1:%d" % c["bin"],
        'modparam("clusterer", "db_mode", 0)',
        'modparam("clusterer", "my_node_id", %d)' % c["id"],
        'modparam("clusterer", "my_node_info", "cluster_id=1, url=bin:127.0.0.1:%d%s")'
        % (c["bin"], ", flags=seed" if peer is None else ""),
        'modparam("clusterer", "neighbor_node_info", "cluster_id=1, node_id=%d, '
        'url=bin:127.0.0.1:%d")' % (c["peer_id"], c["peer_bin"]),
        'modparam("clusterer", "ping_interval", 1)',
        'modparam("clusterer", "ping_timeout", 500)',
        # a node whose first pings go unanswered (its peer still starting) is probed
        # again only after node_timeout (default 60 s)
        'modparam("clusterer", "node_timeout", 1)',
        'modparam("clusterer", "seed_fallback_interval", 1)',
    ])


def cluster_state(server):
    """(link states of the peers, states of the dialog capability) as `server` sees them."""
    nodes = [n for c in (server.mi("clusterer_list") or {}).get("Clusters", [])
             for n in c.get("Nodes", [])]
    caps = [c for cl in (server.mi("clusterer_list_cap") or {}).get("Clusters", [])
            for c in cl.get("Capabilities", []) if c.get("name") == "dialog-dlg-repl"]
    return [n.get("link_state") for n in nodes], [c.get("state") for c in caps]


def wait_cluster_up(servers, secs=20, kick_after=3):
    """Both nodes see the other's link Up and the dialog capability synced ("Ok").

    On 127.0.0.1 the clusterer's first ping can be answered before the pinging timer
    has recorded it (the reply is dropped, the link then waits forever in "Probe"): a
    node still probing after `kick_after` s has its peer disabled and re-enabled over
    MI, which restarts the pinging."""
    deadline, state = time.time() + secs, None
    kick = time.time() + kick_after
    while time.time() < deadline:
        state = [(s, cluster_state(s)) for s in servers]
        if all(links == ["Up"] and caps == ["Ok"] for _, (links, caps) in state):
            return
        if time.time() >= kick:
            for s, (links, _) in state:
                if links != ["Up"]:
                    for st in (0, 1):
                        s.mi("clusterer_set_status", {"cluster_id": 1,
                                                      "node_id": s.cluster["peer_id"],
                                                      "status": st})
            kick = time.time() + kick_after
        time.sleep(0.2)
    raise Fail("cluster not up within %d s: %s"
               % (secs, [(s.cluster["id"],) + st for s, st in state]))
