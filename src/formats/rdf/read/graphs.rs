//! The named graphs of an N-Quads export: one data graph `<base>graph/<sha256>` (in a combined
//! export, with one graph per account beside it, `<sha256>/account/<name>`), one provenance
//! graph `<sha256>/provenance`, all of one snapshot. The records reader knows the base IRI it
//! was given; `validate` does not, and takes it from the first graph name that has this form.

use oxrdf::{GraphName, Quad};

use super::subjects::{Fail, triple_location};

pub(crate) struct Graphs {
    /// `<base>graph/`, once known.
    prefix: Option<String>,
    data: Option<String>,
}

/// A snapshot's manifest hash, as graph names spell it.
fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The `<base>graph/` of a graph name an export writes, whatever the base.
fn prefix_of(name: &str) -> Option<&str> {
    name.match_indices("graph/").find_map(|(at, word)| {
        let prefix = &name[..at + word.len()];
        split(name.strip_prefix(prefix)?).map(|_| prefix)
    })
}

/// `<sha>`, `<sha>/provenance` or `<sha>/account/<name>` as (sha, is provenance).
fn split(tail: &str) -> Option<(&str, bool)> {
    let (sha, provenance) = match tail.split_once('/') {
        None => (tail, false),
        Some((sha, "provenance")) => (sha, true),
        Some((sha, rest))
            if rest
                .strip_prefix("account/")
                .is_some_and(|name| crate::accounts::check_name(name).is_ok()) =>
        {
            (sha, false)
        }
        Some(_) => return None,
    };
    is_sha256(sha).then_some((sha, provenance))
}

impl Graphs {
    /// With the export's base IRI, or `None` to take it from the first graph name.
    pub(crate) fn new(base: Option<&str>) -> Graphs {
        Graphs {
            prefix: base.map(|base| format!("{base}graph/")),
            data: None,
        }
    }

    /// Whether a quad is in the data graph (else in the provenance graph).
    pub(crate) fn is_data(&mut self, quad: &Quad) -> Result<bool, Fail> {
        let fail = |message: String| Fail {
            location: triple_location(quad),
            message,
        };
        let shown =
            |prefix: &Option<String>| prefix.clone().unwrap_or_else(|| "<base>graph/".to_owned());
        let GraphName::NamedNode(name) = &quad.graph_name else {
            let prefix = shown(&self.prefix);
            return Err(fail(format!(
                "a quad outside the named graphs {prefix}<sha256> and {prefix}<sha256>/provenance"
            )));
        };
        let name = name.as_str();
        if self.prefix.is_none() {
            self.prefix = prefix_of(name).map(str::to_owned);
        }
        let neither = |prefix: &Option<String>| {
            fail(format!(
                "graph <{name}> is neither the data graph {}<sha256> nor its provenance graph",
                shown(prefix)
            ))
        };
        let Some(prefix) = &self.prefix else {
            return Err(neither(&self.prefix));
        };
        let Some((sha, provenance)) = name.strip_prefix(prefix.as_str()).and_then(split) else {
            return Err(neither(&self.prefix));
        };
        match &self.data {
            Some(data) if data != sha => Err(fail(format!(
                "graph <{name}> belongs to another snapshot than graph <{prefix}{data}>: an export \
                 holds one data graph"
            ))),
            Some(_) => Ok(!provenance),
            None => {
                self.data = Some(sha.to_owned());
                Ok(!provenance)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{Literal, NamedNode};

    fn quad(graph: Option<&str>) -> Quad {
        let graph = match graph {
            Some(g) => GraphName::NamedNode(NamedNode::new(g).unwrap()),
            None => GraphName::DefaultGraph,
        };
        Quad::new(
            NamedNode::new("https://x.example/kb/user/1").unwrap(),
            NamedNode::new("https://x.example/ns#name").unwrap(),
            Literal::new_simple_literal("Ann"),
            graph,
        )
    }

    #[test]
    fn the_base_is_taken_from_the_first_graph_and_held_to() {
        let sha = "a".repeat(64);
        let other = "b".repeat(64);
        // A base that itself holds `graph/` and `/account/`.
        let base = "https://x.example/graph/account/kb/";
        let mut graphs = Graphs::new(None);
        let data = format!("{base}graph/{sha}");
        assert_eq!(graphs.is_data(&quad(Some(&data))).ok(), Some(true));
        let north = format!("{data}/account/north.");
        assert_eq!(graphs.is_data(&quad(Some(&north))).ok(), Some(true));
        let provenance = format!("{data}/provenance");
        assert_eq!(graphs.is_data(&quad(Some(&provenance))).ok(), Some(false));
        for bad in [
            format!("{base}graph/{other}"),
            format!("https://elsewhere.example/graph/{sha}"),
            format!("{data}/account/a/b"),
            format!("{data}/accounts/north"),
            format!("{base}graph/{}", &sha[..10]),
        ] {
            let err = graphs.is_data(&quad(Some(&bad))).unwrap_err();
            assert!(err.message.contains(&bad), "{bad}: {}", err.message);
        }
        let err = graphs.is_data(&quad(None)).unwrap_err();
        assert!(
            err.message.contains(&format!("{base}graph/<sha256>")),
            "{}",
            err.message
        );

        // A first graph no export writes names no base.
        let mut graphs = Graphs::new(None);
        let err = graphs
            .is_data(&quad(Some("https://x.example/g/1")))
            .unwrap_err();
        assert!(
            err.message.contains("<base>graph/<sha256>"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_given_base_is_the_only_one() {
        let sha = "0".repeat(64);
        let mut graphs = Graphs::new(Some("https://x.example/kb/"));
        let elsewhere = format!("https://y.example/kb/graph/{sha}");
        assert!(graphs.is_data(&quad(Some(&elsewhere))).is_err());
        let data = format!("https://x.example/kb/graph/{sha}");
        assert_eq!(graphs.is_data(&quad(Some(&data))).ok(), Some(true));
    }
}
