"""The audit questions of examples/queries/cypher, answered from an export's raw snapshot pages
with plain json, without kb4graph: what any Cypher engine loading the export must answer.

usage: python audit_questions.py EXPORT_DIR > questions.json
  writes [{"query": NAME, "params": {...}, "ordered": BOOL, "want": [[...], ...]}, ...]
As a module: questions(export_dir), and check(questions, run) with run(name, params) -> rows.
"""
import json
import pathlib
import sys


def questions(export_dir):
    raw = pathlib.Path(export_dir) / "snapshot" / "raw"

    def pages(pattern):
        out = []
        for path in sorted(raw.glob(pattern)):
            out.extend(json.loads(path.read_text()))
        return out

    out = []
    active = {u["id"] for u in pages("users/active/page-*.json") if isinstance(u.get("id"), int)}
    groups_raw = {g["id"]: g for g in pages("groups/active/page-*.json") + pages("groups/archived/page-*.json")}
    members = {0: set(active)}
    for gid in groups_raw:
        members.setdefault(gid, set())
    for path in sorted(raw.glob("groups/*/members/page-*.json")):
        gid = int(path.parent.parent.name)
        members.setdefault(gid, set()).update(
            m["id"] for m in json.loads(path.read_text()) if isinstance(m.get("id"), int))
    out.append({"query": "users_per_group", "params": {}, "ordered": False, "columns": [0, 2],
                "want": [[g, len(m)] for g, m in members.items()]})
    out.append({"query": "all_users_members", "params": {}, "ordered": True, "columns": [0],
                "want": [[u] for u in sorted(active)]})

    # Per training campaign since enrollments are fetched by campaign; older snapshots: one listing.
    enrollments = [e for e in pages("training/campaigns/*/enrollments/page-*.json") + pages("training/enrollments/page-*.json")
                   if isinstance((e.get("user") or {}).get("id"), int) and e.get("campaign_id") is not None]

    def module_key(e):
        if e.get("store_purchase_id") is not None:
            return f"knowbe4:training:purchase:{e['store_purchase_id']}"
        if e.get("policy_id") is not None:
            return f"knowbe4:training:policy:{e['policy_id']}"
        return None

    by_module = {}
    for e in enrollments:
        by_module.setdefault(module_key(e), []).append(e)
    by_module.pop(None, None)
    assert by_module, "the snapshot has no enrollment with a module id"
    for module, es in sorted(by_module.items()):
        assigned, passed = set(), set()
        for e in es:
            k = (e["campaign_id"], e["user"]["id"])
            assigned.add(k)
            if e.get("status") in ("Passed", "Completed"):
                passed.add(k)
        out.append({"query": "assigned_not_completed", "params": {"module": module}, "ordered": True,
                    "columns": [0, 1], "want": [list(k) for k in sorted(assigned - passed)]})

    for t in pages("phishing/security_tests/page-*.json"):
        pst = t["pst_id"]
        clicked = {r["user"]["id"] for r in pages(f"phishing/security_tests/{pst}/recipients/page-*.json")
                   if r.get("clicked_at") and isinstance((r.get("user") or {}).get("id"), int)}
        want = [[u, g] for u in clicked for g, m in members.items() if u in m]
        want += [[u, None] for u in clicked if not any(u in m for m in members.values())]
        out.append({"query": "clicked_in_test", "params": {"pst": pst}, "ordered": False,
                    "columns": [0, 1], "want": want})
    # Admins, paired with their names and address as the account record lists them.
    account = json.loads((raw / "account" / "page-0001.json").read_text())
    admins, seen = [], set()
    for i, a in enumerate(account.get("admins") or []):
        if isinstance(a, dict) and isinstance(a.get("id"), int) and a["id"] not in seen:
            seen.add(a["id"])
            admins.append([i, a["id"], a.get("first_name"), a.get("last_name"), a.get("email")])
    out.append({"query": "account_admins", "params": {}, "ordered": True, "columns": [0, 1, 2, 3, 4],
                "want": admins})

    # People: users joined by the addresses they share (email and aliases, trimmed and
    # lowercased), each person named by the least of its users' own e-mails; a person reports to
    # the people its active users' managerEmail resolve to (all users' where no active user
    # names one), never to itself. Asked per manager: the team members with an enrollment not
    # passed, through any of their users.
    def address(value):
        return value.strip().lower() or None if isinstance(value, str) else None

    listed = {}
    for active_listing, path in ((True, "users/active/page-*.json"), (False, "users/archived/page-*.json")):
        for u in pages(path):
            if isinstance(u, dict) and isinstance(u.get("id"), int) and u["id"] not in listed:
                listed[u["id"]] = (u, active_listing)
    mentioned = {}
    for path in sorted(raw.glob("groups/*/members/page-*.json")):
        for m in json.loads(path.read_text()):
            if isinstance(m, dict) and isinstance(m.get("id"), int):
                mentioned.setdefault(m["id"], m)
    for e in enrollments:
        mentioned.setdefault(e["user"]["id"], e["user"])
    for path in sorted(raw.glob("phishing/security_tests/*/recipients/page-*.json")):
        for r in json.loads(path.read_text()):
            u = r.get("user") if isinstance(r, dict) else None
            if isinstance(u, dict) and isinstance(u.get("id"), int):
                mentioned.setdefault(u["id"], u)
    people_users = {uid: rec for uid, rec in listed.items()}
    for uid, m in mentioned.items():
        people_users.setdefault(uid, (m, False))
    parent = {}

    def root(a):
        while parent[a] != a:
            a = parent[a]
        return a

    said = {}
    for uid, (u, is_active) in sorted(people_users.items()):
        own = address(u.get("email"))
        addrs = [a for a in [own] + [address(x) for x in (u.get("aliases") or [])] if a]
        if not addrs:
            continue
        for a in addrs:
            parent.setdefault(a, a)
        for a in addrs[1:]:
            ra, rb = root(addrs[0]), root(a)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        said[uid] = (own, addrs, address(u.get("manager_email")), is_active)
    sets = {}
    for uid, (own, addrs, _, _) in said.items():
        sets.setdefault(root(addrs[0]), []).append(uid)
    person_of_root = {}
    for r, uids in sets.items():
        owns = [said[u][0] for u in uids if said[u][0]]
        everything = [a for a in parent if root(a) == r]
        person_of_root[r] = "knowbe4:person:" + min(owns or everything)
    reports = {}
    for r, uids in sets.items():
        resolves = lambda u: said[u][2] in parent
        current = any(said[u][3] and resolves(u) for u in uids)
        for u in uids:
            if (said[u][3] or not current) and resolves(u):
                manager = person_of_root[root(said[u][2])]
                if manager != person_of_root[r]:
                    reports.setdefault(manager, set()).add(person_of_root[r])
    behind = {}
    for e in enrollments:
        uid = e["user"]["id"]
        if uid in said and e.get("status") not in ("Passed", "Completed"):
            behind.setdefault(person_of_root[root(said[uid][1][0])], True)
    assert reports, "the snapshot has no user whose manager is a user"
    for manager, team in sorted(reports.items())[:25]:
        out.append({"query": "team_not_completed", "params": {"manager": manager}, "ordered": True,
                    "columns": [0], "want": [[p] for p in sorted(team) if p in behind]})

    # Risk score history: one point per date, oldest first.
    history = {p["date"]: float(p["risk_score"]) for p in pages("account/risk_score_history/page-*.json")}
    assert history, "the snapshot has no risk score history"
    out.append({"query": "risk_score_history", "params": {}, "ordered": True, "columns": [0, 1],
                "want": [[f"Risk score {d}", s] for d, s in sorted(history.items())]})
    return out


def canonical(rows):
    return [json.dumps(r, sort_keys=True) for r in rows]


def check(qs, run):
    """Runs each question with run(name, params) and compares the chosen columns with the
    raw pages' answer; returns one summary line per query name."""
    asked = {}
    for q in qs:
        got = [[row[i] for i in q["columns"]] for row in run(q["query"], q["params"])]
        got, want = canonical(got), canonical(q["want"])
        if not q["ordered"]:
            got, want = sorted(got), sorted(want)
        assert got == want, (q["query"], q["params"], got[:5], want[:5], len(got), len(want))
        asked[q["query"]] = asked.get(q["query"], 0) + 1
    return [f"{name}: {n} question(s) answered as the raw pages say" for name, n in asked.items()]


if __name__ == "__main__":
    json.dump(questions(sys.argv[1]), sys.stdout, indent=1)
