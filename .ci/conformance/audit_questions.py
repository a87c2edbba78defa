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
