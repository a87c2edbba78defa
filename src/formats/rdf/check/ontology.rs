//! `schemas/kb4graph.ttl`, the vocabulary, generated from the property table.
//!
//! The names come from [`crate::formats::rdf::vocab`], the domains, ranges, labels and comments
//! from the table; the alignments to well-known vocabularies are written here by hand, because
//! they are judgements about meaning that no table column holds.

use std::fmt::Write as _;

use crate::formats::rdf::vocab::{self, ONTOLOGY_IRI, SHAPES_NS, VOCAB_NS};
use crate::model::{EntityType, PropDef, RelationshipType};

/// The prefixes both generated files use, in the order they are declared.
pub(super) const PREFIXES: &[(&str, &str)] = &[
    ("kb", VOCAB_NS),
    ("kbsh", SHAPES_NS),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("org", "http://www.w3.org/ns/org#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "https://schema.org/"),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("sioc", "http://rdfs.org/sioc/ns#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// A Turtle string literal.
pub(super) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn header(out: &mut String, title: &str, used: &[&str]) {
    let _ = writeln!(
        out,
        "# {title}\n# Generated from kb4graph's property table: do not edit by hand.\n\
         # Regenerate with: KB4GRAPH_BLESS=1 cargo test --lib rdf_bundled\n"
    );
    for (prefix, iri) in PREFIXES {
        if used.contains(prefix) {
            let _ = writeln!(out, "@prefix {prefix}: <{iri}> .");
        }
    }
    out.push('\n');
}

/// The external class an entity class is a subclass of, if one fits.
fn class_alignment(ty: EntityType) -> Option<&'static str> {
    match ty {
        // The customer organisation as KnowBe4 knows it (name, domains, admins, seats).
        EntityType::Account => Some("schema:Organization"),
        // An account in one system, not a person: one employee can have an archived and an
        // active account, and a result's recipient may be known only by that result.
        EntityType::User => Some("sioc:UserAccount"),
        // SIOC's set of user accounts, used for access control and targeting: what a KnowBe4
        // group is (not an org chart unit).
        EntityType::UserGroup => Some("sioc:Usergroup"),
        // Courses and policy documents alike: schema:Course would not fit a policy.
        EntityType::TrainingModule => Some("schema:LearningResource"),
        // A dated value the account reports about itself: sosa:Observation would promise a
        // sensor and a procedure that KnowBe4 does not name.
        EntityType::TrainingCampaign
        | EntityType::PhishingCampaign
        | EntityType::PhishingSecurityTest
        | EntityType::PhishingSecurityTestResult
        | EntityType::RiskScore => None,
        // A category KnowBe4 files its phishing templates under: a term in its own scheme.
        EntityType::PhishingCategory => Some("skos:Concept"),
        // The human being behind one or more user accounts.
        EntityType::Person => Some("schema:Person"),
    }
}

fn class_comment(ty: EntityType) -> &'static str {
    match ty {
        EntityType::Account => "The KnowBe4 account (one customer organisation).",
        EntityType::User => {
            "A KnowBe4 user: active, archived, or known only from a group listing, an enrollment, a phishing result or the account's admins (see knownOnlyFrom)."
        }
        EntityType::UserGroup => {
            "A KnowBe4 group of users, including the built-in \"All Users\" (id 0)."
        }
        EntityType::TrainingCampaign => "A training campaign: modules assigned to groups.",
        EntityType::TrainingModule => {
            "A training module: a store purchase (course) or an uploaded policy."
        }
        EntityType::PhishingCampaign => {
            "A phishing campaign: a schedule of phishing security tests."
        }
        EntityType::PhishingSecurityTest => "One phishing security test (PST) of a campaign.",
        EntityType::PhishingSecurityTestResult => {
            "One recipient's result in a phishing security test: what they did and when."
        }
        EntityType::PhishingCategory => {
            "A category of phishing templates, such as \"Current Events\", as the security tests name it."
        }
        EntityType::RiskScore => {
            "One point of the account's risk score history: the score KnowBe4 gave the account on a date."
        }
        EntityType::Person => {
            "The person behind one or more KnowBe4 users (active, archived or known only from what mentions them), joined by the e-mail addresses and aliases they share; keyed by the normalized address."
        }
    }
}

/// The external property a datatype property is a subproperty of, if one fits. schema.org
/// properties are chosen over FOAF's because schema.org states no `rdfs:domain`: the
/// alignment adds no unintended types under RDFS inference.
fn property_alignment(owner: Option<EntityType>, name: &str) -> Option<&'static str> {
    use EntityType as E;
    match (owner, name) {
        (Some(_), "name") => Some("schema:name"),
        (Some(_), "displayName") => Some("rdfs:label"),
        (Some(E::User | E::UserGroup), "id")
        | (Some(E::TrainingCampaign | E::PhishingCampaign), "campaignId")
        | (Some(E::TrainingModule), "storePurchaseId" | "policyId")
        | (Some(E::PhishingSecurityTest), "pstId")
        | (Some(E::PhishingCategory), "categoryId")
        | (Some(E::PhishingSecurityTestResult), "recipientId")
        | (None, "enrollmentId") => Some("dcterms:identifier"),
        (Some(E::User | E::Person), "email") => Some("schema:email"),
        (Some(E::User | E::Person), "firstName") => Some("schema:givenName"),
        (Some(E::User | E::Person), "lastName") => Some("schema:familyName"),
        (Some(E::User), "jobTitle") => Some("schema:jobTitle"),
        (Some(E::User), "phoneNumber") => Some("schema:telephone"),
        (Some(E::TrainingCampaign), "startDate") => Some("schema:startDate"),
        (Some(E::TrainingCampaign), "endDate") => Some("schema:endDate"),
        (Some(E::TrainingModule), "description") => Some("dcterms:description"),
        (Some(E::TrainingModule), "publishDate") => Some("schema:datePublished"),
        (Some(E::TrainingModule), "defaultLanguage") => Some("schema:inLanguage"),
        _ => None,
    }
}

fn relationship_alignment(ty: RelationshipType) -> Option<&'static str> {
    match ty {
        RelationshipType::UserGroupHasUser => Some("sioc:has_member"),
        // SIOC's link from a user account to the agent who holds it: its domain is the
        // alignment of users already, and its range, foaf:Agent, is what a person is.
        RelationshipType::UserIsPerson => Some("sioc:account_of"),
        // The W3C Organization Ontology's line manager relation between agents.
        RelationshipType::PersonReportsToPerson => Some("org:reportsTo"),
        _ => None,
    }
}

/// `firstName` -> `first name`.
fn words(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn property_comment(owner: &str, p: &PropDef) -> String {
    let mut s = format!(
        "`{}` of a {owner}: {}{}",
        p.name,
        p.value_type,
        if p.required { ", required" } else { "" }
    );
    if p.value_type.is_array() {
        s.push_str(" (one triple per item; order and repeats are not kept)");
    }
    if p.api.is_empty() {
        s.push_str("; derived by kb4graph.");
    } else {
        let _ = write!(s, "; API field {}.", p.api.join(" or "));
    }
    s
}

fn datatype_property(out: &mut String, owner: &str, local: &str, p: &PropDef, align: Option<&str>) {
    let _ = writeln!(out, "kb:{local} a owl:DatatypeProperty ;");
    let _ = writeln!(out, "    rdfs:label {} ;", quoted(&words(p.name)));
    let _ = writeln!(
        out,
        "    rdfs:comment {} ;",
        quoted(&property_comment(owner, p))
    );
    if let Some(a) = align {
        let _ = writeln!(out, "    rdfs:subPropertyOf {a} ;");
    }
    let _ = writeln!(out, "    rdfs:domain kb:{owner} ;");
    let _ = writeln!(
        out,
        "    rdfs:range xsd:{} .\n",
        vocab::datatype(p.value_type)
    );
}

/// The whole vocabulary as Turtle.
pub fn generate_text() -> String {
    let mut out = String::new();
    header(
        &mut out,
        "kb4graph vocabulary (classes and properties of the RDF exports)",
        &[
            "kb", "dcterms", "org", "owl", "rdfs", "schema", "sioc", "skos", "xsd",
        ],
    );
    let _ = writeln!(
        out,
        "<{ONTOLOGY_IRI}> a owl:Ontology ;\n    rdfs:label \"kb4graph vocabulary\" ;\n    \
         rdfs:comment {} ;\n    owl:versionInfo \"1\" .\n",
        quoted(
            "A KnowBe4 account as a graph, following JupiterOne's KnowBe4 model. One class per \
             entity type and per relationship type, one property per property of each type \
             (named <Class>_<property>, with exactly one domain and range) and one object \
             property per relationship type (<From>_<relationship><To>). Instances are \
             <base IRI><percent-encoded _key>; the base is configurable (--base-iri)."
        )
    );

    out.push_str("# Structure\n\n");
    out.push_str(
        "kb:Entity a owl:Class ;\n    rdfs:label \"entity\" ;\n    rdfs:comment \"A JupiterOne-style entity of a KnowBe4 account.\" .\n\n\
         kb:Relationship a owl:Class ;\n    rdfs:label \"relationship\" ;\n    rdfs:comment \"A relationship that carries properties, as a node of its own (the direct triple from its source to its target is written too).\" .\n\n",
    );
    let _ = writeln!(
        out,
        "kb:{} a owl:DatatypeProperty ;\n    rdfs:label \"key\" ;\n    rdfs:comment \"The `_key` of an entity or relationship (the IRI is the base IRI followed by it, percent-encoded).\" ;\n    rdfs:subPropertyOf dcterms:identifier ;\n    rdfs:range xsd:string .\n",
        vocab::KEY
    );
    for (local, label, comment, range) in [
        (
            vocab::FROM,
            "from",
            "The source entity of a relationship node.",
            "kb:Entity",
        ),
        (
            vocab::TO,
            "to",
            "The target entity of a relationship node.",
            "kb:Entity",
        ),
    ] {
        let _ = writeln!(
            out,
            "kb:{local} a owl:ObjectProperty ;\n    rdfs:label {} ;\n    rdfs:comment {} ;\n    rdfs:domain kb:Relationship ;\n    rdfs:range {range} .\n",
            quoted(label),
            quoted(comment)
        );
    }
    let _ = writeln!(
        out,
        "kb:{} a owl:DatatypeProperty ;\n    rdfs:label \"complete\" ;\n    rdfs:comment \"Whether the fetch of a raw snapshot finished (provenance graph of the N-Quads export).\" ;\n    rdfs:range xsd:boolean .\n",
        vocab::COMPLETE
    );

    out.push_str("# JupiterOne classes (`_class`)\n\n");
    for class in vocab::jupiterone_classes() {
        if EntityType::ALL
            .iter()
            .any(|t| vocab::entity_class(*t) == class)
        {
            continue;
        }
        let _ = writeln!(
            out,
            "kb:{class} a owl:Class ;\n    rdfs:label {} ;\n    rdfs:comment {} ;\n    rdfs:subClassOf kb:Entity .\n",
            quoted(class),
            quoted(&format!("Entities of JupiterOne class {class}."))
        );
    }

    for ty in EntityType::ALL {
        let class = vocab::entity_class(ty);
        let def = ty.def();
        let _ = writeln!(out, "# {class} (`_type` {})\n", def.name);
        let _ = writeln!(out, "kb:{class} a owl:Class ;");
        let _ = writeln!(out, "    rdfs:label {} ;", quoted(words(class).trim()));
        let _ = writeln!(
            out,
            "    rdfs:comment {} ;",
            quoted(&format!(
                "{} `_type` {}, `_class` {}, `_key` {}.",
                class_comment(ty),
                def.name,
                def.classes.join(", "),
                def.key
            ))
        );
        let mut supers = vec!["kb:Entity".to_owned()];
        supers.extend(vocab::extra_classes(ty).map(|c| format!("kb:{c}")));
        supers.extend(class_alignment(ty).map(str::to_owned));
        let _ = writeln!(out, "    rdfs:subClassOf {} .\n", supers.join(", "));
        for (p, local) in vocab::entity_properties(ty) {
            datatype_property(
                &mut out,
                class,
                &local,
                p,
                property_alignment(Some(ty), p.name),
            );
        }
    }

    for ty in RelationshipType::ALL {
        let def = ty.def();
        let class = vocab::relationship_class(ty);
        let predicate = vocab::relationship_predicate(ty);
        let (from, to) = (vocab::entity_class(def.from), vocab::entity_class(def.to));
        let _ = writeln!(out, "# {from} {} {to} (`_type` {})\n", def.class, def.name);
        let _ = writeln!(out, "kb:{predicate} a owl:ObjectProperty ;");
        let _ = writeln!(
            out,
            "    rdfs:label {} ;",
            quoted(&format!("{}{}", def.key_class(), words(to).to_lowercase()))
        );
        let _ = writeln!(
            out,
            "    rdfs:comment {} ;",
            quoted(&format!(
                "{from} {} {to}: relationship `_type` {}{}.",
                def.class,
                def.name,
                if def.per_enrollment {
                    ", one per enrollment (the triple is written once per pair; each enrollment is a node of class kb:"
                        .to_owned()
                        + &class
                        + ")"
                } else {
                    String::new()
                }
            ))
        );
        if let Some(a) = relationship_alignment(ty) {
            let _ = writeln!(out, "    rdfs:subPropertyOf {a} ;");
        }
        let _ = writeln!(
            out,
            "    rdfs:domain kb:{from} ;\n    rdfs:range kb:{to} .\n"
        );
        let _ = writeln!(
            out,
            "kb:{class} a owl:Class ;\n    rdfs:label {} ;\n    rdfs:comment {} ;\n    rdfs:subClassOf kb:Relationship .\n",
            quoted(words(&class).trim()),
            quoted(&format!(
                "A {} relationship that carries properties, as a node (kb:from a {from}, kb:to a {to}, kb:key its `_key`).",
                def.name
            ))
        );
        for (p, local) in vocab::relationship_properties(ty) {
            datatype_property(
                &mut out,
                &class,
                &local,
                p,
                property_alignment(None, p.name),
            );
        }
    }
    out
}
