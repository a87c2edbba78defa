//! The graph assembled: entities and relationships sorted by `_key`, extra properties listed
//! per type, warnings counted while reading written out and sorted.

use std::collections::BTreeSet;

use super::builder::{Builder, Label, plural};
use super::entities::Draft;
use super::{State, Tally};
use crate::model::graph::{EntityRec, Graph, RelRec};
use crate::model::intern::StrArena;
use crate::model::keys::{RelOrder, cmp_with_pipe};
use crate::model::props::EXTRA;
use crate::model::table::{EntityType, RelationshipType};
use crate::model::warning::{Warning, WarningCode};

impl State {
    pub(super) fn finish(mut self) -> (Graph, Vec<Warning>) {
        // In id order, and in a list: on the largest accounts the map's table is the largest
        // thing normalize holds besides the graph, and it is not needed any more.
        let mut enrollments: Vec<_> = std::mem::take(&mut self.enrollments).into_iter().collect();
        enrollments.sort_unstable_by_key(|&(id, _)| id);
        let mut found = self.entities();
        let keys_arena = std::mem::take(&mut found.drafts.keys);
        let drafts = std::mem::take(&mut found.drafts.list);
        let (entities, final_of) = in_key_order(&keys_arena, drafts);
        let rels = self.relationships(&found, &final_of, enrollments);
        drop(found);
        drop(final_of);
        self.tally_warnings();
        self.unknown_warnings();
        let State { b, .. } = self;
        assemble(b, keys_arena, entities, rels)
    }

    /// Warnings counted while reading: modules known only by name, unknown campaigns.
    fn tally_warnings(&mut self) {
        for ((name, ambiguous), Tally { count, first }) in std::mem::take(&mut self.name_only) {
            let (code, why) = if ambiguous {
                (
                    WarningCode::AmbiguousModuleName,
                    "several modules have that name and nothing else tells them apart",
                )
            } else {
                (WarningCode::NameOnlyModule, "no module has that name")
            };
            self.b.warn(
                code,
                first,
                None,
                format!(
                    "module {name:?} is named without an id by {}, and {why}: linked to a module known only by name (first here)",
                    plural(count, "enrollment")
                ),
            );
        }
        for (campaign, Tally { count, first }) in std::mem::take(&mut self.unknown_campaigns) {
            self.b.warn(
                WarningCode::MissingReference,
                first,
                Some(Label::TrainingCampaign(Some(campaign))),
                format!(
                    "{} of training campaign {campaign}, which is not in training/campaigns (first here)",
                    plural(count, "enrollment")
                ),
            );
        }
    }

    fn unknown_warnings(&mut self) {
        for ((type_name, path), u) in std::mem::take(&mut self.b.unknown) {
            let message = if u.property.is_empty() {
                format!(
                    "{type_name}: unknown field `{path}`, null wherever it appears ({})",
                    plural(u.count, "record")
                )
            } else {
                format!(
                    "{type_name}: unknown field `{path}` kept as string property `{}` ({}, first here)",
                    u.property,
                    plural(u.count, "record")
                )
            };
            self.b
                .warn(WarningCode::UnknownField, u.first, None, message);
        }
    }
}

/// Entities in key order, and where each draft went.
pub(super) fn in_key_order(keys: &StrArena, drafts: Vec<Draft>) -> (Vec<EntityRec>, Vec<u32>) {
    let mut order: Vec<u32> = (0..drafts.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        keys.get(drafts[a as usize].key)
            .cmp(keys.get(drafts[b as usize].key))
    });
    let mut final_of = vec![0u32; drafts.len()];
    let mut entities = Vec::with_capacity(drafts.len());
    for (pos, &i) in order.iter().enumerate() {
        final_of[i as usize] = pos as u32;
        let dr = &drafts[i as usize];
        entities.push(EntityRec {
            key: dr.key,
            props: dr.span,
            ty: dr.ty,
        });
    }
    (entities, final_of)
}

/// The graph of entities in key order and their relationships: relationships sorted by
/// `_key`, each key once, extra properties listed per type, warnings sorted.
pub(super) fn assemble(
    b: Builder,
    keys_arena: StrArena,
    entities: Vec<EntityRec>,
    mut rels: Vec<RelRec>,
) -> (Graph, Vec<Warning>) {
    let mut pipe_order: Vec<u32> = (0..entities.len() as u32).collect();
    pipe_order.sort_by(|&a, &b| {
        cmp_with_pipe(
            keys_arena.get(entities[a as usize].key),
            keys_arena.get(entities[b as usize].key),
        )
    });
    let mut pipe_rank = vec![0u32; entities.len()];
    for (rank, &e) in pipe_order.iter().enumerate() {
        pipe_rank[e as usize] = rank as u32;
    }
    drop(pipe_order);
    let has_pipe: Vec<bool> = entities
        .iter()
        .map(|e| keys_arena.get(e.key).contains('|'))
        .collect();
    let order = RelOrder {
        keys: &keys_arena,
        entities: &entities,
        pipe_rank: &pipe_rank,
        has_pipe: &has_pipe,
        store: &b.store,
    };
    rels.sort_unstable_by(|a, b| order.cmp(a, b).then(b.props.len.cmp(&a.props.len)));
    // Among relationships with one key, the sort put the one with properties first.
    rels.dedup_by(|later, first| order.same(later, first));
    drop(pipe_rank);
    drop(has_pipe);

    let Builder {
        strings,
        mut store,
        extras,
        mut warnings,
        ..
    } = b;
    let mut entity_extras: Vec<BTreeSet<u16>> = vec![BTreeSet::new(); EntityType::ALL.len()];
    for e in &entities {
        for p in store.get(e.props) {
            if p.is_extra() {
                entity_extras[e.ty as usize].insert(p.slot & !EXTRA);
            }
        }
    }
    let mut relationship_extras: Vec<BTreeSet<u16>> =
        vec![BTreeSet::new(); RelationshipType::ALL.len()];
    for r in &rels {
        for p in store.get(r.props) {
            if p.is_extra() {
                relationship_extras[r.ty as usize].insert(p.slot & !EXTRA);
            }
        }
    }
    let by_name = |set: BTreeSet<u16>| {
        let mut ids: Vec<u16> = set.into_iter().collect();
        ids.sort_by(|&a, &b| extras.name(a).cmp(extras.name(b)));
        ids
    };
    let entity_extras = entity_extras.into_iter().map(by_name).collect();
    let relationship_extras = relationship_extras.into_iter().map(by_name).collect();
    store.shrink_to_fit();
    rels.shrink_to_fit();
    let mut keys_arena = keys_arena;
    keys_arena.shrink_to_fit();
    warnings.sort();
    let graph = Graph {
        strings: strings.finish(),
        keys: keys_arena,
        extra_names: extras.names,
        store,
        entities,
        relationships: rels,
        entity_extras,
        relationship_extras,
        outgoing: std::sync::OnceLock::new(),
        account_tag: None,
    };
    (graph, warnings)
}
