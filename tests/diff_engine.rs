//! The diff engine and its reports on two small accounts that differ in known ways: a user
//! added, one archived, a membership removed, enrollments passed and past due, a phishing result
//! with a click added, a property changed to a hostile string, and a person whose manager
//! changed.

use kb4graph::diff::{
    DiffError, GraphDiff, TypeFilter, diff, diff_graphs, diff_records, render_json, render_table,
};
use kb4graph::model::canonical::records;
use kb4graph::model::{Graph, MemorySource, Record, RecordKind, Value, normalize};
use serde_json::{Value as J, json};

const HOSTILE: &str = "line one\nline two\r\t\u{1b}[31mred\u{202e} \\ \"q\" 🎣";

const ARCHIVED_AT: &str = "2025-02-01T00:00:00.000Z";
const COMPLETED_AT: &str = "2025-02-02T08:30:00.000Z";
const CLICKED_AT: &str = "2025-02-03T09:00:00.000Z";
const REPORTED_AT: &str = "2025-02-03T09:05:00.000Z";

/// The account at the earlier point in time, or (`later`) after the known changes.
fn source(later: bool) -> MemorySource {
    let mut s = MemorySource::new();
    s.add_page("account", &json!({"name": "Acme", "type": "paid"}));
    let mut active = vec![
        json!({"id": 1, "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
               "status": "active", "groups": [7],
               "comment": if later { HOSTILE } else { "plain" }}),
        json!({"id": 2, "first_name": "Bob", "last_name": "Ray", "email": "bob@example.com",
               "status": "active", "groups": if later { json!([7]) } else { json!([7, 8]) },
               "manager_email": if later { "cy@example.com" } else { " ANN@example.com" }}),
    ];
    let cy = json!({"id": 3, "first_name": "Cy", "last_name": "Oak", "email": "cy@example.com",
                    "status": "active", "groups": [8]});
    if later {
        active.push(json!({"id": 4, "first_name": "Dee", "last_name": "Fox",
                           "email": "dee@example.com", "status": "active", "groups": [7]}));
        let mut archived = cy;
        archived["status"] = json!("archived");
        archived["archived_at"] = json!(ARCHIVED_AT);
        s.add_page("users/archived", &json!([archived]));
    } else {
        active.push(cy);
    }
    s.add_page("users/active", &J::Array(active));
    s.add_page(
        "groups/active",
        &json!([
            {"id": 7, "name": "Ops", "group_type": "console_group"},
            {"id": 8, "name": "Dev", "group_type": "console_group"},
        ]),
    );
    s.add_page(
        "training/store_purchases",
        &json!([{"store_purchase_id": 5, "name": "Phishing 101", "content_type": "Store Purchase"}]),
    );
    let mut passed = json!({"enrollment_id": 10, "content_type": "Store Purchase",
        "module_name": "Phishing 101", "store_purchase_id": 5, "user": {"id": 1},
        "status": "In Progress"});
    let mut late = json!({"enrollment_id": 11, "content_type": "Store Purchase",
        "module_name": "Phishing 101", "store_purchase_id": 5, "user": {"id": 2},
        "status": "Not Started"});
    if later {
        passed["status"] = json!("Passed");
        passed["completion_date"] = json!(COMPLETED_AT);
        late["status"] = json!("Past Due");
    }
    s.add_page("training/enrollments", &json!([passed, late]));
    s.add_page(
        "phishing/security_tests",
        &json!([{"pst_id": 20, "name": "Q1 test", "status": "Closed"}]),
    );
    let mut recipients = vec![json!({"recipient_id": 100, "pst_id": 20,
        "user": {"id": 1, "email": "ann@example.com"},
        "delivered_at": "2025-01-02T10:00:00.000Z"})];
    if later {
        recipients[0]["reported_at"] = json!(REPORTED_AT);
        recipients.push(json!({"recipient_id": 101, "pst_id": 20,
            "user": {"id": 2, "email": "bob@example.com"},
            "delivered_at": "2025-02-03T08:00:00.000Z", "clicked_at": CLICKED_AT}));
    }
    s.add_page(
        "phishing/security_tests/20/recipients",
        &J::Array(recipients),
    );
    s
}

fn graph(later: bool) -> Graph {
    let (graph, warnings) = normalize(&source(later));
    assert!(warnings.is_empty(), "{warnings:?}");
    graph
}

fn the_diff() -> GraphDiff {
    diff_graphs(&graph(false), &graph(true), &TypeFilter::all()).unwrap()
}

/// A property change as (name, old, new).
type Change<'a> = (&'a str, Option<Value>, Option<Value>);

fn keys(records: &[Record]) -> Vec<&str> {
    records.iter().map(|r| r.key.as_str()).collect()
}

fn s(v: &str) -> Option<Value> {
    Some(Value::String(v.to_owned()))
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` as the datetime value `normalize` makes of it.
fn dt(iso: &str) -> Option<Value> {
    let n = |range: std::ops::Range<usize>| iso[range].parse::<i64>().unwrap();
    let days = kb4graph::timefmt::civil_to_days(n(0..4) as i32, n(5..7) as u32, n(8..10) as u32);
    let millis = ((days * 24 + n(11..13)) * 60 + n(14..16)) * 60_000 + n(17..19) * 1000 + n(20..23);
    assert_eq!(kb4graph::timefmt::format_datetime_millis(millis), iso);
    Some(Value::DateTime(millis))
}

const USER_1: &str = "knowbe4:user:1";
const USER_2: &str = "knowbe4:user:2";
const USER_3: &str = "knowbe4:user:3";
const USER_4: &str = "knowbe4:user:4";
const ASSIGNED_10: &str = "knowbe4:training:purchase:5|assigned|knowbe4:user:1|10";
const ASSIGNED_11: &str = "knowbe4:training:purchase:5|assigned|knowbe4:user:2|11";
const COMPLETED_10: &str = "knowbe4:user:1|completed|knowbe4:training:purchase:5|10";
const RESULT_100: &str = "knowbe4:phishing:security_test:20:recipient:100";
const RESULT_101: &str = "knowbe4:phishing:security_test:20:recipient:101";
const PERSON_ANN: &str = "knowbe4:person:ann@example.com";
const PERSON_BOB: &str = "knowbe4:person:bob@example.com";
const PERSON_CY: &str = "knowbe4:person:cy@example.com";
const PERSON_DEE: &str = "knowbe4:person:dee@example.com";

#[test]
fn the_known_changes_and_nothing_else_are_found() {
    let d = the_diff();
    assert!(!d.is_empty());
    let types: Vec<&str> = d.types.keys().map(String::as_str).collect();
    assert_eq!(
        types,
        [
            "employee",
            "employee_reports_to_employee",
            "knowbe4_account_has_user",
            "knowbe4_phishing_security_test_result",
            "knowbe4_user",
            "knowbe4_user_group_has_user",
            "knowbe4_user_has_phishing_security_test_result",
            "knowbe4_user_is_employee",
            "phishing_security_test_contains_phishing_security_test_result",
            "training_module_assigned_user",
            "user_completed_training_module",
        ]
    );

    let users = &d.types["knowbe4_user"];
    assert_eq!(keys(&users.added), [USER_4]);
    assert_eq!(
        users.added[0].properties["firstName"],
        Value::String("Dee".into())
    );
    assert!(users.removed.is_empty());
    let changed: Vec<(&str, Vec<Change>)> = users
        .changed
        .iter()
        .map(|c| {
            let changes = c
                .changes
                .iter()
                .map(|p| (p.name.as_str(), p.old.clone(), p.new.clone()))
                .collect();
            (c.key.as_str(), changes)
        })
        .collect();
    assert_eq!(
        changed,
        [
            (USER_1, vec![("comment", s("plain"), s(HOSTILE))]),
            (
                USER_2,
                vec![
                    (
                        "groupIds",
                        Some(Value::IntegerArray(vec![7, 8])),
                        Some(Value::IntegerArray(vec![7]))
                    ),
                    ("managerEmail", s(" ANN@example.com"), s("cy@example.com")),
                ]
            ),
            (
                USER_3,
                vec![
                    ("archivedAt", None, dt(ARCHIVED_AT)),
                    ("status", s("active"), s("archived")),
                ]
            ),
        ]
    );
    assert_eq!(users.changed[0].kind, RecordKind::Entity);

    let members = &d.types["knowbe4_user_group_has_user"];
    assert_eq!(
        keys(&members.added),
        [
            "knowbe4:group:0|has|knowbe4:user:4",
            "knowbe4:group:7|has|knowbe4:user:4"
        ]
    );
    assert_eq!(
        keys(&members.removed),
        [
            "knowbe4:group:0|has|knowbe4:user:3",
            "knowbe4:group:8|has|knowbe4:user:2"
        ]
    );
    assert!(members.changed.is_empty());
    assert_eq!(
        members.removed[1].kind,
        RecordKind::Relationship {
            from: "knowbe4:group:8".into(),
            to: USER_2.into()
        }
    );

    let assigned = &d.types["training_module_assigned_user"];
    assert!(assigned.added.is_empty() && assigned.removed.is_empty());
    assert_eq!(assigned.changed.len(), 2);
    assert_eq!(assigned.changed[0].key, ASSIGNED_10);
    assert_eq!(assigned.changed[0].changes.len(), 2);
    let completion = assigned.changed[0].change("completionDate").unwrap();
    assert_eq!(
        (&completion.old, &completion.new),
        (&None, &dt(COMPLETED_AT))
    );
    let status = assigned.changed[0].change("status").unwrap();
    assert_eq!(
        (&status.old, &status.new),
        (&s("In Progress"), &s("Passed"))
    );
    assert_eq!(assigned.changed[1].key, ASSIGNED_11);
    let status = assigned.changed[1].change("status").unwrap();
    assert_eq!(
        (&status.old, &status.new),
        (&s("Not Started"), &s("Past Due"))
    );
    assert_eq!(
        assigned.changed[1].kind,
        RecordKind::Relationship {
            from: "knowbe4:training:purchase:5".into(),
            to: USER_2.into()
        }
    );

    let completed = &d.types["user_completed_training_module"];
    assert_eq!(keys(&completed.added), [COMPLETED_10]);
    assert_eq!(
        completed.added[0].properties["status"],
        Value::String("Passed".into())
    );

    // Cy's person lost its only active account; Dee's is new; Bob's manager, named in another
    // case and with a space before, is now Cy.
    let persons = &d.types["employee"];
    assert_eq!(keys(&persons.added), [PERSON_DEE]);
    assert!(persons.removed.is_empty());
    assert_eq!(persons.changed.len(), 1);
    assert_eq!(persons.changed[0].key, PERSON_CY);
    let active = persons.changed[0].change("active").unwrap();
    assert_eq!(
        (&active.old, &active.new),
        (&Some(Value::Boolean(true)), &Some(Value::Boolean(false)))
    );
    let lines = &d.types["employee_reports_to_employee"];
    assert_eq!(
        keys(&lines.added),
        [format!("{PERSON_BOB}|reports_to|{PERSON_CY}")]
    );
    assert_eq!(
        keys(&lines.removed),
        [format!("{PERSON_BOB}|reports_to|{PERSON_ANN}")]
    );
    assert_eq!(
        keys(&d.types["knowbe4_user_is_employee"].added),
        [format!("{USER_4}|is|{PERSON_DEE}")]
    );

    let results = &d.types["knowbe4_phishing_security_test_result"];
    assert_eq!(keys(&results.added), [RESULT_101]);
    assert_eq!(results.changed.len(), 1);
    assert_eq!(results.changed[0].key, RESULT_100);
    let reported = results.changed[0].change("reportedAt").unwrap();
    assert_eq!((&reported.old, &reported.new), (&None, &dt(REPORTED_AT)));

    for (name, one_added) in [
        (
            "knowbe4_account_has_user",
            "knowbe4:account:acme|has|knowbe4:user:4",
        ),
        (
            "knowbe4_user_has_phishing_security_test_result",
            "knowbe4:user:2|has|knowbe4:phishing:security_test:20:recipient:101",
        ),
        (
            "phishing_security_test_contains_phishing_security_test_result",
            "knowbe4:phishing:security_test:20|contains|knowbe4:phishing:security_test:20:recipient:101",
        ),
    ] {
        let t = &d.types[name];
        assert_eq!(keys(&t.added), [one_added], "{name}");
        assert!(t.removed.is_empty() && t.changed.is_empty(), "{name}");
    }

    let c = d.counts();
    assert_eq!((c.added, c.removed, c.changed), (11, 3, 7));
    let (old, new) = (graph(false), graph(true));
    assert_eq!(d.old.entities, old.entity_count() as u64);
    assert_eq!(d.old.relationships, old.relationship_count() as u64);
    assert_eq!(d.new.entities, new.entity_count() as u64);
    assert_eq!(d.new.relationships, new.relationship_count() as u64);
}

#[test]
fn highlights_answer_the_audit_questions() {
    let h = the_diff().highlights();
    assert_eq!(h.users_added, [USER_4]);
    assert_eq!(h.users_archived, [USER_3]);
    assert!(h.users_removed.is_empty());
    let groups: Vec<(&str, Vec<&str>, Vec<&str>)> = h
        .group_membership
        .iter()
        .map(|(g, m)| {
            (
                g.as_str(),
                m.added.iter().map(String::as_str).collect(),
                m.removed.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("knowbe4:group:0", vec![USER_4], vec![USER_3]),
            ("knowbe4:group:7", vec![USER_4], vec![]),
            ("knowbe4:group:8", vec![], vec![USER_2]),
        ]
    );
    assert_eq!(h.membership_counts(), (2, 2));
    // The passed enrollment changed its ASSIGNED status and gained a COMPLETED relationship:
    // listed once, by the COMPLETED key.
    assert_eq!(h.enrollments_completed, [COMPLETED_10]);
    assert_eq!(h.enrollments_past_due, [ASSIGNED_11]);
    assert_eq!(h.phishing_results_added, [RESULT_101]);
    assert_eq!(h.phishing_results_added_clicked, [RESULT_101]);
    assert_eq!(h.phishing_results_click_or_report_changed, [RESULT_100]);
    assert_eq!(h.persons_left, [PERSON_CY]);
    assert_eq!(h.persons_manager_changed, [PERSON_BOB]);

    // Backwards, the same changes read as their opposites.
    let back = diff_graphs(&graph(true), &graph(false), &TypeFilter::all()).unwrap();
    let h = back.highlights();
    assert_eq!(h.users_removed, [USER_4]);
    assert!(h.users_added.is_empty() && h.users_archived.is_empty());
    assert!(h.enrollments_completed.is_empty() && h.enrollments_past_due.is_empty());
    assert!(h.phishing_results_added.is_empty());
    assert_eq!(h.phishing_results_click_or_report_changed, [RESULT_100]);
    assert!(h.persons_left.is_empty());
    assert_eq!(h.persons_manager_changed, [PERSON_BOB]);
    let c = back.counts();
    assert_eq!((c.added, c.removed, c.changed), (3, 11, 7));
}

#[test]
fn equal_graphs_have_an_empty_diff() {
    let d = diff_graphs(&graph(true), &graph(true), &TypeFilter::all()).unwrap();
    assert!(d.is_empty());
    assert!(d.types.is_empty());
    assert!(d.highlights().is_empty());
    assert_eq!(d.old, d.new);

    let mut json_out = Vec::new();
    render_json(&d, &mut json_out).unwrap();
    let doc: J = serde_json::from_slice(&json_out).unwrap();
    assert_eq!(doc["equal"], json!(true));
    assert_eq!(doc["types"], json!({}));
    assert_eq!(doc["summary"]["added"], json!(0));

    let mut table = Vec::new();
    render_table(&d, &mut table).unwrap();
    let table = String::from_utf8(table).unwrap();
    let g = graph(true);
    assert_eq!(
        table,
        format!(
            "kb4graph diff: no differences\ncompared: old {e} entities, {r} relationships; new {e} entities, {r} relationships\ntypes: all\n",
            e = g.entity_count(),
            r = g.relationship_count()
        )
    );
}

#[test]
fn the_json_report_holds_the_diff() {
    let d = the_diff();
    let mut bytes = Vec::new();
    render_json(&d, &mut bytes).unwrap();
    let mut again = Vec::new();
    render_json(&d, &mut again).unwrap();
    assert_eq!(bytes, again);
    assert!(bytes.ends_with(b"}\n"));
    assert!(
        bytes.starts_with(
            br#"{"format":"kb4graph-diff","formatVersion":1,"equal":false,"summary":"#
        )
    );
    let doc: J = serde_json::from_slice(&bytes).unwrap();

    assert_eq!(doc["summary"]["added"], json!(11));
    assert_eq!(doc["summary"]["removed"], json!(3));
    assert_eq!(doc["summary"]["changed"], json!(7));
    assert_eq!(doc["summary"]["typeFilter"], json!([]));
    assert_eq!(
        doc["summary"]["byType"]["knowbe4_user"],
        json!({"added": 1, "removed": 0, "changed": 3})
    );
    assert_eq!(doc["summary"]["byType"].as_object().unwrap().len(), 11);
    assert_eq!(doc["summary"]["old"]["entities"], json!(d.old.entities));
    assert_eq!(
        doc["summary"]["new"]["relationships"],
        json!(d.new.relationships)
    );

    let h = &doc["highlights"];
    assert_eq!(h["usersAdded"], json!({"count": 1, "keys": [USER_4]}));
    assert_eq!(h["usersArchived"], json!({"count": 1, "keys": [USER_3]}));
    assert_eq!(h["usersRemoved"], json!({"count": 0, "keys": []}));
    assert_eq!(
        h["groupMembership"],
        json!({"added": 2, "removed": 2, "groups": {
            "knowbe4:group:0": {"added": [USER_4], "removed": [USER_3]},
            "knowbe4:group:7": {"added": [USER_4], "removed": []},
            "knowbe4:group:8": {"added": [], "removed": [USER_2]},
        }})
    );
    assert_eq!(
        h["enrollmentsCompleted"],
        json!({"count": 1, "keys": [COMPLETED_10]})
    );
    assert_eq!(
        h["enrollmentsPastDue"],
        json!({"count": 1, "keys": [ASSIGNED_11]})
    );
    assert_eq!(
        h["phishingResultsAdded"],
        json!({"count": 1, "keys": [RESULT_101]})
    );
    assert_eq!(
        h["phishingResultsAddedClicked"],
        json!({"count": 1, "keys": [RESULT_101]})
    );
    assert_eq!(
        h["phishingResultsClickOrReportChanged"],
        json!({"count": 1, "keys": [RESULT_100]})
    );
    assert_eq!(h["personsLeft"], json!({"count": 1, "keys": [PERSON_CY]}));
    assert_eq!(
        h["personsManagerChanged"],
        json!({"count": 1, "keys": [PERSON_BOB]})
    );

    let users = &doc["types"]["knowbe4_user"];
    assert_eq!(users["added"][0]["_key"], json!(USER_4));
    assert_eq!(users["added"][0]["properties"]["groupIds"], json!([7]));
    assert_eq!(users["added"][0].get("_fromEntityKey"), None);
    assert_eq!(users["removed"], json!([]));
    assert_eq!(
        users["changed"],
        json!([
            {"_key": USER_1, "changes": {"comment": {"old": "plain", "new": HOSTILE}}},
            {"_key": USER_2, "changes": {
                "groupIds": {"old": [7, 8], "new": [7]},
                "managerEmail": {"old": " ANN@example.com", "new": "cy@example.com"},
            }},
            {"_key": USER_3, "changes": {
                "archivedAt": {"new": ARCHIVED_AT},
                "status": {"old": "active", "new": "archived"},
            }},
        ])
    );
    assert_eq!(
        doc["types"]["knowbe4_user_group_has_user"]["removed"][1],
        json!({"_key": "knowbe4:group:8|has|knowbe4:user:2", "_fromEntityKey": "knowbe4:group:8",
               "_toEntityKey": USER_2, "properties": {}})
    );
    assert_eq!(
        doc["types"]["training_module_assigned_user"]["changed"][1],
        json!({"_key": ASSIGNED_11, "_fromEntityKey": "knowbe4:training:purchase:5",
               "_toEntityKey": USER_2,
               "changes": {"status": {"old": "Not Started", "new": "Past Due"}}})
    );
    assert_eq!(
        doc["types"]["knowbe4_phishing_security_test_result"]["added"][0]["properties"]["clickedAt"],
        json!(CLICKED_AT)
    );
    let type_names: Vec<&String> = doc["types"].as_object().unwrap().keys().collect();
    assert_eq!(type_names.len(), 11);
    assert!(type_names.is_sorted());
}

#[test]
fn the_table_report_is_one_line_per_record_and_escapes_hostile_text() {
    let d = the_diff();
    let mut bytes = Vec::new();
    render_table(&d, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Every line is printable: the hostile value's newline, CR, tab, escape and bidi override
    // are escapes now.
    for line in &lines {
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{line:?}"
        );
    }
    assert_eq!(lines[0], "kb4graph diff: 11 added, 3 removed, 7 changed");
    assert_eq!(
        lines[1],
        format!(
            "compared: old {} entities, {} relationships; new {} entities, {} relationships",
            d.old.entities, d.old.relationships, d.new.entities, d.new.relationships
        )
    );
    assert_eq!(lines[2], "types: all");
    let expect_in_order = [
        "highlights:",
        "  users added: 1",
        "    knowbe4:user:4",
        "  users archived: 1",
        "    knowbe4:user:3",
        "  users removed: 0",
        "  group membership: 2 added, 2 removed",
        "    knowbe4:group:0 +knowbe4:user:4",
        "    knowbe4:group:0 -knowbe4:user:3",
        "    knowbe4:group:7 +knowbe4:user:4",
        "    knowbe4:group:8 -knowbe4:user:2",
        "  enrollments newly completed: 1",
        "    knowbe4:user:1|completed|knowbe4:training:purchase:5|10",
        "  enrollments newly past due: 1",
        "    knowbe4:training:purchase:5|assigned|knowbe4:user:2|11",
        "  phishing results added: 1",
        "    knowbe4:phishing:security_test:20:recipient:101",
        "  phishing results added with a click: 1",
        "    knowbe4:phishing:security_test:20:recipient:101",
        "  phishing results with clickedAt or reportedAt changed: 1",
        "    knowbe4:phishing:security_test:20:recipient:100",
        "  people who lost their last active account: 1",
        "    knowbe4:person:cy@example.com",
        "  people whose manager changed: 1",
        "    knowbe4:person:bob@example.com",
        "",
        "employee: 1 added, 0 removed, 1 changed",
        "  + knowbe4:person:dee@example.com  active=true; displayName=Dee Fox; email=dee@example.com; firstName=Dee; lastName=Fox; name=Dee Fox; tag.AccountName=Acme",
    ];
    assert_eq!(&lines[4..4 + expect_in_order.len()], expect_in_order);

    let section = |name: &str| -> Vec<&str> {
        let start = lines
            .iter()
            .position(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no section {name}"));
        lines[start..]
            .iter()
            .take_while(|l| !l.is_empty())
            .copied()
            .collect()
    };
    let users = section("knowbe4_user");
    assert_eq!(users[0], "knowbe4_user: 1 added, 0 removed, 3 changed");
    assert_eq!(
        users[1],
        "  + knowbe4:user:4  displayName=Dee Fox; email=dee@example.com; firstName=Dee; groupIds=[7]; id=4; lastName=Fox; name=Dee Fox; status=active; tag.AccountName=Acme"
    );
    assert_eq!(
        users[2],
        r#"  ~ knowbe4:user:1  comment: plain -> line one\nline two\r\t\u{001B}[31mred\u{202E} \\ "q" 🎣"#
    );
    assert_eq!(
        users[3],
        "  ~ knowbe4:user:2  groupIds: [7,8] -> [7]; managerEmail:  ANN@example.com -> cy@example.com"
    );
    assert_eq!(
        users[4],
        "  ~ knowbe4:user:3  archivedAt: (absent) -> 2025-02-01T00:00:00.000Z; status: active -> archived"
    );
    assert_eq!(users.len(), 5);

    let members = section("knowbe4_user_group_has_user");
    assert_eq!(
        members,
        [
            "knowbe4_user_group_has_user: 2 added, 2 removed, 0 changed",
            "  + knowbe4:group:0|has|knowbe4:user:4",
            "  + knowbe4:group:7|has|knowbe4:user:4",
            "  - knowbe4:group:0|has|knowbe4:user:3",
            "  - knowbe4:group:8|has|knowbe4:user:2",
        ]
    );
    let assigned = section("training_module_assigned_user");
    assert_eq!(
        assigned[1],
        "  ~ knowbe4:training:purchase:5|assigned|knowbe4:user:1|10  completionDate: (absent) -> 2025-02-02T08:30:00.000Z; status: In Progress -> Passed"
    );
    assert_eq!(
        assigned[2],
        "  ~ knowbe4:training:purchase:5|assigned|knowbe4:user:2|11  status: Not Started -> Past Due"
    );
    assert!(text.ends_with('\n'));
}

#[test]
fn a_type_filter_compares_only_its_types() {
    let filter = TypeFilter::new(["knowbe4_user", "user_completed_training_module"]).unwrap();
    let d = diff_graphs(&graph(false), &graph(true), &filter).unwrap();
    let types: Vec<&str> = d.types.keys().map(String::as_str).collect();
    assert_eq!(types, ["knowbe4_user", "user_completed_training_module"]);
    assert_eq!(d.filter, ["knowbe4_user", "user_completed_training_module"]);
    let old = graph(false);
    let users = old.entity_counts()[1].1 as u64;
    assert_eq!(d.old.entities, users);
    assert_eq!(d.old.relationships, 0);
    let h = d.highlights();
    assert_eq!(h.users_archived, [USER_3]);
    assert_eq!(h.enrollments_completed, [COMPLETED_10]);
    assert!(h.group_membership.is_empty() && h.phishing_results_added.is_empty());

    let mut bytes = Vec::new();
    render_json(&d, &mut bytes).unwrap();
    let doc: J = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        doc["summary"]["typeFilter"],
        json!(["knowbe4_user", "user_completed_training_module"])
    );
    let mut table = Vec::new();
    render_table(&d, &mut table).unwrap();
    let table = String::from_utf8(table).unwrap();
    assert!(
        table.contains("\ntypes: knowbe4_user, user_completed_training_module\n"),
        "{table}"
    );

    // A type with no difference: equal, though the graphs differ elsewhere.
    let groups = TypeFilter::new(["knowbe4_user_group"]).unwrap();
    assert!(
        diff_graphs(&graph(false), &graph(true), &groups)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_unknown_type_is_refused_with_the_valid_ones() {
    let err = TypeFilter::new(["knowbe4_user", "knowbe4_users"]).unwrap_err();
    let DiffError::UnknownType { name, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(name, "knowbe4_users");
    let message = err.to_string();
    assert!(message.contains("\"knowbe4_users\""), "{message}");
    for valid in TypeFilter::valid_names() {
        assert!(message.contains(valid), "{message}");
    }
    assert_eq!(
        TypeFilter::valid_names().len(),
        kb4graph::model::EntityType::ALL.len() + kb4graph::model::RelationshipType::ALL.len()
    );
}

#[test]
fn input_out_of_order_or_repeated_is_an_error_naming_the_key() {
    let old = graph(false);
    let new = graph(true);
    let sorted: Vec<Record> = records(&new).collect();

    let mut swapped = sorted.clone();
    swapped.swap(1, 2);
    let err = diff(records(&old), swapped.into_iter(), &TypeFilter::all()).unwrap_err();
    let DiffError::Order { side, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*side, "new");
    assert_eq!(error.key, sorted[1].key);
    assert_eq!(error.problem, "out of order");
    assert!(
        err.to_string().contains(&format!("{:?}", sorted[1].key)),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("the new graph: entity"),
        "{err}"
    );

    let mut twice: Vec<Record> = records(&old).collect();
    let last = twice.last().unwrap().clone();
    twice.push(last.clone());
    let err = diff(twice.into_iter(), records(&new), &TypeFilter::all()).unwrap_err();
    let DiffError::Order { side, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        (*side, error.problem, error.kind),
        ("old", "twice", "relationship")
    );
    assert_eq!(error.key, last.key);

    // A relationship before an entity is out of order too, even when the filter drops it.
    let mut mixed: Vec<Record> = records(&old).collect();
    let rel = mixed.iter().position(|r| !r.is_entity()).unwrap();
    let moved = mixed.remove(rel);
    mixed.insert(0, moved);
    let filter = TypeFilter::new(["knowbe4_user"]).unwrap();
    let err = diff(mixed.into_iter(), records(&new), &filter).unwrap_err();
    assert!(
        matches!(err, DiffError::Order { side: "old", .. }),
        "{err:?}"
    );
}

#[test]
fn records_in_any_order_are_sorted_first_and_repeats_refused() {
    let mut old: Vec<Record> = records(&graph(false)).collect();
    let mut new: Vec<Record> = records(&graph(true)).collect();
    old.reverse();
    new.rotate_left(5);
    let d = diff_records(old.clone(), new.clone(), &TypeFilter::all()).unwrap();
    assert_eq!(d, the_diff());
    new.push(new[0].clone());
    let err = diff_records(old, new.clone(), &TypeFilter::all()).unwrap_err();
    let DiffError::Order { side, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((*side, error.problem), ("new", "twice"));
    assert_eq!(error.key, new[0].key);
}

fn entity(key: &str, type_name: &str, props: &[(&str, Value)]) -> Record {
    Record {
        kind: RecordKind::Entity,
        key: key.into(),
        type_name: type_name.into(),
        properties: props
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
    }
}

#[test]
fn a_record_that_changes_type_or_endpoints_is_reported_so() {
    let old = vec![
        entity("a", "knowbe4_user", &[("name", Value::String("A".into()))]),
        Record {
            kind: RecordKind::Relationship {
                from: "a".into(),
                to: "b".into(),
            },
            key: "r".into(),
            type_name: "knowbe4_user_group_has_user".into(),
            properties: Default::default(),
        },
    ];
    let new = vec![
        entity(
            "a",
            "knowbe4_user_group",
            &[("name", Value::String("A".into()))],
        ),
        Record {
            kind: RecordKind::Relationship {
                from: "a".into(),
                to: "c".into(),
            },
            key: "r".into(),
            type_name: "knowbe4_user_group_has_user".into(),
            properties: [("extraField".to_string(), Value::Float(1.5))].into(),
        },
    ];
    let d = diff(old.into_iter(), new.into_iter(), &TypeFilter::all()).unwrap();
    assert_eq!(keys(&d.types["knowbe4_user"].removed), ["a"]);
    assert_eq!(keys(&d.types["knowbe4_user_group"].added), ["a"]);
    let r = &d.types["knowbe4_user_group_has_user"].changed[0];
    let names: Vec<&str> = r.changes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["_toEntityKey", "extraField"]);
    assert_eq!(r.changes[0].old, s("b"));
    assert_eq!(r.changes[0].new, s("c"));
    assert_eq!(r.changes[1].old, None);
    assert_eq!(
        r.kind,
        RecordKind::Relationship {
            from: "a".into(),
            to: "c".into()
        }
    );
    // A float that compares equal by bits is no change.
    let same = [entity(
        "x",
        "knowbe4_user",
        &[("currentRiskScore", Value::Float(0.1 + 0.2))],
    )];
    assert!(
        diff(
            same.clone().into_iter(),
            same.into_iter(),
            &TypeFilter::all()
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn long_values_and_long_highlight_lists_are_cut() {
    let many: Vec<Record> = (0..25)
        .map(|i| {
            entity(
                &format!("knowbe4:user:{i:02}"),
                "knowbe4_user",
                &[("comment", Value::String("y".repeat(300)))],
            )
        })
        .collect();
    let d = diff(std::iter::empty(), many.into_iter(), &TypeFilter::all()).unwrap();
    assert_eq!(d.highlights().users_added.len(), 25);
    let mut bytes = Vec::new();
    render_table(&d, &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "  users added: 25")
        .unwrap();
    assert_eq!(lines[at + 1], "    knowbe4:user:00");
    assert_eq!(lines[at + 20], "    knowbe4:user:19");
    assert_eq!(lines[at + 21], "    ... and 5 more");
    assert_eq!(lines[at + 22], "  users archived: 0");
    let first = lines
        .iter()
        .find(|l| l.starts_with("  + knowbe4:user:00"))
        .unwrap();
    assert_eq!(
        *first,
        format!(
            "  + knowbe4:user:00  comment={}...(100 more chars)",
            "y".repeat(200)
        )
    );
    // JSON keeps every key and the whole value.
    let mut bytes = Vec::new();
    render_json(&d, &mut bytes).unwrap();
    let doc: J = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        doc["highlights"]["usersAdded"]["keys"]
            .as_array()
            .unwrap()
            .len(),
        25
    );
    assert_eq!(
        doc["types"]["knowbe4_user"]["added"][0]["properties"]["comment"],
        json!("y".repeat(300))
    );
}
