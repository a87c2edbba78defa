//! Relationships grouped by the entity they leave, for formats that write each entity with its
//! links (RDF). Built once per graph, on first use, and shared by every format written from it.

use super::graph::Graph;

/// Each entity's outgoing relationships (target entity index, relationship type), grouped by
/// source entity in `_key` order of the relationships: a counting sort, 5 bytes per relationship.
pub(crate) struct Outgoing {
    offsets: Vec<u32>,
    targets: Vec<u32>,
    types: Vec<u8>,
}

impl Outgoing {
    pub(crate) fn of(graph: &Graph) -> Outgoing {
        let n = graph.entity_count();
        let mut offsets = vec![0u32; n + 1];
        for r in graph.relationships() {
            offsets[r.from().index() + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let total = graph.relationship_count();
        let mut targets = vec![0u32; total];
        let mut types = vec![0u8; total];
        for r in graph.relationships() {
            let slot = &mut next[r.from().index()];
            let i = *slot as usize;
            *slot += 1;
            targets[i] = r.to().index() as u32;
            types[i] = r.relationship_type() as u8;
        }
        Outgoing {
            offsets,
            targets,
            types,
        }
    }

    pub(crate) fn of_entity(&self, index: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let start = self.offsets.get(index).copied().unwrap_or(0) as usize;
        let end = self.offsets.get(index + 1).copied().unwrap_or(0) as usize;
        (start..end).map(|i| (self.targets[i] as usize, usize::from(self.types[i])))
    }
}
